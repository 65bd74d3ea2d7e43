"""Assessed work keeps its verdict closed until the due time, on every page a
learner can reach: the debrief, the end of play and the library's history."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from trainer.models import Assignment
from tests.factories import AssignmentFactory, TaughtCohortFactory, enrol, play_assigned


@pytest.fixture
def assessed(library, alice):
    cohort = TaughtCohortFactory()
    enrol(cohort, alice)
    assignment = AssignmentFactory(cohort=cohort, code="C01", mode=Assignment.Mode.ASSESSED, max_attempts=1)
    attempt = play_assigned(alice, assignment, ["H1", "history:next", "X2", "exam:next", "W4", "E", "P2"])
    return assignment, attempt


def test_the_end_of_play_hides_the_outcome_until_due(alice_client, assessed):
    _, attempt = assessed
    page = alice_client.get(reverse("attempt", args=[attempt.pk])).content.decode()
    assert "Submitted" in page
    assert "Review after imaging" not in page  # the outcome's title
    assert "Read your debrief" not in page


def test_the_library_hides_the_score_until_due(alice_client, assessed):
    _, attempt = assessed
    page = alice_client.get(reverse("library")).content.decode()
    assert "assessed: score after" in page
    assert f"{attempt.score_total}/100" not in page
    assert reverse("debrief", args=[attempt.pk]) not in page


def test_after_the_due_time_everything_opens(alice_client, assessed):
    assignment, attempt = assessed
    Assignment.objects.filter(pk=assignment.pk).update(due_at=timezone.now() - timedelta(minutes=1))
    page = alice_client.get(reverse("attempt", args=[attempt.pk])).content.decode()
    assert "Review after imaging" in page and "Read your debrief" in page
    library = alice_client.get(reverse("library")).content.decode()
    assert f"{attempt.score_total}/100" in library
    assert alice_client.get(reverse("debrief", args=[attempt.pk])).status_code == 200


def test_what_you_tend_to_miss_leaves_assessed_work_out_until_due(alice_client, assessed):
    assignment, attempt = assessed
    assert attempt.findings.filter(status__in=("missed", "not_screened")).exists()
    home = alice_client.get(reverse("home")).content.decode()
    assert "What you tend to miss" not in home
    Assignment.objects.filter(pk=assignment.pk).update(due_at=timezone.now() - timedelta(minutes=1))
    home = alice_client.get(reverse("home")).content.decode()
    assert "What you tend to miss" in home and "(1 of 1)" in home


def test_the_sql_form_of_the_lock_agrees_with_debrief_locked_until(assessed):
    from trainer import classroom
    from trainer.models import Attempt

    assignment, attempt = assessed
    mine = Attempt.objects.filter(pk=attempt.pk)
    for due in (timezone.now() + timedelta(days=1), timezone.now() - timedelta(minutes=1)):
        Assignment.objects.filter(pk=assignment.pk).update(due_at=due)
        attempt = Attempt.objects.select_related("assignment").get(pk=attempt.pk)
        locked = classroom.debrief_locked_until(attempt) is not None
        assert classroom.with_debrief_open(mine).exists() == (not locked)
