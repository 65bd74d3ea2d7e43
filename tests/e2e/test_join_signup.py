"""A visitor without an account follows a cohort's join link, signs up and joins,
without JavaScript; the pages on the way, the last-tries warning and the lockout
page pass axe-core."""

import re

import pytest
from django.conf import settings
from playwright.sync_api import expect

from tests.e2e.test_accessibility import Audit
from tests.factories import PASSWORD, UserFactory
from trainer import classroom
from trainer.models import Membership

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_visitor_signs_up_from_the_join_link_and_joins_without_javascript(nojs_page, site):
    page = nojs_page
    cohort = classroom.create_cohort(UserFactory(username="ivy", instructor=True), "Spring block")

    page.goto(f"{site}/join/{cohort.join_code}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Log in")
    expect(page.locator("main")).to_contain_text("You are joining the cohort Spring block")
    page.locator("main").get_by_role("link", name="Sign up").click()
    expect(page.locator("main")).to_contain_text("You are joining the cohort Spring block")

    # A weak password and a typo in the confirmation: every problem in one round.
    page.locator("#id_username").fill("newbie")
    page.locator("#id_password1").fill("abc")
    page.locator("#id_password2").fill("abd")
    page.get_by_role("button", name="Create account").click()
    for text in ("didn’t match", "too short", "too common"):
        expect(page.locator("main")).to_contain_text(text)
    expect(page.locator("#id_username")).to_have_value("newbie")

    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url(f"{site}/join/{cohort.join_code}/")
    assert not Membership.objects.filter(user__username="newbie").exists(), "the link must not join on GET"
    page.get_by_role("button", name="Join Spring block").click()
    page.wait_for_url(f"{site}/")
    expect(page.get_by_role("status").first).to_contain_text("You joined Spring block")
    assert Membership.objects.filter(cohort=cohort, user__username="newbie", role="learner").exists()


def test_join_banner_last_tries_warning_and_lockout_pass_axe(page, site):
    cohort = classroom.create_cohort(UserFactory(username="ivy", instructor=True), "Spring block")
    audit = Audit(page)
    page.goto(f"{site}/join/{cohort.join_code}/")
    audit.check("login, joining a cohort")
    page.locator("main").get_by_role("link", name="Sign up").click()
    audit.check("signup, joining a cohort")

    UserFactory(username="forgetful")
    for n in range(settings.AXES_FAILURE_LIMIT):
        page.goto(f"{site}/accounts/login/")
        page.get_by_label("Username").fill("forgetful")
        page.get_by_label("Password").fill(f"wrong-{n}")
        page.get_by_role("button", name="Log in").click()
        if n == settings.AXES_FAILURE_LIMIT - 2:
            expect(page.locator("main")).to_contain_text("Careful: 1 more failed try")
            audit.check("login, last try before the lockout")
    expect(page.get_by_role("heading", name="Too many failed log-in attempts")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text(re.compile(r"logging in as forgetful from this device is blocked for \d+ minutes"))
    audit.check("locked out")
    audit.assert_clean()
