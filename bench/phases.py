"""The two measuring phases of bench/run.py, on the seeded database (after
django.setup()): in-process (django.test.Client, no HTTP: SQL and median time per
request, the engine), then over HTTP against gunicorn (a first page's weight, wrk
against every target, the class at 9:00 with locust)."""

from __future__ import annotations

import logging
import subprocess
import time

from bench import class_at_nine
from bench.harness import DATA, VENV_BIN, die, free_port, say, start_gunicorn, stop, wait_for_ports
from bench.wire import page_weight, wire_get
from bench.wrk import choice_items, combine, cookie_of, run_wrk, write_wrk_data


# -- the dashboard (being built by someone else: found by URL name) -----------------


def find_dashboard(cohort_id: int) -> tuple[str | None, str]:
    """The cohort dashboard's path, found by URL name (any name containing
    'dashboard' that reverses with the cohort's id); (None, reason) if none does."""
    from django.urls import NoReverseMatch, URLResolver, get_resolver, reverse

    names: list[str] = []

    def walk(patterns, ns):
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, [*ns, p.namespace] if p.namespace else ns)
            elif getattr(p, "name", None) and "dashboard" in p.name:
                names.append(":".join([*ns, p.name]))

    try:
        walk(get_resolver().url_patterns, [])
    except Exception as exc:  # a half-written urls.py must not hide the rest of the bench
        return None, f"URLconf error: {exc!r}"
    names.sort(key=lambda n: (0 if "cohort" in n else 1, n))
    for name in names:
        for kwargs in ({"pk": cohort_id}, {"cohort_id": cohort_id}, {"cohort_pk": cohort_id}, {"id": cohort_id}):
            try:
                return reverse(name, kwargs=kwargs), name
            except NoReverseMatch:
                pass
        try:
            return reverse(name, args=[cohort_id]), name
        except NoReverseMatch:
            pass
    if names:
        return None, f"URL names {names} do not reverse with a cohort id"
    return None, "no URL named '*dashboard*' in trainer/urls.py yet"


# -- in-process ------------------------------------------------------------


def measure_in_process(data: dict) -> tuple[dict, str, dict, dict, int, dict]:
    """SQL statements and median time per request through django.test.Client, the
    engine's replay and debrief: (dash, dash_name, q, t_inproc, n_choice, rep). `dash`
    has each cohort's dashboard path, or None where it is not available (dash_name says why)."""
    from django.db import connections

    from bench import inprocess  # it imports the app's models: only after django.setup()

    c100, c1000 = data["cohorts"]["100"], data["cohorts"]["1000"]
    t0 = time.time()
    dash: dict[str, str | None] = {}
    dash_name = ""
    for size, c in (("100", c100), ("1000", c1000)):
        dash[size], dash_name = find_dashboard(c["cohort_id"])
    learner = c1000["students"][0]
    ip = c1000["in_progress"][0]
    fin = c1000["finished_long"][0]
    logging.getLogger("django.request").disabled = True  # errors raise through the test Client anyway
    q = {
        "bare": inprocess.count_get(learner, "/__bench__/bare"),
        "auth": inprocess.count_get(learner, "/__bench__/auth"),
        "library": inprocess.count_get(learner, "/cases/"),
        "attempt": inprocess.count_get(ip, f"/attempts/{ip['attempt']}/"),
        "choice": inprocess.count_choice(c100["in_progress"][:2]),
        "debrief": inprocess.count_get(fin, f"/attempts/{fin['attempt']}/debrief/"),
    }
    for size, c in (("100", c100), ("1000", c1000)):
        if not dash[size]:
            continue
        try:  # the dashboard is being built alongside: an error there must not stop the rest
            q[f"dash{size}"] = inprocess.count_get(c["instructor"], dash[size])
            status = q[f"dash{size}"]["status"]
            problem = f"answered HTTP {status}" if status != 200 else ""
        except Exception as exc:  # noqa: BLE001
            problem = f"raised {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
        if problem:
            say(f"bench: dashboard {dash[size]} {problem}: reported as not available")
            dash_name = f"{dash_name}: {dash[size]} {problem}"
            dash[size] = None
            q.pop(f"dash{size}", None)
    bad = {k: v["status"] for k, v in q.items() if v["status"] != 200}
    if bad:
        die(f"in-process requests did not answer 200: {bad}")
    t_inproc = {
        "attempt": inprocess.time_get(ip, f"/attempts/{ip['attempt']}/"),
        "debrief": inprocess.time_get(fin, f"/attempts/{fin['attempt']}/debrief/"),
        "library": inprocess.time_get(learner, "/cases/"),
        "bare": inprocess.time_get(learner, "/__bench__/bare"),
        "auth": inprocess.time_get(learner, "/__bench__/auth"),
    }
    for size, c in (("100", c100), ("1000", c1000)):
        if dash[size]:
            t_inproc[f"dash{size}"] = inprocess.time_get(c["instructor"], dash[size], reps=9)
    t_inproc["choice"], n_choice = inprocess.time_choices(c100["in_progress"][2:])
    rep = inprocess.replay_time(data["replay60"]["case"], data["replay60"]["path"])
    connections.close_all()
    say(f"bench: in-process measurements in {time.time() - t0:.1f} s")
    return dash, dash_name, q, t_inproc, n_choice, rep


# -- HTTP -----------------------------------------------------------------


