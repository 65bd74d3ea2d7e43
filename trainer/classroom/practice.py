"""Self-paced practice: the attempts under way to resume, the practice assignments
a library Start counts for, and the library's Start itself with what each card's
Start will do."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from cases.models import Case
from trainer.classroom.assessed import assessing, assessment_lock, closed_by_assessment, is_open_assessed, listed_attempts, practice_notice
from trainer.classroom.assignments import _begin_assignment
from trainer.classroom.base import LEARNER, CaseWithdrawn, ClassroomError, take_turn
from trainer.models import Assignment, Attempt, Membership


def practice_in_progress(user) -> QuerySet[Attempt]:
    """A learner's unfinished attempts to list for resuming: self-paced ones, and
    assigned ones that no longer show as assignments (the cohort was archived, or
    they were removed from it): work under way may still be finished, and an
    assessed one must be before its case opens to practice again."""
    learning = Membership.objects.filter(cohort=OuterRef("assignment__cohort"), user=user, role=LEARNER)
    resumable = Q(assignment__isnull=True) | Q(assignment__cohort__archived=True) | ~Exists(learning)
    # Not those an assessed exercise on their case closes for now (assessment_lock);
    # an unfinished assessed attempt is never closed (closed_by_assessment).
    attempts = Attempt.objects.for_user(user).in_progress().filter(resumable)
    attempts = attempts.exclude(assessment_lock(user), ~Q(assignment__mode=Assignment.Mode.ASSESSED))
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
    the learner ("" for a plain new start). A withdrawn case raises CaseWithdrawn
    (a library page loaded before `retire_case` still offers Start)."""
    if case.retired:
        raise CaseWithdrawn(case)
    if notice := practice_notice(user, case):
        raise ClassroomError(notice)
    with transaction.atomic():
        # On PostgreSQL, quick parallel Starts each saw no attempt under way and each
        # created one (SQLite serialises writers anyway).
        take_turn(user)
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


CARD_ATTEMPTS = 3  # attempts a library card lists; my_attempts has the rest


def card_attempts(user) -> QuerySet[Attempt]:
    """The learner's attempts as library_card_actions needs them on each case (`mine`),
    newest first: the latest CARD_ATTEMPTS (the card lists those) and any unfinished or
    assessed one (its Start rules read those). Not every attempt: a learner with
    hundreds of attempts loaded them all, with their assessment locks, to show three."""
    latest = Attempt.objects.for_user(user).filter(case=OuterRef("case")).order_by("-started_at", "-pk").values("pk")
    wanted = Q(finished_at__isnull=True) | Q(assignment__mode=Assignment.Mode.ASSESSED) | Q(pk__in=latest[:CARD_ATTEMPTS])
    return listed_attempts(user).filter(wanted).order_by("-started_at", "-pk")


def with_attempt_count(cases: QuerySet[Case], user) -> QuerySet[Case]:
    """Annotate `my_attempts`, the learner's attempts on each case (the card's "and N
    earlier attempts"), counted in SQL now that `mine` holds only some of them."""
    mine = Attempt.objects.for_user(user).filter(case=OuterRef("pk")).order_by().values("case").annotate(n=Count("pk")).values("n")
    return cases.annotate(my_attempts=Coalesce(Subquery(mine), 0))


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
