"""Classroom rules, in one place: joining a cohort, starting assigned work, which
attempt counts, when an assessed debrief opens, and the SQL aggregates behind the
instructor dashboard.

Views call these functions and never re-derive a rule. Aggregates read the
scores and findings stored when an attempt ends; nothing here replays event logs
for a whole cohort, so a dashboard costs the same number of queries at 5 or
5,000 students.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Avg, BigIntegerField, Count, F, OuterRef, Prefetch, Q, QuerySet, Subquery, Value, When
from django.db.models import Case as SqlCase
from django.db.models.functions import Least
from django.utils import timezone
from django.utils.formats import date_format

from cases.format import PickStage
from cases.models import Case
from trainer.models import Assignment, Attempt, AttemptFinding, Choice, Cohort, Membership, is_instructor

LEARNER = Membership.Role.LEARNER
INSTRUCTOR = Membership.Role.INSTRUCTOR
MISSED = ("missed", "not_screened")


class ClassroomError(Exception):
    """A rule said no; the message is written for the person who asked."""


def when(dt: datetime) -> str:
    return date_format(timezone.localtime(dt), "j M Y, H:i T")


# -- cohorts and membership ----------------------------------------------------


def normalize_code(raw: str) -> str:
    # Codes are read off a slide: forgive case, spaces and dashes.
    return re.sub(r"[^A-Z0-9]", "", raw.upper())


def cohorts_taught(user) -> QuerySet[Cohort]:
    return Cohort.objects.filter(memberships__user=user, memberships__role=INSTRUCTOR)


def learner_ids(cohort: Cohort | int) -> QuerySet:
    """The cohort's current learners as a subquery: removed members' work drops out
    of every aggregate without being deleted."""
    return Membership.objects.filter(cohort=cohort, role=LEARNER).values("user_id")


@transaction.atomic
def create_cohort(user, name: str) -> Cohort:
    cohort = Cohort.objects.create(name=name, created_by=user)
    Membership.objects.create(cohort=cohort, user=user, role=INSTRUCTOR)
    return cohort


def find_cohort_by_code(code: str) -> Cohort:
    cohort = Cohort.objects.filter(join_code=normalize_code(code), archived=False).first()
    if cohort is None:
        raise ClassroomError("No open cohort has that join code. Check it with your instructor.")
    return cohort


def join_cohort(user, code: str) -> tuple[Cohort, str]:
    """Join as a learner. Returns the cohort and what to tell the user; joining
    twice is harmless."""
    cohort = find_cohort_by_code(code)
    membership, created = Membership.objects.get_or_create(cohort=cohort, user=user, defaults={"role": LEARNER})
    if created:
        return cohort, f"You joined {cohort.name}. Its assigned exercises are listed below."
    if membership.role == INSTRUCTOR:
        return cohort, f"You already teach {cohort.name}."
    return cohort, f"You are already a member of {cohort.name}."


def add_co_instructor(cohort: Cohort, username: str) -> Membership:
    User = get_user_model()
    user = User.objects.filter(username=username.strip()).first()
    if user is None:
        raise ClassroomError(f"There is no account called “{username.strip()}”.")
    # Instructor rights come from the Instructors group; a roster entry alone must
    # not turn a learner into someone who sees classmates' work.
    if not is_instructor(user):
        raise ClassroomError(f"{user.username} is not an instructor account; an administrator must add them to the Instructors group first.")
    membership, _ = Membership.objects.update_or_create(cohort=cohort, user=user, defaults={"role": INSTRUCTOR})
    return membership


@transaction.atomic
def remove_member(cohort: Cohort, membership_pk: int) -> Membership:
    membership = Membership.objects.select_related("user").filter(cohort=cohort, pk=membership_pk).first()
    if membership is None:
        raise ClassroomError("That person is not on this roster.")
    if membership.role == INSTRUCTOR and cohort.memberships.filter(role=INSTRUCTOR).count() == 1:
        raise ClassroomError("A cohort needs at least one instructor: add a co-instructor before removing the last one.")
    membership.delete()  # their attempts stay; they just leave the cohort's aggregates
    return membership


# -- which attempt counts ------------------------------------------------------

# The one definition of "the attempt that counts", used by every view and export.
# Only finished attempts count; ties go to the earlier attempt.
COUNTED_ORDER: dict[str, tuple[str, ...]] = {
    Assignment.Counts.FIRST: ("started_at", "pk"),
    Assignment.Counts.BEST: ("-score_total", "started_at", "pk"),
    Assignment.Counts.LAST: ("-finished_at", "-pk"),
}


def _counted_pk() -> SqlCase:
    """SQL: the pk of the counted attempt for the outer row's (user, assignment)."""

    def pick(order: tuple[str, ...]) -> Subquery:
        peers = Attempt.objects.filter(
            user_id=OuterRef("user_id"), assignment_id=OuterRef("assignment_id"), finished_at__isnull=False
        )
        return Subquery(peers.order_by(*order).values("pk")[:1])

    whens = [When(assignment__counts=counts, then=pick(order)) for counts, order in COUNTED_ORDER.items()]
    return SqlCase(*whens, output_field=BigIntegerField())


