"""Sign-up past the per-address limit, in a browser: the form comes back with the
reason and what was typed, makes no account, and passes axe-core."""

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from tests.e2e.test_accessibility import Audit
from tests.factories import PASSWORD
from trainer import signup_throttle, throttle

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_paused_sign_up_keeps_what_was_typed_and_says_why(page, site, settings):
    settings.SIGNUPS_PER_HOUR = 2
    for _ in range(2):  # two accounts made from this address (the browser's: 127.0.0.1) this hour
        throttle.hit("signup:addr:127.0.0.1", signup_throttle.WINDOW)
    audit = Audit(page)
    page.goto(f"{site}/accounts/signup/")
    page.locator("#id_username").fill("latecomer")
    page.locator("#id_first_name").fill("Lee")
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page.locator("main")).to_contain_text("Too many accounts have been created from this network in the last hour")
    expect(page.locator("main")).to_contain_text("If you already have an account, log in instead.")
    expect(page.locator("#id_username")).to_have_value("latecomer")
    expect(page.locator("#id_first_name")).to_have_value("Lee")
    assert not get_user_model().objects.filter(username="latecomer").exists()
    audit.check("signup, paused for this address")
    audit.assert_clean()
