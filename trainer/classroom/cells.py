"""The status of one learner on one assignment (a Cell): a learner's assigned
exercises on their home page, and each cell of the dashboard's matrix."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from trainer.classroom.assessed import assessing, debrief_locked_until
from trainer.classroom.base import LEARNER
from trainer.classroom.counted import is_counted, with_counted
from trainer.models import Assignment, Attempt

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
    # The learner's own view: another assessed exercise on this case is in play for
    # them (assessing), so nothing here may show how the case turns out.
    closed: bool = False

    @property
    def label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def status_text(self) -> str:
        """The label and, past the due time, the page's "overdue" badge, in words (the matrix CSV)."""
        return f"{self.label}, overdue" if self.overdue else self.label

    @property
    def late(self) -> bool:
        return bool(self.counted and self.counted.late)

    @property
    def practice_closed(self) -> bool:
        """Closed practice (start_assignment's practice_notice): no start, no play, no
        debrief. An assessed attempt is never closed by another one: it can always be
        finished (closed_by_assessment)."""
        return self.closed and self.assignment.mode == Assignment.Mode.PRACTICE

    @property
    def can_start(self) -> bool:
        a = self.assignment
        limit_left = a.max_attempts is None or self.attempts < a.max_attempts
        # A withdrawn case (retire_case) starts nothing new; Resume still finishes work under way.
        return self.status != UPCOMING and self.open_pk is None and limit_left and not a.case.retired and not self.practice_closed

    @property
    def can_resume(self) -> bool:
        return self.open_pk is not None and not self.practice_closed

    @property
    def debrief_open(self) -> bool:
        return bool(self.counted) and not self.closed and not debrief_locked_until(self.counted, assignment=self.assignment)


def make_cell(assignment: Assignment, attempts: list[Attempt], now: datetime, *, closed: bool = False) -> Cell:
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
    return Cell(assignment, status, counted, len(attempts), open_pk, overdue=status != DONE and now > assignment.due_at, closed=closed)


def attempts_by_cell(attempts) -> dict[tuple[int, int], list[Attempt]]:
    grouped: dict[tuple[int, int], list[Attempt]] = {}
    for a in attempts:
        grouped.setdefault((a.user_id, a.assignment_id), []).append(a)
    return grouped


CELL_FIELDS = ("id", "user_id", "assignment_id", "started_at", "finished_at", "late", "score_total", "unsafe")


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
    in_play = list(assessing(user, None, now).values_list("pk", "case_id"))

    def closed(a: Assignment) -> bool:  # by an assessed exercise in play other than itself
        return any(case_id == a.case_id and pk != a.pk for pk, case_id in in_play)

    cells = [make_cell(a, grouped.get((user.pk, a.pk), []), now, closed=closed(a)) for a in assignments]
    rank = {IN_PROGRESS: 0, NOT_STARTED: 1, UPCOMING: 2, DONE: 3}
    return sorted(cells, key=lambda c: (rank[c.status], c.assignment.due_at))
