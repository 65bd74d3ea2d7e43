"""Classroom rules, in one place: joining a cohort, starting assigned work, which
attempt counts, when an assessed debrief opens. Views call these functions and
never re-derive a rule; the dashboard's aggregates are in trainer/cohort_stats.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import BigIntegerField, BooleanField, Count, Exists, F, Max, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from django.db.models import Case as SqlCase
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import Truncator

from cases.models import Case
from trainer.engine import MISSED_STATUSES
from trainer.models import Assignment, Attempt, Cohort, Membership, is_instructor, new_join_code

LEARNER = Membership.Role.LEARNER
INSTRUCTOR = Membership.Role.INSTRUCTOR
MISSED = MISSED_STATUSES  # the engine decides what counts as a missed red flag


class ClassroomError(Exception):
    """A rule said no; the message is written for the person who asked."""


def when(dt: datetime) -> str:
    return date_format(timezone.localtime(dt), "j M Y, H:i T")


# -- cohorts and membership ----------------------------------------------------


def normalize_code(raw: str) -> str:
    # Codes are read off a slide: forgive case, spaces and dashes. Learners sent the
    # join link paste it into the code box just as often: take the code out of it.
    if link := re.search(r"/join/([^/?#\s]+)", raw):
        raw = link[1]
    return re.sub(r"[^A-Z0-9]", "", raw.upper())


def cohorts_taught(user) -> QuerySet[Cohort]:
    # A subquery, not a join: a join on memberships would be reused by any later
    # count over memberships (the cohort list counted only the instructor's own row).
    return Cohort.objects.filter(pk__in=Membership.objects.filter(user=user, role=INSTRUCTOR).values("cohort_id"))


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
        raise ClassroomError(f"There is no account called “{Truncator(username.strip()).chars(40)}”.")
    # Instructor rights come from the Instructors group; a roster entry alone must
    # not turn a learner into someone who sees classmates' work.
    if not is_instructor(user):
        raise ClassroomError(
            f"{user.username} is not an instructor account; an administrator must make them one first "
            f"(manage.py instructor add {user.username})."
        )
    if Membership.objects.filter(cohort=cohort, user=user, role=INSTRUCTOR).exists():
        raise ClassroomError(f"{user.username} already teaches {cohort.name}.")
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


def work_in_cohort(cohort: Cohort, user) -> int:
    """How many attempts `user` has on the cohort's exercises: what removing them takes
    off its dashboard and exports (their attempts themselves are kept)."""
    return Attempt.objects.filter(user=user, assignment__cohort=cohort).count()


def issue_new_join_code(cohort: Cohort, replacing: str) -> str:
    """Replace a cohort's join code (it leaked, or the class is full): the old code
    and link stop working; members stay. Returns the new code. `replacing` names
    the code the instructor saw: a double submit or a second tab must not replace
    the code the first request just handed out."""
    if replacing != cohort.join_code:
        raise ClassroomError(f"That code was already replaced: learners now join with {cohort.join_code}.")
    # 31^8 codes: like a new cohort's, a clash is left to the unique key to refuse.
    cohort.join_code = new_join_code()
    cohort.save(update_fields=["join_code"])
    return cohort.join_code


def assignment_refusal(cohort: Cohort) -> str:
    """Why `cohort` takes no new assignment, or "". Its learners never see an archived
    cohort's exercises, so a case assigned there would reach nobody."""
    if cohort.archived:
        return f"{cohort.name} is archived: its learners do not see its exercises, so a case assigned now would reach nobody."
    return ""


def set_archived(cohort: Cohort, archived: bool) -> None:
    """Archive a cohort at the end of term: nobody can join it, its exercises leave
    learners' home pages and no new attempt starts on them; every attempt, score and
    dashboard stays as it was. Restoring it undoes exactly that. Setting a state
    rather than toggling one, so a form sent twice cannot undo itself."""
    cohort.archived = archived
    cohort.save(update_fields=["archived"])


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


def counted_attempt(user_id: int, assignment: Assignment) -> Attempt | None:
    """One learner's counted attempt on one assignment, by the same order: a plain
    indexed query, where counted_attempts() would build three correlated subqueries."""
    finished = Attempt.objects.filter(user_id=user_id, assignment=assignment, finished_at__isnull=False)
    return finished.order_by(*COUNTED_ORDER[assignment.counts]).only("pk", "score_total", "unsafe").first()


