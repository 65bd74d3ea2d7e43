"""A learner's pages are theirs alone: another learner (bob) gets a 404 for Alice's
attempt, an anonymous visitor is sent to log in, and no browser keeps a signed-in
person's pages in its cache."""

import pytest
from django.urls import reverse

from tests.factories import play
from tests.integration.play_helpers import choose


def test_another_persons_attempt_is_a_404_for_every_view(bob_client, attempt):
    assert bob_client.get(reverse("attempt", args=[attempt.pk])).status_code == 404
    assert choose(bob_client, attempt, "H1").status_code == 404
    assert bob_client.get(reverse("debrief", args=[attempt.pk])).status_code == 404
    assert attempt.choices.count() == 0


def test_anonymous_is_sent_to_log_in_for_an_attempt(anon_client, attempt):
    response = anon_client.get(reverse("attempt", args=[attempt.pk]))
    assert response.status_code == 302 and reverse("login") in response["Location"]


@pytest.mark.parametrize("name", ["home", "library"])
def test_learner_pages_are_never_served_from_the_browser_cache(alice_client, library, name):
    """Back from another page showed a cached attempt page offering choices already made."""
    assert "no-store" in alice_client.get(reverse(name))["Cache-Control"]


def test_the_attempt_page_is_never_served_from_the_browser_cache(alice_client, attempt):
    assert "no-store" in alice_client.get(reverse("attempt", args=[attempt.pk]))["Cache-Control"]


def test_a_signed_in_persons_pages_are_not_kept_by_the_browser(alice_client, client, attempt, library):
    """On a shared computer, Back after logging out could show a debrief from the cache."""
    play(attempt, attempt.version.playbook.best_choices)
    for url in (reverse("debrief", args=[attempt.pk]), reverse("home"), reverse("my_attempts")):
        cache = alice_client.get(url)["Cache-Control"]
        assert "no-store" in cache and "private" in cache, url
    assert "no-store" not in client.get(reverse("guidance")).get("Cache-Control", "")  # public pages may be cached


def test_a_response_that_read_no_session_is_not_made_to_load_it(alice_client, django_assert_num_queries):
    """The rule above asks whether the view read the session: asking `request.user`
    loaded the session and user for every response (the bench's constant view, which
    reads neither, went from no query to two)."""
    from django.contrib.auth.middleware import AuthenticationMiddleware
    from django.contrib.sessions.backends.db import SessionStore
    from django.http import HttpResponse
    from django.test import RequestFactory

    from trainer.middleware import PrivatePagesMiddleware

    request = RequestFactory().get("/anything/")
    request.session = SessionStore(session_key=alice_client.session.session_key)  # a signed-in visitor's session, unread
    AuthenticationMiddleware(lambda r: None).process_request(request)  # request.user, lazy, as in the stack
    with django_assert_num_queries(0):
        response = PrivatePagesMiddleware(lambda r: HttpResponse("constant"))(request)
    assert not response.has_header("Cache-Control")
