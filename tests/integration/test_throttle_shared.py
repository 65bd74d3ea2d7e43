"""Throttle counts are one count for every worker process. In each process's own cache
(LocMemCache), N gunicorn workers allowed N times each limit: a process saw only the
guesses it had answered itself. Here two real processes (and this one) count against one
database. Then the counting rules: exact under simultaneous hits, a window fixed by its
first hit, ended windows cleared. SQLite (a file, as in production) and PostgreSQL."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection
from django.test import RequestFactory
from django.utils import timezone

from tests.integration.test_concurrency import THREADS, together, sqlite_file_database  # noqa: F401 (fixture)
from trainer import join_throttle, throttle
from trainer.models import ThrottleCount

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]
ADDRESS = "198.51.100.7"

# A worker process: `n` wrong join codes from ADDRESS, then whether it is paused.
WORKER = f"""
import sys
import django
django.setup()
from django.test import RequestFactory
from trainer import join_throttle
request = RequestFactory().get("/", REMOTE_ADDR="{ADDRESS}")
for _ in range(int(sys.argv[1])):
    join_throttle.record_miss(request)
print(join_throttle.blocked(request))
"""


def this_database_url() -> str:
    """DATABASE_URL for the database this test uses (the module's SQLite file, or the
    PostgreSQL test database), for another process."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    auth = f"{quote(db['USER'], safe='')}:{quote(db['PASSWORD'] or '', safe='')}@" if db["USER"] else ""
    return f"postgresql://{auth}{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def worker(misses: int) -> bool:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    env.update(DJANGO_SETTINGS_MODULE="trainer.settings", DJANGO_DEBUG="1", DATABASE_URL=this_database_url())
    done = subprocess.run([sys.executable, "-c", WORKER, str(misses)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return {"True": True, "False": False}[done.stdout.strip().splitlines()[-1]]


def test_two_worker_processes_count_the_same_guesses():
    request = RequestFactory().get("/", REMOTE_ADDR=ADDRESS)
    assert worker(join_throttle.PER_ADDRESS - 1) is False  # one short of the limit
    assert not join_throttle.blocked(request)  # this process sees the same 99
    assert worker(1) is True  # a second process: the 100th guess, on top of the first's
    assert join_throttle.blocked(request)
    assert not join_throttle.blocked(RequestFactory().get("/", REMOTE_ADDR="198.51.100.8"))


def test_simultaneous_hits_are_each_counted():
    """Django's DatabaseCache reads then writes (two at once both store 5 after 4)."""
    together(THREADS, lambda i: [throttle.hit("k", 60) for _ in range(5)])
    assert throttle.counts(["k"]) == {"k": THREADS * 5}


def test_a_window_is_fixed_by_its_first_hit_and_an_ended_one_starts_again():
    throttle.hit("k", 60)
    first_end = ThrottleCount.objects.get(key="k").window_ends
    throttle.hit("k", 60)
    assert ThrottleCount.objects.get(key="k").window_ends == first_end  # later hits do not extend it
    assert throttle.counts(["k", "other"]) == {"k": 2, "other": 0}
    assert timedelta(seconds=58) < throttle.time_left("k") <= timedelta(seconds=60)
    ThrottleCount.objects.update(window_ends=timezone.now() - timedelta(seconds=1))  # the minute is up
    assert throttle.counts(["k"]) == {"k": 0} and throttle.time_left("k") == timedelta(0)
    throttle.hit("stale", 60)  # another key's new window clears ended ones
    assert not ThrottleCount.objects.filter(key="k").exists()
    throttle.hit("k", 60)
    assert throttle.counts(["k", "stale"]) == {"k": 1, "stale": 1}