def counted_beside(attempt: Attempt) -> Attempt | None:
    """For a debrief: the attempt that counts on `attempt`'s assignment (it may be this
    one), or None when there is nothing to tell apart (self-paced, or one attempt allowed)."""
    assignment = attempt.assignment
    if assignment is None or assignment.max_attempts == 1:
        return None
    return counted_attempt(attempt.user_id, assignment)


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


def attempts_by_cell(attempts) -> dict[tuple[int, int], list[Attempt]]:
    grouped: dict[tuple[int, int], list[Attempt]] = {}
    for a in attempts:
        grouped.setdefault((a.user_id, a.assignment_id), []).append(a)
    return grouped


CELL_FIELDS = ("id", "user_id", "assignment_id", "started_at", "finished_at", "late", "score_total", "unsafe")


def in_open_cohort(user) -> bool:
    return Membership.objects.filter(user=user, role=LEARNER, cohort__archived=False).exists()


def only_in_ended_cohorts(user, in_open_cohort: bool) -> bool:
    """A learner whose cohorts were all archived: told their cohorts ended, not that they
    are in none (which read as if they had been removed)."""
    return not in_open_cohort and Membership.objects.filter(user=user, role=LEARNER).exists()


def practice_in_progress(user) -> QuerySet[Attempt]:
    """A learner's unfinished attempts to list for resuming: self-paced ones, and
    assigned ones whose cohort was archived (they no longer show as assignments,
    and work under way may still be finished)."""
    resumable = Q(assignment__isnull=True) | Q(assignment__cohort__archived=True)
    # Not those an assessed exercise on their case closes for now (assessment_lock).
    attempts = Attempt.objects.for_user(user).in_progress().filter(resumable).exclude(assessment_lock(user))
    return by_last_activity(attempts)


def by_last_activity(attempts: QuerySet[Attempt]) -> QuerySet[Attempt]:
    """The attempt worked on last first, as `last_active`: by start time, a long list
    dropped exactly the cases a learner was busy with."""
    return attempts.annotate(last_active=Coalesce(Max("choices__created_at"), "started_at")).order_by("-last_active", "-pk")


def open_practice(user, case: Case) -> Attempt | None:
    """The learner's unfinished self-paced attempt on the case, if any: starting the
    case again resumes it, so half-played attempts do not pile up on the home page.
    (is_open_practice is the same rule for attempts already loaded.)"""
    attempts = Attempt.objects.for_user(user).in_progress().filter(case=case, assignment__isnull=True)
    return attempts.order_by("-started_at").first()


def is_open_practice(attempt: Attempt) -> bool:
    return attempt.finished_at is None and attempt.assignment_id is None


def learner_cells(user, now: datetime | None = None) -> list[Cell]:
    """A learner's assigned exercises across their cohorts: what to do next first."""
    now = now or timezone.now()
    assignments = list(
        Assignment.objects.filter(
            cohort__memberships__user=user, cohort__memberships__role=LEARNER, cohort__archived=False
        ).select_related("case", "cohort")
    )
    attempts = with_counted(Attempt.objects.filter(user=user, assignment__in=assignments)).only(*CELL_FIELDS)
    grouped = attempts_by_cell(attempts)
    cells = [make_cell(a, grouped.get((user.pk, a.pk), []), now) for a in assignments]
    rank = {IN_PROGRESS: 0, NOT_STARTED: 1, UPCOMING: 2, DONE: 3}
    return sorted(cells, key=lambda c: (rank[c.status], c.assignment.due_at))


# -- starting assigned work and reading its debrief ----------------------------


def _start_refusal(assignment: Assignment, used: int, now: datetime) -> str:
    """Why a learner who has used `used` attempts cannot start another, or "".
    (`assignment.cohort` should be joined.)"""
    if now < assignment.opens_at:
        return f"This exercise opens on {when(assignment.opens_at)}."
    if assignment.cohort.archived:
        return "This cohort has been archived: its exercises are closed."
    if assignment.max_attempts is not None and used >= assignment.max_attempts:
        allowed = f"{assignment.max_attempts} attempt{'s' if assignment.max_attempts != 1 else ''}"
        return f"You have used all {allowed} this exercise allows."
    return ""


def can_try_again(user, assignment: Assignment, now: datetime | None = None) -> bool:
    """Whether start_assignment would give the learner another attempt once this one
    is finished (the debrief offers it)."""
    used = Attempt.objects.filter(user=user, assignment=assignment).count()
    return not _start_refusal(assignment, used, now or timezone.now())


