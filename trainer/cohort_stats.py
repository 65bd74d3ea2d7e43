"""The SQL aggregates behind the instructor dashboard: the students x assignments
matrix, per-assignment summaries and plots' data, item analysis and CSV rows.

They read the scores and findings stored when an attempt ends (and Choice rows
for path analysis); nothing here replays event logs for a whole cohort, so a
dashboard costs the same number of queries at 5 or 5,000 students. The rules
they rely on (which attempt counts, a learner's cell status) live in
trainer/classroom/ (counted.py, cells.py).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Avg, Count, F, OuterRef, Prefetch, Q, QuerySet, Subquery, TextField, Value, When, Window
from django.db.models import Case as DbCase
from django.db import connection
from django.db.models.functions import Coalesce, Collate, Concat, Least, Lower, NullIf, RowNumber, Trim
from django.utils import timezone

from cases.format import DecisionOption, DecisionStage, Option, PickStage
from cases.models import Case, CaseVersion, playbooks
from trainer.classroom import (
    CELL_FIELDS,
    DONE,
    LEARNER,
    MISSED,
    Cell,
    attempts_by_cell,
    counted_attempts,
    learner_ids,
    make_cell,
    readable_debriefs,
    with_counted,
)
from trainer.engine import Playbook
from trainer.names import fold
from trainer.scoring import WEIGHTS
from trainer.models import Assignment, Attempt, AttemptFinding, Choice, Cohort, Membership

# -- whose work counts ---------------------------------------------------------


def cohort_attempts(cohort: Cohort | int) -> QuerySet[Attempt]:
    """Attempts on the cohort's assignments by its current learners: the work every
    cohort figure is made of (a removed member's work drops out, undeleted)."""
    return Attempt.objects.filter(assignment__cohort=cohort, user_id__in=learner_ids(cohort))


def counted_in(cohort: Cohort | int) -> QuerySet[Attempt]:
    """Of those, the attempt that counts per learner and assignment."""
    return counted_attempts().filter(assignment__cohort=cohort, user_id__in=learner_ids(cohort))


# -- the dashboard matrix ------------------------------------------------------


def assignment_columns(cohort: Cohort) -> list[Assignment]:
    """The cohort's assignments in the order every per-assignment table shows them (the
    matrix, "What they miss", both CSV exports): by due time, then as set."""
    return list(cohort.assignments.select_related("case").order_by("due_at", "pk"))

SORTS = ("name", "-name", "progress", "-progress")


# PostgreSQL orders text by the database's collation (en_US puts "de la cruz" after
# "dean", SQLite before it): the key's code-point order on both, as SQLite has it.
CODE_POINT_ORDER = {"postgresql": "C"}


def with_shown_name(rows: QuerySet) -> QuerySet:
    """Annotate `shown_name` on rows with a `user` (memberships, attempts): the person's
    full name, or their username if they gave none, as every page shows them, folded
    (trainer/names.py). Search and A-Z order go by it ("Alex Chen" found no one, and
    sorting by username put her, demo-student, last)."""
    full_name = Trim(Concat("user__first_name", Value(" "), "user__last_name"))
    # An account saved without its signal (bulk_create) has no key: lower-cased in SQL.
    in_sql = Lower(Coalesce(NullIf(full_name, Value("")), "user__username"))
    key = Coalesce("user__shown_name__key", in_sql, output_field=TextField())
    if collation := CODE_POINT_ORDER.get(connection.vendor):
        key = Collate(key, collation)
    return rows.annotate(shown_name=key)


def roster_page_queryset(cohort: Cohort, assignments: list[Assignment], sort: str, q: str) -> QuerySet[Membership]:
    """Learners, searched and sorted in SQL, ready for a Paginator."""
    members = with_shown_name(Membership.objects.filter(cohort=cohort, role=LEARNER).select_related("user"))
    if q:
        members = members.filter(Q(user__username__icontains=q) | Q(shown_name__contains=fold(q)))
    key = sort.lstrip("-")
    desc = sort.startswith("-")
    # The keys the column headers link to, looked up rather than parsed: int() refused
    # digits str.isdigit() accepts ("a²") and "a" followed by 5,000 digits, each a 500.
    score_columns = {f"a{a.pk}": a.pk for a in assignments}
    if key == "progress":
        done = counted_attempts().filter(user_id=OuterRef("user_id"), assignment__cohort=cohort)
        # No counted attempt is 0 done, not "unknown": NULL sorted after every count, so
        # "fewest done first" put the learners who had done nothing at the bottom.
        members = members.annotate(sort_key=Coalesce(Subquery(done.values("user_id").annotate(n=Count("pk")).values("n")[:1]), 0))
    elif key in score_columns:
        score = counted_attempts().filter(user_id=OuterRef("user_id"), assignment_id=score_columns[key])
        members = members.annotate(sort_key=Subquery(score.values("score_total")[:1]))
    else:
        return members.order_by("-shown_name" if desc else "shown_name", "user__username", "pk")
    key_order = F("sort_key").desc(nulls_last=True) if desc else F("sort_key").asc(nulls_last=True)
    return members.order_by(key_order, "shown_name", "user__username", "pk")


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
    attempts = with_counted(Attempt.objects.filter(user_id__in=users, assignment__in=assignments)).only(*CELL_FIELDS)
    grouped = attempts_by_cell(attempts.order_by())
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
    started = dict(
        cohort_attempts(cohort).order_by().values("assignment_id").annotate(n=Count("user_id", distinct=True)).values_list("assignment_id", "n")
    )
    rows = (
        counted_in(cohort)
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
    return counted_in(assignment.cohort_id).filter(assignment=assignment)


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
    title: str
    statement: str
    n: int


def finding_counts(assignment: Assignment) -> tuple[list[FindingCount], list[FindingCount]]:
    """Red flags most often missed and pitfalls most often fallen into, over the
    counted attempts (stored AttemptFinding rows, grouped in SQL)."""
    return _tally(_finding_rows(counted_for(assignment)))


def _finding_rows(counted: QuerySet[Attempt], *by: str) -> QuerySet:
    """Missed red flags and pitfalls fallen into (status "triggered", which also
    names a teaching point a wrong choice went against, e.g. tp-imaging-selective on
    needless imaging; a "caution" is no mistake) of the counted attempts: how many
    attempts had each, grouped in SQL (also by the fields in `by`)."""
    return (
        AttemptFinding.objects.filter(attempt__in=counted.values("pk"))
        .filter(Q(status__in=MISSED, guidance__kind="red_flag") | Q(status="triggered"))
        .values("guidance_id", "guidance__title", "guidance__statement", "status", *by)
        .annotate(n=Count("attempt_id", distinct=True))
        .order_by("-n", "guidance_id")
    )


def _tally(rows) -> tuple[list[FindingCount], list[FindingCount]]:
    """(missed red flags, triggered pitfalls), most frequent first. A present flag
    is "missed" and a screen-only one "not_screened": one kind of gap, so they add up;
    so do the rows of one id split by another field."""
    totals: dict[tuple[bool, str], FindingCount] = {}
    for r in rows:
        key = (r["status"] == "triggered", r["guidance_id"])
        prev = totals.get(key)
        n = r["n"] + (prev.n if prev else 0)
        totals[key] = FindingCount(r["guidance_id"], r["guidance__title"] or r["guidance_id"], r["guidance__statement"], n)
    ranked = sorted(totals.items(), key=lambda kv: (-kv[1].n, kv[1].guidance_id))
    return [f for (trig, _), f in ranked if not trig], [f for (trig, _), f in ranked if trig]


@dataclass(frozen=True)
class CohortFindings:
    """What a whole cohort misses, over every assignment's counted attempts."""

    attempts: int  # counted attempts, across assignments
    missed: list[FindingCount]
    triggered: list[FindingCount]
    by_assignment: dict[str, dict[int, int]]  # guidance id -> assignment id -> attempts

    def per_assignment(self, finding: FindingCount, assignments: list[Assignment]) -> list[int]:
        counts = self.by_assignment.get(finding.guidance_id, {})
        return [counts.get(a.pk, 0) for a in assignments]


def cohort_findings(cohort: Cohort) -> CohortFindings:
    counted = counted_in(cohort)
    rows = list(_finding_rows(counted, "attempt__assignment_id"))
    by_assignment: dict[str, dict[int, int]] = {}
    for r in rows:
        cell = by_assignment.setdefault(r["guidance_id"], {})
        cell[r["attempt__assignment_id"]] = cell.get(r["attempt__assignment_id"], 0) + r["n"]
    missed, triggered = _tally(rows)
    return CohortFindings(counted.count(), missed, triggered, by_assignment)


# -- one learner's own pattern ----------------------------------------------------


def learner_patterns(user, now: datetime | None = None) -> tuple[int, list[FindingCount], list[FindingCount]]:
    """Across the cases a learner has finished, the attempt they finished last on each,
    of those whose debrief is open to them: how many such attempts (one per case), the
    red flags they missed and the pitfalls they fell into, most frequent first (cautions
    a right choice carries are not counted: scoring.debrief). One per case, the last
    finished: fifteen retries of one case made its misses lead the list over what the
    learner does across cases, and a mistake since put right stayed counted. By finish,
    not start: an attempt left open in another tab and finished after a later one is the
    learner's latest work on the case (the latest start kept a mistake they had since put
    right, or dropped one they made since). An assessed attempt before its due time, or
    closed by an assessed exercise on its case, is left out: its findings would give the
    verdict away (classroom.readable_debriefs)."""
    last_finished = Window(RowNumber(), partition_by=F("case_id"), order_by=(F("finished_at").desc(), F("pk").desc()))
    latest = readable_debriefs(user, now).annotate(nth=last_finished).filter(nth=1)
    missed, fallen = _tally(_finding_rows(latest))
    return latest.count(), missed, fallen


# -- options across case versions ----------------------------------------------

EARLIER = " (earlier version of the case)"


def versions_played(case: Case, attempts: QuerySet[Attempt]) -> list[Playbook]:
    """The playbooks that label per-option counts: the case's current version first,
    then each older version the attempts were played on, newest first."""
    older = (
        CaseVersion.objects.filter(pk__in=attempts.order_by().values("version_id"))
        .exclude(pk=case.current_version_id)
        .defer("data")
        .order_by("-number")
    )
    return playbooks([case.current_version, *older])


StageOptions = tuple[PickStage | DecisionStage, list[tuple[Option | DecisionOption, str]]]


def stages_across(books: list[Playbook], kind: type[PickStage] | type[DecisionStage]) -> list[StageOptions]:
    """Stages of one kind with their options, in the current version's order; each
    option with the label to show (marked when only an older version has it).
    Counts group by option id across versions, so an option the case file has
    since dropped keeps its row and no learner's choice disappears from a chart."""
    merged: dict[str, StageOptions] = {}
    seen: set[str] = set()
    for i, book in enumerate(books):
        for stage in book.case.stages:
            if not isinstance(stage, kind):
                continue
            _, options = merged.setdefault(stage.id, (stage, []))
            options += [(o, o.label + (EARLIER if i else "")) for o in stage.options if o.id not in seen]
            seen.update(o.id for o in stage.options)
    return list(merged.values())


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
    reached: int  # learners who made this decision in some attempt: the share's denominator


def decision_distribution(assignment: Assignment) -> list[StageCount]:
    """How many learners chose each option at each decision stage (any attempt).

    Which option belongs to which decision stage comes from the Playbooks of the
    versions played (stages_across); the learners are counted in SQL, per option and
    per stage (distinct learners who chose any of its options), so each stage's share
    is of the learners who reached it rather than of everyone who started (a branch
    only some reach, such as a return visit, read as if most had skipped it). One
    query whose rows are the options and stages, not the (option, learner) pairs: those
    grew with the cohort, and were counted in Python."""
    books = versions_played(assignment.case, Attempt.objects.filter(assignment=assignment))
    stages = stages_across(books, DecisionStage)
    chosen = Choice.objects.filter(
        attempt__assignment=assignment,
        attempt__user_id__in=learner_ids(assignment.cohort_id),
        option_id__in=[o.id for _, options in stages for o, _ in options],
    ).order_by()
    learners = Count("attempt__user_id", distinct=True)
    whens = [When(option_id__in=[o.id for o, _ in options], then=Value(stage.id)) for stage, options in stages]
    by_option = chosen.annotate(kind=Value("o"), key=F("option_id")).values("kind", "key").annotate(n=learners)
    by_stage = chosen.annotate(kind=Value("s"), key=DbCase(*whens, output_field=TextField())).values("kind", "key").annotate(n=learners)
    # Option and stage ids share the key column; `kind` tells them apart.
    counts = {(r["kind"], r["key"]): r["n"] for r in by_option.union(by_stage, all=True)} if whens else {}
    repeated = {title for title, n in Counter(s.title for s, _ in stages).items() if n > 1}
    out = []
    for stage, options in stages:
        counted = [OptionCount(o.id, label, o.grade.value, counts.get(("o", o.id), 0)) for o, label in options]
        # Two stages may share a title (C04's plan, after a deferral or not): the id tells them apart.
        title = f"{stage.title} ({stage.id})" if stage.title in repeated else stage.title
        out.append(StageCount(stage.id, title, counted, counts.get(("s", stage.id), 0)))
    return out


# -- item analysis per case ----------------------------------------------------


@dataclass(frozen=True)
class Item:
    stage: str
    id: str
    label: str
    yield_: str
    asked: int
    red_flags: tuple[tuple[str, str], ...]  # (guidance id, title) of each red flag it screens
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
    def not_asked(self) -> int:
        return self.total - self.asked

    @property
    def unsafe_non_askers(self) -> int:
        return self.unsafe_total - self.unsafe_askers

    @property
    def unsafe_rate_non_askers(self) -> int | None:
        return round(100 * self.unsafe_non_askers / self.not_asked) if self.not_asked else None


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
    attempts = cohort_attempts(cohort).finished().filter(case=case)
    totals = attempts.aggregate(n=Count("pk"), unsafe=Count("pk", filter=Q(unsafe=True)))
    rows = (
        Choice.objects.filter(attempt__in=attempts.values("pk"))
        .order_by()
        .values("option_id")
        .annotate(n=Count("attempt_id"), unsafe=Count("attempt_id", filter=Q(attempt__unsafe=True)))
    )
    counts = {r["option_id"]: r for r in rows}
    books = versions_played(case, attempts)
    red = {gid for gid, entry in books[0].catalogue.items() if entry.kind.value == "red_flag"}
    items = []
    for stage, options in stages_across(books, PickStage):
        for o, label in options:
            row = counts.get(o.id, {"n": 0, "unsafe": 0})
            flags = tuple((g, books[0].catalogue[g].title) for g in o.screens if g in red)
            items.append(Item(stage.title, o.id, label, o.yield_.value, row["n"], flags, row["unsafe"], totals["n"], totals["unsafe"]))
    return ItemAnalysis(totals["n"], totals["unsafe"], items)


# -- one student ---------------------------------------------------------------


def student_attempts(cohort: Cohort, user) -> QuerySet[Attempt]:
    """A learner's work on this cohort's assignments only: their self-paced
    practice and other cohorts' work are not this instructor's business."""
    return (
        with_counted(Attempt.objects.filter(assignment__cohort=cohort, user=user).with_version())
        .select_related("case", "assignment")
        .prefetch_related("choices")
        # By due time, then as started; pk settles ties, so a page of them never repeats one.
        .order_by("assignment__due_at", "started_at", "pk")
    )


# -- exports -------------------------------------------------------------------

DIMENSIONS = tuple(WEIGHTS)  # the engine's rubric dimensions, in its order


def attempt_export_rows(cohort: Cohort) -> QuerySet[Attempt]:
    """One row per attempt on the cohort's assignments by a current learner, with
    `missed` (the missed red-flag findings) and `fallen` (pitfalls fallen into)
    prefetched."""
    missed = AttemptFinding.objects.filter(status__in=MISSED).order_by("guidance_id")
    fallen = AttemptFinding.objects.filter(status="triggered").order_by("guidance_id")
    return (
        with_shown_name(with_counted(cohort_attempts(cohort).with_version()))
        .select_related("user", "case", "assignment")
        .prefetch_related(
            Prefetch("findings", queryset=missed, to_attr="missed"),
            Prefetch("findings", queryset=fallen, to_attr="fallen"),
        )
        .order_by("shown_name", "user__username", "started_at", "pk")  # people in the dashboard's order
    )
