"""Sign-up, throttled per client address: anyone could create accounts without end from
one address (each a fresh account for guessing join codes, and rows without end). Past
settings.SIGNUPS_PER_HOUR accounts made from one address in an hour, the form comes back
saying so, with what was typed, and makes no account."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.factories import PASSWORD
from trainer.models import ThrottleCount

pytestmark = pytest.mark.django_db

LIMIT = 3
PROXY = "10.0.0.2"  # the TLS proxy: REMOTE_ADDR of every request behind it


@pytest.fixture(autouse=True)
def limit(settings):
    settings.SIGNUPS_PER_HOUR = LIMIT


def sign_up(username: str, address: str = "203.0.113.7", **headers):
    """A new visitor (a signed-in one is sent home) posting the form from `address`."""
    form = {"username": username, "first_name": "Sam", "password1": PASSWORD, "password2": PASSWORD, "next": "/guidance/"}
    return Client(REMOTE_ADDR=address).post(reverse("signup"), form, **headers)


def accounts() -> set[str]:
    return set(get_user_model().objects.values_list("username", flat=True))


def test_past_the_limit_the_form_says_so_keeps_what_was_typed_and_makes_no_account():
    for n in range(LIMIT):
        assert sign_up(f"learner{n}").status_code == 302
    response = sign_up("one-too-many")
    assert response.status_code == 429
    html = response.content.decode()
    assert "Too many accounts have been created from this network in the last hour" in html
    assert "paused for 60 minutes" in html
    assert 'value="one-too-many"' in html and 'value="Sam"' in html  # nothing typed is lost
    assert 'name="next" value="/guidance/"' in html  # nor where they were going
    assert "one-too-many" not in accounts()
    assert not response.context["user"].is_authenticated


def test_other_addresses_are_not_held_up_and_the_pause_ends_with_its_hour():
    for n in range(LIMIT):
        sign_up(f"learner{n}")
    assert sign_up("elsewhere", address="198.51.100.9").status_code == 302
    ThrottleCount.objects.filter(key__endswith="203.0.113.7").update(window_ends=timezone.now() - timedelta(seconds=1))
    assert sign_up("an-hour-later").status_code == 302
    assert {"elsewhere", "an-hour-later"} <= accounts()


def test_the_pause_message_comes_with_the_forms_own_errors():
    for n in range(LIMIT):
        sign_up(f"learner{n}")
    response = Client(REMOTE_ADDR="203.0.113.7").post(
        reverse("signup"), {"username": "carol", "password1": PASSWORD, "password2": "a typo"}
    )
    assert response.status_code == 429
    errors = response.context["form"].errors
    assert "password2" in errors and "Too many accounts" in errors["__all__"][0]


def test_sign_ups_refused_by_the_form_do_not_count():
    """A mistyped confirmation, a name already taken: nobody is paused for those."""
    for n in range(LIMIT + 2):
        Client(REMOTE_ADDR="203.0.113.7").post(reverse("signup"), {"username": f"u{n}", "password1": PASSWORD, "password2": "nope"})
    for n in range(LIMIT):
        assert sign_up(f"learner{n}").status_code == 302


def test_behind_the_proxy_the_client_address_counts_not_the_proxys(settings):
    """The same address as log-in throttling: the one the proxy appended. A client
    writing another address before it does not get a fresh count."""
    settings.AXES_CLIENT_IP_CALLABLE = "trainer.client_ip.behind_proxy"  # DJANGO_BEHIND_PROXY=1
    for n in range(LIMIT):
        assert sign_up(f"learner{n}", PROXY, HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, 203.0.113.7").status_code == 302
    assert sign_up("forged", PROXY, HTTP_X_FORWARDED_FOR="192.0.2.99, 203.0.113.7").status_code == 429
    assert sign_up("someone-else", PROXY, HTTP_X_FORWARDED_FOR="198.51.100.9").status_code == 302


def test_an_ipv6_client_counts_as_its_slash_64():
    """One home or phone gets a /64 and may use any address in it: counted per address,
    each new one started a fresh count. Another /64 is another client."""
    for n in range(LIMIT):
        assert sign_up(f"learner{n}", address=f"2001:db8:1:2::{n + 1:x}").status_code == 302
    assert sign_up("one-too-many", address="2001:db8:1:2:ffff::9").status_code == 429
    assert sign_up("next-door", address="2001:db8:1:3::1").status_code == 302
