"""Demo accounts and a demo classroom, so the dashboard has something real to show
on the first `make run`. Attempts are played choice by choice through
Attempt.choose, exactly as a learner's clicks are, so their stored scores and
findings are the engine's own. Running it twice changes nothing the second time."""

from __future__ import annotations

import random
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from cases.format import DecisionStage, Grade, Yield
from cases.models import Case
from trainer import classroom
from trainer.engine import Playbook, advance_id
from trainer.models import INSTRUCTORS_GROUP, Assignment, Attempt, Cohort, Membership

DEMO_USERS = [("demo-instructor", True), ("demo-student", False), ("demo-student2", False)]
# Ten more learners, so the matrix and the plots look like a class.
MORE_LEARNERS = [
    ("demo-learner03", "Amara", "Okafor"), ("demo-learner04", "Ben", "Hughes"), ("demo-learner05", "Chloé", "Martin"),
    ("demo-learner06", "Dev", "Patel"), ("demo-learner07", "Elif", "Yilmaz"), ("demo-learner08", "Finn", "Murphy"),
    ("demo-learner09", "Grace", "Kim"), ("demo-learner10", "Hugo", "Silva"), ("demo-learner11", "Isla", "Brown"),
    ("demo-learner12", "Jonas", "Weber"),
]
DEMO_COHORT = ("Demo cohort: physiotherapy year 2", "DEMOCLASS")

# Each assignment and what each of the 12 learners (by index) did on it:
# best / good / mixed / rushed play a whole path in that style, "open" stops part
# way, "late" plays after the due time, "-" never starts; "a+b" is two attempts.
PLAN = [
    dict(code="C01", mode="practice", counts="best", max_attempts=3, opens=-14, due=-7,
         learners=["rushed+best", "good", "mixed+good", "best", "rushed", "good", "mixed", "best", "late", "late", "open", "-"]),
    dict(code="C04", mode="assessed", counts="first", max_attempts=1, opens=-10, due=-2,
         learners=["good", "rushed", "best", "mixed", "rushed", "good", "best", "mixed", "late", "rushed", "good", "-"]),
    dict(code="C05", mode="practice", counts="best", max_attempts=None, opens=-2, due=5,
         learners=["open", "best", "mixed", "rushed", "open", "good", "open", "-", "mixed", "open", "-", "-"]),
    dict(code="C03", mode="assessed", counts="first", max_attempts=1, opens=-1, due=6,
         learners=["-", "good", "open", "rushed", "-", "open", "mixed", "-", "-", "-", "open", "-"]),
]
GRADE_RANK = {Grade.dangerous: 0, Grade.poor: 1, Grade.acceptable: 2, Grade.best: 3}


def demo_path(book: Playbook, style: str, rng: random.Random) -> list[str]:
    """A complete, valid path through the case in a style of play. Every step is
    checked by replaying it in the engine, the only judge of what is allowed."""
    if style == "best" and book.best_choices:
        return list(book.best_choices)
    chosen: list[str] = []
    state = book.replay(chosen)
    while not state.finished:
        stage = book.stages[state.stage_id]
        if isinstance(stage, DecisionStage):
            ranked = sorted(stage.options, key=lambda o: GRADE_RANK[o.grade])
            if style == "rushed":
                pick = ranked[0]
            elif style == "good":
                pick = ranked[-1] if rng.random() < 0.75 else ranked[max(0, len(ranked) - 2)]
            else:
                pick = rng.choice(stage.options)
            chosen.append(pick.id)
        else:
            options = [o for o in stage.options if o.id in state.available]
            if style == "rushed":
                picks = options[: max(1, stage.min_picks)]
            elif style == "good":
                picks = [o for o in options if o.yield_ is not Yield.low and rng.random() < 0.85]
            else:
                picks = [o for o in options if rng.random() < 0.55]
            picks = picks or options[:1]
            chosen += [o.id for o in picks] + [advance_id(stage.id)]
        state = book.replay(chosen)
    return chosen


