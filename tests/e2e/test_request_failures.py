"""When a choice cannot be saved, the learner is told so, and never finds a whole
login or error page inside the stage panel."""

import re

import pytest
from django.conf import settings
from playwright.sync_api import expect

from tests.e2e.conftest import PASSWORD, sign_in, start_case
from trainer.models import Attempt

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

C01_PRESENTATION = "Low back spasm after lifting, 34-year-old warehouse picker"
ONSET = "When did it start, and what were you doing?"


def test_a_choice_that_never_reaches_the_server_says_nothing_was_recorded(page, site, learner):
    sign_in(page, site, learner)
    pk = start_case(page, site, C01_PRESENTATION)
    page.route("**/choose/", lambda route: route.abort("internetdisconnected"))
    page.get_by_role("button", name=ONSET, exact=True).click()
    alert = page.locator("#request-failed")
    expect(alert).to_be_visible()
    expect(alert).to_have_text("Could not reach the server, so nothing was recorded. Check your connection and try again.")
    assert Attempt.objects.get(pk=pk).choice_ids() == []

    page.unroute("**/choose/")
    page.get_by_role("button", name=ONSET, exact=True).click()
    expect(alert).to_be_hidden()
    expect(page.locator(".transcript .entry").last).to_contain_text("lifting")
    assert Attempt.objects.get(pk=pk).choice_ids() == ["H1"]


@pytest.mark.parametrize("status", [502, 504])
def test_an_error_page_from_in_front_of_django_leaves_the_panel_and_says_what_to_do(page, site, learner, status):
    """htmx 4 swaps any answer: a proxy's "502 Bad Gateway" page replaced the stage panel
    and its options, with no word on whether the choice was kept."""
    sign_in(page, site, learner)
    pk = start_case(page, site, C01_PRESENTATION)
    body = f"<html><body><h1>{status} Bad Gateway</h1><hr>nginx</body></html>"
    page.route("**/choose/", lambda route: route.fulfill(status=status, content_type="text/html", body=body))
    onset = page.get_by_role("button", name=ONSET, exact=True)
    onset.focus()
    page.keyboard.press("Enter")
    alert = page.locator("#request-failed")
    expect(alert).to_have_text(f"The server could not answer (error {status}). Reload the page to see what was saved, then try again.")
    expect(page.get_by_text("Bad Gateway")).to_have_count(0)
    expect(onset).to_be_enabled()
    expect(onset).to_be_focused()  # the keyboard user is where they were
    assert Attempt.objects.get(pk=pk).choice_ids() == []

    page.unroute("**/choose/")
    onset.click()
    expect(alert).to_be_hidden()
    expect(page.locator(".transcript .entry").last).to_contain_text("lifting")
    assert Attempt.objects.get(pk=pk).choice_ids() == ["H1"]


def test_a_filter_that_gets_a_proxy_error_page_keeps_the_list_and_says_nothing_changed(page, site, learner):
    """The library's filters are GETs: nothing was saved, so "reload to see what was saved"
    would mislead."""
    sign_in(page, site, learner)
    page.goto(f"{site}/cases/")
    expect(page.locator("#results article")).to_have_count(14)
    page.route("**/cases/?*", lambda route: route.fulfill(status=502, content_type="text/html", body="<h1>502 Bad Gateway</h1>"))
    page.get_by_label("Type").select_option("benign")
    expect(page.locator("#request-failed")).to_have_text("The server could not answer (error 502). Nothing changed; try again in a moment.")
    expect(page.locator("#results article")).to_have_count(14)
    expect(page.get_by_text("Bad Gateway")).to_have_count(0)


def test_after_signing_out_in_another_tab_a_click_leads_to_sign_in_and_back_to_the_attempt(page, site, learner):
    learner.set_password(PASSWORD)
    learner.save()
    sign_in(page, site, learner)
    pk = start_case(page, site, C01_PRESENTATION)
    # What signing out in another tab does to this one: the session is gone, the CSRF cookie stays.
    page.context.clear_cookies(name=settings.SESSION_COOKIE_NAME)
    page.get_by_role("button", name=ONSET, exact=True).click()
    page.wait_for_url(f"**/accounts/login/?next=%2Fattempts%2F{pk}%2F")
    expect(page.get_by_role("status")).to_contain_text("Your session has ended: sign in again to carry on where you left off.")
    expect(page.locator("#stage-panel")).to_have_count(0)  # a whole page, not a panel
    page.get_by_label("Username").fill(learner.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"**/attempts/{pk}/")
    page.get_by_role("button", name=ONSET, exact=True).click()
    expect(page.locator(".transcript .entry").last).to_contain_text("lifting")
    assert Attempt.objects.get(pk=pk).choice_ids() == ["H1"]


def test_with_every_cookie_gone_a_click_reloads_into_sign_in_instead_of_a_403_in_the_panel(page, site, learner):
    sign_in(page, site, learner)
    pk = start_case(page, site, C01_PRESENTATION)
    page.context.clear_cookies()  # no session and no CSRF cookie: the POST is refused before the view
    page.get_by_role("button", name=ONSET, exact=True).click()
    page.wait_for_url(re.compile(rf"/accounts/login/\?next=(/|%2F)attempts(/|%2F){pk}(/|%2F)$"))
    expect(page.get_by_role("status")).to_contain_text("nothing was recorded, so try again")
    expect(page.locator("#stage-panel")).to_have_count(0)
    assert Attempt.objects.get(pk=pk).choice_ids() == []
