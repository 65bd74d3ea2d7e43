"""What a learner sees when an htmx request cannot get its fragment: never a whole
login or error page inside the stage panel, and after signing in again, their attempt."""

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from tests.factories import AttemptFactory
from tests.integration.play_helpers import as_sent

pytestmark = pytest.mark.django_db


@pytest.fixture
def attempt(library, alice):
    return AttemptFactory(user=alice, code="C01")


def htmx_from(page: str) -> dict:
    return {"HTTP_HX_REQUEST": "true", "HTTP_HX_CURRENT_URL": f"http://testserver{page}"}


def test_a_choice_after_the_session_ended_sends_the_whole_page_to_sign_in_and_back(alice_client, attempt):
    page = reverse("attempt", args=[attempt.pk])
    alice_client.post(reverse("logout"))
    response = alice_client.post(reverse("attempt_choose", args=[attempt.pk]), {"option": as_sent(attempt, "H1")}, **htmx_from(page))
    assert response.status_code == 200 and response.content == b""  # nothing for htmx to swap into the panel
    assert response["HX-Redirect"] == f"{reverse('login')}?next=%2Fattempts%2F{attempt.pk}%2F"
    assert not attempt.choices.exists()


def test_without_javascript_the_login_returns_to_the_page_not_the_post_only_action(alice, attempt):
    browser = Client()
    page = reverse("attempt", args=[attempt.pk])
    response = browser.post(reverse("attempt_choose", args=[attempt.pk]), {"option": as_sent(attempt, "H1")}, HTTP_REFERER=f"http://testserver{page}")
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next=%2Fattempts%2F{attempt.pk}%2F"
    assert "Your session has ended: sign in again" in browser.get(response["Location"]).content.decode()
    # Before, next was /attempts/<id>/choose/: signing in led to the 405 page.
    browser.force_login(alice)
    assert browser.get(page).status_code == 200


def test_a_page_on_another_site_is_never_the_way_back(alice, attempt):
    response = Client().post(
        reverse("attempt_choose", args=[attempt.pk]), {"option": as_sent(attempt, "H1")}, HTTP_REFERER="https://evil.example/attempts/1/"
    )
    assert response["Location"] == f"{reverse('login')}?next=%2F"


def test_a_path_of_ours_that_reads_as_another_host_is_never_the_way_back(alice, attempt):
    """A security audit: our host with the path //evil.example/x gave next=//evil.example/x
    (the login view refused it, but the middleware should not build it)."""
    for extra in ({"HTTP_REFERER": "http://testserver//evil.example/x"}, {"HTTP_HX_REQUEST": "true", "HTTP_HX_CURRENT_URL": "http://testserver//evil.example/x"}):
        response = Client().post(reverse("attempt_choose", args=[attempt.pk]), {"option": as_sent(attempt, "H1")}, **extra)
        target = response.get("HX-Redirect") or response["Location"]
        assert target == f"{reverse('login')}?next=%2F", extra


def test_a_stale_csrf_token_reloads_the_page_with_a_message_instead_of_the_403_page(alice, attempt):
    # Signing in again in another tab rotates the CSRF token: this tab's token is stale.
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(alice)
    page = reverse("attempt", args=[attempt.pk])
    response = browser.post(reverse("attempt_choose", args=[attempt.pk]), {"option": as_sent(attempt, "H1")}, **htmx_from(page))
    assert response.status_code == 403 and response["HX-Refresh"] == "true" and response.content == b""
    [message] = get_messages(response.wsgi_request)
    assert "nothing was recorded, so try again" in str(message)
    assert "nothing was recorded, so try again" in browser.get(page).content.decode()
    assert not attempt.choices.exists()


def test_someone_elses_attempt_by_htmx_reloads_the_page_and_keeps_the_404(bob_client, attempt):
    response = bob_client.post(reverse("attempt_choose", args=[attempt.pk]), {"option": as_sent(attempt, "H1")}, **htmx_from("/"))
    assert response.status_code == 404 and response["HX-Refresh"] == "true" and response.content == b""


def test_fragments_and_their_validation_errors_are_left_alone(alice_client, attempt):
    page = reverse("attempt", args=[attempt.pk])
    ok = alice_client.post(reverse("attempt_choose", args=[attempt.pk]), {"option": as_sent(attempt, "H1")}, **htmx_from(page))
    refused = alice_client.post(reverse("attempt_choose", args=[attempt.pk]), {"option": "nope"}, **htmx_from(page))
    assert (ok.status_code, refused.status_code) == (200, 422)
    assert "HX-Refresh" not in ok and "HX-Refresh" not in refused and b"Nothing was recorded" in refused.content


def test_head_requests_are_answered_like_get(alice_client, library):
    # Uptime monitors and link checkers send HEAD; require_GET answered them 405.
    assert alice_client.head(reverse("home")).status_code == 200
    assert Client().head(reverse("library")).status_code == 200


def test_a_boosted_start_after_the_session_ended_signs_in_and_returns_to_the_library(alice_client, alice, library):
    """Start is boosted (htmx): its failures are handled as a choice's are, never a
    login page swapped in at the POST-only action's address."""
    alice_client.post(reverse("logout"))
    response = alice_client.post(reverse("start_attempt", args=["C01"]), **htmx_from(reverse("library")))
    assert response.status_code == 200 and response.content == b""
    assert response["HX-Redirect"] == f"{reverse('login')}?next=%2Fcases%2F"
    browser = Client(enforce_csrf_checks=True)  # a stale token: another tab signed in again
    browser.force_login(alice)
    stale = browser.post(reverse("start_attempt", args=["C01"]), **htmx_from(reverse("library")))
    assert stale.status_code == 403 and stale["HX-Refresh"] == "true"
    assert not alice.attempts.exists()
