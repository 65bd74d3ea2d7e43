"""Content beyond the source document (ext) as a learner meets it (persona alice): the
attempt page, a return visit, and the debrief mark it once it is shown, never while
it is an option still offered."""

import pytest
from django.urls import reverse

from tests.factories import AttemptFactory, play
from tests.integration.play_helpers import _section, choose_shown


EXT_BADGE = 'ext<span class="visually-hidden"> (beyond the source document)</span>'


def _transcript(page: str) -> str:
    return page[page.index('id="transcript"') : page.index('id="stage-panel"')]


def _dd_after(html: str, dt: str) -> str:
    """The <dd> that follows the <dt> reading `dt`."""
    start = html.index(f"<dt>{dt}</dt>")
    return html[start : html.index("</dd>", start)]


def test_the_attempt_page_marks_ext_content_once_shown_never_an_option_still_offered(alice_client, alice, library):
    """C04's saddle question (H5) goes beyond the source document: its answer is marked in
    the transcript and beside the options, but while it is offered nothing marks it (a
    badge there would hint at what to pick)."""
    attempt = AttemptFactory(user=alice, code="C04")
    offered = alice_client.get(reverse("attempt", args=[attempt.pk])).content.decode()
    assert "around the groin or buttocks when you wipe?</button>" in offered and EXT_BADGE not in offered  # H5, offered
    choose_shown(alice_client, attempt, "H4", 0)  # a question within the source first: H5's line is appended
    html = choose_shown(alice_client, attempt, "H5", 1).content.decode()
    panel, appended = html.split('<hx-partial hx-target="#tx-0" hx-swap="beforeend">')
    assert appended.count(EXT_BADGE) == 1 and "like after a dental injection" in appended
    answer = panel[panel.index('id="answer"') : panel.index("</div>", panel.index('id="answer"'))]
    assert EXT_BADGE in answer
    assert EXT_BADGE not in panel[panel.index("<form") :]  # the questions still offered
    page = alice_client.get(reverse("attempt", args=[attempt.pk])).content.decode()
    transcript = _transcript(page)
    assert transcript.count(EXT_BADGE) == 1  # H5's line, not H4's
    assert transcript.index("like after a dental injection") < transcript.index(EXT_BADGE)


@pytest.mark.parametrize(
    "code, path, story_ext, choice_ext",
    [
        # C11's return visit (the patient back with cord compression) is ext; its options are not.
        ("C11", ["H8", "history:next", "X3", "exam:next", "W1", "B", "P6"], True, False),
        # C07's return visit is within the source; its best option (a same-day ECG) is ext.
        ("C07", ["H2", "history:next", "X10", "exam:next", "W1", "A", "P6"], False, True),
    ],
)
def test_a_return_visit_marks_its_story_and_the_choice_apart_as_they_arrive_and_on_reload(
    alice_client, alice, library, code, path, story_ext, choice_ext
):
    attempt = AttemptFactory(user=alice, code=code)
    play(attempt, path)
    book = attempt.version.playbook
    assert attempt.state().stage_id == "return-visit"
    page = alice_client.get(reverse("attempt", args=[attempt.pk])).content.decode()
    panel = page[page.index('id="stage-panel"') :]
    prompt = panel[: panel.index("<form")]
    assert (EXT_BADGE in prompt) is story_ext  # the stage's prompt, while it is the question
    assert EXT_BADGE not in panel[panel.index("<form") : panel.index("</form>")]  # R1 is not yet chosen
    html = choose_shown(alice_client, attempt, "R1", len(path)).content.decode()
    panel, groups = html.split('<hx-partial hx-target="#transcript" hx-swap="beforeend">')
    outcome_ext = book.stages[attempt.state().stage_id].ext
    assert outcome_ext and EXT_BADGE in panel  # the outcome, in the finished stage panel
    for fragment in (groups, _transcript(alice_client.get(reverse("attempt", args=[attempt.pk])).content.decode())):
        visit = fragment[fragment.index("<dt>What happened</dt>") :]
        assert (EXT_BADGE in _dd_after(visit, "What happened")) is story_ext
        assert (EXT_BADGE in _dd_after(visit, "You decided")) is choice_ext
        outcome = visit[visit.index("Outcome</dt>") :]
        assert EXT_BADGE in outcome[: outcome.index("</dd>")]


def test_the_debrief_marks_the_same_decisions_in_your_decisions_as_in_your_path(alice_client, alice, library):
    """C11's return visit is ext: the timeline marked the decision made there, the
    "Your decisions" card did not."""
    attempt = AttemptFactory(user=alice, code="C11")
    state = play(attempt, ["H8", "history:next", "X3", "exam:next", "W1", "B", "P6", "R2"])
    page = alice_client.get(reverse("debrief", args=[attempt.pk])).content.decode()
    cards = _section(page, "decisions-h").split('<div class="card mb-2">')[1:]
    timeline = page[page.index('id="path-h"') :].split("<li")[1:]
    decisions = [n for n, entry in enumerate(state.transcript) if entry.kind == "decision"]
    assert len(cards) == len(decisions) == 4
    # The heading and "You chose" (a "Best:" line below may carry its own badge).
    marked_cards = [EXT_BADGE in card[: card.index("</p>")] for card in cards]
    assert marked_cards == [EXT_BADGE in timeline[n] for n in decisions]
    assert marked_cards[-1] and "Return visit" in cards[-1]


def test_the_ext_badge_is_followed_by_punctuation_without_a_space(alice_client, alice, library):
    """It read "Best: … ext . Night pain…": the badge's file ended with a newline."""
    attempt = AttemptFactory(user=alice, code="C11")
    play(attempt, ["H8", "history:next", "X3", "exam:next", "W1", "B", "P6", "R1"])
    decisions = _section(alice_client.get(reverse("debrief", args=[attempt.pk])).content.decode(), "decisions-h")
    workup = decisions[: decisions.index("Assessment")]
    assert f"{EXT_BADGE}</span>. Night pain, weight loss" in workup  # W4-W5, the best work-up, is ext


def test_the_debrief_marks_an_ext_essential_the_learner_skipped(alice_client, alice, library):
    """C04's saddle question (H5) is ext and essential: skipped, it is listed under what the
    best path would have done, and that list showed it with no mark."""
    attempt = AttemptFactory(user=alice, code="C04")
    play(attempt, ["H4", "history:next", "X4", "exam:next", "W1", "B", "P6", "R1"])
    assert attempt.state().finished and "H5" not in attempt.choice_ids()
    page = alice_client.get(reverse("debrief", args=[attempt.pk])).content.decode()
    skipped = page[page.index("Essential questions and manoeuvres you skipped") :]
    skipped = skipped[: skipped.index("</ul>")]
    saddle = next(li for li in skipped.split("<li>") if "saddle" in li.lower())
    assert EXT_BADGE in saddle
