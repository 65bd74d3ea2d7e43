"""Where a server error goes in production: one line to stderr (gunicorn's error
stream, the journal under systemd) that says when, how bad and which logger, then
the traceback. The site sends no email, so this line is how an administrator learns
of a 500 (docs/deployment.md, "Logs and errors")."""

from __future__ import annotations

import re
import subprocess
import sys

from tests.integration.test_security_settings import ROOT, production_env

# A production-mode process whose database was never migrated (the operator forgot
# `migrate`): the case library's query fails, a 500.
PROBE = r"""
import django
django.setup()
from django.test import Client
response = Client(HTTP_HOST="trainer.example.org", raise_request_exception=False).get("/cases/", secure=True)
print("status", response.status_code)
"""


def test_a_server_error_is_logged_with_its_time_level_and_logger(tmp_path):
    env = production_env(tmp_path, DJANGO_SETTINGS_MODULE="trainer.settings")
    env["DJANGO_STATICFILES_BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"
    result = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.stdout.strip().splitlines()[-1] == "status 500", result.stderr
    # (Other lines may come first: whitenoise warns when collectstatic has not run.)
    line = next(line for line in result.stderr.splitlines() if "Internal Server Error" in line)
    # Without a formatter the line was the bare message, "Internal Server Error: /cases/":
    # in a log file nobody could tell when it happened.
    assert re.fullmatch(
        r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} ERROR django\.request: Internal Server Error: /cases/", line
    ), result.stderr
    assert "Traceback (most recent call last):" in result.stderr
    assert "no such table" in result.stderr


def test_the_log_level_may_be_written_in_lower_case(tmp_path):
    """DJANGO_LOG_LEVEL=info stopped every command and gunicorn with "ValueError: Unable
    to configure root logger": logging knows only upper-case level names."""
    env = production_env(tmp_path, DJANGO_LOG_LEVEL="info")
    check = "import django; django.setup(); import logging; print(logging.getLevelName(logging.getLogger().level))"
    result = subprocess.run([sys.executable, "-c", check], cwd=ROOT, env=dict(env, DJANGO_SETTINGS_MODULE="trainer.settings"),
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "INFO"
