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
    assert "Go to your assigned exercises" not in page  # submitted: nothing left to do there
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


def test_the_home_page_hides_the_score_until_due(alice_client, assessed):
    """The assigned-exercises card said "Done 75" while the debrief was still closed."""
    assignment, attempt = assessed
    home = alice_client.get(reverse("home")).content.decode()
    assert "Done" in home and "score and debrief after the due time" in home
    assert f"<strong>{attempt.score_total}</strong>" not in home
    Assignment.objects.filter(pk=assignment.pk).update(due_at=timezone.now() - timedelta(minutes=1))
    assert f"<strong>{attempt.score_total}</strong>" in alice_client.get(reverse("home")).content.decode()


def test_an_unfinished_assessed_attempt_closes_practice_on_its_case_even_after_due(library, alice, alice_client):
    """Otherwise: practise the case after the due time, read its debrief, then finish
    the assessed attempt (late) with the answers."""
    cohort = TaughtCohortFactory()
    enrol(cohort, alice)
    assignment = AssignmentFactory(cohort=cohort, code="C01", mode=Assignment.Mode.ASSESSED, max_attempts=1)
    unfinished = play_assigned(alice, assignment, ["H1"])
    Assignment.objects.filter(pk=assignment.pk).update(due_at=timezone.now() - timedelta(minutes=1))
    start = alice_client.post(reverse("start_attempt", args=["C01"]), follow=True)
    assert "Your assessed attempt on C01 · Low back spasm after lifting, 34-year-old warehouse picker is not finished" in start.content.decode()
    assert not alice.attempts.filter(assignment__isnull=True).exists()
    card = alice_client.get(reverse("library"), {"region": "lumbar", "difficulty": "introductory"}).content.decode()
    assert "Resume the assessed attempt" in card and reverse("attempt", args=[unfinished.pk]) in card
    assert play_assigned(alice, assignment, ["history:next", "X2", "exam:next", "W1", "A", "P1"]).pk == unfinished.pk
    assert alice_client.post(reverse("start_attempt", args=["C01"])).status_code == 302
    assert alice.attempts.filter(assignment__isnull=True).count() == 1


def test_the_library_card_of_a_case_assessed_later_sends_the_learner_to_their_exercises(library, alice, alice_client):
    cohort = TaughtCohortFactory()
    enrol(cohort, alice)
    AssignmentFactory(cohort=cohort, code="C01", mode=Assignment.Mode.ASSESSED, max_attempts=1)
    page = alice_client.get(reverse("library"), {"region": "lumbar", "difficulty": "introductory"}).content.decode()
    assert "Self-paced practice on this case opens after the due time" in page
    assert reverse("start_attempt", args=["C01"]) not in page
    assert "Go to your assigned exercises" in page


def test_the_library_card_of_an_assessed_case_not_open_yet_says_when_it_opens(library, alice, alice_client):
    """Its card on the home page says "Not open yet" and has no Start: a button sending
    the learner there would lead nowhere."""
    cohort = TaughtCohortFactory()
    enrol(cohort, alice)
    opens = timezone.now() + timedelta(days=2)
    AssignmentFactory(cohort=cohort, code="C01", mode=Assignment.Mode.ASSESSED, max_attempts=1, opens_at=opens, due_at=opens + timedelta(days=1))
    page = alice_client.get(reverse("library"), {"region": "lumbar", "difficulty": "introductory"}).content.decode()
    from trainer.classroom import when

    assert f"opens {when(opens)}, due" in page
    assert "Go to your assigned exercises" not in page
    assert reverse("start_attempt", args=["C01"]) not in page


def test_open_assessed_in_sql_and_for_loaded_attempts_agree(library, alice):
    """The library card (is_open_assessed) and Start (practice_notice, from assessing()
    in SQL) use one rule."""
    from trainer import classroom
    from trainer.models import Attempt

    cohort = TaughtCohortFactory()
    enrol(cohort, alice)
    # Past its due time, so only its unfinished attempt (not the due time) closes C01.
    assessed = AssignmentFactory(cohort=cohort, code="C01", mode=Assignment.Mode.ASSESSED, max_attempts=1, due_at=timezone.now() - timedelta(hours=1))
    practice = AssignmentFactory(cohort=cohort, code="C02")
    play_assigned(alice, assessed, ["H1"])
    play_assigned(alice, practice, ["H1"])
    play_assigned(alice, AssignmentFactory(cohort=cohort, code="C04", mode=Assignment.Mode.ASSESSED))  # finished
    for archived in (False, True):
        cohort.archived = archived
        cohort.save()
        loaded = Attempt.objects.filter(user=alice).select_related("assignment__cohort", "case")
        start_refuses = {a.pk for a in loaded if a.finished_at is None and "is not finished" in classroom.practice_notice(alice, a.case)}
        assert {a.pk for a in loaded if classroom.is_open_assessed(a)} == start_refuses
        assert start_refuses  # archiving the cohort leaves the assessed attempt to finish first


def test_the_library_card_says_what_start_will_do(library, alice):
    """library_card_actions (the card) and start_case (its Start) follow one set of
    rules; played here over each situation, without HTTP."""
    from trainer import classroom
    from trainer.classroom import ClassroomError

    def card(case):
        case.mine = list(classroom.card_attempts(alice).filter(case=case))  # as the library prefetches them
        classroom.library_card_actions(alice, [case])
        return case

    c01, c02, c04 = library["C01"], library["C02"], library["C04"]
    # Nothing under way: a new self-paced attempt, and then the card resumes it.
    assert card(c01).resume is None and not card(c01).assigned
    first, note = classroom.start_case(alice, c01)
    assert first.assignment is None and note == ""
    assert card(c01).resume == first and classroom.start_case(alice, c01)[0] == first
    # A pending practice assignment: the card says it counts, Start works on it.
    cohort = TaughtCohortFactory()
    enrol(cohort, alice)
    practice = AssignmentFactory(cohort=cohort, code="C02")
    assert card(c02).assigned == practice
    counted, note = classroom.start_case(alice, c02)
    assert counted.assignment == practice and "counts for it" in note
    assert card(c02).resume == counted
    # An assessed exercise not yet due: the card closes practice, Start refuses.
    assessed = AssignmentFactory(cohort=cohort, code="C04", mode=Assignment.Mode.ASSESSED, max_attempts=1)
    assert card(c04).assessed == assessed and not card(c04).assessed_submitted
    with pytest.raises(ClassroomError, match="assessed exercise for you"):
        classroom.start_case(alice, c04)
    # Past the due time with the assessed attempt unfinished: still closed.
    unfinished = play_assigned(alice, assessed, ["H2"])
    Assignment.objects.filter(pk=assessed.pk).update(due_at=timezone.now() - timedelta(minutes=1))
    assert card(c04).assessed is None and card(c04).assessed_open == unfinished
    with pytest.raises(ClassroomError, match="not finished"):
        classroom.start_case(alice, c04)
