"""Login throttling (django-axes): repeated failures lock the account out, with a clear message."""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

LOCKED = "Too many failed log-in attempts"


def attempt(client: Client, username: str, password: str):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR="203.0.113.7")


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_repeated_failures_lock_out_even_the_right_password():
    assert settings.AXES_FAILURE_LIMIT == 5
    UserFactory(username="alice")
    client = Client()
    for n in range(settings.AXES_FAILURE_LIMIT - 1):
        response = attempt(client, "alice", f"wrong-{n}")
        assert response.status_code == 200, n
        assert "That username and password do not match" in response.content.decode()
        assert LOCKED not in response.content.decode()
    response = attempt(client, "alice", "wrong-last")
    assert response.status_code == 429
    page = response.content.decode()
    assert LOCKED in page
    assert "blocked for 60 minutes" in page and "Try again later" in page
    response = attempt(client, "alice", PASSWORD)
    assert response.status_code == 429 and LOCKED in response.content.decode()
    assert not signed_in(client)


def test_the_lockout_is_per_account_so_others_can_still_sign_in():
    UserFactory(username="alice")
    UserFactory(username="bob")
    client = Client()
    for n in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, "alice", f"wrong-{n}")
    assert attempt(client, "alice", PASSWORD).status_code == 429
    response = attempt(client, "bob", PASSWORD)
    assert response.status_code == 302 and signed_in(client)


def test_a_success_resets_the_count():
    UserFactory(username="alice")
    client = Client()
    for n in range(settings.AXES_FAILURE_LIMIT - 1):
        attempt(client, "alice", f"wrong-{n}")
    assert attempt(client, "alice", PASSWORD).status_code == 302
    client.post(reverse("logout"))
    for n in range(settings.AXES_FAILURE_LIMIT - 1):
        assert attempt(client, "alice", f"again-{n}").status_code == 200
    assert attempt(client, "alice", PASSWORD).status_code == 302


def test_failures_for_an_unknown_username_are_throttled_too():
    """Guessing usernames is throttled the same way: no difference tells which exist."""
    client = Client()
    for n in range(settings.AXES_FAILURE_LIMIT - 1):
        assert attempt(client, "nobody", f"x{n}").status_code == 200
    assert attempt(client, "nobody", "x").status_code == 429


def test_the_last_tries_before_the_lockout_are_announced():
    """A warning while it can still change what the user does: none for the first
    failures, then how many tries are left and what happens after them."""
    UserFactory(username="alice")
    client = Client()
    pages = [attempt(client, "alice", f"wrong-{n}").content.decode() for n in range(settings.AXES_FAILURE_LIMIT - 1)]
    assert all("That username and password do not match" in p for p in pages)
    assert not any("Careful" in p for p in pages[:-2])
    assert "Careful: 2 more failed tries" in pages[-2]
    assert "Careful: 1 more failed try and logging in as this username from this device is blocked for 60 minutes" in pages[-1]
    assert attempt(client, "alice", "wrong-last").status_code == 429  # the limit itself is unchanged


def test_the_lockout_page_keeps_the_username_and_says_how_long_and_what_to_do():
    client = Client()
    for n in range(settings.AXES_FAILURE_LIMIT):
        response = attempt(client, "<b>alice</b>", f"wrong-{n}")
    assert response.status_code == 429
    page = response.content.decode()
    assert "logging in as <strong>&lt;b&gt;alice&lt;/b&gt;</strong> from this device is blocked for 60 minutes" in page
    assert "Each further try during the block starts the wait again" in page
    assert "reset it or to lift the block" in page
    assert f'href="{reverse("login")}"' in page  # another account can still log in


def test_logging_in_as_someone_else_after_a_lockout_keeps_where_they_were_going():
    """A join link's `next` survived log-in and sign-up but not the lockout page."""
    client = Client()
    for n in range(settings.AXES_FAILURE_LIMIT):
        response = client.post(reverse("login"), {"username": "alice", "password": f"wrong-{n}", "next": "/join/ABC234/"},
                               REMOTE_ADDR="203.0.113.7")
    assert response.status_code == 429
    assert f'href="{reverse("login")}?next=/join/ABC234/"' in response.content.decode()


PROXY = "10.0.0.2"  # the TLS proxy: REMOTE_ADDR of every request behind it


def via_proxy(client: Client, username: str, password: str, forwarded_for: str):
    return client.post(reverse("login"), {"username": username, "password": password},
                       REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded_for)


def test_behind_the_proxy_the_lockout_is_per_client_address_not_the_proxys(settings):
    """Keyed on REMOTE_ADDR, five wrong passwords from anywhere locked the account
    everywhere: every request comes from the proxy. The address the proxy appends
    (the last one) is the client's; what a client wrote before it is not believed."""
    settings.AXES_CLIENT_IP_CALLABLE = "trainer.client_ip.behind_proxy"  # DJANGO_BEHIND_PROXY=1
    UserFactory(username="alice")
    guesser = Client()
    for n in range(settings.AXES_FAILURE_LIMIT):
        # The guesser claims to be Alice's address: the proxy appends their real one.
        response = via_proxy(guesser, "alice", f"wrong-{n}", "203.0.113.7, 198.51.100.9")
    assert response.status_code == 429
    assert via_proxy(guesser, "alice", PASSWORD, "198.51.100.9").status_code == 429
    alice = Client()
    assert via_proxy(alice, "alice", PASSWORD, "203.0.113.7").status_code == 302 and signed_in(alice)


def test_without_the_proxy_setting_x_forwarded_for_is_ignored():
    """Otherwise anyone could dodge the lock-out, or lock someone else out, by writing
    the header themselves."""
    UserFactory(username="alice")
    client = Client()
    for n in range(settings.AXES_FAILURE_LIMIT):
        response = via_proxy(client, "alice", f"wrong-{n}", f"198.51.100.{n}")
    assert response.status_code == 429
    assert via_proxy(client, "alice", PASSWORD, "203.0.113.7").status_code == 429
