"""Which attempt counts for a learner on an assignment (its first, best or last
finished one): in SQL for lists and aggregates, and as a plain query for one."""

from __future__ import annotations

from django.db.models import BigIntegerField, F, OuterRef, QuerySet, Subquery, When
from django.db.models import Case as SqlCase

from trainer.models import Assignment, Attempt

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
