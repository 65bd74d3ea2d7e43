"""CI relies on browser tests running: without Chromium they may skip on a laptop,
but with REQUIRE_BROWSER=1 (or CI=true) the run must fail, not pass quietly."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BROWSER_FILE = "tests/e2e/test_xss.py"


def run_pytest(*args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in ("CI", "REQUIRE_BROWSER")}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", *args, BROWSER_FILE],
        cwd=ROOT, env={**clean, "CHROMIUM_PATH": "/nonexistent/chromium", **env},
        capture_output=True, text=True, timeout=120,
    )


@pytest.mark.parametrize("flag", [{"REQUIRE_BROWSER": "1"}, {"CI": "true"}])
def test_a_missing_chromium_fails_the_run_when_browsers_are_required(flag):
    done = run_pytest("--collect-only", **flag)
    assert done.returncode != 0
    assert "Chromium is missing at /nonexistent/chromium" in done.stdout + done.stderr


def test_a_missing_chromium_skips_browser_tests_on_a_laptop():
    done = run_pytest()
    assert done.returncode == 0, done.stdout + done.stderr
    assert "skipped" in done.stdout and "passed" not in done.stdout
