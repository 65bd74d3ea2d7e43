"""Assignments as the instructor sets them: creating one (dates, mode, attempts, the same
case twice) and changing one (due times and late marks, mode, which attempt counts, the
attempt limit)."""

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from tests.factories import AssignmentFactory, UserFactory, enrol, play_assigned
from trainer import classroom
from trainer.models import Assignment, Attempt
from tests.integration.assignments.helpers import _local, rushed


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


def test_a_case_assigned_by_another_submit_after_the_check_is_refused(cohort, library, ines_client, monkeypatch):
    # A double click on Assign: both submits passed the form's check and the case was
    # assessed twice in one cohort (reproduced over HTTP on SQLite and PostgreSQL).
    # Here the other submit stores its assignment right after this one's check.
    from trainer.forms import AssignmentForm

    check = AssignmentForm.is_valid

    def checked_then_assigned(form):
        valid = check(form)
        AssignmentFactory(cohort=cohort, code="C03", mode=Assignment.Mode.ASSESSED)
        return valid

    monkeypatch.setattr(AssignmentForm, "is_valid", checked_then_assigned)
    response = _create(ines_client, cohort, library["C03"], mode="assessed")
    assert response.status_code == 422
    assert "C03 is already assigned to this cohort as assessed" in response.content.decode()
    assert Assignment.objects.filter(cohort=cohort).count() == 1

def test_the_attempts_field_offers_what_the_form_accepts(cohort, ines_client):
    form = ines_client.get(reverse("assignment_create", args=[cohort.pk])).content.decode()
    field = form[form.index('name="max_attempts"') - 150 : form.index('name="max_attempts"') + 150]
    assert 'min="1"' in field and 'min="0"' not in field
    assert 'max="100"' in field


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


def test_a_mode_assigned_by_another_submit_after_the_check_is_refused_on_the_form(cohort, ines_client, monkeypatch):
    # Edit (practice to assessed) in one tab, Assign of the same case as assessed in another:
    # the edit's form checked before the Assign was saved, and C13 was assessed twice.
    # Here the Assign is stored right after the edit's check (threads: test_edit_mode_race).
    from trainer.forms import AssignmentEditForm

    practice = AssignmentFactory(cohort=cohort, code="C13", mode="practice")
    later = _local(practice.due_at + timedelta(days=2))
    check = AssignmentEditForm.is_valid

    def checked_then_assigned(form):
        valid = check(form)  # nothing assessed on C13 yet: the form passes
        AssignmentFactory(cohort=cohort, code="C13", mode=Assignment.Mode.ASSESSED)
        return valid

    monkeypatch.setattr(AssignmentEditForm, "is_valid", checked_then_assigned)
    response = edit(ines_client, practice, mode="assessed", due_at=later)
    assert response.status_code == 422  # was 302, with C13 assessed twice
    page = response.content.decode()
    by_the_mode = page[page.index('name="mode"') - 1000 : page.index('name="max_attempts"')]
    assert "C13 is already assigned to this cohort as assessed" in by_the_mode
    assert f'value="{later}"' in page  # what else was typed is still there
    assert list(cohort.assignments.order_by("pk").values_list("mode", flat=True)) == ["practice", "assessed"]
    practice.refresh_from_db()
    assert _local(practice.due_at) != later  # nothing of the refused edit was saved


def test_a_learner_starting_after_the_check_keeps_the_mode_they_started_under(cohort, alice, ines_client, monkeypatch):
    from trainer.forms import AssignmentEditForm

    practice = AssignmentFactory(cohort=cohort, code="C01", mode="practice", counts="best", max_attempts=None)
    check = AssignmentEditForm.is_valid

    def checked_then_started(form):
        valid = check(form)  # nobody has an attempt yet
        classroom.start_assignment(alice, practice)
        return valid

    monkeypatch.setattr(AssignmentEditForm, "is_valid", checked_then_started)
    response = edit(ines_client, practice, mode="assessed")
    assert response.status_code == 422
    assert "Learners have already made 1 attempt under these rules, so the mode cannot change now." in response.content.decode()
    practice.refresh_from_db()
    assert (practice.mode, practice.counts, practice.max_attempts) == ("practice", "best", None)


def test_an_edit_that_keeps_its_mode_is_not_asked_again(cohort, ines_client):
    # A cohort holding a case twice in one mode from before the rule must still let the
    # instructor move a due time.
    practice = AssignmentFactory(cohort=cohort, code="C13", mode="practice")
    AssignmentFactory(cohort=cohort, code="C13", mode="practice")
    assert edit(ines_client, practice, due_at=_local(practice.due_at + timedelta(days=1))).status_code == 302


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




@pytest.mark.parametrize("fold", [0, 1])
def test_a_due_time_in_the_hour_clocks_go_back_is_kept_when_other_rules_change(cohort, ines_client, settings, fold):
    """Found by an audit: Django refuses a time that happens twice, so an assignment due
    in that hour could not be saved again without moving its due time."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    settings.TIME_ZONE = "Pacific/Auckland"  # clocks go back from 03:00 to 02:00 on 4 April 2027
    zone = ZoneInfo("Pacific/Auckland")
    due = datetime(2027, 4, 4, 2, 30, fold=fold, tzinfo=zone)
    assignment = AssignmentFactory(cohort=cohort, opens_at=datetime(2027, 4, 1, 9, tzinfo=zone), due_at=due, max_attempts=2)
    assert edit(ines_client, assignment, max_attempts="3").status_code == 302
    assignment.refresh_from_db()
    # Compared as instants: Python never finds a time in a repeated hour equal to one in another zone.
    assert (assignment.max_attempts, assignment.due_at.timestamp()) == (3, due.timestamp())

    # A new time typed in that hour, or in the hour skipped when clocks go forward, is refused with words.
    response = edit(ines_client, assignment, due_at="2027-04-04T02:15")
    assert "02:15 on 4 April 2027 happens twice in Pacific/Auckland (the clocks go back)" in response.content.decode()
    response = edit(ines_client, assignment, due_at="2027-09-26T02:30")
    assert "02:30 on 26 September 2027 does not exist in Pacific/Auckland (the clocks go forward)" in response.content.decode()
    assignment.refresh_from_db()
    assert assignment.due_at.timestamp() == due.timestamp()
