"""The permission edge of every classroom view, for each persona: anonymous, the
learner in the cohort, a learner outside it, the cohort's instructor and the
instructor of another cohort. To anyone but its instructors a cohort's pages do
not exist (404), so their existence leaks nothing."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import ClassroomWorld
from trainer.models import Assignment, Membership

PERSONAS = ("anonymous", "learner", "outsider", "instructor", "other_instructor")


@pytest.fixture
def world(library):
    return ClassroomWorld()


def client_for(world, persona: str) -> Client:
    client = Client()
    if persona != "anonymous":
        client.force_login(getattr(world, persona))
    return client


def _membership(w):
    return Membership.objects.get(cohort=w.cohort, user=w.learner).pk


# (url name, method, args, POST data): the cohort's instructor-only views.
INSTRUCTOR_VIEWS = [
    ("cohort_dashboard", "get", lambda w: [w.cohort.pk], None),
    ("cohort_roster", "get", lambda w: [w.cohort.pk], None),
    ("cohort_misses", "get", lambda w: [w.cohort.pk], None),
    ("cohort_settings", "post", lambda w: [w.cohort.pk], lambda w: {"name": "Renamed"}),
    ("cohort_new_code", "post", lambda w: [w.cohort.pk], lambda w: {"confirm": "1", "replacing": w.cohort.join_code}),
    ("cohort_archive", "post", lambda w: [w.cohort.pk], lambda w: {"archived": "1"}),
    ("assignment_create", "get", lambda w: [w.cohort.pk], None),
    ("assignment_detail", "get", lambda w: [w.cohort.pk, w.assignment.pk], None),
    ("assignment_edit", "post", lambda w: [w.cohort.pk, w.assignment.pk], lambda w: {
        "opens_at": "2020-01-01T09:00", "due_at": "2020-01-02T09:00", "mode": "practice", "counts": "best"}),
    ("assignment_remove", "post", lambda w: [w.cohort.pk, w.assignment.pk], lambda w: {}),
    ("item_analysis", "get", lambda w: [w.cohort.pk, w.assignment.case.slug], None),
    ("cohort_student", "get", lambda w: [w.cohort.pk, w.learner.pk], None),
    ("cohort_attempt", "get", lambda w: [w.cohort.pk, w.attempt.pk], None),
    ("export_matrix", "get", lambda w: [w.cohort.pk], None),
    ("export_attempts", "get", lambda w: [w.cohort.pk], None),
    ("cohort_add_instructor", "post", lambda w: [w.cohort.pk], lambda w: {"username": "oscar"}),
    ("cohort_remove_member", "post", lambda w: [w.cohort.pk, _membership(w)], lambda w: {}),
]


@pytest.mark.parametrize("name,method,args,data", INSTRUCTOR_VIEWS, ids=[v[0] for v in INSTRUCTOR_VIEWS])
@pytest.mark.parametrize("persona", PERSONAS)
def test_only_the_cohorts_instructor_gets_in(world, persona, name, method, args, data):
    url = reverse(name, args=args(world))
    client = client_for(world, persona)
    response = client.get(url) if method == "get" else client.post(url, data(world))
    if persona == "anonymous":
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    elif persona == "instructor":
        assert response.status_code == (200 if method == "get" else 302)
    else:
        assert response.status_code == 404
    # Nothing changed unless the cohort's own instructor asked.
    if name == "cohort_remove_member":
        assert Membership.objects.filter(cohort=world.cohort, user=world.learner).exists() == (persona != "instructor")
    if name == "cohort_add_instructor":
        added = Membership.objects.filter(cohort=world.cohort, user=world.other_instructor).exists()
        assert added == (persona == "instructor")
    if name in ("cohort_settings", "cohort_new_code", "cohort_archive"):
        before = (world.cohort.name, world.cohort.join_code, world.cohort.archived)
        world.cohort.refresh_from_db()
        after = (world.cohort.name, world.cohort.join_code, world.cohort.archived)
        assert (after != before) == (persona == "instructor")
    if name == "assignment_remove":
        assert Assignment.objects.filter(pk=world.assignment.pk).exists() == (persona != "instructor")
    if name == "assignment_edit":
        world.assignment.refresh_from_db()
        assert (world.assignment.due_at.year == 2020) == (persona == "instructor")


def test_another_cohorts_learner_cannot_be_drilled_into(world):
    # Ines teaches her cohort, but Otto is Oscar's learner: no drill-down, no attempt.
    client = client_for(world, "instructor")
    assert client.get(reverse("cohort_student", args=[world.cohort.pk, world.outsider.pk])).status_code == 404
    other_attempt_url = reverse("cohort_attempt", args=[world.other_cohort.pk, world.attempt.pk])
    assert client.get(other_attempt_url).status_code == 404
    # An attempt of her own learner, addressed through Oscar's cohort, is still hidden from Oscar.
    oscar = client_for(world, "other_instructor")
    assert oscar.get(reverse("cohort_attempt", args=[world.other_cohort.pk, world.attempt.pk])).status_code == 404


@pytest.mark.parametrize("persona", PERSONAS)
def test_cohort_list_and_create_are_for_instructors(world, persona):
    client = client_for(world, persona)
    listing = client.get(reverse("cohorts"))
    created = client.post(reverse("cohort_create"), {"name": f"New class by {persona}"})
    if persona == "anonymous":
        assert listing.status_code == 302 and created.status_code == 302
        assert "login" in created["Location"]
    elif persona in ("instructor", "other_instructor"):
        assert listing.status_code == 200
        assert created.status_code == 302
        assert Membership.objects.filter(cohort__name=f"New class by {persona}", role="instructor").count() == 1
    else:
        assert listing.status_code == 404 and created.status_code == 404
    if persona not in ("instructor", "other_instructor"):
        assert not Membership.objects.filter(cohort__name=f"New class by {persona}").exists()


def test_cohort_list_shows_only_own_cohorts(world):
    page = client_for(world, "instructor").get(reverse("cohorts")).content.decode()
    assert "Ines&#x27;s class" in page and "Oscar" not in page


@pytest.mark.parametrize("persona", PERSONAS)
def test_starting_an_assignment_needs_a_learner_of_the_cohort(world, persona):
    client = client_for(world, persona)
    before = world.assignment.attempts.count()
    response = client.post(reverse("assignment_start", args=[world.assignment.pk]))
    if persona == "anonymous":
        assert response.status_code == 302 and "login" in response["Location"]
    elif persona == "learner":
        # Lena already finished (practice, unlimited): a new attempt starts.
        assert response.status_code == 302 and "/attempts/" in response["Location"]
        assert world.assignment.attempts.count() == before + 1
    else:
        assert response.status_code == 404
    if persona != "learner":
        assert world.assignment.attempts.count() == before


@pytest.mark.parametrize("persona", PERSONAS)
def test_join_pages_need_a_signed_in_user(world, persona):
    client = client_for(world, persona)
    for url in (reverse("join"), reverse("join_link", args=[world.cohort.join_code])):
        response = client.get(url)
        if persona == "anonymous":
            assert response.status_code == 302
            assert response["Location"] == f"{reverse('login')}?next={url}"
        else:
            assert response.status_code == 200


@pytest.mark.parametrize("persona", ["learner", "outsider", "instructor", "other_instructor"])
def test_learners_see_only_their_own_work_on_home(world, persona):
    page = client_for(world, persona).get(reverse("home")).content.decode()
    # Lena's finished assigned attempt shows on her home page, and on no one else's.
    assert (f"/attempts/{world.attempt.pk}/debrief/" in page) == (persona == "learner")


def test_a_learner_cannot_open_anothers_assigned_debrief(world):
    url = reverse("debrief", args=[world.attempt.pk])
    assert client_for(world, "outsider").get(url).status_code == 404
    assert client_for(world, "instructor").get(url).status_code == 404  # instructors use cohort_attempt
    assert client_for(world, "learner").get(url).status_code == 200
