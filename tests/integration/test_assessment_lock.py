"""While an assessed exercise on a case is in play for a learner (not yet due, their
attempt unfinished, or past due and never started), every other attempt of theirs
on that case is closed: no play, no debrief, no resume link. Each would show how
the case turns out before they answer the assessment (found by a security audit:
an unfinished self-paced attempt could be played to its debrief, and a debrief
from another cohort's assessment of the same case read)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import AssignmentFactory, AttemptFactory, TaughtCohortFactory, enrol, play, play_assigned
from trainer.models import Assignment, Attempt, Choice
from tests.integration.play_helpers import as_sent

HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_REQUEST_TYPE": "partial"}
ASSESSED = {"mode": Assignment.Mode.ASSESSED, "max_attempts": 1, "counts": "first"}


@pytest.fixture
def cohort(library, alice):
    cohort = TaughtCohortFactory()
    enrol(cohort, alice)
    return cohort


@pytest.fixture
def practice(alice):
    """Alice's self-paced C03, half played, and a finished one, from before C03 was assessed."""
    unfinished = AttemptFactory(user=alice, code="C03")
    play(unfinished, ["H7"])
    finished = AttemptFactory(user=alice, code="C03")
    play(finished, finished.version.playbook.best_choices)
    return unfinished, finished


def _assess_c03(cohort, **dates):
    return AssignmentFactory(cohort=cohort, code="C03", **ASSESSED, **dates)


def test_a_self_paced_attempt_cannot_be_played_on_once_its_case_is_assessed(cohort, alice_client, practice):
    unfinished, _ = practice
    _assess_c03(cohort)
    response = alice_client.get(reverse("attempt", args=[unfinished.pk]), follow=True)
    assert "is an assessed exercise for you" in response.content.decode()
    next_option = unfinished.state().available[0]
    for extra in ({}, HTMX):
        response = alice_client.post(reverse("attempt_choose", args=[unfinished.pk]), {"option": as_sent(unfinished, next_option), "shown": "1"}, **extra)
        assert response.status_code in (200, 302)
        assert (response.get("HX-Redirect") or response["Location"]) == reverse("home")
    assert list(Choice.objects.filter(attempt=unfinished).values_list("option_id", flat=True)) == ["H7"]


def test_a_debrief_read_before_the_case_was_assessed_is_closed_until_the_due_time(cohort, alice, alice_client, practice):
    _, finished = practice
    assignment = _assess_c03(cohort)
    response = alice_client.get(reverse("debrief", args=[finished.pk]), follow=True)
    page = response.content.decode()
    assert "is an assessed exercise for you" in page and "What the best path" not in page
    library = alice_client.get(reverse("library")).content.decode()
    assert reverse("debrief", args=[finished.pk]) not in library
    assert reverse("attempt", args=[practice[0].pk]) not in library
    assert "closed while the assessed exercise is open" in library
    home = alice_client.get(reverse("home")).content.decode()
    assert reverse("attempt", args=[practice[0].pk]) not in home  # no resume link that only refuses

    # Due, and done: everything opens again.
    play_assigned(alice, assignment)
    Assignment.objects.filter(pk=assignment.pk).update(due_at=timezone.now() - timedelta(minutes=1))
    assert alice_client.get(reverse("debrief", args=[finished.pk])).status_code == 200
    assert alice_client.get(reverse("attempt", args=[practice[0].pk])).status_code == 200


def test_a_debrief_opened_in_one_cohort_stays_closed_while_another_cohort_assesses_the_case(cohort, alice, alice_client):
    later = _assess_c03(cohort, due_at=timezone.now() + timedelta(days=6))
    other = TaughtCohortFactory()
    enrol(other, alice)
    earlier = _assess_c03(other, due_at=timezone.now() + timedelta(days=1))
    attempt = play_assigned(alice, earlier)
    Assignment.objects.filter(pk=earlier.pk).update(due_at=timezone.now() - timedelta(minutes=1))  # its debrief opens
    response = alice_client.get(reverse("debrief", args=[attempt.pk]), follow=True)
    assert "is an assessed exercise for you" in response.content.decode()
    # Her own assessed attempt in the other cohort is never locked by this one.
    own = play_assigned(alice, later, ["H7"])
    assert alice_client.get(reverse("attempt", args=[own.pk])).status_code == 200


