"""On PostgreSQL the app's connections run with JIT off. The planner's estimate for
the learner lists' correlated lock subqueries (classroom.assessment_lock) passed
jit_above_cost, and compiling the query took ~0.6 s of a 0.6 s library page for a
learner with a few hundred attempts (EXPLAIN ANALYZE: "JIT ... Total 590 ms",
execution 24 ms). These pages are short indexed lookups, never what JIT pays for.

Checked on the settings a PostgreSQL deployment gets (a subprocess with its
DATABASE_URL; no server needed), so it holds whichever database the suite runs on."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PRINT_OPTIONS = (
    "import django, json; django.setup(); from django.conf import settings; "
    "print(json.dumps(settings.DATABASES['default'].get('OPTIONS', {})))"
)


def _options(url: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DATABASE_URL")}
    env.update(DATABASE_URL=url, DJANGO_SETTINGS_MODULE="trainer.settings", DJANGO_DEBUG="1")
    out = subprocess.run([sys.executable, "-c", PRINT_OPTIONS], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_postgresql_connections_turn_jit_off():
    assert "-c jit=off" in _options("postgresql://u:p@127.0.0.1:5432/any").get("options", "")


def test_sqlite_keeps_its_own_options():
    assert _options("sqlite:///:memory:")["transaction_mode"] == "IMMEDIATE"
