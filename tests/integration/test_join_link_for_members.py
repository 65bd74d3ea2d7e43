"""The shared join link, opened by someone already on the cohort's roster.

An instructor checking the link they share (persona ines) was asked "Join Ines's
class? If you join, the cohort's instructors will see your work", as if they could
become a learner of their own cohort (the button then only said "You already teach");
a learner already in it was asked to join again. The page now says where they stand."""

from django.urls import reverse

from tests.factories import ClassroomWorld


def _join_page(client, cohort):
    return client.get(reverse("join_link", args=[cohort.join_code]))


def test_the_cohorts_instructor_is_told_this_is_the_link_learners_use(client, library):
    w = ClassroomWorld()
    client.force_login(w.instructor)
    response = _join_page(client, w.cohort)
    page = response.content.decode()
    assert response.status_code == 200
    assert "You teach Ines&#x27;s class" in page
    assert "If you join" not in page and 'action="%s"' % reverse("join_link", args=[w.cohort.join_code]) not in page
    assert f'href="{reverse("cohort_roster", args=[w.cohort.pk])}"' in page


def test_a_learner_already_in_the_cohort_is_not_asked_to_join_again(client, library):
    w = ClassroomWorld()
    client.force_login(w.learner)
    page = _join_page(client, w.cohort).content.decode()
    assert "You are already a member of Ines&#x27;s class" in page
    assert "If you join" not in page and 'action="%s"' % reverse("join_link", args=[w.cohort.join_code]) not in page
    assert f'href="{reverse("home")}"' in page


def test_anyone_else_is_asked_to_confirm_before_joining(client, library):
    w = ClassroomWorld()
    client.force_login(w.outsider)
    page = _join_page(client, w.cohort).content.decode()
    assert "If you join" in page and 'action="%s"' % reverse("join_link", args=[w.cohort.join_code]) in page