def measure_over_http(args, env: dict, data: dict, dash: dict, run_class: bool) -> tuple[dict, dict, dict | None]:
    """gunicorn serving bench.wsgi, then (weight, results, class_rows): the first attempt
    page's bytes, the wrk rows, the class at 9:00 (None if not run). A dashboard that
    does not answer 200 over HTTP is set to None in `dash`."""
    c100, c1000 = data["cohorts"]["100"], data["cohorts"]["1000"]
    port = free_port()
    say(f"bench: gunicorn bench.wsgi on 127.0.0.1:{port}, {args.workers} {args.worker_class} workers"
        + (f" x {args.threads} threads" if args.worker_class == "gthread" else ""))
    proc = start_gunicorn(env, port, args)
    class_rows: dict | None = None
    try:
        first = data["first_attempt"]
        weight = page_weight(port, f"/attempts/{first['attempt']}/", cookie_of(first))
        files = wrk_files(port, c100, c1000, dash)
        results = run_wrk_plan(args, port, files, c1000)
        if run_class:  # last: it adds an assignment, which nothing measured above should see
            class_rows = run_class_at_nine(args, port, c1000)
    finally:
        stop(proc)
    return weight, results, class_rows


def wrk_files(port: int, c100: dict, c1000: dict, dash: dict) -> dict:
    """A wrk data file per target (bench/.data/wrk-*.lua), once each target has answered 200."""

    def get_items(creds, path_of):
        return [{"path": path_of(c), "headers": {"Cookie": cookie_of(c), "Accept": "text/html"}} for c in creds]

    students = c1000["students"]
    targets = {
        "bare": ("GET", get_items(students, lambda c: "/__bench__/bare")),
        "auth": ("GET", get_items(students, lambda c: "/__bench__/auth")),
        "library": ("GET", get_items(students, lambda c: "/cases/")),
        "attempt": ("GET", get_items(c1000["in_progress"], lambda c: f"/attempts/{c['attempt']}/")),
        "debrief": ("GET", get_items(c1000["finished_long"], lambda c: f"/attempts/{c['attempt']}/debrief/")),
        "choice": ("POST", choice_items(port, c1000["in_progress"])),
    }
    for size, c in (("100", c100), ("1000", c1000)):
        if dash[size]:
            targets[f"dash{size}"] = ("GET", get_items([c["instructor"]], lambda _c, p=dash[size]: p))
    files = {name: write_wrk_data(name, m, items) for name, (m, items) in targets.items()}
    for name, (method, items) in list(targets.items()):  # every target answers 200 before any load
        it = items[0]
        if method == "GET":
            st, _, _, _ = wire_get(port, it["path"], it["headers"])
            if st != 200 and name.startswith("dash"):
                say(f"bench: dashboard {it['path']} answered HTTP {st} over HTTP: reported as not available")
                dash[name[4:]] = None
                del targets[name], files[name]
            elif st != 200:
                die(f"{name} {it['path']} answered HTTP {st} before the load started")
    return files


def run_wrk_plan(args, port: int, files: dict, c1000: dict) -> dict[str, dict]:
    """Every wrk row, as `name@conc`: each target's warm-up, then its run(s)."""
    results: dict[str, dict] = {}
    vc, lc = args.view_conc, args.conc
    # Single runs for the per-view rows; the two pairs a budget compares run
    # alternately (A B A B ...), so a burst of load from elsewhere on a shared
    # machine hits both sides of a ratio alike.
    # The 200-connection pair first, while few TIME_WAIT sockets are around (see wait_for_ports).
    plan = [[("bare", lc), ("choice", lc)], [("bare", vc)], [("auth", vc)], [("library", vc)], [("attempt", vc)],
            [("debrief", vc)], [("dash100", vc), ("dash1000", vc)], [("choice", vc)]]
    only = set(args.only.split(",")) if args.only else None
    warmed = set()
    for group in plan:
        group = [(n, c) for n, c in group if n in files and not (only and n not in only)]
        rounds = args.rounds if len(group) == 2 else 1
        def load(name, conc, duration):
            if name == "choice":
                files[name] = write_wrk_data(name, "POST", choice_items(port, c1000["in_progress"]))
            return run_wrk(port, files[name], conc, duration)

        for name, conc in group:
            if name not in warmed and args.warmup > 0:
                load(name, min(conc, 8), args.warmup)
                warmed.add(name)
        runs: dict[str, list[dict]] = {f"{n}@{c}": [] for n, c in group}
        for _ in range(rounds):
            for name, conc in group:
                if name == "bare" and conc == lc:
                    wait_for_ports(1000 if not runs[f"{name}@{conc}"] else 6000)
                runs[f"{name}@{conc}"].append(load(name, conc, args.duration / rounds))
        for key, rs in runs.items():
            r = combine(rs)
            results[key] = r
            say(f"bench: wrk {key:<14} {r['rps']:8.1f} req/s  p50 {r['p50'] / 1000:7.1f} ms  "
                f"p95 {r['p95'] / 1000:7.1f} ms  errors {r['errors']}" + (f"  ({len(rs)} rounds)" if len(rs) > 1 else ""))
    return results


def run_class_at_nine(args, port: int, c1000: dict) -> dict:
    """The class at 9:00 (bench/class_at_nine.py) with locust, on the same server."""
    think = tuple(float(x) for x in args.class_think.split(","))
    plan_file = class_at_nine.prepare(c1000, args.class_users, think, DATA, start=args.class_start)
    say(f"bench: class at 9:00: {args.class_users} learners start {class_at_nine.CASE} within {args.class_ramp:g} s, "
        f"then read {think[0]:g}-{think[1]:g} s before each click, for {args.class_duration:g} s (locust) ...")
    try:
        class_rows = class_at_nine.run(port, plan_file, args.class_users, args.class_ramp, args.class_duration,
                                       DATA, VENV_BIN / "locust")
    except (RuntimeError, subprocess.TimeoutExpired) as exc:  # report it with the budgets, not instead of them
        class_rows = {"_error": f"locust did not finish: {exc}", "_failures": []}
    return class_rows
