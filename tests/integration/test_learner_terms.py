"""What a learner reads calls assigned work an "exercise", on every page: home's
"Assigned exercises", "Try this exercise again" and "counts for the exercise" sat beside
"this counts for the assignment" (a library card) and "A new attempt on the assignment"
(the same debrief), as if they were two things."""

import re

import pytest
from django.urls import reverse

from tests.factories import AssignmentFactory, TaughtCohortFactory, enrol, play_assigned
from trainer.models import Assignment

POOR_C01 = ["H1", "history:next", "X2", "exam:next", "W2", "E", "P2"]


def words(response) -> str:
    """The words of the page's main content (no tags, so no addresses)."""
    main = response.content.decode().split('<main id="main"', 1)[1].split("</main>", 1)[0]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main.split(">", 1)[1]))


@pytest.mark.parametrize("counts", [Assignment.Counts.FIRST, Assignment.Counts.BEST, Assignment.Counts.LAST])
def test_a_learner_never_reads_assignment_beside_exercise(library, ines, alice, alice_client, counts):
    cohort = TaughtCohortFactory(name="Spring block", created_by=ines)
    enrol(cohort, alice)
    assignment = AssignmentFactory(cohort=cohort, code="C01", mode="practice", max_attempts=3, counts=counts)
    pages = {"library, not started": alice_client.get(reverse("library"))}  # its card: Start counts for it
    attempt = play_assigned(alice, assignment, POOR_C01)
    pages |= {
        "home": alice_client.get(reverse("home")),
        "debrief": alice_client.get(reverse("debrief", args=[attempt.pk])),
        "library": alice_client.get(reverse("library")),
        "attempts": alice_client.get(reverse("my_attempts")),
    }
    for name, response in pages.items():
        assert response.status_code == 200, name
        text = words(response)
        assert not re.search(r"\bassignments?\b", text, re.I), f"{name}: {re.search(r'.{60}assignment.{60}', text, re.I)[0]}"
    for name in ("library, not started", "home", "debrief"):
        assert "exercise" in words(pages[name]), name
