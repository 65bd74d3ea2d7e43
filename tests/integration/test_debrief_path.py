"""The debrief's "Your path": each step marked as the attempt page marks it, and
coloured by its grade."""

import re

from django.urls import reverse

from tests.factories import AttemptFactory, play

EXT_BADGE = 'ext<span class="visually-hidden"> (beyond the source document)</span>'
# C04 with the saddle and bladder red flags left unacted on: two poor decisions, then the return
# visit, whose story (she comes back worse) goes beyond the source document and whose options do not.
C04_MISSED = ["H6", "history:next", "X6", "exam:next", "W1", "B", "P3", "R3"]


def path_steps(client, attempt) -> dict[str, str]:
    """Each <li> of "Your path", by the id of the choice it records (the outcome by its stage)."""
    page = client.get(reverse("debrief", args=[attempt.pk])).content.decode()
    timeline = page[page.index('id="path-h"') :]
    items = re.findall(r"<li( class=\"[^\"]*\")?>(.*?)</li>", timeline[: timeline.index("</ol>")], re.S)
    entries = attempt.state().transcript
    assert len(items) == len(entries)
    return {e.choice_id or e.stage_id: item for e, item in zip(entries, items)}


def test_the_ext_badge_marks_the_return_visits_story_not_the_choice_made_there(alice, alice_client, library):
    """It sat after R3's label, as if R3 went beyond the source: it is the story that does."""
    attempt = AttemptFactory(user=alice, code="C04")
    play(attempt, C04_MISSED)
    r3 = path_steps(alice_client, attempt)["R3"][1]
    story = r3[: r3.index("Refer her urgently")]
    assert "comes back the next morning" in story
    choice = r3[r3.index("Refer her urgently") :]
    assert EXT_BADGE in story and EXT_BADGE not in choice


def test_every_grade_has_its_own_colour_on_the_path(alice, alice_client, library):
    """Poor and acceptable decisions had the neutral grey dot of a question asked."""
    attempt = AttemptFactory(user=alice, code="C04")
    play(attempt, C04_MISSED)
    classes = {step: item[0] for step, item in path_steps(alice_client, attempt).items()}
    assert classes["W1"] == classes["R3"] == ' class="bad"'  # dangerous
    assert classes["B"] == classes["P3"] == ' class="poor"'
    assert classes["outcome-bad"] == ' class="bad"'
    best = AttemptFactory(user=alice, code="C04")
    book = best.version.playbook
    play(best, [*book.best_choices[:-1], "P4"])  # an acceptable plan
    classes = {step: item[0] for step, item in path_steps(alice_client, best).items()}
    assert classes["P4"] == ' class="acceptable"' and classes["A"] == ' class="good"'