def start_assignment(user, assignment: Assignment, now: datetime | None = None) -> tuple[Attempt, bool]:
    """Start (or resume) the learner's attempt on an assignment. Returns the
    attempt and whether it is new; raises ClassroomError with the reason if not."""
    now = now or timezone.now()
    # Read-only checks before the transaction: on SQLite a transaction here holds the
    # database's one write lock from its start (IMMEDIATE), and a class pressing Start
    # together would queue behind each other's reads (bench/README.md, class at 9:00).
    if assignment.mode == Assignment.Mode.PRACTICE and (notice := practice_notice(user, assignment.case, now)):
        # The same case assessed for this learner: a practice debrief would rehearse it.
        raise ClassroomError(notice)
    return _begin_assignment(user, assignment, now)


def _begin_assignment(user, assignment: Assignment, now: datetime) -> tuple[Attempt, bool]:
    """start_assignment once its practice_notice check has passed: the membership,
    the attempt under way or the limits, and the new attempt, in one transaction."""
    with transaction.atomic():
        # Lock the membership row so two quick clicks cannot both pass the
        # attempt limit (PostgreSQL; SQLite serialises writers anyway).
        member = Membership.objects.select_for_update().filter(cohort_id=assignment.cohort_id, user=user, role=LEARNER)
        if not member.exists():
            raise ClassroomError("You are not a learner in this cohort.")
        # One small query for both the attempt under way and the count (a class at
        # 9:00 sends this request 200 times at once).
        mine = list(Attempt.objects.filter(user=user, assignment=assignment).order_by("pk").values_list("pk", "finished_at"))
        open_pk = next((pk for pk, finished_at in mine if finished_at is None), None)
        if open_pk and now >= assignment.opens_at:
            return Attempt.objects.get(pk=open_pk), False  # work already started is never locked away, archived or not
        if refusal := _start_refusal(assignment, len(mine), now):
            raise ClassroomError(refusal)
        case = assignment.case
        if case.retired or case.current_version_id is None:
            raise ClassroomError("This case has been withdrawn; ask your instructor.")
        attempt = Attempt.objects.create(user=user, case=case, version_id=case.current_version_id, assignment=assignment)
        return attempt, True


@dataclass(frozen=True)
class Rescheduled:
    """What saving an assignment's new dates and rules did to work already done, for
    the instructor to be told: finished work is re-scored and re-marked silently otherwise."""

    remarked: int  # finished attempts now marked late, or no longer late
    counts_changed: bool  # "which attempt counts" changed
    rescored: int  # learners whose counted score changed with it
    over_limit: int  # learners who have made more attempts than a lowered limit allows


@transaction.atomic
def reschedule(assignment: Assignment) -> Rescheduled:
    """Save an assignment's changed dates and rules (`assignment` holds them, unsaved),
    and mark each finished attempt late exactly when it finished after the (new) due
    time: an extension clears the mark. Only the cohort's current learners are counted
    in what it reports, as on the dashboard."""
    before = Assignment.objects.select_for_update().values("counts", "max_attempts").get(pk=assignment.pk)
    learners = learner_ids(assignment.cohort_id)

    def counted_scores() -> dict[int, int | None]:
        counted = counted_attempts().filter(assignment=assignment, user_id__in=learners)
        return dict(counted.values_list("user_id", "score_total"))

    counts_changed = before["counts"] != assignment.counts
    scores_before = counted_scores() if counts_changed else {}
    assignment.save()
    finished = Attempt.objects.filter(assignment=assignment, finished_at__isnull=False)
    now_late = finished.filter(finished_at__gt=assignment.due_at, late=False).update(late=True)
    now_on_time = finished.filter(finished_at__lte=assignment.due_at, late=True).update(late=False)
    # Under any rule a learner with a finished attempt has a counted one; one who finished
    # their first in the meantime was not re-scored.
    rescored = sum(scores_before.get(user, score) != score for user, score in counted_scores().items()) if counts_changed else 0
    limit, old_limit = assignment.max_attempts, before["max_attempts"]
    over_limit = 0
    if limit is not None and (old_limit is None or limit < old_limit):
        theirs = Attempt.objects.filter(assignment=assignment, user_id__in=learners)
        over_limit = theirs.values("user_id").annotate(n=Count("pk")).filter(n__gt=limit).count()
    return Rescheduled(now_late + now_on_time, counts_changed, rescored, over_limit)


