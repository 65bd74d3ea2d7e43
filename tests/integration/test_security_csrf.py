"""CSRF is enforced on every state-changing request, including htmx ones.

Every URL pattern (the same walk as the authorisation matrix) is sent POST, PUT,
PATCH and DELETE without a token, as a plain form and as htmx, by the persona
who is allowed to use it: each is refused with 403 and nothing changes. The
control: the token the page hands to htmx (body hx-headers) makes the same POST work.
"""

import json
import re

import pytest
from django.test import Client
from django.urls import reverse

from cases.models import Case, CaseVersion
from tests.integration.test_authz_matrix import MATRIX, PERSONAS, World, walk
from trainer.models import Assignment, Attempt, Choice, Cohort, Membership
from tests.integration.play_helpers import as_sent

HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_REQUEST_TYPE": "partial", "HTTP_HX_CURRENT_URL": "http://testserver/"}
MODELS = (Attempt, Choice, Cohort, Membership, Assignment, Case, CaseVersion)


def allowed_persona(name: str) -> str:
    """The persona for whom the view does its work (so a 403 is CSRF, not access)."""
    _, expected = MATRIX[name]
    for persona in PERSONAS:
        if expected[persona] in ("200", "redirect"):
            return persona
    raise AssertionError(f"no persona may use {name}")


def counts() -> dict[str, int]:
    return {m.__name__: m.objects.count() for m in MODELS}


def csrf_client(world: World, persona: str) -> Client:
    client = Client(enforce_csrf_checks=True)
    if persona != "anonymous":
        client.force_login(world.users[persona])
    return client


def test_every_url_refuses_unsafe_methods_without_a_token(library):
    world = World(library)
    before = counts()
    refused = []
    for r in walk()[0]:
        if r.name not in MATRIX:
            continue  # the matrix test names it
        persona = allowed_persona(r.name)
        url = reverse(r.name, kwargs=world.kwargs(r.name, r.params))
        client = csrf_client(world, persona)
        for method in ("post", "put", "patch", "delete"):
            for headers in ({}, HTMX):
                response = getattr(client, method)(url, world.data(r.name), **headers)
                if response.status_code != 403:
                    refused.append(f"{method.upper()} {url} as {persona}{' (htmx)' if headers else ''}: {response.status_code}")
    assert not refused, "accepted without a CSRF token:\n" + "\n".join(refused)
    assert counts() == before


def test_a_wrong_token_is_refused_too(library):
    world = World(library)
    client = csrf_client(world, "learner")
    client.get(reverse("attempt", args=[world.in_progress.pk]))
    url = reverse("attempt_choose", args=[world.in_progress.pk])
    response = client.post(url, {"option": as_sent(world.in_progress, "H3")}, HTTP_X_CSRFTOKEN="x" * 64, **HTMX)
    assert response.status_code == 403
    assert world.in_progress.choice_ids() == ["H1"]


def token_from_page(html: str) -> str:
    match = re.search(r"""hx-headers:inherited='([^']+)'""", html)
    assert match, "the page must hand htmx its CSRF token (body hx-headers:inherited)"
    return json.loads(match.group(1))["X-CSRFToken"]


def test_the_token_htmx_sends_makes_the_same_requests_work(library):
    """Control: the refusals above are CSRF, not something else."""
    world = World(library)
    client = csrf_client(world, "learner")
    page = client.get(reverse("attempt", args=[world.in_progress.pk]))
    token = token_from_page(page.content.decode())
    url = reverse("attempt_choose", args=[world.in_progress.pk])
    response = client.post(url, {"option": as_sent(world.in_progress, "H3")}, HTTP_X_CSRFTOKEN=token, **HTMX)
    assert response.status_code == 200
    assert world.in_progress.choice_ids() == ["H1", "H3"]
    # The plain form's hidden field works the same way without JavaScript.
    field = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)
    response = client.post(url, {"option": as_sent(world.in_progress, "H4"), "csrfmiddlewaretoken": field})
    assert response.status_code == 302
    assert world.in_progress.choice_ids() == ["H1", "H3", "H4"]

    instructor = csrf_client(world, "instructor")
    page = instructor.get(reverse("cohorts"))
    response = instructor.post(reverse("cohort_create"), {"name": "Spring"}, HTTP_X_CSRFTOKEN=token_from_page(page.content.decode()))
    assert response.status_code == 302
    assert Cohort.objects.filter(name="Spring").exists()


@pytest.mark.parametrize("name", ["login", "signup"])
def test_the_login_and_signup_forms_need_a_token(db, name):
    """Login CSRF: a forged login would sign a victim into the attacker's account."""
    client = Client(enforce_csrf_checks=True)
    data = {"username": "mallory", "password": "x", "password1": "long-enough-pass-1", "password2": "long-enough-pass-1"}
    assert client.post(reverse(name), data).status_code == 403
    assert "_auth_user_id" not in client.session
