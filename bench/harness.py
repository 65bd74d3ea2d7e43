"""The bench's environment (bench/run.py): its paths and messages, production-like
settings, a fresh database, the gunicorn server, and what the machine is doing
(cores, load average, TIME_WAIT sockets)."""

from __future__ import annotations

import io
import os
import platform
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

from bench.wire import wire_get

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
DATA = BENCH / ".data"
VENV_BIN = Path(sys.executable).parent


def say(msg: str = "") -> None:
    print(msg, flush=True)


def die(msg: str) -> None:
    say(f"bench: {msg}")
    sys.exit(2)


# -- environment ----------------------------------------------------------------


def bench_env(args) -> dict:
    """Production-like settings: DEBUG off, a secret key, plain http on loopback,
    persistent connections, the manifest static storage (the default when DEBUG is off)."""
    env = {
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "bench-" + secrets.token_urlsafe(40),
        "DJANGO_HTTPS": "0",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_CONN_MAX_AGE": os.environ.get("DJANGO_CONN_MAX_AGE", "600"),
        "DJANGO_LOG_LEVEL": "WARNING",  # 4xx/5xx responses are logged to bench/.data/gunicorn.log
    }
    url = os.environ.get("DATABASE_URL", "")
    if url:
        name = urllib.parse.urlparse(url).path.lstrip("/")
        if "bench" not in name and not args.wipe_ok:
            die(
                f"DATABASE_URL names the database '{name}'. The bench wipes its database, so it only uses one "
                "whose name contains 'bench' (e.g. postgresql://app:app@127.0.0.1:5432/bench); "
                "pass --wipe-ok to override."
            )
        env["DATABASE_URL"] = url
    else:
        env["DATABASE_URL"] = f"sqlite:///{DATA / 'bench.sqlite3'}"
    return env


def require_wrk() -> str:
    wrk = shutil.which("wrk")
    if not wrk:
        die(
            "wrk is not installed. Install it with:\n"
            "    sudo apt-get install -y wrk        (Debian/Ubuntu)\n"
            "    brew install wrk                   (macOS)\n"
            "then run `make bench` again."
        )
    return wrk


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        mem = int(Path("/proc/meminfo").read_text().split()[1]) // 1024 // 1024
        mem_s = f", {mem} GB RAM"
    except (OSError, ValueError, IndexError):
        mem_s = ""
    return f"{os.cpu_count()} cores ({cpu}){mem_s}, {platform.system()} {platform.release()}, Python {platform.python_version()}"


def loadavg() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "n/a"


# -- database -----------------------------------------------------------------------


def fresh_database() -> str:
    """Empty the bench database, then migrate, collect static files, load the cases."""
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    vendor = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    if vendor == "sqlite3":
        DATA.mkdir(exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(str(settings.DATABASES["default"]["NAME"]) + suffix).unlink(missing_ok=True)
    else:
        with connection.cursor() as cur:
            cur.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
    call_command("migrate", interactive=False, verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    quiet = io.StringIO()
    call_command("load_cases", verbosity=0, stdout=quiet)
    call_command("load_cases", str(BENCH / "cases"), verbosity=0, stdout=quiet)
    return vendor


# -- gunicorn ---------------------------------------------------------------------------


def start_gunicorn(env: dict, port: int, args) -> subprocess.Popen:
    gunicorn = VENV_BIN / "gunicorn"
    if not gunicorn.exists():
        die(f"{gunicorn} not found: run `make bench` (it installs requirements-dev.txt) or pip install gunicorn")
    cmd = [
        str(gunicorn), "bench.wsgi:application",
        "--bind", f"127.0.0.1:{port}",
        "--workers", str(args.workers),
        "--worker-class", args.worker_class,
        # Only with gthread: given --threads above 1, gunicorn quietly turns "sync" into
        # gthread (sessions 1-8 measured gthread x 4 while this said sync; bench/README.md).
        *(["--threads", str(args.threads)] if args.worker_class == "gthread" else []),
        "--backlog", "2048",
        "--chdir", str(ROOT),
        "--error-logfile", "-",
        "--log-level", "warning",
        "--timeout", "120",
    ]
    log = open(DATA / "gunicorn.log", "w")  # noqa: SIM115 (closed with the process)
    proc = subprocess.Popen(cmd, env={**os.environ, **env}, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.time() + 40
    while time.time() < deadline:
        if proc.poll() is not None:
            die(f"gunicorn exited with {proc.returncode}; see {DATA / 'gunicorn.log'}")
        try:
            status, _, _, _ = wire_get(port, "/__bench__/bare", {})
            if status == 200:
                return proc
        except OSError:
            pass
        time.sleep(0.3)
    stop(proc)
    die(f"gunicorn did not answer on port {port}; see {DATA / 'gunicorn.log'}")


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


# -- TIME_WAIT sockets ---------------------------------------------------------------------


def time_wait_sockets() -> int:
    try:
        for line in Path("/proc/net/sockstat").read_text().splitlines():
            if line.startswith("TCP:"):
                f = line.split()
                return int(f[f.index("tw") + 1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


def wait_for_ports(limit: int, max_wait: float = 100) -> None:
    """Sync workers close every connection, so each request leaves a TIME_WAIT socket on
    the server for a minute or more. Past about 10,000 of them, new loopback connections
    collide with them and some SYNs are retried after 1 s, which shows up as latency (seen:
    the bare view's p95 at 200 connections 1.7 s instead of 0.2 s). The bare view at 200
    connections opens ~1,500 connections a second, so before each of its rounds wait until
    fewer than `limit` are left."""
    deadline = time.time() + max_wait
    if time_wait_sockets() > limit:
        say(f"bench: waiting for {time_wait_sockets()} TIME_WAIT sockets to drain below {limit} ...")
    while time_wait_sockets() > limit and time.time() < deadline:
        time.sleep(1)
