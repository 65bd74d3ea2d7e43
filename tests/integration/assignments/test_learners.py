"""Assignments as learners meet them: starting assigned work (opening time, attempt limit,
late work), which attempt counts, the assessed debrief lock, and the learner's home.
Creating and changing assignments: test_forms.py."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.factories import AssignmentFactory, UserFactory, play, play_assigned
from trainer import classroom
from trainer.models import Assignment, Attempt
from tests.integration.assignments.helpers import rushed


# -- starting -----------------------------------------------------------------------


def test_starting_creates_an_attempt_tied_to_the_assignment(cohort, alice, alice_client):
    assignment = AssignmentFactory(cohort=cohort)
    response = alice_client.post(reverse("assignment_start", args=[assignment.pk]))
    attempt = Attempt.objects.get(user=alice)
    assert response["Location"] == reverse("attempt", args=[attempt.pk])
    assert attempt.assignment == assignment and attempt.version == assignment.case.current_version
    # A second click resumes the open attempt instead of starting another.
    again = alice_client.post(reverse("assignment_start", args=[assignment.pk]))
    assert again["Location"] == reverse("attempt", args=[attempt.pk])
    assert Attempt.objects.filter(user=alice).count() == 1


def test_a_boosted_start_of_an_assignment_answers_with_the_case(cohort, alice, alice_client):
    """The home page's Start is boosted: the attempt page, late notice included, in
    the POST's answer (one request at 9:00, not two); refused, it is sent home with
    the reason, which the browser follows."""
    overdue = AssignmentFactory(cohort=cohort, opens_at=timezone.now() - timedelta(days=3),
                                due_at=timezone.now() - timedelta(days=1))
    home = alice_client.get(reverse("home")).content.decode()
    assert f'action="{reverse("assignment_start", args=[overdue.pk])}" hx-boost="true" hx-disable="find button"' in home
    boosted = {"HTTP_HX_REQUEST": "true", "HTTP_HX_REQUEST_TYPE": "full"}
    response = alice_client.post(reverse("assignment_start", args=[overdue.pk]), **boosted)
    attempt = Attempt.objects.get(user=alice, assignment=overdue)
    assert response.status_code == 200 and response["HX-Push-Url"] == reverse("attempt", args=[attempt.pk])
    assert "marked late" in response.content.decode()
    upcoming = AssignmentFactory(cohort=cohort, code="C02", opens_at=timezone.now() + timedelta(days=2))
    refused = alice_client.post(reverse("assignment_start", args=[upcoming.pk]), **boosted)
    assert refused.status_code == 302 and refused["Location"] == reverse("home")
    assert "This exercise opens on" in alice_client.get(refused["Location"], **boosted).content.decode()


def test_an_exercise_cannot_start_before_it_opens(cohort, alice, alice_client):
    assignment = AssignmentFactory(cohort=cohort, opens_at=timezone.now() + timedelta(days=2))
    response = alice_client.post(reverse("assignment_start", args=[assignment.pk]), follow=True)
    assert "This exercise opens on" in response.content.decode()
    assert not Attempt.objects.filter(user=alice).exists()


def test_the_attempt_limit_is_enforced(cohort, alice, alice_client):
    assignment = AssignmentFactory(cohort=cohort, max_attempts=2)
    play_assigned(alice, assignment)
    play_assigned(alice, assignment)
    response = alice_client.post(reverse("assignment_start", args=[assignment.pk]), follow=True)
    assert "You have used all 2 attempts this exercise allows." in response.content.decode()
    assert Attempt.objects.filter(user=alice).count() == 2


def test_late_work_is_kept_and_marked_late(cohort, alice, alice_client):
    on_time = AssignmentFactory(cohort=cohort)
    overdue = AssignmentFactory(cohort=cohort, code="C02", opens_at=timezone.now() - timedelta(days=3),
                                due_at=timezone.now() - timedelta(days=1))
    response = alice_client.post(reverse("assignment_start", args=[overdue.pk]), follow=True)
    assert "marked late" in response.content.decode()
    attempt = Attempt.objects.get(user=alice, assignment=overdue)
    play(attempt, attempt.version.playbook.best_choices)
    attempt.refresh_from_db()
    assert attempt.finished_at and attempt.late and attempt.score_total is not None
    assert play_assigned(alice, on_time).late is False
    home = alice_client.get(reverse("home")).content.decode()
    assert home.count(">late</span>") == 2  # in the assigned list and the history


# -- which attempt counts ---------------------------------------------------------------


@pytest.mark.parametrize("counts,expected", [("first", "low"), ("best", "high"), ("last", "low2")])
def test_which_attempt_counts(cohort, alice, counts, expected):
    assignment = AssignmentFactory(cohort=cohort, counts=counts)
    attempts = {
        "low": play_assigned(alice, assignment, rushed(assignment)),
        "high": play_assigned(alice, assignment),
        "low2": play_assigned(alice, assignment, rushed(assignment)),
    }
    assert attempts["low"].score_total < attempts["high"].score_total
    counted = classroom.counted_attempts().get(assignment=assignment, user=alice)
    assert counted.pk == attempts[expected].pk
    # The one-learner form (the debrief's) follows the same rule.
    assert classroom.counted_attempt(alice.pk, assignment).pk == attempts[expected].pk


def test_an_unfinished_attempt_never_counts(cohort, alice):
    assignment = AssignmentFactory(cohort=cohort, counts="last")
    assert classroom.counted_attempt(alice.pk, assignment) is None
    done = play_assigned(alice, assignment)
    play_assigned(alice, assignment, ["H1"])
    assert classroom.counted_attempts().get(assignment=assignment, user=alice).pk == done.pk
    assert classroom.counted_attempt(alice.pk, assignment).pk == done.pk


def test_a_debrief_is_told_the_counted_attempt_only_when_there_can_be_another(cohort, alice, library):
    several = AssignmentFactory(cohort=cohort, counts="first", max_attempts=3)
    first, second = play_assigned(alice, several), play_assigned(alice, several, rushed(several))
    assert classroom.counted_beside(second).pk == first.pk
    assert not several.retry_can_count and AssignmentFactory(cohort=cohort, code="C02", counts="best").retry_can_count
    assert classroom.counted_beside(play_assigned(alice, AssignmentFactory(cohort=cohort, code="C06", max_attempts=1))) is None
    self_paced = Attempt.objects.create(user=alice, case=library["C01"], version=library["C01"].current_version)
    assert classroom.counted_beside(self_paced) is None


def test_an_archived_cohort_refuses_new_assignments_until_restored(cohort):
    assert classroom.assignment_refusal(cohort) == ""
    classroom.set_archived(cohort, True)
    assert "is archived" in classroom.assignment_refusal(cohort)
    classroom.set_archived(cohort, False)
    assert classroom.assignment_refusal(cohort) == ""


# -- the assessed debrief lock ----------------------------------------------------------


def test_assessed_debrief_opens_only_after_the_due_time(cohort, alice, alice_client):
    assignment = AssignmentFactory(cohort=cohort, mode="assessed", max_attempts=1, counts="first")
    attempt = play_assigned(alice, assignment)
    response = alice_client.get(reverse("debrief", args=[attempt.pk]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("home")
    page = response.content.decode()
    assert "the score and debrief open after the due time" in page
    assert f"/attempts/{attempt.pk}/debrief/" not in page
    assert f"{attempt.score_total}/100" not in page
    Assignment.objects.filter(pk=assignment.pk).update(due_at=timezone.now() - timedelta(minutes=1))
    assert alice_client.get(reverse("debrief", args=[attempt.pk])).status_code == 200
    assert f"/attempts/{attempt.pk}/debrief/" in alice_client.get(reverse("home")).content.decode()


def test_practice_debrief_is_open_right_away(cohort, alice, alice_client):
    attempt = play_assigned(alice, AssignmentFactory(cohort=cohort, mode="practice"))
    response = alice_client.get(reverse("debrief", args=[attempt.pk]))
    assert response.status_code == 200 and "Debrief:" in response.content.decode()


def test_retrying_from_an_assigned_debrief_counts_for_the_assignment(cohort, alice, alice_client, django_assert_max_num_queries):
    """The debrief's retry used to start self-paced work, which never counted."""
    assignment = AssignmentFactory(cohort=cohort, mode="practice", max_attempts=2)
    first = play_assigned(alice, assignment)
    with django_assert_max_num_queries(8):
        page = alice_client.get(reverse("debrief", args=[first.pk])).content.decode()
    assert f'action="{reverse("assignment_start", args=[assignment.pk])}"' in page and "Try this exercise again" in page
    assert "Self-paced: it does not count for the exercise" in page
    response = alice_client.post(reverse("assignment_start", args=[assignment.pk]))
    second = Attempt.objects.get(user=alice, assignment=assignment, finished_at__isnull=True)
    assert response["Location"] == reverse("attempt", args=[second.pk])
    play(second, second.version.playbook.best_choices)
    page = alice_client.get(reverse("debrief", args=[second.pk])).content.decode()
    assert "Try this exercise again" not in page  # both attempts used
    assert "Practise this case at your own pace" in page


