"""One attempt, one score: the debriefs (the learner's own and the instructor's review)
showed the score recomputed by today's scoring code, while the dashboard, the CSV, home,
the library and "which attempt counts" show the score stored when the attempt finished.
Once the rubric changes (or a stored score is corrected by a migration), the instructor saw
two scores for one attempt and the learner a grade that was not the one that counted."""

import csv
import io
import re

import pytest
from django.urls import reverse

from tests.factories import AssignmentFactory, AttemptFactory, TaughtCohortFactory, enrol, play, play_assigned
from trainer import scoring
from trainer.models import Attempt


@pytest.fixture
def finished(library, ines, alice):
    """Alice's attempt on the best path of her assigned C01 (practice): 100/100, safe."""
    cohort = TaughtCohortFactory(created_by=ines)
    enrol(cohort, alice)
    attempt = play_assigned(alice, AssignmentFactory(cohort=cohort, code="C01"))
    assert (attempt.score_total, attempt.unsafe) == (100, False)
    return attempt


def big_score(page: str) -> str:
    """The debrief's headline: score, verdict and band."""
    start = page.index('<p class="display-6')
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page[start : page.index("</div>", start)])).strip()


def pages(finished, alice_client, ines_client) -> dict[str, str]:
    cohort = finished.assignment.cohort_id
    csv_text = b"".join(ines_client.get(reverse("export_attempts", args=[cohort])).streaming_content).decode()
    row = next(r for r in csv.DictReader(io.StringIO(csv_text)))
    return {
        "debrief": alice_client.get(reverse("debrief", args=[finished.pk])).content.decode(),
        "review": ines_client.get(reverse("cohort_attempt", args=[cohort, finished.pk])).content.decode(),
        "dashboard": ines_client.get(reverse("cohort_dashboard", args=[cohort])).content.decode(),
        "home": alice_client.get(reverse("home")).content.decode(),
        "csv": row,
    }


def test_a_rubric_changed_after_the_attempt_finished_changes_no_score_shown(finished, alice_client, ines_client, monkeypatch):
    # Today's rubric gives a best assessment 20 points, not 25: the same path would score 95.
    points = {**scoring.GRADE_POINTS, "assessment": {**scoring.GRADE_POINTS["assessment"], scoring.Grade.best: 20}}
    monkeypatch.setattr(scoring, "GRADE_POINTS", points)
    assert finished.version.playbook.debrief(finished.choice_ids()).total == 95
    shown = pages(finished, alice_client, ines_client)
    for view in ("debrief", "review"):
        assert big_score(shown[view]).startswith("Score 100 /100 Safe Excellent"), view  # was 95 (and "Excellent" on 95)
        assert "25 / 25" in shown[view][shown[view].index("Assessment") :][:400], view  # the dimension as stored
        assert "would now score 95/100" in shown[view], view  # said, not silently shown
    assert "<strong>100</strong>" in shown["dashboard"] and "<strong>100/100</strong>" in shown["home"]
    assert shown["csv"]["score total"] == "100" and shown["csv"]["score assessment"] == "25"


def test_a_stored_score_corrected_since_is_the_one_every_page_shows(finished, alice_client, ines_client):
    """A stored verdict differs from today's code's (a data migration corrected it, as
    0003_unscored_dangerous_is_unsafe did): number, verdict and band follow it everywhere."""
    Attempt.objects.filter(pk=finished.pk).update(score_total=40, score_plan=5, unsafe=True)
    shown = pages(finished, alice_client, ines_client)
    for view in ("debrief", "review"):
        assert big_score(shown[view]).startswith("Score 40 /100 Unsafe"), view
        assert "Excellent" not in big_score(shown[view]), view
        assert "Marked unsafe when" in shown[view], view  # today's code names no reason; the page says so
        assert "would now score 100/100 and be marked safe" in shown[view], view
    assert "<strong>40</strong>" in shown["dashboard"] and "<strong>40/100</strong>" in shown["home"]
    assert (shown["csv"]["score total"], shown["csv"]["unsafe"]) == ("40", "yes")


def test_scores_that_agree_say_nothing_more(finished, alice_client, ines_client):
    shown = pages(finished, alice_client, ines_client)
    for view in ("debrief", "review"):
        assert big_score(shown[view]).startswith("Score 100 /100 Safe Excellent") and 'id="rescored"' not in shown[view]


def test_an_attempt_without_stored_scores_is_scored_now(library, alice, alice_client):
    # Rows from before the scores were kept have none: the debrief scores the path, as it did.
    attempt = AttemptFactory(user=alice, code="C01")
    play(attempt, attempt.version.playbook.best_choices)
    Attempt.objects.filter(pk=attempt.pk).update(score_total=None, score_redflags=None, score_workup=None,
                                                 score_assessment=None, score_efficiency=None, score_plan=None, unsafe=None)
    page = alice_client.get(reverse("debrief", args=[attempt.pk])).content.decode()
    assert big_score(page).startswith("Score 100 /100 Safe Excellent") and 'id="rescored"' not in page