@transaction.atomic
def remove_assignment(assignment: Assignment) -> int:
    """Withdraw an assignment (the wrong case, set twice). Learners' attempts on it
    are kept as their self-paced practice: the choices are theirs, and only the
    classroom context (the due time, hence "late") goes. Returns how many attempts
    were kept that way."""
    attempts = Attempt.objects.filter(assignment=assignment)
    kept = attempts.update(assignment=None, late=False)
    assignment.delete()
    return kept


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


def with_debrief_open(attempts: QuerySet[Attempt], now: datetime | None = None) -> QuerySet[Attempt]:
    """The rule of debrief_locked_until in SQL, for lists: the attempts whose debrief
    (and so their findings) their learner may see now."""
    return attempts.exclude(assignment__mode=Assignment.Mode.ASSESSED, assignment__due_at__gt=now or timezone.now())


def debrief_notice(attempt: Attempt) -> str:
    """What to tell a learner whose debrief is not open yet; empty if it is."""
    until = debrief_locked_until(attempt)
    if until is None:
        return ""
    return f"Your answers are saved. This is an assessed exercise: the score and debrief open after the due time, {when(until)}."


def assessing(user, case, now: datetime | None = None, *, other_than=None) -> QuerySet[Assignment]:
    """The learner's assessed assignments on `case` that are still in play, in cohorts
    still running: not yet due, or past due with their attempt unfinished, or past
    due and never started (late work is accepted, so it can still be answered).
    While one is in play, every other attempt of theirs on the case is closed (no
    self-paced start, no play, no debrief): each would show the answers.
    `case` and `other_than` (an assignment pk, excluded) may be OuterRefs, so the
    attempt views check it inside the query that loads the attempt."""
    now = now or timezone.now()
    theirs = Attempt.objects.filter(assignment=OuterRef("pk"), user=user)
    in_play = Q(due_at__gt=now) | Exists(theirs.filter(finished_at__isnull=True)) | (Q(opens_at__lte=now) & ~Exists(theirs))
    assignments = Assignment.objects.filter(
        in_play,
        mode=Assignment.Mode.ASSESSED,
        cohort__archived=False,
        cohort__memberships__user=user,
        cohort__memberships__role=LEARNER,
    )
    if case is not None:
        assignments = assignments.filter(case=case)
    return assignments if other_than is None else assignments.exclude(pk=other_than)


def assessment_lock(user, now: datetime | None = None) -> Exists:
    """For `user`'s Attempt rows: whether an assessed exercise in play on the attempt's
    case, other than the attempt's own assignment, closes it (annotate it, then ask
    attempt_lock_notice). One condition in the query that loads the attempt, so the
    choice POST pays no extra query for it."""
    own = Coalesce(OuterRef("assignment_id"), Value(0))
    return Exists(assessing(user, OuterRef("case_id"), now, other_than=own))


def _assessed_on_case_sql(case: str, other_than: str) -> str:
    """SQL: is there any assessed assignment on the case `case` in a running cohort
    where the user learns, other than the assignment `other_than`? (`case` and
    `other_than` are SQL expressions; the four parameters in between come from
    _assessed_on_case_params.) What assessing() asks, without whether the assignment
    is still in play: a cheap first test, since the answer is rarely yes. Plain SQL
    because building and compiling assessing()'s ORM form costs more than running it
    (bench/HISTORY.md, session 8; bench/README.md, the class at 9:00); tests hold it
    to assessing()."""
    assignment, cohort, member = (m._meta.db_table for m in (Assignment, Cohort, Membership))
    return (
        f"SELECT 1 FROM {assignment} x JOIN {cohort} c ON c.id = x.cohort_id"
        f" JOIN {member} m ON m.cohort_id = x.cohort_id"
        f" WHERE x.case_id = {case} AND x.mode = %s AND c.archived = %s"
        f" AND m.user_id = %s AND m.role = %s AND x.id <> {other_than}"
    )


def _assessed_on_case_params(user) -> tuple:
    return (Assignment.Mode.ASSESSED, False, user.pk, LEARNER)


def assessment_lock_possible(user) -> RawSQL:
    """For `user`'s Attempt rows: whether any assessed assignment on the attempt's case,
    in a running cohort of theirs, other than the attempt's own, exists at all: what
    assessment_lock asks, without whether it is still in play. The attempt views
    annotate this (as `assessment_lock_possible`) and ask assessing() only when it is
    true, which is rare. The ORM's form of assessment_lock doubled the choice POST
    (3.7 -> 7.4 ms, most of it building and compiling the subquery; bench/HISTORY.md,
    session 8); a test holds it to assessing()."""
    table = Attempt._meta.db_table
    sql = _assessed_on_case_sql(f"{table}.case_id", f"COALESCE({table}.assignment_id, 0)")
    return RawSQL(f"EXISTS ({sql})", _assessed_on_case_params(user), output_field=BooleanField())