def with_counted(attempts: QuerySet[Attempt]) -> QuerySet[Attempt]:
    """Annotate `counted_pk`; an attempt counts when `pk == counted_pk`."""
    return attempts.annotate(counted_pk=_counted_pk())


def counted_attempts() -> QuerySet[Attempt]:
    return with_counted(Attempt.objects.filter(assignment__isnull=False, finished_at__isnull=False)).filter(
        pk=F("counted_pk")
    )


def is_counted(attempt: Attempt) -> bool:
    return getattr(attempt, "counted_pk", None) == attempt.pk


# -- status of one learner on one assignment -----------------------------------

UPCOMING, NOT_STARTED, IN_PROGRESS, DONE = "upcoming", "not_started", "in_progress", "done"
STATUS_LABELS = {UPCOMING: "Not open yet", NOT_STARTED: "Not started", IN_PROGRESS: "In progress", DONE: "Done"}


@dataclass(frozen=True)
class Cell:
    assignment: Assignment
    status: str
    counted: Attempt | None
    attempts: int
    open_pk: int | None
    overdue: bool

    @property
    def label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def late(self) -> bool:
        return bool(self.counted and self.counted.late)

    @property
    def can_start(self) -> bool:
        a = self.assignment
        return self.status != UPCOMING and self.open_pk is None and (a.max_attempts is None or self.attempts < a.max_attempts)

    @property
    def debrief_open(self) -> bool:
        return bool(self.counted) and not debrief_locked_until(self.counted, assignment=self.assignment)


def make_cell(assignment: Assignment, attempts: list[Attempt], now: datetime) -> Cell:
    """`attempts`: this learner's attempts on this assignment, annotated by with_counted."""
    counted = next((a for a in attempts if is_counted(a)), None)
    open_pk = next((a.pk for a in attempts if a.finished_at is None), None)
    if counted:
        status = DONE
    elif open_pk:
        status = IN_PROGRESS
    elif now < assignment.opens_at:
        status = UPCOMING
    else:
        status = NOT_STARTED
    return Cell(assignment, status, counted, len(attempts), open_pk, overdue=status != DONE and now > assignment.due_at)


def _group(attempts) -> dict[tuple[int, int], list[Attempt]]:
    grouped: dict[tuple[int, int], list[Attempt]] = {}
    for a in attempts:
        grouped.setdefault((a.user_id, a.assignment_id), []).append(a)
    return grouped


_CELL_FIELDS = ("id", "user_id", "assignment_id", "started_at", "finished_at", "late", "score_total", "unsafe")


def learner_cells(user, now: datetime | None = None) -> list[Cell]:
    """A learner's assigned exercises across their cohorts: what to do next first."""
    now = now or timezone.now()
    assignments = list(
        Assignment.objects.filter(
            cohort__memberships__user=user, cohort__memberships__role=LEARNER, cohort__archived=False
        ).select_related("case", "cohort")
    )
    attempts = with_counted(Attempt.objects.filter(user=user, assignment__in=assignments)).only(*_CELL_FIELDS)
    grouped = _group(attempts)
    cells = [make_cell(a, grouped.get((user.pk, a.pk), []), now) for a in assignments]
    rank = {IN_PROGRESS: 0, NOT_STARTED: 1, UPCOMING: 2, DONE: 3}
    return sorted(cells, key=lambda c: (rank[c.status], c.assignment.due_at))


# -- starting assigned work and reading its debrief ----------------------------


