"""Seed the bench database fast, with data the engine itself produced.

Every path is walked through the engine's public API (Playbook.replay: each step
is taken from `state.available`), every finished attempt's scores and findings come
from Playbook.debrief exactly as Attempt._record_result writes them, and all rows go
in with bulk_create. No HTTP, no per-row saves.

Call `seed()` after django.setup(), migrate and load_cases; it returns the ids the
load generator and the in-process measurements need (see bench/run.py).
"""

from __future__ import annotations

import random
import statistics
from dataclasses import dataclass
from datetime import timedelta
from importlib import import_module

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.db import transaction
from django.middleware.csrf import CSRF_ALLOWED_CHARS
from django.utils import timezone
from django.utils.crypto import get_random_string

from cases.format import DecisionStage, Grade
from cases.models import Case, GuidanceItem
from trainer.engine import ADVANCE_SUFFIX, Playbook
from trainer.models import INSTRUCTORS_GROUP, Assignment, Attempt, AttemptFinding, Choice, Cohort, Membership

BENCH_CASE = "C900"  # bench/cases/C900-bench-long-visit.yaml: ~60-choice paths
OTHER_CASES = ("C01", "C04")  # real library cases, ~20 choices
PASSWORD = "bench-pass-123"
BATCH = 2000


def random_path(book: Playbook, rng: random.Random, pick=(0.85, 1.0), best_bias=0.6) -> list[str]:
    """A complete, valid path: at each step ask the engine what is available.
    In a history/exam stage pick a share of the questions (mostly in file order,
    a few swapped) and move on; at a decision, usually the best option."""
    chosen: list[str] = []
    state = book.replay(chosen)
    target = {}  # stage id -> how many options to pick there
    while not state.finished:
        stage = book.stages[state.stage_id]
        if isinstance(stage, DecisionStage):
            best = [o.id for o in stage.options if o.grade is Grade.best]
            step = best[0] if rng.random() < best_bias else rng.choice(state.available)
        else:
            want = target.setdefault(stage.id, max(stage.min_picks, round(len(stage.options) * rng.uniform(*pick))))
            opts = [c for c in state.available if not c.endswith(ADVANCE_SUFFIX)]
            if state.picks_in_stage < want and opts:
                step = opts[0] if rng.random() < 0.8 or len(opts) == 1 else opts[1]
            else:
                step = next(c for c in state.available if c.endswith(ADVANCE_SUFFIX))
        chosen.append(step)
        state = book.replay(chosen)  # raises InvalidChoice if the walk broke a rule
    return chosen


@dataclass
class Played:
    path: list[str]
    report: object  # trainer.engine.Debrief


def path_pool(book: Playbook, rng: random.Random, n: int, **kw) -> list[Played]:
    pool = []
    for _ in range(n):
        path = random_path(book, rng, **kw)
        pool.append(Played(path, book.debrief(path)))
    return pool


def new_session(user) -> tuple[str, Session | None, str]:
    """A logged-in session for `user` (what django.contrib.auth.login stores): the
    cookie value, the row to insert (None with signed-cookie sessions, whose cookie
    is the session), and a CSRF secret to send as both the csrftoken cookie and
    X-CSRFToken."""
    data = {
        "_auth_user_id": str(user.pk),
        "_auth_user_backend": "django.contrib.auth.backends.ModelBackend",
        "_auth_user_hash": user.get_session_auth_hash(),
    }
    csrf = get_random_string(32, CSRF_ALLOWED_CHARS)
    if settings.SESSION_ENGINE != "django.contrib.sessions.backends.db":  # an experiment: BENCH_SESSION_ENGINE
        store = import_module(settings.SESSION_ENGINE).SessionStore()
        store.update(data)
        store.save()
        return store.session_key, None, csrf
    key = get_random_string(32, "abcdefghijklmnopqrstuvwxyz0123456789")
    row = Session(session_key=key, session_data=SessionStore().encode(data), expire_date=timezone.now() + timedelta(days=2))
    return key, row, csrf