def _assessed_on_case(user, case: Case, other_than: int | None) -> bool:
    """assessment_lock_possible for one case, before any attempt exists (Start)."""
    with connection.cursor() as cursor:
        cursor.execute(f"{_assessed_on_case_sql('%s', '%s')} LIMIT 1", (case.pk, *_assessed_on_case_params(user), other_than or 0))
        return cursor.fetchone() is not None


def attempt_lock_notice(attempt: Attempt) -> str:
    """What closes this attempt to its learner while an assessed exercise on its case
    is in play, or "" (see closed_by_assessment). An unfinished assessed attempt is
    never closed: it can always be finished (two cohorts assessing one case must not
    lock each other's attempts)."""
    if not closed_by_assessment(attempt):
        return ""
    return practice_notice(attempt.user, attempt.case, other_than=attempt.assignment_id)


def closed_by_assessment(attempt: Attempt) -> bool:
    """attempt_lock_notice's rule as a yes/no. `attempt` is annotated with either
    assessment_lock (lists: `assessment_locked`, the answer) or
    assessment_lock_possible (the attempt views: a cheap first test)."""
    a = attempt.assignment if attempt.assignment_id else None
    if attempt.finished_at is None and a is not None and a.mode == Assignment.Mode.ASSESSED:
        return False
    if hasattr(attempt, "assessment_locked"):
        return bool(attempt.assessment_locked)
    return bool(attempt.assessment_lock_possible) and assessing(attempt.user_id, attempt.case_id, other_than=attempt.assignment_id).exists()


def listed_attempts(user) -> QuerySet[Attempt]:
    """A learner's attempts as their lists show them (home, all attempts, library cards):
    case and assignment joined, annotated with `assessment_locked` (closed_by_assessment)."""
    return Attempt.objects.for_user(user).select_related("case", "assignment__cohort").annotate(assessment_locked=assessment_lock(user))


def debrief_refusal(attempt: Attempt) -> str:
    """Why the learner may not read this attempt's debrief now, or "": assessed work
    before its due time, or any attempt while an assessed exercise on its case is open."""
    return debrief_notice(attempt) or attempt_lock_notice(attempt)


def practice_notice(user, case: Case, now: datetime | None = None, *, other_than: int | None = None) -> str:
    """Why the learner may not practise `case` (start, play or read another attempt of
    theirs on it) while an assessed exercise on it is in play (see assessing), or "".
    `other_than`: the assignment of the attempt being opened, which never locks itself."""
    if not _assessed_on_case(user, case, other_than):
        return ""  # nearly always: no need to build assessing()'s query
    now = now or timezone.now()
    blocking = assessing(user, case, now, other_than=other_than).order_by("due_at").first()
    if blocking is None:
        return ""
    after = "Self-paced practice on it, and your other attempts on it, open after the due time."
    if now < blocking.opens_at:
        # Its card on the home page says "Not open yet", with no Start button to send them to.
        return f"{case.learner_label} is an assessed exercise for you: it opens on {when(blocking.opens_at)} and is due {when(blocking.due_at)}. {after}"
    if now < blocking.due_at:
        return f"{case.learner_label} is an assessed exercise for you, due {when(blocking.due_at)}; start it from your assigned exercises. {after}"
    # Past the due time an assessed exercise can still be done (late): practising the
    # case first would let the learner read its debrief, then answer.
    if Attempt.objects.filter(user=user, assignment=blocking).exists():
        return f"Your assessed attempt on {case.learner_label} is not finished: finish it from your assigned exercises first (it will be marked late). Self-paced practice on it opens after that."
    return f"{case.learner_label} is an assessed exercise you have not done yet (it was due {when(blocking.due_at)}): do it from your assigned exercises first (it will be marked late). Self-paced practice on it opens after that."


def is_open_assessed(attempt: Attempt) -> bool:
    """An unfinished assessed attempt in a cohort still running: its case is closed to
    self-paced practice until it is finished (assessing(), clause two, in SQL).
    `attempt.assignment.cohort` should be joined."""
    a = attempt.assignment if attempt.assignment_id else None
    return attempt.finished_at is None and a is not None and a.mode == Assignment.Mode.ASSESSED and not a.cohort.archived