def test_an_unfinished_assessed_attempt_can_always_be_finished(cohort, alice, alice_client):
    """Two cohorts assessing one case must not lock each other's attempts."""
    first = _assess_c03(cohort)
    other = TaughtCohortFactory()
    enrol(other, alice)
    second = _assess_c03(other)
    a = play_assigned(alice, first, ["H7"])
    b = play_assigned(alice, second, ["H7"])
    for attempt in (a, b):
        option = attempt.state().available[0]
        alice_client.post(reverse("attempt_choose", args=[attempt.pk]), {"option": as_sent(attempt, option)})
        assert Choice.objects.filter(attempt=attempt, option_id=option).exists()



def test_the_attempt_views_sql_test_and_the_lists_rule_agree_in_every_situation(library, alice, bob):
    """closed_by_assessment answers from assessment_lock (lists) or from the SQL first
    test assessment_lock_possible plus assessing() (the attempt views): one rule."""
    from trainer import classroom

    now = timezone.now()
    running, archived, teaching, left = TaughtCohortFactory(), TaughtCohortFactory(archived=True), TaughtCohortFactory(), TaughtCohortFactory()
    enrol(running, alice, bob)
    enrol(archived, alice)
    enrol(teaching, alice, role="instructor")
    enrol(left, bob)  # alice was removed from it, her attempts stay
    later, earlier = now + timedelta(days=2), now - timedelta(days=1)
    situations = {  # case: assignments on it, with alice's attempt on each if any
        "C01": [dict(cohort=running, due_at=later)],  # before due
        "C02": [dict(cohort=running, due_at=earlier)],  # past due, never started
        "C03": [dict(cohort=archived, due_at=later)],  # archived cohort, never started
        "C04": [dict(cohort=teaching, due_at=later)],  # she teaches it
        "C05": [dict(cohort=running, due_at=earlier, alice="unfinished"), dict(cohort=archived, due_at=later)],
        "C06": [dict(cohort=archived, due_at=later, alice="finished")],  # archived before due: still closed
        "C07": [dict(cohort=left, due_at=earlier, alice="unfinished")],  # removed: finish it first
        "C08": [dict(cohort=left, due_at=later, alice="finished")],  # removed before due: still closed
        "C09": [dict(cohort=left, due_at=earlier, alice="finished"), dict(cohort=archived, due_at=earlier, alice="finished")],
    }
    assigned = {}
    for code, assignments in situations.items():
        made = assigned[code] = []
        for kw in assignments:
            theirs = kw.pop("alice", None)
            made.append(AssignmentFactory(code=code, **ASSESSED, **kw))
            if theirs:  # made as if before she left or the cohort was archived
                attempt = AttemptFactory(user=alice, code=code, assignment=made[-1])
                play(attempt, attempt.version.playbook.best_choices if theirs == "finished" else attempt.state().available[:1])
        AttemptFactory(user=alice, code=code)  # self-paced, unfinished
        done = AttemptFactory(user=alice, code=code)
        play(done, done.version.playbook.best_choices)
    mine = Attempt.objects.filter(user=alice).select_related("assignment")
    exact = {a.pk: classroom.closed_by_assessment(a) for a in mine.annotate(assessment_locked=classroom.assessment_lock(alice))}
    quick = {a.pk: classroom.closed_by_assessment(a) for a in mine.annotate(assessment_lock_possible=classroom.assessment_lock_possible(alice))}
    assert exact == quick
    closed_cases = {code for code in situations if any(exact[a.pk] for a in mine.filter(case__code=code))}
    assert closed_cases == {"C01", "C02", "C05", "C06", "C07", "C08"}
    assert not any(exact[a.pk] for a in Attempt.objects.filter(user=bob))
    # Start asks practice_notice, whose SQL first test must not hide an assessment in play.
    for code, made in assigned.items():
        case = made[0].case
        for learner in (alice, bob):
            assert bool(classroom.practice_notice(learner, case)) == classroom.assessing(learner, case).exists(), (code, learner)
        for a in made:  # an attempt's own assignment never closes it
            in_play = classroom.assessing(alice, case, other_than=a.pk).exists()
            assert bool(classroom.practice_notice(alice, case, other_than=a.pk)) == in_play, (code, a.pk)