def _finish(attempt: Attempt, played: Played, assignment: Assignment | None, known: set[str]) -> list[AttemptFinding]:
    """Mirror Attempt._record_result for a finished path (no save: bulk_create later)."""
    report = played.report
    attempt.late = bool(assignment and assignment.due_at and attempt.finished_at > assignment.due_at)
    attempt.score_total = report.total
    for dim in report.dimensions:
        setattr(attempt, f"score_{dim.key}", dim.score)
    attempt.unsafe = report.unsafe
    attempt.outcome_good = bool(report.outcome and report.outcome.good)
    return [AttemptFinding(guidance_id=f.guidance_id, status=f.status) for f in report.findings if f.guidance_id in known]


def seed(sizes=(100, 1000), rng_seed: int = 20240906, log=print) -> dict:
    rng = random.Random(rng_seed)
    now = timezone.now()
    User = get_user_model()
    cases = {c.code: c for c in Case.objects.published().select_related("current_version")}
    missing = [c for c in (BENCH_CASE, *OTHER_CASES) if c not in cases]
    if missing:
        raise RuntimeError(f"cases not loaded: {missing} (run load_cases and load_cases bench/cases/)")
    books = {code: cases[code].current_version.playbook for code in (BENCH_CASE, *OTHER_CASES)}
    pools = {code: path_pool(book, rng, 150) for code, book in books.items()}
    long_paths = [p for p in pools[BENCH_CASE] if len(p.path) >= 55]
    known = set(GuidanceItem.objects.values_list("id", flat=True))
    pw = make_password(PASSWORD)  # hashed once, shared: hashing is not what we measure
    group, _ = Group.objects.get_or_create(name=INSTRUCTORS_GROUP)

    out: dict = {"cohorts": {}, "sizes": list(sizes)}
    sessions: list[Session] = []
    with transaction.atomic():
        for size in sizes:
            tag = f"c{size}"
            instructor = User.objects.create(username=f"bench-{tag}-instructor", password=pw, email=f"{tag}-i@example.org")
            instructor.groups.add(group)
            cohort = Cohort.objects.create(name=f"Bench cohort of {size}", created_by=instructor)
            students = User.objects.bulk_create(
                [
                    User(username=f"bench-{tag}-{i:04d}", first_name="Learner", last_name=f"{tag}-{i:04d}",
                         email=f"{tag}-{i:04d}@example.org", password=pw)
                    for i in range(size)
                ],
                batch_size=BATCH,
            )
            Membership.objects.bulk_create(
                [Membership(cohort=cohort, user=instructor, role=Membership.Role.INSTRUCTOR)]
                + [Membership(cohort=cohort, user=u, role=Membership.Role.LEARNER) for u in students],
                batch_size=BATCH,
            )
            assignments = {
                BENCH_CASE: Assignment.objects.create(cohort=cohort, case=cases[BENCH_CASE], opens_at=now - timedelta(days=7),
                                                      due_at=now + timedelta(days=7)),
                "C01": Assignment.objects.create(cohort=cohort, case=cases["C01"], opens_at=now - timedelta(days=7),
                                                 due_at=now - timedelta(days=2), mode=Assignment.Mode.ASSESSED,
                                                 counts=Assignment.Counts.FIRST),
                "C04": Assignment.objects.create(cohort=cohort, case=cases["C04"], opens_at=now - timedelta(days=7),
                                                 due_at=now + timedelta(days=3), counts=Assignment.Counts.LAST),
            }
            # Attempts: (attempt, path stored, played-or-None, remaining steps if in progress, findings)
            plans: list[tuple[Attempt, list[str], Played | None, list[str], list[AttemptFinding]]] = []

            def add(user, code, finished: bool, prefix: tuple[int, int] = (5, 15)):
                case = cases[code]
                start = now - timedelta(days=6) + timedelta(seconds=rng.randint(0, 5 * 86400))
                played = rng.choice(long_paths if code == BENCH_CASE else pools[code])
                attempt = Attempt(user=user, case=case, version=case.current_version,
                                  assignment=assignments[code], started_at=start)
                if finished:
                    attempt.finished_at = start + timedelta(seconds=25 * len(played.path))
                    plans.append((attempt, played.path, played, [], _finish(attempt, played, assignments[code], known)))
                else:
                    k = min(rng.randint(*prefix), len(played.path) - 8)
                    plans.append((attempt, played.path[:k], None, played.path[k:], []))

            for u in students:
                r = rng.random()
                # 60% mid-way: the choice POST load rotates over these, and the more there are
                # the further apart two posts on one attempt are (see bench/lua/rotate.lua).
                if r < 0.4:
                    add(u, BENCH_CASE, True)
                    if rng.random() < 0.15:
                        add(u, BENCH_CASE, True)  # a retry
                else:  # mid-way through the long case: these are the ones the load test continues
                    add(u, BENCH_CASE, False, prefix=(20, 45))
                if rng.random() < 0.6:
                    add(u, "C01", rng.random() < 0.85)
                if rng.random() < 0.35:
                    add(u, "C04", rng.random() < 0.7)

            attempts = Attempt.objects.bulk_create([p[0] for p in plans], batch_size=BATCH)
            choices, findings = [], []
            for attempt, path, _played, _rest, found in plans:
                t0 = attempt.started_at
                choices.extend(
                    Choice(attempt=attempt, seq=i, option_id=c, created_at=t0 + timedelta(seconds=25 * (i + 1)))
                    for i, c in enumerate(path)
                )
                for f in found:
                    f.attempt = attempt
                    findings.append(f)
            Choice.objects.bulk_create(choices, batch_size=BATCH)
            AttemptFinding.objects.bulk_create(findings, batch_size=BATCH)

            # Sessions for every student (load rotates over them) and the instructor.
            key, row, csrf = new_session(instructor)
            sessions.append(row)
            cohort_out = {
                "cohort_id": cohort.pk,
                "instructor": {"user_id": instructor.pk, "session": key, "csrf": csrf},
                "students": [],
                "in_progress": [],
                "finished_long": [],
                "attempts": len(attempts),
                "choices": len(choices),
                "findings": len(findings),
            }
            cred = {}
            for u in students:
                key, row, csrf = new_session(u)
                sessions.append(row)
                cred[u.pk] = {"user_id": u.pk, "session": key, "csrf": csrf}
                cohort_out["students"].append(cred[u.pk])
            for attempt, path, played, rest, _found in plans:
                if attempt.case_id != cases[BENCH_CASE].pk:
                    continue
                entry = {**cred[attempt.user_id], "attempt": attempt.pk, "done": len(path)}
                if played is None:
                    cohort_out["in_progress"].append({**entry, "remaining": rest})
                else:
                    cohort_out["finished_long"].append(entry)
            out["cohorts"][str(size)] = cohort_out
            lens = [len(p[1]) for p in plans if p[2] is not None and p[0].case_id == cases[BENCH_CASE].pk]
            log(f"  cohort {size:>5}: {len(students)} students, {len(attempts)} attempts, "
                f"{len(choices)} choices ({statistics.median(lens):.0f} per finished {BENCH_CASE} attempt, median), "
                f"{len(findings)} findings")
        Session.objects.bulk_create([s for s in sessions if s is not None], batch_size=BATCH)

        # A brand-new attempt (no choice yet) for the "first attempt page" bytes.
        first_user = User.objects.create(username="bench-first-visit", password=pw)
        first = Attempt.objects.create(user=first_user, case=cases[BENCH_CASE], version=cases[BENCH_CASE].current_version)
        key, row, csrf = new_session(first_user)
        if row is not None:
            row.save()
        out["first_attempt"] = {"attempt": first.pk, "user_id": first_user.pk, "session": key, "csrf": csrf}

    exactly_60 = next((p.path for p in pools[BENCH_CASE] if len(p.path) == 60), None)
    if exactly_60 is None:  # trim picks from the longest path until it is 60 long
        exactly_60 = _trim_to(books[BENCH_CASE], max(pools[BENCH_CASE], key=lambda p: len(p.path)).path, 60)
    out["replay60"] = {"case": BENCH_CASE, "path": exactly_60}
    out["pool_lengths"] = {code: statistics.median(len(p.path) for p in pool) for code, pool in pools.items()}
    return out


def _trim_to(book: Playbook, path: list[str], n: int) -> list[str]:
    path = list(path)
    while len(path) > n:
        for i, c in enumerate(path):
            if c.startswith("H") and not c.endswith(ADVANCE_SUFFIX):
                del path[i]
                break
    book.replay(path)  # still valid
    return path