def test_an_assessed_attempt_allows_no_second_try(cohort, alice, alice_client):
    assignment = AssignmentFactory(cohort=cohort, mode="assessed", max_attempts=1, counts="first")
    play_assigned(alice, assignment)
    home = alice_client.get(reverse("home")).content.decode()
    assert reverse("assignment_start", args=[assignment.pk]) not in home
    response = alice_client.post(reverse("assignment_start", args=[assignment.pk]), follow=True)
    assert "You have used the one attempt this exercise allows." in response.content.decode()


def test_starting_an_assessed_case_not_open_yet_says_when_it_opens(cohort, alice, alice_client):
    """Its card on the home page says "Not open yet" with no Start button: being told
    to start it from there sent the learner looking for one."""
    now = timezone.now()
    assignment = AssignmentFactory(
        cohort=cohort, code="C07", mode="assessed", max_attempts=1, counts="first",
        opens_at=now + timedelta(days=1), due_at=now + timedelta(days=3),
    )
    home = alice_client.get(reverse("home")).content.decode()
    assert "Not open yet" in home and reverse("assignment_start", args=[assignment.pk]) not in home
    page = alice_client.post(reverse("start_attempt", args=["C07"]), follow=True).content.decode()
    opens, due = classroom.when(assignment.opens_at), classroom.when(assignment.due_at)
    assert f"is an assessed exercise for you: it opens on {opens} and is due {due}." in page
    assert "start it from your assigned exercises" not in page
    assert not Attempt.objects.filter(user=alice).exists()


