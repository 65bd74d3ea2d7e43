"""A cohort's settings: renaming it, issuing a new join code, archiving and restoring it."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import AssignmentFactory, TaughtCohortFactory, enrol, play, play_assigned
from trainer import classroom
from trainer.models import Assignment, Attempt, Cohort, Membership


@pytest.fixture
def cohort(ines):
    return TaughtCohortFactory(name="Spring block", created_by=ines)


def test_the_instructor_renames_the_cohort(cohort, ines_client):
    url = reverse("cohort_settings", args=[cohort.pk])
    response = ines_client.post(url, {"name": "Spring block (group B)"}, follow=True)
    assert response.redirect_chain[-1][0] == url
    assert "Renamed to Spring block (group B)" in response.content.decode()
    cohort.refresh_from_db()
    assert cohort.name == "Spring block (group B)"


def test_an_empty_name_is_refused_and_the_saved_name_kept(cohort, ines_client):
    response = ines_client.post(reverse("cohort_settings", args=[cohort.pk]), {"name": "  "})
    page = response.content.decode()
    assert response.status_code == 422
    assert "This field is required" in page
    assert "<title>Spring block: settings" in page  # the header shows what is saved
    cohort.refresh_from_db()
    assert cohort.name == "Spring block"


def test_a_new_join_code_retires_the_old_one_and_keeps_the_members(cohort, ines_client, alice, bob, bob_client):
    enrol(cohort, alice)
    old = cohort.join_code
    new_code = reverse("cohort_new_code", args=[cohort.pk])
    unconfirmed = ines_client.post(new_code, {"replacing": old}, follow=True)
    assert "Tick the box to confirm" in unconfirmed.content.decode()
    cohort.refresh_from_db()
    assert cohort.join_code == old
    response = ines_client.post(new_code, {"confirm": "1", "replacing": old}, follow=True)
    cohort.refresh_from_db()
    assert cohort.join_code != old and len(cohort.join_code) == 8
    # A double submit names the old code: it must not replace the new one too.
    again = ines_client.post(new_code, {"confirm": "1", "replacing": old}, follow=True)
    assert f"already replaced: learners now join with {cohort.join_code}" in again.content.decode()
    assert Cohort.objects.get(pk=cohort.pk).join_code == cohort.join_code
    page = response.content.decode()
    assert f"New join code {cohort.join_code}" in page
    assert f"/join/{cohort.join_code}/" in page  # the settings page shows the new link
    # The old code and link are dead; the new code works; alice is still a member.
    assert bob_client.post(reverse("join"), {"code": old}).status_code == 422
    dead_link = bob_client.get(reverse("join_link", args=[old]), follow=True)
    assert dead_link.redirect_chain[-1][0] == reverse("join")
    assert bob_client.post(reverse("join"), {"code": cohort.join_code}).status_code == 302
    assert set(Membership.objects.filter(cohort=cohort, role="learner").values_list("user__username", flat=True)) == {"alice", "bob"}


def test_archiving_closes_the_cohort_to_learners_and_keeps_every_record(library, cohort, ines_client, alice, alice_client, bob_client):
    enrol(cohort, alice)
    done = AssignmentFactory(cohort=cohort, code="C01")
    started = AssignmentFactory(cohort=cohort, code="C02")
    untouched = AssignmentFactory(cohort=cohort, code="C04")
    finished = play_assigned(alice, done)
    under_way, _ = classroom.start_assignment(alice, started)
    play(under_way, ["H1"])
    assert "C04 · " in alice_client.get(reverse("home")).content.decode()

    response = ines_client.post(reverse("cohort_archive", args=[cohort.pk]), {"archived": "1"}, follow=True)
    assert "Spring block is archived" in response.content.decode()
    assert "Issue a new join code" not in response.content.decode()  # nobody can join: nothing to replace
    assert Cohort.objects.get(pk=cohort.pk).archived

    # Learners: the exercises leave the home page, nobody joins, nothing new starts...
    home = alice_client.get(reverse("home")).content.decode()
    assert "C04 · " not in home and "Spring block" not in home
    # Not "you are not in a cohort", which read as if she had been removed; the join form is shown, not folded.
    assert "Your cohorts have ended (your instructor archived them)" in home and "You are not in a cohort" not in home
    assert bob_client.post(reverse("join"), {"code": cohort.join_code}).status_code == 422
    refused = alice_client.post(reverse("assignment_start", args=[untouched.pk]), follow=True)
    assert "This cohort has been archived" in refused.content.decode()
    assert not Attempt.objects.filter(assignment=untouched).exists()
    # ...but work already under way can still be finished (home lists it to resume),
    # and nothing is lost.
    assert f'href="/attempts/{under_way.pk}/"' in home and "assigned; cohort archived" in home
    resumed = alice_client.post(reverse("assignment_start", args=[started.pk]))
    assert resumed["Location"] == reverse("attempt", args=[under_way.pk])
    assert Attempt.objects.get(pk=finished.pk).score_total == finished.score_total
    # The instructor keeps the dashboard and exports, marked archived.
    dashboard = ines_client.get(reverse("cohort_dashboard", args=[cohort.pk])).content.decode()
    assert "Archived" in dashboard and "alice" in dashboard
    assert "alice" in ines_client.get(reverse("export_attempts", args=[cohort.pk])).getvalue().decode()


def test_an_archived_cohort_takes_no_new_assignment_until_restored(library, cohort, ines_client, alice):
    """Its learners never see its exercises: "C12 is assigned to ..." promised what would not happen."""
    enrol(cohort, alice)
    classroom.set_archived(cohort, True)
    url = reverse("assignment_create", args=[cohort.pk])
    settings_url = reverse("cohort_settings", args=[cohort.pk])
    page = ines_client.get(url).content.decode()
    assert "Spring block is archived: its learners do not see its exercises" in page
    assert f'href="{settings_url}"' in page and 'name="case"' not in page and "Nothing was assigned" not in page
    now = timezone.localtime()  # the form reads times in the site's time zone
    data = {"case": library["C12"].pk, "opens_at": f"{now:%Y-%m-%dT%H:%M}", "due_at": f"{now + timedelta(days=3):%Y-%m-%dT%H:%M}",
            "mode": "practice", "counts": "best"}
    response = ines_client.post(url, data)
    assert response.status_code == 422
    assert "a case assigned now would reach nobody. Nothing was assigned. To assign a case, first restore the cohort" in response.content.decode()
    assert not Assignment.objects.filter(cohort=cohort).exists()
    classroom.set_archived(cohort, False)
    assert ines_client.post(url, data).status_code == 302
    assert Assignment.objects.filter(cohort=cohort, case=library["C12"]).exists()


def test_archived_cohorts_are_listed_apart_and_can_be_restored(cohort, ines, ines_client, alice, alice_client):
    current = TaughtCohortFactory(name="Autumn block", created_by=ines)
    classroom.set_archived(cohort, True)
    page = ines_client.get(reverse("cohorts")).content.decode()
    assert page.index("Autumn block") < page.index("Archived cohorts (1)") < page.index("Spring block")
    assert cohort.join_code not in page and current.join_code in page

    response = ines_client.post(reverse("cohort_archive", args=[cohort.pk]), {"archived": "0"}, follow=True)
    assert "Spring block is open again" in response.content.decode()
    assert not Cohort.objects.get(pk=cohort.pk).archived
    assert alice_client.post(reverse("join"), {"code": cohort.join_code}).status_code == 302


def test_archiving_twice_leaves_it_archived(cohort, ines_client):
    # A state is posted, not a toggle: a form sent twice (a double click, a reload)
    # must not restore what it just archived.
    url = reverse("cohort_archive", args=[cohort.pk])
    ines_client.post(url, {"archived": "1"})
    ines_client.post(url, {"archived": "1"})
    assert Cohort.objects.get(pk=cohort.pk).archived


@pytest.mark.parametrize("value", ["", "yes", "2"])
def test_a_tampered_archive_form_changes_nothing_and_says_so(cohort, ines_client, value):
    response = ines_client.post(reverse("cohort_archive", args=[cohort.pk]), {"archived": value}, follow=True)
    assert "not understood; nothing changed" in response.content.decode()
    assert not Cohort.objects.get(pk=cohort.pk).archived


def test_the_settings_page_offers_what_fits_the_cohorts_state(cohort, ines_client):
    url = reverse("cohort_settings", args=[cohort.pk])
    page = ines_client.get(url).content.decode()
    assert "Archive this cohort" in page and "Restore this cohort" not in page
    assert cohort.join_code in page
    classroom.set_archived(cohort, True)
    page = ines_client.get(url).content.decode()
    assert "Restore this cohort" in page and "Archive this cohort" not in page
    assert "Nobody can join while the cohort is archived" in page


def test_removing_an_assignment_asks_first_then_keeps_attempts_as_practice(library, cohort, ines_client, alice, alice_client):
    enrol(cohort, alice)
    wrong = AssignmentFactory(cohort=cohort, code="C02")
    attempt = play_assigned(alice, wrong)
    assert "C02 · " in alice_client.get(reverse("home")).content.decode()
    url = reverse("assignment_remove", args=[cohort.pk, wrong.pk])
    confirm = ines_client.get(url).content.decode()
    assert "1 learner started it (1 attempt)" in confirm
    assert f'<form method="post" action="{url}">' in confirm
    assert Attempt.objects.get(pk=attempt.pk).assignment_id == wrong.pk  # a GET only asks

    response = ines_client.post(url, follow=True)
    assert response.redirect_chain[-1][0] == reverse("cohort_dashboard", args=[cohort.pk])
    assert "C02 is no longer assigned to Spring block. 1 attempt on it stays with their learners as self-paced practice." in response.content.decode()
    kept = Attempt.objects.get(pk=attempt.pk)
    assert kept.assignment_id is None and kept.score_total == attempt.score_total and not kept.late
    assert kept.choice_ids() == attempt.choice_ids()
    home = alice_client.get(reverse("home")).content.decode()
    assigned, finished = home[: home.index('id="resume-h"')], home[home.index('id="recent-h"') :]
    assert "C02 · " not in assigned
    assert "C02 · " in finished  # the attempt is now among her own finished work
    assert alice_client.get(reverse("debrief", args=[attempt.pk])).status_code == 200


def test_removing_an_assignment_with_several_attempts_says_they_stay(library, cohort, ines_client, alice, bob):
    enrol(cohort, alice, bob)
    wrong = AssignmentFactory(cohort=cohort, code="C02")
    play_assigned(alice, wrong)
    play_assigned(bob, wrong)
    response = ines_client.post(reverse("assignment_remove", args=[cohort.pk, wrong.pk]), follow=True)
    assert "2 attempts on it stay with their learners as self-paced practice." in response.content.decode()


def test_an_assignment_nobody_started_is_simply_removed(library, cohort, ines_client):
    unused = AssignmentFactory(cohort=cohort, code="C04")
    url = reverse("assignment_remove", args=[cohort.pk, unused.pk])
    assert "Nobody has started it yet" in ines_client.get(url).content.decode()
    ines_client.post(url)
    assert not cohort.assignments.exists()


def test_a_second_remove_of_an_assignment_says_it_is_gone_not_page_not_found(library, cohort, ines_client):
    """Remove pressed twice without JavaScript (nothing in the page stops the second):
    the browser shows the second answer, which was the 404 page."""
    unused = AssignmentFactory(cohort=cohort, code="C04")
    url = reverse("assignment_remove", args=[cohort.pk, unused.pk])
    ines_client.post(url)
    response = ines_client.post(url, follow=True)
    assert response.redirect_chain == [(reverse("cohort_dashboard", args=[cohort.pk]), 302)]
    assert "That assignment has already been removed." in response.content.decode()


def test_another_cohorts_assignment_cannot_be_removed(library, cohort, ines_client):
    foreign = AssignmentFactory(code="C01")  # a cohort Ines does not teach
    assert ines_client.post(reverse("assignment_remove", args=[cohort.pk, foreign.pk])).status_code == 404
    assert ines_client.post(reverse("assignment_remove", args=[foreign.cohort.pk, foreign.pk])).status_code == 404
    assert Assignment.objects.filter(pk=foreign.pk).exists()


def test_a_new_code_is_issued_only_over_the_code_the_instructor_saw(cohort):
    old = cohort.join_code
    new = classroom.issue_new_join_code(cohort, replacing=old)
    with pytest.raises(classroom.ClassroomError, match=f"already replaced: learners now join with {new}"):
        classroom.issue_new_join_code(cohort, replacing=old)
    assert Cohort.objects.get(pk=cohort.pk).join_code == new


def test_two_submits_that_both_read_the_old_code_issue_one_new_code(cohort):
    # A double submit or two tabs: each request loaded the cohort (and its old code)
    # before either wrote. Both passed the check and both were told a new code; the
    # first one shown never worked (reproduced over HTTP on SQLite and PostgreSQL).
    old = cohort.join_code
    first, second = Cohort.objects.get(pk=cohort.pk), Cohort.objects.get(pk=cohort.pk)
    new = classroom.issue_new_join_code(first, replacing=old)
    with pytest.raises(classroom.ClassroomError, match=f"already replaced: learners now join with {new}"):
        classroom.issue_new_join_code(second, replacing=old)
    assert Cohort.objects.get(pk=cohort.pk).join_code == new