def start_assignment(user, assignment: Assignment, now: datetime | None = None) -> tuple[Attempt, bool]:
    """Start (or resume) the learner's attempt on an assignment. Returns the
    attempt and whether it is new; raises ClassroomError with the reason if not."""
    now = now or timezone.now()
    with transaction.atomic():
        # Lock the membership row so two quick clicks cannot both pass the
        # attempt limit (PostgreSQL; SQLite serialises writers anyway).
        member = Membership.objects.select_for_update().filter(cohort_id=assignment.cohort_id, user=user, role=LEARNER)
        if not member.exists():
            raise ClassroomError("You are not a learner in this cohort.")
        if now < assignment.opens_at:
            raise ClassroomError(f"This exercise opens on {when(assignment.opens_at)}.")
        mine = Attempt.objects.filter(user=user, assignment=assignment)
        open_attempt = mine.filter(finished_at__isnull=True).first()
        if open_attempt:
            return open_attempt, False
        used = mine.count()
        if assignment.max_attempts is not None and used >= assignment.max_attempts:
            allowed = f"{assignment.max_attempts} attempt{'s' if assignment.max_attempts != 1 else ''}"
            raise ClassroomError(f"You have used all {allowed} this exercise allows.")
        case = assignment.case
        if case.retired or case.current_version_id is None:
            raise ClassroomError("This case has been withdrawn; ask your instructor.")
        attempt = Attempt.objects.create(user=user, case=case, version_id=case.current_version_id, assignment=assignment)
        return attempt, True


def debrief_locked_until(attempt: Attempt, now: datetime | None = None, assignment: Assignment | None = None) -> datetime | None:
    """Assessed work: the debrief (and score) stays closed until the due time, so
    classmates cannot pass answers on while the exercise is still open."""
    if not attempt.assignment_id:
        return None
    assignment = assignment or attempt.assignment
    now = now or timezone.now()
    if assignment.mode == Assignment.Mode.ASSESSED and now < assignment.due_at:
        return assignment.due_at
    return None


def debrief_notice(attempt: Attempt) -> str:
    """What to tell a learner whose debrief is not open yet; empty if it is."""
    until = debrief_locked_until(attempt)
    if until is None:
        return ""
    return f"Your answers are saved. This is an assessed exercise: the score and debrief open after the due time, {when(until)}."


def practice_notice(user, case: Case, now: datetime | None = None) -> str:
    """Self-paced play of a case the learner has an assessed assignment on, before
    it is due, would let them rehearse the assessment: refuse it until then."""
    now = now or timezone.now()
    blocking = (
        Assignment.objects.filter(
            case=case,
            mode=Assignment.Mode.ASSESSED,
            due_at__gt=now,
            cohort__archived=False,
            cohort__memberships__user=user,
            cohort__memberships__role=LEARNER,
        )
        .order_by("due_at")
        .first()
    )
    if blocking is None:
        return ""
    return f"{case.title} is an assessed exercise for you, due {when(blocking.due_at)}; start it from your assigned exercises. Self-paced practice on it opens after the due time."


# -- the dashboard matrix ------------------------------------------------------

SORTS = ("name", "-name", "progress", "-progress")


def roster_page_queryset(cohort: Cohort, assignments: list[Assignment], sort: str, q: str) -> QuerySet[Membership]:
    """Learners, searched and sorted in SQL, ready for a Paginator."""
    members = Membership.objects.filter(cohort=cohort, role=LEARNER).select_related("user")
    if q:
        members = members.filter(
            Q(user__username__icontains=q) | Q(user__first_name__icontains=q) | Q(user__last_name__icontains=q)
        )
    key = sort.lstrip("-")
    desc = sort.startswith("-")
    if key == "progress":
        done = counted_attempts().filter(user_id=OuterRef("user_id"), assignment__cohort=cohort)
        members = members.annotate(sort_key=Subquery(done.values("user_id").annotate(n=Count("pk")).values("n")[:1]))
    elif key.startswith("a") and key[1:].isdigit() and int(key[1:]) in {a.pk for a in assignments}:
        score = counted_attempts().filter(user_id=OuterRef("user_id"), assignment_id=int(key[1:]))
        members = members.annotate(sort_key=Subquery(score.values("score_total")[:1]))
    else:
        return members.order_by("-user__username" if desc else "user__username", "pk")
    key_order = F("sort_key").desc(nulls_last=True) if desc else F("sort_key").asc(nulls_last=True)
    return members.order_by(key_order, "user__username", "pk")


@dataclass(frozen=True)
class Row:
    membership: Membership
    cells: list[Cell]

    @property
    def done(self) -> int:
        return sum(1 for c in self.cells if c.status == DONE)


