"""A crash mid-attempt loses nothing acknowledged.

gunicorn serves the app in production mode from a temporary SQLite file. Several
learners submit choices over HTTP; the whole server (master and workers) is
killed with SIGKILL while they do. Every choice that got a success response must
be stored, every attempt's log must be a valid path, and after a restart each
learner resumes over HTTP and finishes.

The database is always a temporary SQLite file, also when the suite runs on
PostgreSQL: pytest-django owns the test_<name> PostgreSQL database (and wipes it),
a server in another process cannot share its uncommitted test transaction, and a
file we create and delete ourselves keeps the test self-contained. The file is
configured exactly as production SQLite is (WAL, IMMEDIATE, busy timeout).
Everything is on 127.0.0.1, and every wait is bounded.
"""

from __future__ import annotations

import http.client
import os
import re
import secrets
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import pytest

from tests.factories import PASSWORD
from django.test import override_settings
from trainer.option_tokens import option_token

ROOT = Path(__file__).resolve().parents[2]
LEARNERS = 6
BEST_C01 = ["H1", "H3", "H4", "H5", "H6", "H7", "H8", "history:next", "X2", "X4", "X9", "X6", "exam:next", "W1", "A", "P1"]
KILL_AFTER = 30  # acknowledged choices (of 6 x 16) before the crash


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, env: dict[str, str], logs: Path):
        self.env, self.logs = env, logs
        self.proc: subprocess.Popen | None = None
        self.port = 0

    def start(self) -> None:
        self.port = free_port()
        log = open(self.logs / f"gunicorn-{self.port}.log", "w")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "trainer.wsgi:application", "-b", f"127.0.0.1:{self.port}",
             "-w", "3", "--timeout", "30"],
            cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: master and workers die together
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, (self.logs / f"gunicorn-{self.port}.log").read_text()
            try:
                if Browser(self.port).get("/accounts/login/").status == 200:
                    return
            except OSError:
                time.sleep(0.2)
        raise AssertionError("gunicorn did not start within 30 s")

    def kill(self) -> None:
        """The hard crash: SIGKILL to the master and every worker at once."""
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)


class Response:
    def __init__(self, status: int, headers, body: str):
        self.status, self.headers, self.body = status, headers, body


class Browser:
    """Just enough of a browser: cookies, the CSRF header htmx sends, no redirect following."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, data: dict | None = None, htmx: bool = False) -> Response:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=15)
        headers = {"Host": f"127.0.0.1:{self.port}"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if method == "POST":
            body = urlencode(data or {})
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["X-CSRFToken"] = self.cookies.get("csrftoken", "")
        if htmx:
            headers.update({"HX-Request": "true", "HX-Request-Type": "partial"})
        try:
            conn.request(method, path, body=body, headers=headers)
            raw = conn.getresponse()
            text = raw.read().decode("utf-8", "replace")
        finally:
            conn.close()
        for header in raw.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return Response(raw.status, raw.headers, text)

    def get(self, path: str) -> Response:
        return self.request("GET", path)

    def post(self, path: str, data: dict | None = None, htmx: bool = False) -> Response:
        return self.request("POST", path, data, htmx)

    def log_in(self, username: str) -> None:
        self.get("/accounts/login/")
        r = self.post("/accounts/login/", {"username": username, "password": PASSWORD})
        assert r.status == 302, (username, r.status, r.body[:300])


def manage(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=180
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


@pytest.fixture
def prod_env(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    env.update(
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(64),
        DJANGO_HTTPS="0",  # plain HTTP on loopback; the TLS proxy is not under test
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_STATICFILES_BACKEND="django.contrib.staticfiles.storage.StaticFilesStorage",
        DATABASE_URL=f"sqlite:///{tmp_path / 'crash.sqlite3'}",
    )
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "load_cases")
    manage(
        env, "shell", "-c",
        "from tests.factories import UserFactory\n"
        f"for i in range({LEARNERS}): UserFactory(username=f'crash{{i}}')",
    )
    return env


def as_sent(env: dict[str, str], attempt_id: int) -> dict[str, str]:
    """BEST_C01 as the page sends it: each option as its token under the server's secret."""
    with override_settings(SECRET_KEY=env["DJANGO_SECRET_KEY"]):
        return {o: o if o.endswith(":next") else option_token(attempt_id, o) for o in BEST_C01}


