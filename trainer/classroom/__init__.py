"""Classroom rules, in one place: joining a cohort, starting assigned work, which
attempt counts, when an assessed debrief opens. Views call these functions and
never re-derive a rule; the dashboard's aggregates are in trainer/cohort_stats.py.

Callers import from here (`classroom.start_case`, `from trainer.classroom import
when`); the rules live in:

  base.py         the roles, MISSED, ClassroomError, when (how a message writes a time), take_turn,
                  take_cohort_turn
  cohorts.py      creating, joining, co-instructors, join codes, archiving, membership
  counted.py      which attempt counts (first, best or last finished)
  cells.py        one learner's status on one assignment (Cell); a learner's assigned work
  assignments.py  starting assigned work; rescheduling and withdrawing an assignment
  assessed.py     the assessment lock: closed debriefs and practice while assessed work is in play
  practice.py     self-paced practice, the library's Start and its cards' actions
"""

from trainer.classroom.base import (
    INSTRUCTOR, LEARNER, MISSED, CaseWithdrawn, ClassroomError, NoSuchJoinCode, take_cohort_turn, take_turn, when,
)
from trainer.classroom.cohorts import (
    add_co_instructor,
    assignment_refusal,
    cohort_name_refusal,
    cohorts_taught,
    create_cohort,
    find_cohort_by_code,
    in_open_cohort,
    issue_new_join_code,
    join_cohort,
    learner_ids,
    normalize_code,
    only_in_ended_cohorts,
    removal_refusal,
    remove_member,
    roster_place,
    set_archived,
    work_in_cohort,
)
from trainer.classroom.counted import COUNTED_ORDER, counted_attempt, counted_attempts, counted_beside, is_counted, with_counted
from trainer.classroom.cells import (
    CELL_FIELDS,
    DONE,
    IN_PROGRESS,
    NOT_STARTED,
    STATUS_LABELS,
    UPCOMING,
    Cell,
    attempts_by_cell,
    learner_cells,
    make_cell,
)
from trainer.classroom.assignments import (
    ModeRefused, Rescheduled, can_try_again, create_assignment, mode_change_refusal, remove_assignment, reschedule,
    second_exercise_refusal, start_assignment,
)
from trainer.classroom.assessed import (
    assessing,
    assessment_lock,
    assessment_lock_possible,
    attempt_lock_notice,
    closed_by_assessment,
    debrief_locked_until,
    debrief_notice,
    debrief_refusal,
    is_open_assessed,
    listed_attempts,
    practice_notice,
    readable_debriefs,
    with_debrief_open,
)
from trainer.classroom.practice import (
    by_last_activity,
    card_attempts,
    is_open_practice,
    library_card_actions,
    open_practice,
    pending_practice,
    practice_in_progress,
    start_case,
    with_attempt_count,
)

__all__ = [
    # base
    "INSTRUCTOR", "LEARNER", "MISSED", "CaseWithdrawn", "ClassroomError", "NoSuchJoinCode", "take_cohort_turn", "take_turn",
    "when",
    # cohorts
    "add_co_instructor", "assignment_refusal", "cohort_name_refusal", "cohorts_taught", "create_cohort", "find_cohort_by_code",
    "in_open_cohort", "issue_new_join_code", "join_cohort", "learner_ids", "normalize_code",
    "only_in_ended_cohorts", "removal_refusal", "remove_member", "roster_place", "set_archived", "work_in_cohort",
    # counted
    "COUNTED_ORDER", "counted_attempt", "counted_attempts", "counted_beside", "is_counted", "with_counted",
    # cells
    "CELL_FIELDS", "DONE", "IN_PROGRESS", "NOT_STARTED", "STATUS_LABELS", "UPCOMING",
    "Cell", "attempts_by_cell", "learner_cells", "make_cell",
    # assignments
    "ModeRefused", "Rescheduled", "can_try_again", "create_assignment", "mode_change_refusal", "remove_assignment",
    "reschedule", "second_exercise_refusal", "start_assignment",
    # assessed
    "assessing", "assessment_lock", "assessment_lock_possible", "attempt_lock_notice", "closed_by_assessment",
    "debrief_locked_until", "debrief_notice", "debrief_refusal", "is_open_assessed", "listed_attempts",
    "practice_notice", "readable_debriefs", "with_debrief_open",
    # practice
    "by_last_activity", "card_attempts", "is_open_practice", "library_card_actions", "open_practice",
    "pending_practice", "practice_in_progress", "start_case", "with_attempt_count",
]
