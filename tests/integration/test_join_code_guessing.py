"""Guessing join codes: a code is 8 characters from 31, which holds only while guesses
are few. The join form, the join link and the log-in and sign-up pages (which name the
cohort a `next=/join/CODE/` leads to, for anyone) answered every guess, unthrottled.
Past the limit of codes that match no open cohort, per account and per address, no code
is looked up, right or wrong, so the limit cannot be probed with a right one either."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import TaughtCohortFactory, UserFactory
from trainer import join_throttle
from trainer.models import Membership


@pytest.fixture
def cohort(ines):
    return TaughtCohortFactory(name="Spring block", created_by=ines)


def signed_in(user, address="10.0.0.1") -> Client:
    client = Client(REMOTE_ADDR=address)
    client.force_login(user)
    return client


def wrong_codes(n: int):
    return [f"ZZZZ{i:04d}".replace("0", "Q").replace("1", "R") for i in range(n)]


def test_an_account_that_guesses_wrong_too_often_is_paused_even_for_the_right_code(cohort):
    mallory = UserFactory(username="mallory")
    client = signed_in(mallory)
    for code in wrong_codes(join_throttle.PER_ACCOUNT):
        response = client.post(reverse("join"), {"code": code})
        assert response.status_code == 422
        assert "No open cohort has that join code" in response.content.decode()
    response = client.post(reverse("join"), {"code": cohort.join_code})
    assert response.status_code == 429
    assert "joining is paused for 15 minutes" in response.content.decode()
    # The link too, and it names no cohort.
    response = client.get(reverse("join_link", args=[cohort.join_code]), follow=True)
    assert "Spring block" not in response.content.decode()
    assert "joining is paused" in response.content.decode()
    assert not Membership.objects.filter(user=mallory).exists()
    # Someone else at the same address is not held up by one account's guesses.
    alice = UserFactory(username="alice2")
    assert signed_in(alice).post(reverse("join"), {"code": cohort.join_code}).status_code == 302
    assert Membership.objects.filter(user=alice, cohort=cohort).exists()


def test_a_mistyped_code_or_two_does_not_pause_anyone(cohort):
    alice = UserFactory(username="alice2")
    client = signed_in(alice)
    for code in wrong_codes(join_throttle.PER_ACCOUNT - 1):
        client.post(reverse("join"), {"code": code})
    assert client.post(reverse("join"), {"code": cohort.join_code}).status_code == 302
    assert Membership.objects.filter(user=alice, cohort=cohort).exists()


def test_new_accounts_from_one_address_share_its_limit(cohort):
    """Sign-up makes accounts at will: the address's count stops that."""
    codes = iter(wrong_codes(join_throttle.PER_ADDRESS))
    for n in range(join_throttle.PER_ADDRESS // join_throttle.PER_ACCOUNT):
        client = signed_in(UserFactory(username=f"sock{n}"), address="10.0.0.66")
        for _ in range(join_throttle.PER_ACCOUNT):
            client.get(reverse("join_link", args=[next(codes)]))  # the link counts like the form
    fresh = UserFactory(username="sock-fresh")
    assert signed_in(fresh, address="10.0.0.66").post(reverse("join"), {"code": cohort.join_code}).status_code == 429
    assert signed_in(fresh, address="10.0.0.67").post(reverse("join"), {"code": cohort.join_code}).status_code == 302


@pytest.mark.parametrize("page", ["login", "signup"])
def test_the_log_in_and_sign_up_pages_stop_naming_cohorts_for_an_address_that_guesses(cohort, page):
    anonymous = Client(REMOTE_ADDR="10.0.0.99")
    url = reverse(page)
    assert "Spring block" in anonymous.get(url, {"next": f"/join/{cohort.join_code}/"}).content.decode()
    for code in wrong_codes(join_throttle.PER_ADDRESS):
        assert "You are joining the cohort" not in anonymous.get(url, {"next": f"/join/{code}/"}).content.decode()
    html = anonymous.get(url, {"next": f"/join/{cohort.join_code}/"}).content.decode()
    assert "Spring block" not in html
    assert "Log in or sign up to join a cohort" in html
