"""`make bench`: a production-like server, a seeded database, wrk, and the budgets of issue 6.

Steps: fresh bench database (SQLite file under bench/.data/, or PostgreSQL from
DATABASE_URL) -> migrate, collectstatic, load_cases (library + bench/cases/) -> seed
(bench/seed.py) -> in-process measurements (SQL per request, engine replay, choice
POST service time) -> gunicorn serving bench.wsgi (the app + /__bench__/bare) ->
gzip bytes of a first attempt page -> wrk against every view -> table + BUDGET lines.
Exit status 1 if any budget fails, 2 if the harness itself could not run.

    .venv/bin/python bench/run.py [--duration 10] [--workers N] [--worker-class sync|gthread] [--threads T]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != BENCH]
sys.path.insert(0, str(ROOT))

from bench.harness import DATA, VENV_BIN, bench_env, die, fresh_database, loadavg, machine, require_wrk, say  # noqa: E402
from bench.phases import measure_in_process, measure_over_http  # noqa: E402
from bench.report import report  # noqa: E402


def parse_args() -> argparse.Namespace:
    cores = os.cpu_count() or 1
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--duration", type=float, default=10, help="seconds per wrk run (default 10)")
    ap.add_argument("--warmup", type=float, default=2, help="seconds of warm-up per target (default 2)")
    ap.add_argument("--rounds", type=int, default=3,
                    help="alternated rounds for the compared pairs (bare/choice at --conc, dashboards); default 3")
    ap.add_argument("--conc", type=int, default=200, help="connections for the load runs (default 200)")
    ap.add_argument("--view-conc", type=int, default=4, help="connections for the per-view runs (default 4)")
    # Measured (bench/README.md, "Server configuration"): on 2 cores with wrk on the same
    # machine, one sync worker per core beat 2*cores+1 (on SQLite, more writers than cores
    # convoy on the database lock) and gthread (whose keep-alive connections are served so
    # unevenly that the bare view's p95 at 200 connections was 16 x its median).
    ap.add_argument("--workers", type=int, default=cores, help="gunicorn workers (default: one per core)")
    ap.add_argument("--worker-class", default="sync", choices=["sync", "gthread"], help="default sync")
    ap.add_argument("--threads", type=int, default=4, help="threads per worker with gthread (default 4)")
    ap.add_argument("--wipe-ok", action="store_true", help="allow wiping a DATABASE_URL whose name lacks 'bench'")
    ap.add_argument("--json", type=Path, help="also write every number to this JSON file")
    ap.add_argument("--only", help="comma-separated wrk targets to run (experiments; budgets needing others fail)")
    ap.add_argument("--class-users", type=int, default=200, help="learners in the class-at-9:00 scenario (default 200)")
    ap.add_argument("--class-think", default="5,20", help="seconds a learner reads before each click, min,max (default 5,20)")
    ap.add_argument("--class-start", default="boosted", choices=["boosted", "plain"],
                    help="how Start is pressed: boosted (JavaScript: one request, the default) or plain (a redirect, then the page)")
    ap.add_argument("--class-ramp", type=float, default=1,
                    help="seconds over which the class presses Start (default 1: all at once)")
    ap.add_argument("--class-duration", type=float, default=60,
                    help="seconds of the class-at-9:00 scenario, after the wrk runs (default 60; 0 skips it)")
    return ap.parse_args()


def main() -> int:
    args = parse_args()
    t_start = time.time()
    args.load_start = loadavg()
    require_wrk()
    run_class = args.class_duration > 0 and not (args.only and "class" not in args.only.split(","))
    if run_class and not (VENV_BIN / "locust").exists():
        die(f"locust is not installed in {VENV_BIN.parent}: `make bench` installs requirements-bench.txt "
            "(or pass --class-duration 0 to skip the class-at-9:00 scenario)")
    DATA.mkdir(exist_ok=True)
    env = bench_env(args)
    os.environ.update(env)
    import django

    django.setup()
    from bench.seed import seed  # it imports the app's models: only after django.setup()

    say(f"bench: {machine()}")
    t0 = time.time()
    vendor = fresh_database()
    say(f"bench: {vendor} database ready (migrate, collectstatic, load_cases) in {time.time() - t0:.1f} s")
    t0 = time.time()
    data = seed(log=say)
    say(f"bench: seeded in {time.time() - t0:.1f} s")
    c1000 = data["cohorts"]["1000"]
    if len(c1000["in_progress"]) < args.conc:
        say(f"bench: warning: only {len(c1000['in_progress'])} in-progress attempts for {args.conc} connections")

    dash, dash_name, q, t_inproc, n_choice, rep = measure_in_process(data)
    weight, results, class_rows = measure_over_http(args, env, data, dash, run_class)
    return report(args, vendor, data, q, t_inproc, n_choice, rep, weight, results, dash, dash_name, class_rows,
                  time.time() - t_start)


if __name__ == "__main__":
    sys.exit(main())
