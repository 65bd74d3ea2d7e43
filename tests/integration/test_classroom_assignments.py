"""Assignments: creating one, starting assigned work (opening time, attempt limit,
late work), which attempt counts, the assessed debrief lock, and the learner's home."""

import random
from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.factories import AssignmentFactory, TaughtCohortFactory, UserFactory, enrol, play, play_assigned
from trainer import classroom
from trainer.management.commands.seed_demo import demo_path
from trainer.models import Assignment, Attempt


@pytest.fixture
def cohort(library, ines, alice):
    cohort = TaughtCohortFactory(name="Spring block", created_by=ines)
    enrol(cohort, alice)
    return cohort


def rushed(assignment):
    return demo_path(assignment.case.current_version.playbook, "rushed", random.Random(1))


def _local(dt):
    return timezone.localtime(dt).strftime("%Y-%m-%dT%H:%M")


# -- creating ---------------------------------------------------------------------


def test_instructor_assigns_a_case(cohort, library, ines_client):
    form = ines_client.get(reverse("assignment_create", args=[cohort.pk])).content.decode()
    assert 'type="datetime-local"' in form and f'action="{reverse("assignment_create", args=[cohort.pk])}"' in form
    now = timezone.now()
    response = ines_client.post(
        reverse("assignment_create", args=[cohort.pk]),
        {"case": library["C04"].pk, "opens_at": _local(now), "due_at": _local(now + timedelta(days=3)),
         "mode": "practice", "max_attempts": "2", "counts": "best"},
    )
    assert response.status_code == 302
    a = Assignment.objects.get(cohort=cohort)
    assert (a.case.code, a.mode, a.max_attempts, a.counts) == ("C04", "practice", 2, "best")
    assert a.due_at - a.opens_at == timedelta(days=3)


def test_assessed_means_one_counted_attempt(cohort, library, ines_client):
    now = timezone.now()
    ines_client.post(
        reverse("assignment_create", args=[cohort.pk]),
        {"case": library["C01"].pk, "opens_at": _local(now), "due_at": _local(now + timedelta(days=1)),
         "mode": "assessed", "max_attempts": "5", "counts": "best"},
    )
    a = Assignment.objects.get(cohort=cohort)
    assert (a.mode, a.max_attempts, a.counts) == ("assessed", 1, "first")


def test_due_before_opening_is_refused(cohort, library, ines_client):
    now = timezone.now()
    response = ines_client.post(
        reverse("assignment_create", args=[cohort.pk]),
        {"case": library["C01"].pk, "opens_at": _local(now), "due_at": _local(now - timedelta(hours=1)),
         "mode": "practice", "counts": "best"},
    )
    assert response.status_code == 422
    assert "The due time must be after the opening time" in response.content.decode()
    assert not Assignment.objects.exists()


def _create(client, cohort, case, days_due=3, mode="practice", **extra):
    now = timezone.now()
    data = {"case": case.pk, "opens_at": _local(now - timedelta(days=5)), "due_at": _local(now + timedelta(days=days_due)),
            "mode": mode, "counts": "best", **extra}
    return client.post(reverse("assignment_create", args=[cohort.pk]), data)


def test_a_new_assignment_already_overdue_is_refused_and_the_field_focused(cohort, library, ines_client):
    response = _create(ines_client, cohort, library["C01"], days_due=-1)
    page = response.content.decode()
    assert response.status_code == 422 and "This due time has passed" in page
    due = page[page.index('name="due_at"') - 200 : page.index('name="due_at"') + 200]
    assert "autofocus" in due  # a no-JS reload lands on the field to fix
    assert page.count("autofocus") == 1
    assert not Assignment.objects.exists()


def test_the_same_case_twice_in_one_mode_is_refused_in_the_other_allowed(cohort, library, ines_client):
    assert _create(ines_client, cohort, library["C03"]).status_code == 302
    again = _create(ines_client, cohort, library["C03"])
    assert again.status_code == 422
    assert "C03 is already assigned to this cohort as practice" in again.content.decode()
    assert _create(ines_client, cohort, library["C03"], mode="assessed").status_code == 302
    assert list(Assignment.objects.order_by("pk").values_list("mode", flat=True)) == ["practice", "assessed"]


def test_the_attempts_field_offers_what_the_form_accepts(cohort, ines_client):
    form = ines_client.get(reverse("assignment_create", args=[cohort.pk])).content.decode()
    field = form[form.index('name="max_attempts"') - 150 : form.index('name="max_attempts"') + 150]
    assert 'min="1"' in field and 'min="0"' not in field
    assert 'max="100"' in field


@pytest.mark.parametrize("attempts", ["101", "99999999"])
def test_too_many_attempts_are_refused_on_every_database(cohort, library, ines_client, attempts):
    """SQLite stored 99999999; PostgreSQL refused it with its own smallint bound."""
    response = _create(ines_client, cohort, library["C01"], max_attempts=attempts)
    page = response.content.decode()
    assert response.status_code == 422
    assert "Allow at most 100 attempts, or leave empty for unlimited." in page
    assert "less than or equal to" not in page
    assert not Assignment.objects.exists()
    assert _create(ines_client, cohort, library["C01"], max_attempts="100").status_code == 302