@pytest.mark.parametrize("leaves", ["archived", "removed and joined again"])
def test_an_assessed_attempt_keeps_its_case_closed_whatever_becomes_of_the_cohort(cohort, alice, alice_client, leaves):
    """Found by the integrity audit: archiving the cohort before the due time, or
    removing a learner who then joins again, opened the case to practice while the
    assessed attempt stayed playable: practise, read the debrief, then answer."""
    from trainer import classroom

    assignment = _assess_c03(cohort, due_at=timezone.now() + timedelta(days=1))
    attempt = play_assigned(alice, assignment, ["H7"])
    if leaves == "archived":
        classroom.set_archived(cohort, True)
    else:
        classroom.remove_member(cohort, cohort.memberships.get(user=alice).pk)

    response = alice_client.post(reverse("start_attempt", args=["C03"]), follow=True)
    assert "is an assessed exercise for you" in response.content.decode()
    assert not Attempt.objects.filter(user=alice, assignment__isnull=True).exists()
    # Her attempt under way is listed on home to finish (no longer among her assigned exercises).
    home = alice_client.get(reverse("home")).content.decode()
    assert reverse("attempt", args=[attempt.pk]) in home
    assert ("cohort archived" if leaves == "archived" else f"you are no longer in {cohort.name}") in home

    if leaves != "archived":
        classroom.join_cohort(alice, cohort.join_code)
    play(attempt, [c for c in attempt.version.playbook.best_choices if c != "H7"])
    attempt.refresh_from_db()
    assert attempt.finished_at is not None
    # Handed in before the due time: practice still waits for it.
    response = alice_client.post(reverse("start_attempt", args=["C03"]), follow=True)
    assert "you have handed it in" in response.content.decode()
    assert not Attempt.objects.filter(user=alice, assignment__isnull=True).exists()


def test_home_offers_nothing_on_an_assignment_whose_case_another_cohort_assesses(cohort, alice, alice_client):
    """Found by the integrity audit: the assigned-exercise row kept Debrief and Try
    again (each then refused) on a practice assignment, and Debrief on an earlier
    assessed one, while another cohort's assessment of the same case was in play."""
    practised = play_assigned(alice, AssignmentFactory(cohort=cohort, code="C03", max_attempts=None))
    under_way = play_assigned(alice, AssignmentFactory(cohort=cohort, code="C06"), ["H1"])
    assessed_before = _assess_c03(cohort, due_at=timezone.now() + timedelta(minutes=5))
    handed_in = play_assigned(alice, assessed_before)
    Assignment.objects.filter(pk=assessed_before.pk).update(due_at=timezone.now() - timedelta(minutes=1))
    home = alice_client.get(reverse("home")).content.decode()
    assert reverse("debrief", args=[practised.pk]) in home and reverse("debrief", args=[handed_in.pk]) in home

    other = TaughtCohortFactory()
    enrol(other, alice)
    _assess_c03(other)
    AssignmentFactory(cohort=other, code="C06", **ASSESSED)
    home = alice_client.get(reverse("home")).content.decode()
    for closed in (reverse("debrief", args=[practised.pk]), reverse("debrief", args=[handed_in.pk]), reverse("attempt", args=[under_way.pk])):
        assert closed not in home
    assert "Try again" not in home
    assert home.count("closed while your assessed exercise on this case is open") == 2
    assert "debrief closed while your other assessed exercise on this case is open" in home
