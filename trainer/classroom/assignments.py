"""Starting assigned work (the attempt under way, the dates and the attempt limit),
and what changing or withdrawing an assignment does to work already done."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from trainer.classroom.assessed import practice_notice
from trainer.classroom.base import LEARNER, ClassroomError, take_cohort_turn, take_turn, when
from trainer.classroom.cohorts import learner_ids
from trainer.classroom.counted import counted_attempts
from trainer.models import Assignment, Attempt, Cohort, Membership


def _start_refusal(assignment: Assignment, used: int, now: datetime) -> str:
    """Why a learner who has used `used` attempts cannot start another, or "".
    (`assignment.cohort` and `assignment.case` should be joined.)"""
    if assignment.case.retired or assignment.case.current_version_id is None:
        return "This case has been withdrawn; ask your instructor."
    if now < assignment.opens_at:
        return f"This exercise opens on {when(assignment.opens_at)}."
    if assignment.cohort.archived:
        return "This cohort has been archived: its exercises are closed."
    if assignment.max_attempts is not None and used >= assignment.max_attempts:
        if assignment.max_attempts == 1:  # "all 1 attempt" read as a slip
            return "You have used the one attempt this exercise allows."
        return f"You have used all {assignment.max_attempts} attempts this exercise allows."
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
        take_turn(user)  # first, as the library's Start does (a deadlock otherwise)
        # Lock the membership row so two quick clicks cannot both pass the
        # attempt limit (PostgreSQL; SQLite serialises writers anyway).
        member = Membership.objects.select_for_update().filter(cohort_id=assignment.cohort_id, user=user, role=LEARNER)
        if not member.exists():
            raise ClassroomError("You are not a learner in this cohort.")
        current = Assignment.objects.held(assignment.pk)
        if current is None:  # the page was loaded before its removal
            raise ClassroomError("Your instructor has withdrawn this exercise.")
        # The dates and limit as saved now: an edit saved since the page loaded the
        # assignment (a lowered limit) was otherwise judged by the old ones.
        for field in ("opens_at", "due_at", "max_attempts"):
            setattr(assignment, field, getattr(current, field))
        # One small query for both the attempt under way and the count (a class at
        # 9:00 sends this request 200 times at once).
        mine = list(Attempt.objects.filter(user=user, assignment=assignment).order_by("pk").values_list("pk", "finished_at"))
        open_pk = next((pk for pk, finished_at in mine if finished_at is None), None)
        if open_pk and now >= assignment.opens_at:
            return Attempt.objects.get(pk=open_pk), False  # work already started is never locked away, archived or not
        if refusal := _start_refusal(assignment, len(mine), now):
            raise ClassroomError(refusal)
        case = assignment.case
        attempt = Attempt.objects.create(user=user, case=case, version_id=case.current_version_id, assignment=assignment)
        return attempt, True


def second_exercise_refusal(cohort: Cohort, case, mode: str, exclude_pk: int | None = None) -> str:
    """Why `cohort` cannot take an exercise on `case` in `mode`, or "": one exercise per
    case and mode in a cohort (two assessed ones would give each learner two scored
    attempts on one case, and the dashboard two columns). `exclude_pk`: the assignment
    being edited."""
    if not cohort.assignments.filter(case=case, mode=mode).exclude(pk=exclude_pk).exists():
        return ""
    label = Assignment.Mode(mode).label.split(" (")[0].lower()
    return (
        f"{case.code} is already assigned to this cohort as {label}. Change that assignment's "
        "dates and rules instead, or remove it first."
    )


class ModeRefused(ClassroomError):
    """reschedule refused an assignment's new mode (mode_change_refusal): the edit form
    says why beside the mode, with everything else typed kept."""


def mode_change_refusal(assignment: Assignment, mode: str) -> str:
    """Why `assignment` may not change from its saved mode to `mode`, or "". Once learners
    have attempts it may not: assessed forces "first attempt counts" (a best score would
    silently become a first one) and closes debriefs they have read. Nor to a mode the
    cohort holds its case in already (second_exercise_refusal). The edit form asks it,
    and reschedule again in the cohort's turn."""
    if started := assignment.attempts.count():
        return (
            f"Learners have already made {started} attempt{'s' if started != 1 else ''} under these rules, so the "
            "mode cannot change now. Assign the case again as a new exercise instead."
        )
    return second_exercise_refusal(assignment.cohort, assignment.case, mode, exclude_pk=assignment.pk)


@transaction.atomic
def create_assignment(cohort: Cohort, assignment: Assignment) -> Assignment:
    """Save a new assignment of `cohort` (`assignment` unsaved, from AssignmentForm, which
    checked second_exercise_refusal). Two submits at once (a double click on Assign)
    both passed that check and the case was assigned twice; so the cohort's new
    assignments take turns, and the check is asked again in that turn (as is an
    edit's new mode: reschedule)."""
    take_cohort_turn(cohort)
    if refusal := second_exercise_refusal(cohort, assignment.case, assignment.mode):
        raise ClassroomError(refusal)
    assignment.cohort = cohort
    assignment.save()
    return assignment


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
    in what it reports, as on the dashboard. A new mode is asked again here
    (mode_change_refusal, raising ModeRefused), in the cohort's turn as Assign asks its
    rule: the edit form checked it earlier, and an Assign of the case in that mode, or a
    learner's Start, saved in between was not seen (the case assessed twice)."""
    take_cohort_turn(assignment.cohort_id)  # first, as create_assignment takes it
    # Locked, so a learner starting on it meanwhile (Assignment.objects.held) has either
    # stored their attempt, which mode_change_refusal counts, or waits for this save.
    before = Assignment.objects.select_for_update().values("mode", "counts", "max_attempts").filter(pk=assignment.pk).first()
    if before is None:  # removed since the form loaded it (another tab, a co-instructor): was a 500
        raise ClassroomError("This exercise was removed meanwhile, so there was nothing to save.")
    if assignment.mode != before["mode"] and (refusal := mode_change_refusal(assignment, assignment.mode)):
        raise ModeRefused(refusal)
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
    # Locked first, as reschedule does: a learner starting or finishing on it holds it
    # (Assignment.objects.held) until their attempt is stored, so the update below sees
    # that attempt instead of leaving it pointing at a deleted row.
    Assignment.objects.select_for_update().filter(pk=assignment.pk).exists()
    attempts = Attempt.objects.filter(assignment=assignment)
    kept = attempts.update(assignment=None, late=False)
    assignment.delete()
    return kept