@pytest.mark.parametrize(
    "attempts, message, kept",
    [
        ("0", "Allow at least one attempt, or leave empty for unlimited.", "1"),
        ("-5", "Allow at least one attempt, or leave empty for unlimited.", "1"),
        ("101", "Allow at most 100 attempts, or leave empty for unlimited.", "100"),
        ("99999999", "Allow at most 100 attempts, or leave empty for unlimited.", "100"),
    ],
)
def test_attempts_out_of_range_get_one_message_whatever_the_number_or_database(cohort, library, ines_client, attempts, message, kept):
    """-5 was refused with "greater than or equal to 0", then 0 with "Allow at least one
    attempt" (the form is novalidate, so the browser's min=1 never speaks first). SQLite
    stored 99999999; PostgreSQL refused it with its smallint bound's wording."""
    response = _create(ines_client, cohort, library["C01"], max_attempts=attempts)
    page = response.content.decode()
    assert response.status_code == 422
    assert message in page
    assert "than or equal to" not in page
    assert not Assignment.objects.exists()
    assert _create(ines_client, cohort, library["C01"], max_attempts=kept).status_code == 302


@pytest.mark.parametrize("attempts", ["500", "0"])
def test_an_assessed_exercise_ignores_the_attempts_field_whatever_it_says(cohort, library, ines_client, attempts):
    """Assessed allows one attempt; a number left in the field from practice refused the
    form with "Allow at most 100 attempts" although clean() was about to set it to 1."""
    response = _create(ines_client, cohort, library["C01"], mode="assessed", max_attempts=attempts)
    assert response.status_code == 302, response.content.decode()
    assert Assignment.objects.get().max_attempts == 1


# -- changing -----------------------------------------------------------------------


def edit(client, assignment, **fields):
    data = {"opens_at": _local(assignment.opens_at), "due_at": _local(assignment.due_at), "mode": assignment.mode,
            "max_attempts": assignment.max_attempts or "", "counts": assignment.counts, **fields}
    return client.post(reverse("assignment_edit", args=[assignment.cohort_id, assignment.pk]), data)


def test_extending_the_due_time_clears_the_late_mark(cohort, alice, ines_client):
    now = timezone.now()
    assignment = AssignmentFactory(cohort=cohort, opens_at=now - timedelta(days=3), due_at=now - timedelta(hours=1))
    assert play_assigned(alice, assignment).late
    page = ines_client.get(reverse("assignment_edit", args=[cohort.pk, assignment.pk])).content.decode()
    assert 'type="datetime-local"' in page and 'name="case"' not in page  # the case stays what learners played
    response = edit(ines_client, assignment, due_at=_local(now + timedelta(days=2)))
    assert response.status_code == 302
    assert response["Location"] == reverse("assignment_detail", args=[cohort.pk, assignment.pk])
    assignment.refresh_from_db()
    assert assignment.due_at > now
    assert Attempt.objects.get(user=alice).late is False
    # Moving it back before the work was finished marks it late again.
    edit(ines_client, assignment, due_at=_local(now - timedelta(days=1)))
    assert Attempt.objects.get(user=alice).late is True


def test_reschedule_counts_the_attempts_it_re_marks(cohort, alice):
    now = timezone.now()
    assignment = AssignmentFactory(cohort=cohort, opens_at=now - timedelta(days=3), due_at=now - timedelta(hours=1))
    play_assigned(alice, assignment)
    assignment.due_at = now + timedelta(days=1)
    assert classroom.reschedule(assignment).remarked == 1
    assert classroom.reschedule(assignment).remarked == 0  # nothing left to change
    assignment.refresh_from_db()
    assert assignment.due_at > now and not Attempt.objects.get(user=alice).late


def test_changing_the_mode_to_one_the_case_already_has_is_refused(cohort, ines_client):
    """C13 practice (nothing started yet) edited to assessed beside C13 assessed: learners
    would get two scored assessed attempts on one case, and the dashboard two columns."""
    practice = AssignmentFactory(cohort=cohort, code="C13", mode="practice")
    AssignmentFactory(cohort=cohort, code="C13", mode="assessed")
    response = edit(ines_client, practice, mode="assessed")
    assert response.status_code == 422
    assert "C13 is already assigned to this cohort as assessed" in response.content.decode()
    practice.refresh_from_db()
    assert practice.mode == "practice"
    # Its own mode is no clash, nor is another case's.
    assert edit(ines_client, practice, due_at=_local(practice.due_at + timedelta(days=1))).status_code == 302
    other = AssignmentFactory(cohort=cohort, code="C02", mode="practice")
    assert edit(ines_client, other, mode="assessed").status_code == 302


def saved_message(response) -> str:
    return str(list(get_messages(response.wsgi_request))[-1])  # the latest (earlier ones are not read)


