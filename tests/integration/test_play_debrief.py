"""The end of an attempt through HTTP (persona alice): the debrief and the scores and
findings stored for dashboards, the consequence of a wrong turn, and a retry."""

from django.urls import reverse

from trainer.models import Attempt, AttemptFinding
from tests.factories import AttemptFactory, play
from tests.integration.play_helpers import _section


def test_the_debrief_waits_for_the_end_of_the_case(alice_client, attempt):
    response = alice_client.get(reverse("debrief", args=[attempt.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("attempt", args=[attempt.pk])


def test_a_finished_attempt_stores_its_scores_for_dashboards(attempt):
    path = ["H1", "history:next", "X2", "exam:next", "W4", "E", "P2"]
    play(attempt, path)
    attempt.refresh_from_db()
    report = attempt.debrief()
    assert attempt.finished_at is not None
    assert attempt.score_total == report.total
    assert attempt.score_workup == 5
    assert attempt.unsafe is False and attempt.outcome_good is False
    stored = set(AttemptFinding.objects.filter(attempt=attempt).values_list("guidance_id", "status"))
    assert ("rf-systemic", "not_screened") in stored
    assert ("tp-imaging-selective", "triggered") in stored


def test_the_debrief_names_missed_red_flags_and_pitfalls_with_their_sources(alice_client, attempt):
    play(attempt, ["H1", "history:next", "X2", "exam:next", "W4", "E", "P2"])
    page = alice_client.get(reverse("debrief", args=[attempt.pk])).content.decode()
    assert "Red flags you missed" in page
    assert "rf-bowel-bladder" in page
    assert '#rf-bowel-bladder">New bladder or bowel disturbance</a>' in page  # named by its title
    assert "Muscle Spasm Procedure overview (How it is applied)" in page  # its seed section
    assert "pf-non-specific" in page and "tp-imaging-selective" in page
    # An item drawn from two sections cites both, not only the first.
    assert "Source document, sections “Contraindications / when it is NOT ideal” and “Pros and cons”" in page
    assert "Review after imaging" in page  # the consequence the learner sees
    assert "Conservative care" in page  # what the best path would have done
    # A decision's reason cites guidance by title (W4's reason cites tp-imaging-selective).
    assert '#tp-imaging-selective">Imaging is selective, not automatic</a>' in page
    assert ">tp-imaging-selective</a>" not in page
    assert "Try this case again" in page


def test_the_debrief_tells_pitfalls_fallen_into_from_cautions_a_right_choice_carries(alice_client, attempt):
    """C01's strength test (essential) carries pf-exam-distortion; ordering an X-ray
    (poor) falls into tp-imaging-selective, the vague assessment into pf-non-specific."""
    play(attempt, ["H1", "history:next", "X2", "X4", "exam:next", "W4", "E", "P2"])
    page = alice_client.get(reverse("debrief", args=[attempt.pk])).content.decode()
    fallen, cautions = _section(page, "pitfalls-h"), _section(page, "cautions-h")
    assert "Pitfalls you fell into" in fallen and "tp-imaging-selective" in fallen and "pf-non-specific" in fallen
    assert "pf-exam-distortion" not in fallen
    assert "Cautions to keep in mind" in cautions and "pf-exam-distortion" in cautions
    assert "Test lower-limb strength" in cautions  # the choice that carries it


def test_a_best_path_debrief_names_no_pitfall_fallen_into(alice_client, attempt):
    play(attempt, attempt.version.playbook.best_choices)
    page = alice_client.get(reverse("debrief", args=[attempt.pk])).content.decode()
    assert "None: no choice of yours fell into a pitfall" in _section(page, "pitfalls-h")
    assert "pf-exam-distortion" in _section(page, "cautions-h")


def test_retry_starts_a_new_attempt(alice_client, alice, attempt):
    play(attempt, attempt.version.playbook.best_choices)
    alice_client.post(reverse("start_attempt", args=["C01"]))
    assert Attempt.objects.filter(user=alice).count() == 2
    assert Attempt.objects.filter(user=alice, finished_at__isnull=True).count() == 1


def test_the_consequence_of_a_wrong_turn_stays_in_the_transcript_and_the_debrief(alice_client, alice, library):
    """The return visit's story (the patient back, worse) was only the stage's prompt,
    gone from the page once the learner decided."""
    import random

    from trainer.management.commands.seed_demo import demo_path

    attempt = AttemptFactory(user=alice, code="C04")
    state = play(attempt, demo_path(attempt.version.playbook, "rushed", random.Random(1)))
    assert "return-visit" in {e.stage_id for e in state.transcript}
    story = "wet herself overnight"
    page = alice_client.get(reverse("attempt", args=[attempt.pk])).content.decode()
    transcript = page[page.index('id="transcript"') : page.index('id="stage-panel"')]
    assert story in transcript and "What happened" in transcript
    debrief = alice_client.get(reverse("debrief", args=[attempt.pk])).content.decode()
    assert story in debrief[debrief.index('id="path-h"') :]


def test_the_debrief_path_marks_low_yield_picks(alice, alice_client, library):
    attempt = AttemptFactory(user=alice, code="C01")
    best = attempt.version.playbook.best_choices
    play(attempt, [best[0], "L1", *best[1:]])  # L1: a question that would not change management
    page = alice_client.get(reverse("debrief", args=[attempt.pk])).content.decode()
    path = page[page.index('id="path-h"'):]
    l1 = next(o.label for o in attempt.version.playbook.stages["history"].options if o.id == "L1")
    assert path[path.index(l1):].index("low yield</span>") < path[path.index(l1):].index("</li>")
    assert path.count("low yield</span>") == 1  # and nowhere else
