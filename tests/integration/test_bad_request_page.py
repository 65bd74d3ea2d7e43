"""A request Django refuses as malformed (a form of more than 1,000 fields, a body over
2.5 MB): the site's own 400 page with a way back, never Django's bare "Bad Request (400)"
heading; an htmx request is told nothing was recorded without blaming the server."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from tests.factories import AttemptFactory

pytestmark = pytest.mark.django_db

TOO_MANY_FIELDS = {f"field{i}": "x" for i in range(1100)}  # DATA_UPLOAD_MAX_NUMBER_FIELDS is 1000


@pytest.fixture
def choose_url(library, alice):
    return reverse("attempt_choose", args=[AttemptFactory(user=alice, code="C01").pk])


def test_a_malformed_form_gets_the_sites_own_page_with_a_way_back(alice_client, choose_url):
    response = alice_client.post(choose_url, {"option": "H1", **TOO_MANY_FIELDS})
    assert response.status_code == 400
    page = response.content.decode()
    assert "could not be read" in page
    assert 'href="/"' in page  # back to the home page


def test_an_htmx_request_is_told_nothing_was_recorded_not_that_the_server_failed(alice_client, choose_url):
    response = alice_client.post(choose_url, {"option": "H1", **TOO_MANY_FIELDS}, HTTP_HX_REQUEST="true")
    assert response.status_code == 400 and response["HX-Refresh"] == "true"
    shown = [str(m) for m in get_messages(response.wsgi_request)]
    assert shown == ["The server could not read that request (it was too large or malformed); nothing was recorded."]
