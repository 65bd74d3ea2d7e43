"""Cohorts: create, join by code or link, the roster, removing members, co-instructors."""

import re
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from tests.factories import PASSWORD, AssignmentFactory, TaughtCohortFactory, UserFactory, enrol, play_assigned
from trainer import classroom
from trainer.models import Attempt, Cohort, Membership


@pytest.fixture
def cohort(ines):
    return TaughtCohortFactory(name="Spring block", created_by=ines)


def test_instructor_creates_a_cohort_and_gets_a_code_and_link(ines, ines_client):
    response = ines_client.post(reverse("cohort_create"), {"name": "PT year 2"})
    cohort = Cohort.objects.get(name="PT year 2")
    assert response.status_code == 302 and response["Location"] == reverse("cohort_roster", args=[cohort.pk])
    assert Membership.objects.get(cohort=cohort, user=ines).role == "instructor"
    assert len(cohort.join_code) == 8
    page = ines_client.get(response["Location"]).content.decode()
    assert cohort.join_code in page
    assert f"http://testserver/join/{cohort.join_code}/" in page
    assert f'action="{reverse("cohort_add_instructor", args=[cohort.pk])}"' in page


def test_the_cohort_list_counts_learners_and_assignments(library, cohort, ines, ines_client, alice, bob):
    enrol(cohort, alice)
    enrol(cohort, bob)
    AssignmentFactory(cohort=cohort)
    page = ines_client.get(reverse("cohorts")).content.decode()
    assert "2 learners · 1 assignment" in page  # the instructor's own membership is not a learner


def test_creating_a_cohort_without_a_name_shows_the_form_again(ines_client):
    response = ines_client.post(reverse("cohort_create"), {"name": ""})
    assert response.status_code == 422
    assert "This field is required" in response.content.decode()
    assert not Cohort.objects.exists()


def test_learner_joins_with_the_code_typed_loosely(cohort, alice, alice_client):
    loose = f" {cohort.join_code[:4].lower()}-{cohort.join_code[4:]} "
    response = alice_client.post(reverse("join"), {"code": loose})
    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert Membership.objects.get(cohort=cohort, user=alice).role == "learner"
    # Joining again is harmless and says so.
    again = alice_client.post(reverse("join"), {"code": cohort.join_code}, follow=True)
    assert "already a member" in again.content.decode()
    assert Membership.objects.filter(cohort=cohort, user=alice).count() == 1


def test_a_code_typed_in_full_width_letters_joins(cohort, alice, alice_client):
    """Phone keyboards set to Chinese or Japanese type "ＤＥＭＯ" (full-width letters,
    a full-width hyphen), which were all dropped as punctuation: "no open cohort"."""
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in cohort.join_code[:4]) + "－" + cohort.join_code[4:]
    response = alice_client.post(reverse("join"), {"code": full_width})
    assert response.status_code == 302 and Membership.objects.filter(cohort=cohort, user=alice).exists()


def test_a_wrong_code_is_refused_with_a_clear_message(cohort, alice, alice_client):
    response = alice_client.post(reverse("join"), {"code": "NOPE1234"})
    assert response.status_code == 422
    assert "No open cohort has that join code" in response.content.decode()
    assert not Membership.objects.filter(user=alice).exists()


@pytest.mark.parametrize("pasted", [
    "http://127.0.0.1:8202/join/{code}/",
    "  https://spasm-trainer.physio-school.example.ac.uk/join/{code}/?utm_source=email  ",
    "/join/{code}",
])
def test_a_pasted_join_link_joins_by_its_code(cohort, alice, alice_client, pasted):
    """The link is what learners get by email; pasted into the code box it said
    "Ensure this value has at most 32 characters (it has 36)"."""
    page = alice_client.get(reverse("join")).content.decode()
    box = page[page.index('name="code"') - 200 : page.index('name="code"') + 200]
    assert 'maxlength="32"' not in box  # the browser would cut a pasted link short before its code
    response = alice_client.post(reverse("join"), {"code": pasted.format(code=cohort.join_code)})
    assert response.status_code == 302
    assert Membership.objects.filter(cohort=cohort, user=alice).exists()


def test_a_pasted_link_to_a_dead_code_says_so(cohort, alice_client):
    response = alice_client.post(reverse("join"), {"code": "https://example.org/join/ZZZZZZZZ/"})
    assert response.status_code == 422 and "No open cohort has that join code" in response.content.decode()


def test_an_archived_cohort_cannot_be_joined(cohort, alice, alice_client):
    Cohort.objects.filter(pk=cohort.pk).update(archived=True)
    assert alice_client.post(reverse("join"), {"code": cohort.join_code}).status_code == 422
    assert not Membership.objects.filter(user=alice).exists()


