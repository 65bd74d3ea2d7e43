"""A learner is told which of their attempts counts for an assignment (first, best or
last), on the home card and in the debrief, and a retry that cannot change their score
does not pretend it can. A learner retried with the first attempt counting, scored 100
and still read "Done 7/100 unsafe" on home with no reason given."""

import re

import pytest
from django.urls import reverse

from tests.factories import AssignmentFactory, TaughtCohortFactory, enrol, play_assigned
from trainer.models import Assignment

POOR_C01 = ["H1", "history:next", "X2", "exam:next", "W2", "E", "P2"]


@pytest.fixture
def cohort(library, ines, alice):
    cohort = TaughtCohortFactory(name="Spring block", created_by=ines)
    enrol(cohort, alice)
    return cohort


def text(response) -> str:
    """The page's words, tags and runs of spaces removed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", response.content.decode()))


def test_with_the_first_attempt_counting_a_retry_says_it_will_not_change_the_score(cohort, alice, alice_client):
    assignment = AssignmentFactory(cohort=cohort, mode="practice", max_attempts=3, counts=Assignment.Counts.FIRST)
    first = play_assigned(alice, assignment, POOR_C01)
    home = text(alice_client.get(reverse("home")))
    assert "practice, 3 attempts: your first attempt counts" in home
    assert f"Try again {assignment.case.presentation} (not counted)" in home
    debrief = text(alice_client.get(reverse("debrief", args=[first.pk])))
    assert "This attempt counts for the exercise (your first attempt counts)." in debrief
    assert "Try this exercise again (not counted)" in debrief
    assert "A new attempt on the exercise (3 allowed): only your first attempt counts, so it will not change your score." in debrief

    second = play_assigned(alice, assignment)  # the best path: 100, yet the first still counts
    assert second.score_total > first.score_total
    debrief = text(alice_client.get(reverse("debrief", args=[second.pk])))
    unsafe = " (unsafe)" if first.unsafe else ""
    assert f"Your first attempt counts for the exercise, not this one: your score for it is {first.score_total}/100{unsafe}." in debrief


@pytest.mark.parametrize(
    "rule, promise",
    [
        (Assignment.Counts.BEST, "it counts if it beats your best score"),
        (Assignment.Counts.LAST, "it replaces your score, even if it is lower"),
    ],
)
def test_with_the_best_or_last_attempt_counting_a_retry_says_what_it_will_do(cohort, alice, alice_client, rule, promise):
    assignment = AssignmentFactory(cohort=cohort, mode="practice", max_attempts=None, counts=rule)
    first = play_assigned(alice, assignment, POOR_C01)
    home = text(alice_client.get(reverse("home")))
    assert f"practice, as many attempts as you like: your {rule} attempt counts" in home
    assert "Try again" in home and "(not counted)" not in home
    debrief = text(alice_client.get(reverse("debrief", args=[first.pk])))
    assert f"This attempt counts for the exercise (your {rule} attempt counts)." in debrief
    assert f"A new attempt on the exercise: {promise}." in debrief
    assert "(not counted)" not in debrief


def test_one_attempt_needs_no_rule(cohort, alice, alice_client):
    assignment = AssignmentFactory(cohort=cohort, mode="assessed", max_attempts=1, counts=Assignment.Counts.FIRST)
    home = text(alice_client.get(reverse("home")))
    assert "assessed, one attempt" in home and "attempt counts" not in home
    Assignment.objects.filter(pk=assignment.pk).update(mode="practice")
    attempt = play_assigned(alice, assignment)
    assert "practice, one attempt ·" in text(alice_client.get(reverse("home")))
    assert "attempt counts" not in text(alice_client.get(reverse("debrief", args=[attempt.pk])))
