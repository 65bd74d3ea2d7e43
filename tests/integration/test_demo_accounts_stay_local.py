"""Demo accounts (with the password README.md publishes) only in a development database.
`make run` forced DEBUG on and ran seed_demo in whatever database DATABASE_URL named, so
an operator with production's environment loaded who typed it filled production with
them. Now the Makefile's development targets refuse such a shell, and seed_demo refuses a
database other than SQLite (the development one) even with DEBUG on, unless --force."""

from __future__ import annotations

import os
import shutil
import subprocess
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def demo_accounts() -> int:
    return get_user_model().objects.filter(username__startswith="demo-").count()


@pytest.mark.django_db
def test_with_debug_on_seed_demo_still_refuses_a_database_other_than_sqlite(settings, monkeypatch):
    settings.DEBUG = True  # as `DJANGO_DEBUG=1 manage.py seed_demo`, the Makefile's command
    on_sqlite = connection.vendor == "sqlite"
    if on_sqlite:  # on PostgreSQL (the suite's second run) this is the real database
        monkeypatch.setattr(connection, "vendor", "postgresql")
        monkeypatch.setattr(connection, "display_name", "PostgreSQL")
    with pytest.raises(CommandError) as refused:
        call_command("seed_demo", stdout=StringIO())
    assert str(refused.value).startswith("Refusing to create demo accounts (their password is published) in the PostgreSQL database '")
    assert "Unset DATABASE_URL, or use --force to override." in str(refused.value)
    assert demo_accounts() == 0
    monkeypatch.undo()
    # SQLite with DEBUG on is development: no --force needed. Elsewhere --force overrides.
    call_command("seed_demo", *([] if on_sqlite else ["--force"]), stdout=StringIO())
    assert demo_accounts() >= 3


def make_n(target: str, **env: str) -> subprocess.CompletedProcess:
    assert shutil.which("make"), "make is needed: the newcomer's two commands are make targets"
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "MAKE", "MFLAGS"))}
    return subprocess.run(["make", "-n", target], cwd=ROOT, env={**clean, **env}, capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize(
    "production",
    [
        {"DATABASE_URL": "postgresql://trainer:secret@127.0.0.1:5432/trainer"},
        {"DJANGO_SECRET_KEY": "a-production-secret", "DJANGO_DEBUG": "0"},  # production on SQLite: the same db.sqlite3
        {"DJANGO_DEBUG": "false"},
    ],
)
@pytest.mark.parametrize("target", ["run", "setup"])
def test_make_run_refuses_a_shell_with_a_production_environment(production, target):
    result = make_n(target, **production)
    assert result.returncode != 0
    assert "seed_demo" not in result.stdout and "runserver" not in result.stdout
    assert "make run and make setup are for development" in result.stderr
    assert all(name in result.stderr for name in production)


def test_make_run_in_a_development_shell_seeds_the_local_database():
    result = make_n("run", DJANGO_DEBUG="1")
    assert result.returncode == 0, result.stderr
    assert "manage.py seed_demo" in result.stdout and "manage.py runserver" in result.stdout