def test_self_paced_play_of_an_assessed_case_waits_for_the_due_time(cohort, alice, alice_client, bob_client):
    assignment = AssignmentFactory(cohort=cohort, mode="assessed", max_attempts=1, counts="first")
    code = assignment.case.code
    response = alice_client.post(reverse("start_attempt", args=[code]), follow=True)
    assert "is an assessed exercise for you" in response.content.decode()
    assert not Attempt.objects.filter(user__username="alice").exists()
    # Bob is in no cohort: his self-paced practice is untouched.
    assert "/attempts/" in bob_client.post(reverse("start_attempt", args=[code]))["Location"]
    Assignment.objects.filter(pk=assignment.pk).update(due_at=timezone.now() - timedelta(minutes=1))
    # Past due but never done: late work is accepted, so practising first would let her
    # read the debrief, then answer the assessment.
    response = alice_client.post(reverse("start_attempt", args=[code]), follow=True)
    assert "is an assessed exercise you have not done yet" in response.content.decode()
    assert not Attempt.objects.filter(user__username="alice").exists()
    play_assigned(alice, assignment)
    assert "/attempts/" in alice_client.post(reverse("start_attempt", args=[code]))["Location"]


# -- the learner's home -----------------------------------------------------------------


def test_home_lists_assigned_work_first_then_practice_then_history(cohort, alice, alice_client):
    done = AssignmentFactory(cohort=cohort, code="C01")
    AssignmentFactory(cohort=cohort, code="C02", due_at=timezone.now() + timedelta(days=2))
    upcoming = AssignmentFactory(cohort=cohort, code="C03", opens_at=timezone.now() + timedelta(days=1))
    finished = play_assigned(alice, done)
    Attempt.objects.create(user=alice, case=done.case, version=done.case.current_version)  # self-paced
    page = alice_client.get(reverse("home")).content.decode()
    assigned, practice, history = (page.index(h) for h in ("Assigned exercises", "Self-paced practice", "Your finished attempts"))
    assert assigned < practice < history
    section = page[assigned:practice]
    assert f"<strong>{finished.score_total}</strong>" in section and ">Done</span>" in section
    assert reverse("assignment_start", args=[upcoming.pk]) not in section  # not open yet
    assert "Not open yet" in section and "opens " in section
    assert section.index("C02 · ") < section.index("C01 · ")  # to-do before done
    assert "Resume" in page[practice:history]
    assert f"/attempts/{finished.pk}/debrief/" in page[history:]


def test_home_empty_states(db, alice, alice_client, cohort):
    page = alice_client.get(reverse("home")).content.decode()
    assert "Your cohorts have no exercise assigned yet" in page
    assert "No case in progress" in page and "You have not finished a case yet" in page
    loner = UserFactory(username="lone")
    client = Client()
    client.force_login(loner)
    page = client.get(reverse("home")).content.decode()
    assert "You are not in a cohort" in page
    assert f'<form method="post" action="{reverse("join")}"' in page
