"""A NUL character anywhere in a request's address, cookies or headers is a 400 Bad
Request on every database. PostgreSQL text cannot hold NUL, so such a value reaching
a query was a 500 there (DataError), while SQLite answered 200 or 404. Run these on
PostgreSQL too (DATABASE_URL)."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import PASSWORD, TaughtCohortFactory
from trainer.middleware import RejectNulBytesMiddleware
from trainer.models import Attempt

pytestmark = pytest.mark.django_db


def assert_bad_request(response) -> None:
    assert response.status_code == 400, response.status_code
    assert response["Content-Type"].startswith("text/plain")
    assert response.content.decode() == RejectNulBytesMiddleware.MESSAGE


@pytest.mark.parametrize("key", ["region", "type", "difficulty"])
def test_a_nul_byte_in_a_filter_is_a_bad_request_not_a_server_error(library, anon_client, alice_client, key):
    assert anon_client.get(reverse("library"), {key: "Lumbar"}).status_code == 200  # an unknown value is fine
    assert_bad_request(anon_client.get(f"/cases/?{key}=%00"))
    assert_bad_request(alice_client.get(f"/cases/?{key}=Lumbar%00"))
    # htmx's filter form asks for the same address.
    assert_bad_request(alice_client.get(f"/cases/?{key}=%00", headers={"HX-Request": "true"}))


def test_a_nul_byte_in_a_query_parameters_name_is_a_bad_request(library, anon_client):
    assert_bad_request(anon_client.get("/cases/?region%00=Lumbar"))
    assert_bad_request(anon_client.get("/cases/?%00"))


def test_a_nul_byte_in_the_path_is_a_bad_request_and_starts_nothing(library, alice, alice_client):
    assert_bad_request(alice_client.post("/cases/A%00/start/"))
    assert_bad_request(alice_client.post("/cases/C01%00/start/"))
    assert_bad_request(alice_client.get("/join/AB%00CD/"))
    assert not Attempt.objects.filter(user=alice).exists()


def test_a_nul_byte_in_the_dashboard_search_is_a_bad_request(library, ines, ines_client):
    cohort = TaughtCohortFactory(created_by=ines)
    url = reverse("cohort_dashboard", args=[cohort.pk])
    assert_bad_request(ines_client.get(f"{url}?q=%00"))
    assert_bad_request(ines_client.get(f"{url}?q=al%00ice&sort=name", headers={"HX-Request": "true"}))


def test_a_nul_byte_in_a_session_cookie_is_a_bad_request(library):
    # Django's cookie parser unescapes octal in a quoted value: a NUL reached the
    # session lookup on every page, and no front server refuses "\000".
    browser = Client(HTTP_COOKIE='sessionid="abcdefgh\\000ijklmnop"')
    assert_bad_request(browser.get(reverse("home")))
    assert_bad_request(browser.get(reverse("library")))


def test_a_nul_byte_in_a_header_is_a_bad_request(library, alice):
    # django-axes stores the User-Agent of every sign-in; the development server
    # passes a raw NUL in a header through (gunicorn refuses it).
    browser = Client()
    assert_bad_request(browser.post(reverse("login"), {"username": "alice", "password": PASSWORD}, HTTP_USER_AGENT="probe\0"))
    assert "sessionid" not in browser.cookies  # not signed in