class Command(BaseCommand):
    help = "Create demo accounts and a demo cohort with assignments and attempts (development only)."

    def add_arguments(self, parser):
        parser.add_argument("--password", default="demo-pass-123", help="password for every demo account")
        parser.add_argument("--force", action="store_true", help="run even with DEBUG off, or on a database other than SQLite")

    def handle(self, *args, password, force, **options):
        if not settings.DEBUG and not force:
            raise CommandError("Refusing to create demo accounts with DEBUG off (production). Use --force to override.")
        # DEBUG on is not proof enough: `DJANGO_DEBUG=1` in front of a command (as the
        # Makefile's were) keeps the DATABASE_URL of a shell with production loaded.
        # Development (`make run`) is SQLite; PostgreSQL is the production database.
        if connection.vendor != "sqlite" and not force:
            where = connection.settings_dict.get("HOST") or "the local socket"
            raise CommandError(
                f"Refusing to create demo accounts (their password is published) in the {connection.display_name} "
                f"database '{connection.settings_dict.get('NAME')}' on {where}: demo accounts are for the "
                "development SQLite database (make run). Unset DATABASE_URL, or use --force to override."
            )
        instructors, _ = Group.objects.get_or_create(name=INSTRUCTORS_GROUP)
        User = get_user_model()
        users = {}
        names = {u: ("", "") for u, _ in DEMO_USERS} | {u: (f, l) for u, f, l in MORE_LEARNERS}
        names["demo-student"], names["demo-student2"] = ("Sam", "Rivera"), ("Alex", "Chen")
        # One hash for every demo account: hashing is deliberately slow, and 13 of
        # them made `make run` wait seconds for throwaway development logins.
        hashed = make_password(password)
        for username, (first, last) in names.items():
            user, _ = User.objects.get_or_create(username=username, defaults={"email": f"{username}@example.org"})
            user.password = hashed
            user.first_name, user.last_name = first, last
            user.save()
            users[username] = user
        users["demo-instructor"].groups.add(instructors)
        self.stdout.write(self.style.SUCCESS(f"Demo accounts ready: demo-instructor, demo-student, demo-student2 and {len(MORE_LEARNERS)} more learners (password: {password})"))
        if not Case.objects.published().exists():
            self.stdout.write(self.style.WARNING("No cases loaded: run load_cases first for the demo cohort."))
            return
        cohort = self._seed_cohort(users)
        self.stdout.write(self.style.SUCCESS(f"Demo cohort “{cohort.name}” ready: join code {cohort.join_code}, taught by demo-instructor."))

    @transaction.atomic
    def _seed_cohort(self, users: dict) -> Cohort:
        name, code = DEMO_COHORT
        # Found by its creator, not its code or name: trying the cohort settings
        # (a new join code, a new name) must not make the next `make run` seed a second one.
        cohort = Cohort.objects.filter(created_by=users["demo-instructor"]).order_by("pk").first()
        if cohort is None:
            cohort = Cohort.objects.create(join_code=code, name=name, created_by=users["demo-instructor"])
        Membership.objects.get_or_create(cohort=cohort, user=users["demo-instructor"], defaults={"role": Membership.Role.INSTRUCTOR})
        learners = [u for n, u in users.items() if n != "demo-instructor"]
        for user in learners:
            Membership.objects.get_or_create(cohort=cohort, user=user, defaults={"role": Membership.Role.LEARNER})
        now = timezone.now()
        for spec in PLAN:
            case = Case.objects.published().filter(code=spec["code"]).first()
            if case is None or cohort.assignments.filter(case=case).exists():
                continue  # missing case, or seeded on an earlier run
            due = now + timedelta(days=spec["due"])
            # Past-due work: create the assignment still open, play the on-time
            # attempts, then move the due time back, so Attempt.late is the model's own.
            assignment = Assignment.objects.create(
                cohort=cohort, case=case, mode=spec["mode"], counts=spec["counts"], max_attempts=spec["max_attempts"],
                opens_at=now + timedelta(days=spec["opens"]), due_at=max(due, now + timedelta(days=1)),
            )
            late = []
            for user, plan in zip(learners, spec["learners"]):
                if plan == "late":
                    late.append(user)
                elif plan != "-":
                    self._play(user, assignment, plan, due)
            if due < now:
                Assignment.objects.filter(pk=assignment.pk).update(due_at=due)
                assignment.refresh_from_db()
            for user in late:
                self._play(user, assignment, "mixed", None)
        return cohort

    def _play(self, user, assignment: Assignment, plan: str, due) -> None:
        book = assignment.case.current_version.playbook
        rng = random.Random(f"{user.username}:{assignment.case.code}")
        base = due - timedelta(hours=rng.randint(30, 96)) if due is not None else None
        for k, style in enumerate(plan.split("+")):
            attempt, _ = classroom.start_assignment(user, assignment)
            path = demo_path(book, "mixed" if style == "open" else style, rng)
            if style == "open":
                path = path[: rng.randint(2, max(2, len(path) - 3))]
            for choice in path:
                attempt.choose(choice)
            if due is not None and due < timezone.now() and attempt.finished_at:
                # On-time work on a now-past assignment: date it before the due time.
                started = base + timedelta(hours=3 * k)
                Attempt.objects.filter(pk=attempt.pk).update(started_at=started, finished_at=started + timedelta(minutes=rng.randint(12, 40)))