def stored_choices(db: Path) -> dict[int, list[str]]:
    """Read the database file directly, as it is on disk after the crash."""
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT attempt_id, seq, option_id FROM trainer_choice ORDER BY attempt_id, seq").fetchall()
    out: dict[int, list[tuple[int, str]]] = {}
    for attempt_id, seq, option in rows:
        out.setdefault(attempt_id, []).append((seq, option))
    for attempt_id, pairs in out.items():
        assert [s for s, _ in pairs] == list(range(len(pairs))), f"attempt {attempt_id}: gaps in seq {pairs}"
    return {a: [o for _, o in pairs] for a, pairs in out.items()}


def test_a_hard_kill_loses_no_acknowledged_choice(prod_env, tmp_path):
    server = Server(prod_env, tmp_path)
    server.start()
    try:
        learners = []
        for i in range(LEARNERS):
            browser = Browser(server.port)
            browser.log_in(f"crash{i}")
            r = browser.post("/cases/C01/start/")
            assert r.status == 302, r.status
            attempt_id = int(re.fullmatch(r"/attempts/(\d+)/", r.headers["Location"]).group(1))
            learners.append({"browser": browser, "attempt": attempt_id, "acked": [], "server_errors": [], "sent": as_sent(prod_env, attempt_id)})

        acked_total = 0
        lock = threading.Lock()
        crashed = threading.Event()

        def submit(learner: dict, n: int) -> None:
            nonlocal acked_total
            for option in BEST_C01:
                if crashed.is_set():
                    return
                try:
                    r = learner["browser"].post(f"/attempts/{learner['attempt']}/choose/", {"option": learner["sent"][option]}, htmx=n % 2 == 1)
                except (OSError, http.client.HTTPException):
                    # The server is gone (refused, reset, or killed mid-answer: IncompleteRead):
                    # this choice was not acknowledged.
                    return
                if 200 <= r.status < 400:
                    learner["acked"].append(option)
                    with lock:
                        acked_total += 1
                else:
                    learner["server_errors"].append((option, r.status))
                    return

        threads = [threading.Thread(target=submit, args=(learner, n), daemon=True) for n, learner in enumerate(learners)]
        for t in threads:
            t.start()
        deadline = time.monotonic() + 60
        while acked_total < KILL_AFTER and time.monotonic() < deadline:
            time.sleep(0.005)
        server.kill()
        crashed.set()
        for t in threads:
            t.join(timeout=30)
        assert not any(t.is_alive() for t in threads)
        assert KILL_AFTER <= acked_total < LEARNERS * len(BEST_C01), "the crash must come mid-way"
        assert not any(learner["server_errors"] for learner in learners), [learner["server_errors"] for learner in learners]

        db = Path(prod_env["DATABASE_URL"].removeprefix("sqlite:///"))
        stored = stored_choices(db)
        for learner in learners:
            mine = stored.get(learner["attempt"], [])
            acked = learner["acked"]
            assert mine[: len(acked)] == acked, f"acknowledged choices lost: acked {acked}, stored {mine}"
            # At most the one in flight at the crash was stored without its answer.
            assert mine == BEST_C01[: len(mine)] and len(mine) - len(acked) in (0, 1), (acked, mine)

        # Restart: every learner resumes where the database says, and finishes.
        server.start()
        for learner in learners:
            browser = learner["browser"]
            browser.port = server.port  # same session cookie: sessions live in the database
            mine = stored.get(learner["attempt"], [])
            page = browser.get(f"/attempts/{learner['attempt']}/")
            assert page.status == 200, page.status
            entries = sum(1 for option in mine if not option.endswith(":next"))
            assert page.body.count('class="entry') == entries, learner["attempt"]
            for option in BEST_C01[len(mine) :]:
                r = browser.post(f"/attempts/{learner['attempt']}/choose/", {"option": learner["sent"][option]})
                assert r.status == 302, (option, r.status)
            debrief = browser.get(f"/attempts/{learner['attempt']}/debrief/")
            assert debrief.status == 200 and "Debrief:" in debrief.body
        final = stored_choices(db)
        assert all(final[learner["attempt"]] == BEST_C01 for learner in learners)
    finally:
        server.stop()