def pending_practice(user, now: datetime | None = None) -> QuerySet[Assignment]:
    """Practice assignments the learner can work on now and has not finished: starting
    their case from the library counts for the assignment (a self-paced attempt
    would leave it "Not started" on their home page and the dashboard)."""
    finished = Attempt.objects.filter(assignment=OuterRef("pk"), user=user, finished_at__isnull=False)
    return (
        Assignment.objects.filter(
            mode=Assignment.Mode.PRACTICE,
            opens_at__lte=now or timezone.now(),
            cohort__archived=False,
            cohort__memberships__user=user,
            cohort__memberships__role=LEARNER,
        )
        .exclude(Exists(finished))
        .select_related("case", "cohort")
        .order_by("due_at")
    )


# -- Start on a library card ----------------------------------------------------
# start_case does it; library_card_actions tells each card what it will do, from
# the same rules (a test plays both over the same situations).


def start_case(user, case: Case) -> tuple[Attempt, str]:
    """Start the case from the library: refused (ClassroomError, with the reason)
    while an assessed exercise on it comes first (practice_notice); else work on a
    pending practice assignment of it, so the work counts; else the self-paced
    attempt under way is resumed; else a new self-paced attempt on the current
    version (a retry is just another start). Returns the attempt and what to tell
    the learner ("" for a plain new start)."""
    if notice := practice_notice(user, case):
        raise ClassroomError(notice)
    with transaction.atomic():
        # Lock the learner's row: on PostgreSQL, quick parallel Starts each saw no
        # attempt under way and each created one (SQLite serialises writers anyway).
        get_user_model().objects.select_for_update().filter(pk=user.pk).exists()
        return _start_or_resume(user, case)


def _start_or_resume(user, case: Case) -> tuple[Attempt, str]:
    if assignment := pending_practice(user).filter(case=case).first():
        try:  # start_case has checked practice_notice for this case already
            attempt, created = _begin_assignment(user, assignment, timezone.now())
        except ClassroomError:
            pass  # e.g. a race with the instructor closing it: plain practice below
        else:
            verb = "counts" if created else "is under way"
            return attempt, f"{case.learner_label} is assigned to you in {assignment.cohort.name}: this attempt {verb} for it."
    if attempt := open_practice(user, case):
        return attempt, f"You have {case.learner_label} in progress: carry on where you left off."
    return Attempt.objects.create(user=user, case=case, version_id=case.current_version_id), ""


def card_attempts(user) -> QuerySet[Attempt]:
    """The learner's attempts as library_card_actions needs them on each case (`mine`)."""
    return listed_attempts(user).order_by("-started_at")


def library_card_actions(user, cases) -> None:
    """Mark each library case (with `mine`, the learner's attempts on it, newest
    first, assignment and cohort joined) with what its Start will do, in two
    queries: `assessed` (an assessed assignment not yet due: practice is closed and
    the home page starts it; `assessed_upcoming` until it opens, `assessed_submitted`
    once it is done), `assessed_open`
    (an unfinished assessed attempt: finish it first), `assessed_late` (past due and
    never started: do it first), `assigned` (a pending practice assignment: the attempt
    counts for it) and `resume` (the attempt Start resumes)."""
    now = timezone.now()
    in_play: dict[int, Assignment] = {}
    for assignment in assessing(user, None, now).select_related("cohort").order_by("due_at"):
        in_play.setdefault(assignment.case_id, assignment)
    assigned: dict[int, Assignment] = {}
    for assignment in pending_practice(user):
        assigned.setdefault(assignment.case_id, assignment)  # the first due, as start_case picks
    for case in cases:
        blocking = in_play.get(case.pk)
        for a in case.mine:  # `mine` is annotated with assessment_lock
            a.closed = closed_by_assessment(a)
        case.assessed = blocking if blocking and now < blocking.due_at else None
        case.assessed_upcoming = bool(case.assessed) and now < case.assessed.opens_at  # home has no Start for it yet
        case.assessed_submitted = bool(case.assessed) and any(a.assignment_id == case.assessed.pk and a.finished_at for a in case.mine)
        case.assessed_open = next((a for a in case.mine if is_open_assessed(a)), None)
        # Past due and never started: late work is accepted, so it comes first.
        case.assessed_late = blocking if blocking and not case.assessed and not case.assessed_open else None
        case.assigned = assigned.get(case.pk)
        if case.assigned:
            case.resume = next((a for a in case.mine if a.assignment_id == case.assigned.pk and not a.finished_at), None)
        else:
            case.resume = next((a for a in case.mine if is_open_practice(a)), None)