def matrix_rows(memberships: list[Membership], assignments: list[Assignment], now: datetime | None = None) -> list[Row]:
    """One query for every cell of the given learners (a page, or the export)."""
    now = now or timezone.now()
    users = [m.user_id for m in memberships]
    attempts = with_counted(Attempt.objects.filter(user_id__in=users, assignment__in=assignments)).only(*_CELL_FIELDS)
    grouped = _group(attempts.order_by())
    return [
        Row(m, [make_cell(a, grouped.get((m.user_id, a.pk), []), now) for a in assignments]) for m in memberships
    ]


@dataclass(frozen=True)
class Summary:
    learners: int
    started: int = 0
    done: int = 0
    avg: float | None = None
    unsafe: int = 0
    late: int = 0

    @property
    def done_pct(self) -> int:
        return round(100 * self.done / self.learners) if self.learners else 0

    @property
    def bar_pct(self) -> int:
        # The CSS has width classes in steps of 5 (no inline style under the CSP).
        return 5 * round(self.done_pct / 5)


def summaries(cohort: Cohort, learners: int) -> dict[int, Summary]:
    """Completion and counted-score figures for every assignment, in two queries
    whose cost is one indexed lookup per attempt (the "counted" subquery runs
    once per row in WHERE, not once per aggregate)."""
    mine = Attempt.objects.filter(assignment__cohort=cohort, user_id__in=learner_ids(cohort))
    started = dict(
        mine.order_by().values("assignment_id").annotate(n=Count("user_id", distinct=True)).values_list("assignment_id", "n")
    )
    rows = (
        counted_attempts()
        .filter(assignment__cohort=cohort, user_id__in=learner_ids(cohort))
        .order_by()
        .values("assignment_id")
        .annotate(
            done=Count("pk"),
            avg=Avg("score_total"),
            unsafe=Count("pk", filter=Q(unsafe=True)),
            late=Count("pk", filter=Q(late=True)),
        )
    )
    result = {a: Summary(learners=learners, started=n) for a, n in started.items()}
    for r in rows:
        a = r.pop("assignment_id")
        result[a] = Summary(learners=learners, started=started.get(a, 0), **r)
    return result


# -- one assignment: distributions ---------------------------------------------


def counted_for(assignment: Assignment) -> QuerySet[Attempt]:
    return counted_attempts().filter(assignment=assignment, user_id__in=learner_ids(assignment.cohort_id))


SCORE_BINS = [f"{10 * i}–{10 * i + 9}" if i < 9 else "90–100" for i in range(10)]


def score_histogram(assignment: Assignment) -> list[int]:
    """Counted scores in ten bands, counted in SQL."""
    rows = (
        counted_for(assignment)
        .annotate(band=Least(F("score_total") / 10, Value(9)))
        .order_by()
        .values("band")
        .annotate(n=Count("pk"))
    )
    bins = [0] * 10
    for r in rows:
        if r["band"] is not None:
            bins[int(r["band"])] += r["n"]
    return bins


@dataclass(frozen=True)
class FindingCount:
    guidance_id: str
    statement: str
    n: int


def finding_counts(assignment: Assignment) -> tuple[list[FindingCount], list[FindingCount]]:
    """Red flags most often missed and pitfalls most often triggered, over the
    counted attempts (stored AttemptFinding rows, grouped in SQL)."""
    rows = (
        AttemptFinding.objects.filter(attempt__in=counted_for(assignment).values("pk"))
        .filter(Q(status__in=MISSED, guidance__kind="red_flag") | Q(status="triggered", guidance__kind="pitfall"))
        .values("guidance_id", "guidance__statement", "status")
        .annotate(n=Count("attempt_id", distinct=True))
        .order_by("-n", "guidance_id")
    )
    missed: dict[str, FindingCount] = {}
    triggered: list[FindingCount] = []
    for r in rows:
        item = FindingCount(r["guidance_id"], r["guidance__statement"], r["n"])
        if r["status"] == "triggered":
            triggered.append(item)
        else:  # a present flag is "missed", a screen-only one "not_screened": one kind of gap
            prev = missed.get(item.guidance_id)
            missed[item.guidance_id] = item if prev is None else FindingCount(item.guidance_id, item.statement, prev.n + item.n)
    return sorted(missed.values(), key=lambda f: (-f.n, f.guidance_id)), triggered


@dataclass(frozen=True)
class OptionCount:
    id: str
    label: str
    grade: str
    n: int


@dataclass(frozen=True)
class StageCount:
    id: str
    title: str
    options: list[OptionCount]


