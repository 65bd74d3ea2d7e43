"""Production settings: `check --deploy` clean, security headers present, secrets
only from the environment, no demo accounts in production mode.

Production mode is tested in subprocesses with the environment a deployment sets
(DJANGO_DEBUG=0, a real secret), because the test suite itself runs with test
settings (no HTTPS, fast hashers)."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import Client

ROOT = Path(__file__).resolve().parents[2]


def production_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "AXES_"))}
    env.update(
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(64),
        DJANGO_ALLOWED_HOSTS="trainer.example.org",
        # A throwaway database: nothing here may touch the project's or the suite's.
        DATABASE_URL=f"sqlite:///{tmp_path / 'prod.sqlite3'}",
    )
    env.update(extra)
    return env


def manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_check_deploy_is_clean_in_production_mode(tmp_path):
    result = manage(production_env(tmp_path), "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_does_fail_on_a_weak_setting(tmp_path):
    """Control: the check above is able to fail (a short, guessable secret)."""
    result = manage(production_env(tmp_path, DJANGO_SECRET_KEY="short"), "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode != 0
    assert "security.W009" in result.stdout + result.stderr


def test_the_secret_comes_only_from_the_environment(tmp_path):
    env = production_env(tmp_path)
    del env["DJANGO_SECRET_KEY"]
    result = manage(env, "check")
    assert result.returncode != 0
    # One line that says what to do, not a traceback ending in it.
    assert result.stderr.strip() == "manage.py: Set DJANGO_SECRET_KEY (or DJANGO_DEBUG=1 for local development)."
    env = production_env(tmp_path)
    result = manage(env, "shell", "-c", "from django.conf import settings; print(settings.SECRET_KEY)")
    assert result.stdout.strip().splitlines()[-1] == env["DJANGO_SECRET_KEY"], result.stderr


# Runs inside the production-mode subprocess: requests through the full middleware
# stack, reporting status and headers as JSON.
PROBE = r"""
import json, django
django.setup()
from django.conf import settings
from django.test import Client
client = Client(HTTP_HOST="trainer.example.org")
out = {}
for name, path, secure in [("home", "/", True), ("login", "/accounts/login/", True), ("plain_http", "/", False)]:
    r = client.get(path, secure=secure)
    out[name] = {"status": r.status_code, "headers": dict(r.headers), "location": r.get("Location", ""),
                 "cookies": {k: {"secure": bool(m["secure"]), "httponly": bool(m["httponly"]), "samesite": m["samesite"]}
                             for k, m in r.cookies.items()}}
out["settings"] = {k: getattr(settings, k) for k in ("SESSION_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY", "CSRF_COOKIE_SECURE", "DEBUG")}
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def production(tmp_path_factory):
    env = production_env(tmp_path_factory.mktemp("prod"))
    env["DJANGO_SETTINGS_MODULE"] = "trainer.settings"
    # Hashed static names need collectstatic; headers do not depend on them.
    env["DJANGO_STATICFILES_BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"
    result = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def csp_directives(header: str) -> dict[str, list[str]]:
    out = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            out[words[0]] = words[1:]
    return out


def test_production_responses_carry_the_security_headers(production):
    home = production["home"]
    assert home["status"] == 200
    h = home["headers"]
    assert h["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert h["X-Frame-Options"] == "DENY"
    assert h["Referrer-Policy"] == "same-origin"
    assert h["X-Content-Type-Options"] == "nosniff"
    assert h["Cross-Origin-Opener-Policy"] == "same-origin"
    csp = csp_directives(h["Content-Security-Policy"])
    script_src = csp.get("script-src", csp.get("default-src"))
    assert script_src == ["'self'"], csp
    assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src
    assert csp["object-src"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["base-uri"] == ["'self'"]


def test_plain_http_is_redirected_to_https_and_cookies_are_secure(production):
    plain = production["plain_http"]
    assert plain["status"] == 301
    assert plain["location"] == "https://trainer.example.org/"
    csrf = production["login"]["cookies"]["csrftoken"]
    assert csrf["secure"] and csrf["samesite"] == "Lax"
    assert production["settings"] == {
        "SESSION_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "CSRF_COOKIE_SECURE": True,
        "DEBUG": False,
    }


@pytest.mark.django_db
def test_every_page_of_the_suite_settings_has_csp_and_frame_denial():
    """The same headers without HTTPS (as in development and this suite), minus HSTS."""
    for path in ("/", "/cases/", "/guidance/", "/accounts/login/", "/accounts/signup/"):
        response = Client().get(path)
        assert response.status_code == 200, path
        csp = csp_directives(response["Content-Security-Policy"])
        assert csp["script-src"] == ["'self'"], path
        assert response["X-Frame-Options"] == "DENY"
        assert "Strict-Transport-Security" not in response  # HSTS only behind HTTPS


def test_seed_demo_refuses_in_production_mode(tmp_path):
    env = production_env(tmp_path)
    assert manage(env, "migrate", "--noinput", "-v0").returncode == 0
    result = manage(env, "seed_demo")
    assert result.returncode != 0
    assert "Refusing to create demo accounts with DEBUG off" in result.stderr
    count = manage(env, "shell", "-c", "from django.contrib.auth.models import User; print(User.objects.count())")
    assert count.stdout.strip().splitlines()[-1] == "0", count.stderr


@pytest.mark.django_db
def test_seed_demo_needs_force_when_debug_is_off(settings):
    settings.DEBUG = False
    users = get_user_model().objects
    with pytest.raises(CommandError, match="Refusing"):
        call_command("seed_demo")
    assert not users.filter(username__startswith="demo-").exists()
    call_command("seed_demo", "--force", "--password", "a-long-demo-pass", stdout=open(os.devnull, "w"))
    assert {"demo-instructor", "demo-student", "demo-student2"} <= set(
        users.filter(username__startswith="demo-").values_list("username", flat=True)
    )


@pytest.mark.parametrize(("behind_proxy", "callable_"), [("1", "trainer.client_ip.behind_proxy"), ("0", "None")])
def test_login_throttling_reads_x_forwarded_for_only_behind_the_proxy(tmp_path, behind_proxy, callable_):
    env = production_env(tmp_path, DJANGO_BEHIND_PROXY=behind_proxy)
    result = manage(env, "shell", "-c", "from django.conf import settings; print(settings.AXES_CLIENT_IP_CALLABLE)")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == callable_  # after the shell's own notice
