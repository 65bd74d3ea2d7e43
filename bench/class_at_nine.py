"""The issue's own story, measured: a class of 200 learners opens the same assigned
case at 9:00 and then plays it, reading each answer before the next click.

wrk cannot play this: it is a closed loop (each connection sends again the instant
its answer arrives) and its think time holds an open connection that blocks a sync
worker (bench/README.md). Locust users keep their own state (the attempt Start
created, the next choice) and open a connection only when they send, so the server,
the same gunicorn as the budgets', sees what a class sends. Not a budget: the figures
are what a learner waits at 9:00 and after each click.
"""

from __future__ import annotations

import csv
import json
import os
import random
import subprocess
from datetime import timedelta
from pathlib import Path

CASE = "C06"  # a library case the seeded cohort has never been assigned
BENCH = Path(__file__).resolve().parent


def prepare(cohort: dict, users: int, think: tuple[float, float], data_dir: Path, start: str = "boosted",
            rng_seed: int = 900) -> Path:
    """Assign CASE to the cohort (open now, due tomorrow) and write the plan: per learner
    a session, a CSRF secret and a valid path walked through the engine."""
    from django.db import connections
    from django.utils import timezone

    from bench.seed import random_path
    from cases.models import Case
    from trainer.models import Assignment, Cohort
    from trainer.option_tokens import token_key

    case = Case.objects.published().select_related("current_version").get(code=CASE)
    now = timezone.now()
    assignment = Assignment.objects.create(cohort=Cohort.objects.get(pk=cohort["cohort_id"]), case=case,
                                           opens_at=now - timedelta(minutes=1), due_at=now + timedelta(days=1))
    book = case.current_version.playbook
    rng = random.Random(rng_seed)
    learners = [{**cred, "path": random_path(book, rng)} for cred in cohort["students"][:users]]
    connections.close_all()
    plan = data_dir / "class-plan.json"
    # The page sends tokens, not option ids (trainer/option_tokens.py); locust makes
    # them with the server's key, as the page would have.
    plan.write_text(json.dumps({"start_path": f"/assignments/{assignment.pk}/start/", "start": start, "think_s": list(think),
                                "learners": learners, "token_key": token_key().hex()}))
    return plan


def run(port: int, plan: Path, users: int, ramp: float, duration: float, data_dir: Path, locust: Path) -> dict:
    """Users spawn evenly over `ramp` seconds (1: the 9:00 spike); returns locust's
    per-request statistics by name."""
    prefix = data_dir / "class"
    cmd = [str(locust), "-f", str(BENCH / "locustfile.py"), "--headless", "--only-summary",
           "--users", str(users), "--spawn-rate", f"{users / max(ramp, 0.01):g}", "--run-time", f"{round(duration)}s",
           "--host", f"http://127.0.0.1:{port}", "--csv", str(prefix), "--loglevel", "WARNING",
           "--exit-code-on-error", "0"]
    # PYTHONPATH: the locustfile imports trainer.option_tokens (no Django settings needed).
    res = subprocess.run(cmd, env={**os.environ, "BENCH_CLASS_PLAN": str(plan), "PYTHONPATH": str(BENCH.parent)},
                         capture_output=True, text=True, timeout=duration + 120)
    stats_file = Path(f"{prefix}_stats.csv")
    if res.returncode != 0 or not stats_file.exists():
        raise RuntimeError(f"locust failed ({res.returncode}): {res.stderr[-2000:]}")
    rows = {}
    with stats_file.open() as f:
        for row in csv.DictReader(f):
            if row["Name"] == "Aggregated":
                continue
            rows[row["Name"]] = {
                "requests": int(row["Request Count"]), "failures": int(row["Failure Count"]),
                "rps": float(row["Requests/s"]), "p50": float(row["50%"]), "p95": float(row["95%"]),
                "p99": float(row["99%"]), "max": float(row["Max Response Time"]),
            }
    failures = Path(f"{prefix}_failures.csv")
    rows["_failures"] = failures.read_text().splitlines()[1:6] if failures.exists() else []
    return rows
