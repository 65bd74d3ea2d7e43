"""An instructor removes or reschedules an assignment between a learner's request
reading it and that request writing: the learner's finish or start must follow what
the instructor saved. Each was reproduced with simultaneous HTTP requests against
gunicorn on SQLite and PostgreSQL (a 500, or work marked late after an extension);
here the instructor's change lands at exactly that moment, so every run checks it."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import AssignmentFactory, play
from trainer import classroom
from trainer.models import Assignment, Attempt


def one_choice_from_the_end(alice, assignment) -> tuple[Attempt, str]:
    """Alice's attempt on its best path but the last choice, loaded as the choice view
    loads it (with its assignment), and that last choice."""
    attempt, _ = classroom.start_assignment(alice, assignment)
    best = attempt.version.playbook.best_choices
    play(attempt, best[:-1])
    return Attempt.objects.with_version().select_related("assignment").get(pk=attempt.pk), best[-1]


def test_finishing_after_the_assignment_was_removed_keeps_the_attempt_as_practice(cohort, alice):
    assignment = AssignmentFactory(cohort=cohort)
    attempt, last = one_choice_from_the_end(alice, assignment)
    classroom.remove_assignment(Assignment.objects.get(pk=assignment.pk))
    state, new = attempt.choose(last)  # was an IntegrityError: the removed assignment's id written back
    assert new and state.finished
    stored = Attempt.objects.get(pk=attempt.pk)
    assert stored.finished_at and stored.score_total is not None
    assert stored.assignment_id is None and stored.late is False


def test_finishing_after_an_extension_is_not_marked_late(cohort, alice):
    now = timezone.now()
    assignment = AssignmentFactory(cohort=cohort, opens_at=now - timedelta(days=3), due_at=now - timedelta(minutes=5))
    attempt, last = one_choice_from_the_end(alice, assignment)
    extended = Assignment.objects.get(pk=assignment.pk)
    extended.due_at = now + timedelta(days=2)
    classroom.reschedule(extended)
    attempt.choose(last)  # its request read the old due time with the attempt
    stored = Attempt.objects.get(pk=attempt.pk)
    assert stored.finished_at and stored.late is False


def test_finishing_after_the_due_time_was_brought_forward_is_marked_late(cohort, alice):
    assignment = AssignmentFactory(cohort=cohort)
    attempt, last = one_choice_from_the_end(alice, assignment)
    earlier = Assignment.objects.get(pk=assignment.pk)
    earlier.due_at = timezone.now() - timedelta(minutes=1)
    classroom.reschedule(earlier)
    attempt.choose(last)
    assert Attempt.objects.get(pk=attempt.pk).late is True


def test_starting_an_assignment_removed_after_the_page_loaded_it_is_refused_with_the_reason(cohort, alice):
    assignment = AssignmentFactory(cohort=cohort)
    loaded = Assignment.objects.select_related("case", "cohort").get(pk=assignment.pk)  # as the start view loads it
    classroom.remove_assignment(assignment)
    with pytest.raises(classroom.ClassroomError, match="withdrawn this exercise"):  # was an IntegrityError, a 500
        classroom.start_assignment(alice, loaded)
    assert not Attempt.objects.filter(user=alice).exists()


def test_starting_after_the_limit_was_lowered_is_judged_by_the_new_limit(cohort, alice):
    assignment = AssignmentFactory(cohort=cohort, max_attempts=3)
    attempt, last = one_choice_from_the_end(alice, assignment)
    attempt.choose(last)
    loaded = Assignment.objects.select_related("case", "cohort").get(pk=assignment.pk)  # as the start view loads it
    lowered = Assignment.objects.get(pk=assignment.pk)
    lowered.max_attempts = 1
    classroom.reschedule(lowered)
    with pytest.raises(classroom.ClassroomError, match="used the one attempt"):
        classroom.start_assignment(alice, loaded)
    assert Attempt.objects.filter(user=alice).count() == 1


def test_saving_an_edit_of_an_assignment_removed_meanwhile_says_so(cohort):
    # Edit in one tab, Remove in another (or a co-instructor): the edit was a 500.
    assignment = AssignmentFactory(cohort=cohort)
    edited = Assignment.objects.get(pk=assignment.pk)  # as the edit form loaded it
    classroom.remove_assignment(assignment)
    edited.due_at += timedelta(days=1)
    with pytest.raises(classroom.ClassroomError, match="removed meanwhile"):
        classroom.reschedule(edited)
    assert not Assignment.objects.exists()