def test_the_join_link_asks_before_joining(cohort, alice, alice_client):
    url = reverse("join_link", args=[cohort.join_code])
    page = alice_client.get(url)
    assert page.status_code == 200 and "Join Spring block" in page.content.decode()
    assert not Membership.objects.filter(user=alice).exists()  # a GET never joins
    assert f'<form method="post" action="{url}">' in page.content.decode()
    response = alice_client.post(url)
    assert response.status_code == 302
    assert Membership.objects.get(cohort=cohort, user=alice).role == "learner"


def test_a_dead_join_link_sends_to_the_code_form(alice_client):
    response = alice_client.get(reverse("join_link", args=["ZZZZZZZZ"]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("join")
    assert "No open cohort has that join code" in response.content.decode()


def _main(response) -> str:
    """The page's own content, without the nav (which has its own Sign up link)."""
    return response.content.decode().split('<main id="main"', 1)[1]


def test_a_visitor_without_an_account_signs_up_from_the_join_link_and_joins(cohort, anon_client):
    url = reverse("join_link", args=[cohort.join_code])
    login = anon_client.get(url, follow=True)
    assert login.redirect_chain[-1][0] == f"{reverse('login')}?next={url}"
    page = _main(login)
    assert "You are joining the cohort <strong>Spring block</strong>" in page
    signup_link = re.search(r'href="([^"]*)">Sign up</a>', page)[1]
    assert signup_link == f"{reverse('signup')}?next={url}"  # the Sign up link carries next along
    signup_page = anon_client.get(signup_link).content.decode()
    nav = signup_page.split('<main id="main"', 1)[0]  # the header's links keep the join too
    assert f'href="{reverse("login")}?next={url}">Log in</a>' in nav
    form = signup_page.split('<main id="main"', 1)[1]
    assert "You are joining the cohort <strong>Spring block</strong>" in form
    assert f'<input type="hidden" name="next" value="{url}">' in form
    response = anon_client.post(
        reverse("signup"), {"username": "newbie", "password1": PASSWORD, "password2": PASSWORD, "next": url}
    )
    assert response.status_code == 302 and response["Location"] == url
    newbie = get_user_model().objects.get(username="newbie")
    confirm = anon_client.get(url)
    assert "Join Spring block?" in confirm.content.decode()
    assert not Membership.objects.filter(user=newbie).exists()  # still a POST (with CSRF) to join
    anon_client.post(url)
    assert Membership.objects.get(cohort=cohort, user=newbie).role == "learner"


def test_a_member_logging_in_from_the_join_link_lands_on_the_join_page(cohort, alice, anon_client):
    url = reverse("join_link", args=[cohort.join_code])
    response = anon_client.post(f"{reverse('login')}?next={url}", {"username": alice.username, "password": PASSWORD, "next": url})
    assert response.status_code == 302 and response["Location"] == url


def test_the_login_page_names_no_cohort_for_a_dead_or_archived_code(cohort, anon_client):
    """Only what the join page itself would show: a dead code and an archived
    cohort's code give the very same page, with no name."""
    Cohort.objects.filter(pk=cohort.pk).update(archived=True)
    pages = [
        re.sub(r'name="csrfmiddlewaretoken" value="\w+"', "", _main(anon_client.get(reverse("login"), {"next": f"/join/{code}/"})))
        .replace(code, "CODE")
        for code in (cohort.join_code, "ZZZZZZZZ")
    ]
    assert pages[0] == pages[1]
    assert "Log in or sign up to join a cohort" in pages[0] and "Spring block" not in pages[0]


def test_an_instructor_using_their_own_code_stays_instructor(cohort, ines, ines_client):
    response = ines_client.post(reverse("join"), {"code": cohort.join_code}, follow=True)
    assert "You already teach Spring block" in response.content.decode()
    assert Membership.objects.get(cohort=cohort, user=ines).role == "instructor"


def test_a_revoked_instructor_using_the_code_is_told_the_cohort_stays_closed(cohort, ines, ines_client):
    """It said "You already teach Spring block", in green, while every page of it was a 404."""
    call_command("instructor", "remove", "ines", stdout=StringIO())
    response = ines_client.post(reverse("join"), {"code": cohort.join_code})
    assert response.status_code == 422
    assert "your instructor rights have been withdrawn, so its pages stay closed to you" in response.content.decode()
    link = ines_client.post(reverse("join_link", args=[cohort.join_code]), follow=True).content.decode()
    assert "your instructor rights have been withdrawn" in link and "You already teach" not in link
    assert Membership.objects.get(cohort=cohort, user=ines).role == "instructor"


def test_a_learner_can_be_in_several_cohorts(library, cohort, alice, alice_client):
    other = TaughtCohortFactory(name="Evening class")
    for c in (cohort, other):
        alice_client.post(reverse("join"), {"code": c.join_code})
    AssignmentFactory(cohort=cohort, code="C01")
    AssignmentFactory(cohort=other, code="C02")
    page = alice_client.get(reverse("home")).content.decode()
    assert "Spring block" in page and "Evening class" in page
    assert "C01 · " in page and "C02 · " in page


def test_roster_lists_members_and_removes_one_keeping_their_work(library, cohort, ines_client, alice, bob):
    enrol(cohort, alice, bob)
    assignment = AssignmentFactory(cohort=cohort)
    attempt = play_assigned(alice, assignment)
    page = ines_client.get(reverse("cohort_roster", args=[cohort.pk])).content.decode()
    assert "alice" in page and "bob" in page and "Learners (2)" in page
    membership = Membership.objects.get(cohort=cohort, user=alice)
    # Remove leads to a confirmation page first: one click used to drop her at once.
    url = reverse("cohort_remove_member", args=[cohort.pk, membership.pk])
    assert f'href="{url}"' in page
    confirm = ines_client.get(url).content.decode()
    assert "Remove <strong>alice</strong> from Spring block?" in confirm and "Their 1 attempt on this cohort's exercises is not deleted" in confirm
    assert Membership.objects.filter(pk=membership.pk).exists()
    # Removing is not a ban: the join code lets her back in, and both pages say so and how to stop it.
    assert reverse("cohort_settings", args=[cohort.pk]) in confirm and "issue a new join code" in confirm
    response = ines_client.post(url, follow=True)
    assert "alice was removed" in response.content.decode()
    assert "The join code still lets them back in until you issue a new one" in response.content.decode()
    assert not Membership.objects.filter(pk=membership.pk).exists()
    assert Attempt.objects.filter(pk=attempt.pk).exists()
    # Her work leaves the cohort's dashboard and exports with her.
    assert "alice" not in ines_client.get(reverse("export_attempts", args=[cohort.pk])).getvalue().decode()


def test_removing_a_member_of_another_cohort_is_a_404(cohort, ines_client, alice):
    other = TaughtCohortFactory()
    enrol(other, alice)
    foreign = Membership.objects.get(cohort=other, user=alice)
    response = ines_client.post(reverse("cohort_remove_member", args=[cohort.pk, foreign.pk]), follow=True)
    assert "not on this roster" in response.content.decode()
    assert Membership.objects.filter(pk=foreign.pk).exists()


def test_the_last_instructor_cannot_be_removed(cohort, ines, ines_client):
    own = Membership.objects.get(cohort=cohort, user=ines)
    # The confirmation page says so at once, with no button that would be refused.
    confirm = ines_client.get(reverse("cohort_remove_member", args=[cohort.pk, own.pk])).content.decode()
    assert "cannot be removed now. A cohort needs at least one instructor" in confirm
    assert ">Remove ines</button>" not in confirm
    response = ines_client.post(reverse("cohort_remove_member", args=[cohort.pk, own.pk]), follow=True)
    assert "at least one instructor" in response.content.decode()
    assert Membership.objects.filter(pk=own.pk).exists()


def test_a_co_instructor_is_added_by_username_and_sees_the_dashboard(cohort, ines_client):
    carla = UserFactory(username="carla", instructor=True)
    response = ines_client.post(reverse("cohort_add_instructor", args=[cohort.pk]), {"username": "carla"})
    assert response.status_code == 302
    assert Membership.objects.get(cohort=cohort, user=carla).role == "instructor"
    client = Client()
    client.force_login(carla)
    assert client.get(reverse("cohort_dashboard", args=[cohort.pk])).status_code == 200
    # Now two instructors: Ines may leave her own cohort.
    own = Membership.objects.get(cohort=cohort, user__username="ines")
    assert ines_client.post(reverse("cohort_remove_member", args=[cohort.pk, own.pk])).status_code == 302
    assert ines_client.get(reverse("cohort_dashboard", args=[cohort.pk])).status_code == 404


def test_a_learner_account_cannot_be_made_co_instructor(cohort, ines_client, alice):
    enrol(cohort, alice)
    response = ines_client.post(reverse("cohort_add_instructor", args=[cohort.pk]), {"username": "alice"})
    assert response.status_code == 422
    assert "not an instructor account" in response.content.decode()
    assert "manage.py instructor add alice" in response.content.decode()  # says how
    assert Membership.objects.get(cohort=cohort, user=alice).role == "learner"


def test_an_unknown_username_is_reported(cohort, ines_client):
    response = ines_client.post(reverse("cohort_add_instructor", args=[cohort.pk]), {"username": "nobody"})
    assert response.status_code == 422
    assert "There is no account called “nobody”" in response.content.decode()
    long = ines_client.post(reverse("cohort_add_instructor", args=[cohort.pk]), {"username": "x" * 150})
    error = long.content.decode().split("There is no account called")[1].split("</p>")[0]
    assert "x" * 41 not in error and "x" * 39 + "…”" in error  # the field itself keeps what was typed


def test_instructor_nav_link_only_for_instructors(ines_client, alice_client):
    assert f'href="{reverse("cohorts")}">Instructor</a>' in ines_client.get(reverse("home")).content.decode()
    assert ">Instructor</a>" not in alice_client.get(reverse("home")).content.decode()


def test_adding_someone_who_already_teaches_the_cohort_says_so(cohort, ines_client):
    response = ines_client.post(reverse("cohort_add_instructor", args=[cohort.pk]), {"username": "ines"})
    assert response.status_code == 422
    assert f"ines already teaches {cohort.name}." in response.content.decode()


def test_an_instructor_cannot_give_two_cohorts_one_name(cohort, ines, ines_client):
    response = ines_client.post(reverse("cohort_create"), {"name": cohort.name.upper()})
    assert response.status_code == 422 and "You already teach a cohort with this name" in response.content.decode()
    other = classroom.create_cohort(ines, "Autumn block")
    renamed = ines_client.post(reverse("cohort_settings", args=[other.pk]), {"name": cohort.name})
    assert renamed.status_code == 422 and "You already teach a cohort with this name" in renamed.content.decode()
    assert ines_client.post(reverse("cohort_settings", args=[cohort.pk]), {"name": cohort.name}).status_code == 302  # keeping its own name


def test_removing_an_instructor_says_they_no_longer_teach_it(cohort, ines_client):
    carla = UserFactory(username="carla", instructor=True)
    ines_client.post(reverse("cohort_add_instructor", args=[cohort.pk]), {"username": "carla"})
    carla_row = Membership.objects.get(cohort=cohort, user=carla)
    page = ines_client.post(reverse("cohort_remove_member", args=[cohort.pk, carla_row.pk]), follow=True).content.decode()
    assert f"carla no longer teaches {cohort.name}." in page and "Their attempts are kept" not in page
    own = Membership.objects.get(cohort=cohort, user__username="ines")
    ines_client.post(reverse("cohort_add_instructor", args=[cohort.pk]), {"username": "carla"})
    page = ines_client.post(reverse("cohort_remove_member", args=[cohort.pk, own.pk]), follow=True).content.decode()
    assert f"You no longer teach {cohort.name}." in page


def test_an_error_found_by_the_view_still_puts_focus_on_its_field(cohort, ines_client):
    response = ines_client.post(reverse("cohort_add_instructor", args=[cohort.pk]), {"username": "ines"})
    field = response.content.decode().split('name="username"')[1].split(">")[0]
    assert "autofocus" in field


def test_a_revoked_co_instructor_does_not_count_as_the_one_who_stays(cohort, ines, ines_client):
    carla = UserFactory(username="carla", instructor=True)
    classroom.add_co_instructor(cohort, "carla")
    call_command("instructor", "remove", "carla", stdout=StringIO())
    own = Membership.objects.get(cohort=cohort, user=ines)
    response = ines_client.post(reverse("cohort_remove_member", args=[cohort.pk, own.pk]), follow=True)
    assert "at least one instructor" in response.content.decode()
    assert Membership.objects.filter(pk=own.pk).exists()
    # The roster says why, offers no Remove beside Ines, and lets her take Carla's place off.
    roster = ines_client.get(reverse("cohort_roster", args=[cohort.pk])).content.decode()
    assert "carla" in roster and "(instructor rights revoked: no access)" in roster
    assert reverse("cohort_remove_member", args=[cohort.pk, own.pk]) not in roster
    carla_row = Membership.objects.get(cohort=cohort, user=carla)
    assert reverse("cohort_remove_member", args=[cohort.pk, carla_row.pk]) in roster
    confirm = ines_client.get(reverse("cohort_remove_member", args=[cohort.pk, carla_row.pk])).content.decode()
    assert "its pages are already closed to them" in confirm and "They will no longer see its dashboards" not in confirm
    assert ines_client.post(reverse("cohort_remove_member", args=[cohort.pk, carla_row.pk])).status_code == 302
    assert not Membership.objects.filter(pk=carla_row.pk).exists()
