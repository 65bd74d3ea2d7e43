"""Profile one view in-process against the bench database that the last
`make bench` left in bench/.data (or DATABASE_URL), with pyinstrument.

    .venv/bin/python bench/profile.py choice   [--n 40] [--html out.html]
    .venv/bin/python bench/profile.py attempt|debrief|library|dashboard100|dashboard1000
    .venv/bin/python bench/profile.py start|start-boosted    (need a run with the class scenario)

`choice` posts a fresh, valid option (the first one the engine says is available)
on each of the bench's in-progress attempts in turn, as a learner's click does.
`start` presses Start on the class-at-9:00 assignment as learners who have not yet
(bench/class_at_nine.py), each once: every request creates an attempt. `start` is the
plain form (a redirect), `start-boosted` the button with JavaScript (the page itself).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != BENCH]
sys.path.insert(0, str(ROOT))


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("view", choices=["choice", "start", "start-boosted", "attempt", "debrief", "library", "dashboard100", "dashboard1000", "bare"])
    ap.add_argument("--n", type=int, default=40)
    ap.add_argument("--html", type=Path)
    ap.add_argument("--all", action="store_true", help="show library frames too")
    ap.add_argument("--flat", action="store_true", help="flat list of functions by total time")
    ap.add_argument("--time", action="store_true", help="time the requests without the profiler (A/B checks)")
    args = ap.parse_args()
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{BENCH / '.data' / 'bench.sqlite3'}")
    os.environ.update({"DJANGO_SETTINGS_MODULE": "bench.settings", "DJANGO_DEBUG": "0",
                       "DJANGO_SECRET_KEY": "bench-profile", "DJANGO_HTTPS": "0", "DJANGO_ALLOWED_HOSTS": "127.0.0.1"})
    import django

    django.setup()
    from django.contrib.sessions.models import Session
    from pyinstrument import Profiler

    from bench.inprocess import as_sent, htmx_post
    from bench.seed import BENCH_CASE, new_session
    from django.test import Client
    from trainer.models import Attempt, Cohort

    shared = Client(HTTP_HOST="127.0.0.1")  # one handler: a new Client reloads the middleware
    keys = []

    def client(user):
        key, row, csrf = new_session(user)
        if row is not None:
            row.save()
            keys.append(key)
        return {"sessionid": key, "csrftoken": csrf}

    def call(cookies, method, path, data):
        shared.cookies.clear()
        for k, v in cookies.items():
            shared.cookies[k] = v
        if method == "post":
            return htmx_post(shared, path, data)
        if method == "form":
            return shared.post(path, data or {})
        if method == "boosted":
            return shared.post(path, data or {}, headers={"HX-Request": "true", "HX-Request-Type": "full"})
        return shared.get(path)

    big = Cohort.objects.filter(name__endswith=" 1000").first()
    small = Cohort.objects.filter(name__endswith=" 100").first()
    if big is None:
        sys.exit("no bench database here: run `make bench` first")
    learners = Attempt.objects.filter(assignment__cohort=big, case__code=BENCH_CASE).select_related("user", "version")
    calls = []
    if args.view == "choice":
        for a in learners.filter(finished_at__isnull=True)[: args.n]:
            state = a.state()
            opt = next((c for c in state.available if not c.endswith(":next")), state.available[0])
            calls.append((client(a.user), "post", f"/attempts/{a.pk}/choose/", {"option": as_sent(a.pk, opt), "shown": len(state.chosen)}))
    elif args.view in ("start", "start-boosted"):
        from bench.class_at_nine import CASE
        from trainer.models import Assignment, Membership

        assignment = Assignment.objects.filter(cohort=big, case__code=CASE).first()
        if assignment is None:
            sys.exit("no class-at-9:00 assignment: run `make bench` (with the class scenario) first")
        fresh = big.memberships.filter(role=Membership.Role.LEARNER).exclude(user__attempts__case__code=CASE).select_related("user")
        method = "form" if args.view == "start" else "boosted"
        calls = [(client(m.user), method, f"/assignments/{assignment.pk}/start/", None) for m in fresh[: args.n]]
    else:
        a = learners.filter(finished_at__isnull=(args.view == "attempt")).first()
        path = {"attempt": f"/attempts/{a.pk}/", "debrief": f"/attempts/{a.pk}/debrief/", "library": "/cases/",
                "bare": "/__bench__/bare", "dashboard100": f"/cohorts/{small.pk}/",
                "dashboard1000": f"/cohorts/{big.pk}/"}[args.view]
        user = small.created_by if args.view == "dashboard100" else big.created_by if args.view == "dashboard1000" else a.user
        c = client(user)
        calls = [(c, "get", path, None)] * args.n
    ok = 302 if args.view == "start" else 200
    call(*calls[0])  # warm-up: middleware, templates, the playbook (uses one option)
    if args.time:
        # CPU time of this process as well as wall time: on a shared machine the CPU
        # time is what an A/B of two versions of the code can compare.
        wall, cpu = [], []
        for c in calls[1:]:
            t0, c0 = time.perf_counter(), time.process_time()
            r = call(*c)
            wall.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)
            assert r.status_code == ok, (c[2], r.status_code)
        Session.objects.filter(session_key__in=keys).delete()
        print(f"{args.view}: {len(wall)} requests, median {1000 * statistics.median(wall):.2f} ms wall, "
              f"{1000 * statistics.median(cpu):.2f} ms CPU, {len(r.content)} bytes (last response)")
        return 0
    prof = Profiler(interval=0.0005)
    t0 = time.perf_counter()
    with prof:
        for c in calls[1:]:
            r = call(*c)
            assert r.status_code == ok, (c[2], r.status_code)
    n = len(calls) - 1
    print(f"{args.view}: {n} requests, {1000 * (time.perf_counter() - t0) / n:.2f} ms each (profiled)")
    Session.objects.filter(session_key__in=keys).delete()
    if args.html:
        args.html.write_text(prof.output_html())
    print(prof.output_text(unicode=True, color=False, show_all=args.all, flat=args.flat, flat_time="total" if args.flat else "self"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