def test_changing_which_attempt_counts_says_how_many_counted_scores_changed(cohort, alice, bob, ines_client):
    """Finished work is re-scored by the new rule: the instructor is told, from the data."""
    assignment = AssignmentFactory(cohort=cohort, code="C01", counts="first", max_attempts=None)
    carol, dan = UserFactory(username="carol"), UserFactory(username="dan")
    enrol(cohort, bob, carol, dan)
    for learner, styles in ((alice, ("rushed", "best")), (bob, ("best", "rushed")), (carol, ("best",)), (dan, ("rushed", "best"))):
        for style in styles:
            play_assigned(learner, assignment, rushed(assignment) if style == "rushed" else None)
    # First -> best: alice's and dan's counted attempt is now their second, better one.
    message = saved_message(edit(ines_client, assignment, counts="best"))
    assert "The counted score now comes from each learner's best attempt: 2 learners' counted scores changed." in message
    # Best -> last: only bob's last attempt scores differently from his best.
    message = saved_message(edit(ines_client, assignment, counts="last"))
    assert "The counted score now comes from each learner's last attempt: 1 learner's counted score changed." in message
    # A new due time alone re-scores nobody, and says nothing about it.
    message = saved_message(edit(ines_client, assignment, counts="last", due_at=_local(assignment.due_at + timedelta(days=1))))
    assert message.startswith("Saved C01: due") and "counted score" not in message


def test_lowering_the_attempt_limit_says_who_has_already_used_more(cohort, alice, bob, ines_client):
    assignment = AssignmentFactory(cohort=cohort, code="C01", counts="best", max_attempts=3)
    enrol(cohort, bob)
    for learner, attempts in ((alice, 3), (bob, 2)):
        for _ in range(attempts):
            play_assigned(learner, assignment)
    message = saved_message(edit(ines_client, assignment, max_attempts="2"))
    assert "1 learner has already used more attempts than the new limit: their attempts stay; they cannot start another." in message
    message = saved_message(edit(ines_client, assignment, max_attempts="1"))
    assert "1 learner has already used more" not in message
    assert "2 learners have already used more attempts than the new limit: their attempts stay; they cannot start another." in message
    assert Attempt.objects.filter(assignment=assignment).count() == 5  # nothing is taken away
    # Raising it again (or leaving it) says nothing about limits.
    assert "new limit" not in saved_message(edit(ines_client, assignment, max_attempts="5"))


def test_changing_an_assignment_keeps_its_case_and_checks_the_dates(cohort, library, ines_client):
    assignment = AssignmentFactory(cohort=cohort, code="C01")
    edit(ines_client, assignment, case=library["C04"].pk, mode="assessed", max_attempts="3")
    assignment.refresh_from_db()
    assert (assignment.case.code, assignment.mode, assignment.max_attempts) == ("C01", "assessed", 1)
    before = assignment.due_at
    response = edit(ines_client, assignment, due_at=_local(assignment.opens_at - timedelta(hours=1)))
    assert response.status_code == 422
    assert "The due time must be after the opening time" in response.content.decode()
    assignment.refresh_from_db()
    assert assignment.due_at == before


def test_the_mode_cannot_change_once_learners_have_attempts(cohort, alice, ines_client):
    # Switching practice to assessed forces "first attempt counts": a learner's best score
    # would silently become their first, and debriefs they had read would close again.
    assignment = AssignmentFactory(cohort=cohort, code="C01", counts="best", max_attempts=None)
    play_assigned(alice, assignment, ["H1"])
    response = edit(ines_client, assignment, mode="assessed")
    assert response.status_code == 422
    assert "Learners have already made 1 attempt under these rules, so the mode cannot change now." in response.content.decode()
    assignment.refresh_from_db()
    assert (assignment.mode, assignment.counts) == ("practice", "best")


def test_an_assessed_due_time_that_has_passed_cannot_move_later_once_debriefs_are_open(cohort, alice, ines_client):
    now = timezone.now()
    assignment = AssignmentFactory(
        cohort=cohort, mode="assessed", max_attempts=1, counts="first", opens_at=now - timedelta(days=2), due_at=now - timedelta(hours=1)
    )
    play_assigned(alice, assignment)  # finished: her debrief is open now the due time has passed
    response = edit(ines_client, assignment, due_at=_local(now + timedelta(days=1)))
    assert response.status_code == 422
    assert "1 finished attempt has its debrief open; a later due time would close them again" in response.content.decode()
    assignment.refresh_from_db()
    assert assignment.due_at < now
    # Before the due time, or with nobody finished, an extension is fine.
    Attempt.objects.filter(assignment=assignment).update(finished_at=None)
    assert edit(ines_client, assignment, due_at=_local(now + timedelta(days=1))).status_code == 302


def test_a_practice_exercise_cannot_rehearse_the_same_case_assessed(cohort, alice, alice_client):
    practice = AssignmentFactory(cohort=cohort, code="C01")
    AssignmentFactory(cohort=cohort, code="C01", mode="assessed", max_attempts=1, counts="first")
    response = alice_client.post(reverse("assignment_start", args=[practice.pk]), follow=True)
    assert "is an assessed exercise for you" in response.content.decode()
    assert not Attempt.objects.filter(user=alice).exists()


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
    assert "You have used all 1 attempt this exercise allows." in response.content.decode()


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
