"""The Guidance page names the cases that exercise each item: every case for an
instructor; for everyone else how many, and for a learner the ones they have finished
and may read the debrief of, never one whose red flag they have still to find."""

import html
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from tests.factories import AssignmentFactory, AttemptFactory, TaughtCohortFactory, enrol, play

BOWEL_BLADDER = "rf-bowel-bladder"  # present in C04, screened in several others


def cases_using(library, gid: str) -> list[str]:
    return [code for code, case in library.items() if gid in case.current_version.playbook.guidance_ids]


def item_card(client, gid: str) -> str:
    response = client.get(reverse("guidance"))
    assert response.status_code == 200
    text = html.unescape(response.content.decode())
    start = text.index(f'<article id="{gid}"')
    return text[start:text.index("</article>", start)]


def finished(user, code: str, **kw):
    attempt = AttemptFactory(user=user, code=code, **kw)
    play(attempt, attempt.version.playbook.best_choices)
    return attempt


def test_a_visitor_sees_how_many_cases_but_not_which(library, client):
    using = cases_using(library, BOWEL_BLADDER)
    assert "C04" in using and len(using) > 1
    card = item_card(client, BOWEL_BLADDER)
    assert f"In {len(using)} cases." in card
    assert not any(code in card or library[code].presentation in card for code in using)


def test_a_learner_sees_a_case_only_once_they_have_finished_it(library, alice, alice_client):
    c04 = library["C04"]
    using = cases_using(library, BOWEL_BLADDER)
    card = item_card(alice_client, BOWEL_BLADDER)
    assert f"In {len(using)} cases; none that you have done yet." in card and "C04" not in card

    in_progress = AttemptFactory(user=alice, code="C04")
    play(in_progress, in_progress.version.playbook.best_choices[:3])
    assert "C04" not in item_card(alice_client, BOWEL_BLADDER)

    finished(alice, "C04")
    card = item_card(alice_client, BOWEL_BLADDER)
    assert c04.learner_label in card and f'href="{reverse("my_attempts")}?case=C04"' in card
    assert c04.title not in card  # the learner's name for a case, as everywhere outside the debrief
    assert not any(code in card for code in using if code != "C04")  # the others stay unnamed


def test_an_assessed_attempt_names_its_case_only_once_its_debrief_opens(library, alice, alice_client):
    assignment = AssignmentFactory(code="C04", cohort=TaughtCohortFactory(), mode="assessed", max_attempts=1,
                                   due_at=timezone.now() + timedelta(days=1))
    enrol(assignment.cohort, alice)
    finished(alice, "C04", assignment=assignment)
    assert "none that you have done yet" in item_card(alice_client, BOWEL_BLADDER)

    assignment.due_at = timezone.now() - timedelta(minutes=1)
    assignment.save()
    assert library["C04"].learner_label in item_card(alice_client, BOWEL_BLADDER)


def test_another_learners_finished_case_is_not_shown(library, alice, bob_client):
    finished(alice, "C04")
    assert "none that you have done yet" in item_card(bob_client, BOWEL_BLADDER)


def test_a_case_under_an_assessed_exercise_is_not_named_from_earlier_practice(library, alice, alice_client):
    """A finished self-paced C04 names C04 under its red flags, until C04 is assessed for
    the learner: while the assessment is in play its debrief is closed (the assessment
    lock), and the Guidance page must not tell them where that red flag is either."""
    finished(alice, "C04")
    assert library["C04"].learner_label in item_card(alice_client, BOWEL_BLADDER)
    cohort = TaughtCohortFactory()
    enrol(cohort, alice)
    AssignmentFactory(cohort=cohort, code="C04", mode="assessed", max_attempts=1, due_at=timezone.now() + timedelta(days=1))
    card = item_card(alice_client, BOWEL_BLADDER)
    assert "none that you have done yet" in card and "C04" not in card
