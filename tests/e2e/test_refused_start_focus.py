"""A boosted Start the server refuses lands back on home with the reason: the keyboard
user's focus must come with it, not fall to <body> at the top of the page."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import mark_window, sign_in, window_marker
from tests.factories import AssignmentFactory, TaughtCohortFactory, enrol, play_assigned

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_refused_start_puts_focus_on_the_page_that_says_why(page, site, learner):
    cohort = TaughtCohortFactory(name="Evening class")
    enrol(cohort, learner)
    assessed = AssignmentFactory(cohort=cohort, code="C04", mode="assessed", max_attempts=1, counts="first")
    sign_in(page, site, learner)
    page.goto(f"{site}/")
    mark_window(page)
    start = page.get_by_role("button", name=re.compile(r"^Start\b"))
    expect(start).to_have_count(1)
    play_assigned(learner, assessed)  # submitted meanwhile, from another tab or device
    start.focus()
    page.keyboard.press("Enter")
    message = page.locator(".messages")
    expect(message).to_contain_text("this exercise allows")
    assert window_marker(page) == "still here"  # a boosted swap, not a page load
    focused = page.evaluate("document.activeElement.id")
    assert focused == "main", f"focus went to {focused or page.evaluate('document.activeElement.tagName')}"
    # The next Tab goes on from the top of the page's content, not from the browser's toolbar.
    expect(page.locator("main")).to_be_focused()