def decision_distribution(assignment: Assignment) -> list[StageCount]:
    """How many learners chose each option at each decision stage (any attempt).

    Counts come from Choice rows grouped in SQL; which option belongs to which
    decision stage comes from the engine's Playbook of the case's current version."""
    book = assignment.case.current_version.playbook
    rows = (
        Choice.objects.filter(attempt__assignment=assignment, attempt__user_id__in=learner_ids(assignment.cohort_id))
        .order_by()
        .values("option_id")
        .annotate(n=Count("attempt__user_id", distinct=True))
    )
    counts = {r["option_id"]: r["n"] for r in rows}
    stages = []
    for stage in book.case.stages:
        if stage.kind != "decision":
            continue
        options = [OptionCount(o.id, o.label, o.grade.value, counts.get(o.id, 0)) for o in stage.options]
        stages.append(StageCount(stage.id, stage.title, options))
    return stages


# -- item analysis per case ----------------------------------------------------


@dataclass(frozen=True)
class Item:
    stage: str
    id: str
    label: str
    yield_: str
    asked: int
    red_flags: tuple[str, ...]
    unsafe_askers: int
    total: int
    unsafe_total: int

    @property
    def asked_pct(self) -> int:
        return round(100 * self.asked / self.total) if self.total else 0

    @property
    def unsafe_rate_askers(self) -> int | None:
        return round(100 * self.unsafe_askers / self.asked) if self.asked else None

    @property
    def unsafe_rate_non_askers(self) -> int | None:
        others = self.total - self.asked
        return round(100 * (self.unsafe_total - self.unsafe_askers) / others) if others else None


@dataclass(frozen=True)
class ItemAnalysis:
    attempts: int
    unsafe: int
    items: list[Item]

    @property
    def screening(self) -> list[Item]:
        return [i for i in self.items if i.red_flags]


def item_analysis(cohort: Cohort, case: Case) -> ItemAnalysis:
    """How often each history question and exam manoeuvre was asked in the
    cohort's finished assigned attempts on this case, and, for red-flag
    screening questions, the unsafe rate among askers and non-askers."""
    attempts = Attempt.objects.filter(
        assignment__cohort=cohort, case=case, finished_at__isnull=False, user_id__in=learner_ids(cohort)
    )
    totals = attempts.aggregate(n=Count("pk"), unsafe=Count("pk", filter=Q(unsafe=True)))
    rows = (
        Choice.objects.filter(attempt__in=attempts.values("pk"))
        .order_by()
        .values("option_id")
        .annotate(n=Count("attempt_id"), unsafe=Count("attempt_id", filter=Q(attempt__unsafe=True)))
    )
    counts = {r["option_id"]: r for r in rows}
    book = case.current_version.playbook
    red = set(book.case.red_flags.present) | set(book.case.red_flags.screen)
    red |= {gid for gid, entry in book.catalogue.items() if entry.kind.value == "red_flag"}
    items = []
    for stage in book.case.stages:
        if not isinstance(stage, PickStage):
            continue
        for o in stage.options:
            row = counts.get(o.id, {"n": 0, "unsafe": 0})
            flags = tuple(g for g in o.screens if g in red)
            items.append(
                Item(stage.title, o.id, o.label, o.yield_.value, row["n"], flags, row["unsafe"], totals["n"], totals["unsafe"])
            )
    return ItemAnalysis(totals["n"], totals["unsafe"], items)


# -- one student ---------------------------------------------------------------


def student_attempts(cohort: Cohort, user) -> QuerySet[Attempt]:
    """A learner's work on this cohort's assignments only: their self-paced
    practice and other cohorts' work are not this instructor's business."""
    return (
        with_counted(Attempt.objects.filter(assignment__cohort=cohort, user=user))
        .select_related("case", "version", "assignment")
        .prefetch_related("choices")
        .order_by("assignment__due_at", "started_at")
    )


# -- exports -------------------------------------------------------------------

DIMENSIONS = ("redflags", "workup", "assessment", "efficiency", "plan")


def attempt_export_rows(cohort: Cohort) -> QuerySet[Attempt]:
    """One row per attempt on the cohort's assignments by a current learner, with
    `missed` (the missed red-flag findings) prefetched."""
    missed = AttemptFinding.objects.filter(status__in=MISSED).order_by("guidance_id")
    return (
        with_counted(Attempt.objects.filter(assignment__cohort=cohort, user_id__in=learner_ids(cohort)))
        .select_related("user", "case", "version", "assignment")
        .prefetch_related(Prefetch("findings", queryset=missed, to_attr="missed"))
        .order_by("user__username", "started_at", "pk")
    )
