"""Boosted Starts (library, home, debrief) that come back with something to tell:
the keyboard and screen-reader user's focus lands on that message. A refused Start
dropped focus to <body> (the next Tab began at the page's top); a Start that counted
for an exercise put focus on the case's heading, past "this attempt counts for it",
a message swapped in with the page that screen readers do not reliably announce."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import mark_window, sign_in, window_marker
from tests.factories import AssignmentFactory, TaughtCohortFactory, enrol, play_assigned

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

C01_PRESENTATION = "Low back spasm after lifting, 34-year-old warehouse picker"


def press(page, button) -> None:
    button.focus()
    page.keyboard.press("Enter")


def test_a_refused_start_puts_focus_on_the_reason(page, site, learner):
    cohort = TaughtCohortFactory(name="Evening class")
    enrol(cohort, learner)
    assessed = AssignmentFactory(cohort=cohort, code="C04", mode="assessed", max_attempts=1, counts="first")
    sign_in(page, site, learner)
    page.goto(f"{site}/")
    mark_window(page)
    start = page.get_by_role("button", name=re.compile(r"^Start\b"))
    expect(start).to_have_count(1)
    play_assigned(learner, assessed)  # submitted meanwhile, from another tab or device
    press(page, start)
    message = page.locator(".messages")
    expect(message).to_contain_text("You have used the one attempt this exercise allows.")
    assert window_marker(page) == "still here"  # a boosted swap, not a page load
    expect(message).to_be_focused()


def test_a_start_that_counts_for_an_exercise_puts_focus_on_saying_so(page, site, learner):
    cohort = TaughtCohortFactory(name="Evening class")
    enrol(cohort, learner)
    AssignmentFactory(cohort=cohort, code="C01", mode="practice", max_attempts=None, counts="best")
    sign_in(page, site, learner)
    page.goto(f"{site}/cases/")
    mark_window(page)
    press(page, page.get_by_role("button", name=re.compile(rf"^Start case\W+{re.escape(C01_PRESENTATION)}$")))
    page.wait_for_url("**/attempts/*/")
    message = page.locator(".messages")
    expect(message).to_contain_text("is assigned to you in Evening class: this attempt counts for it.")
    assert window_marker(page) == "still here"
    expect(message).to_be_focused()
    # The page's own marks still lead after that: the first answer gets focus as always.
    page.locator(".option-list button").first.click()
    expect(page.locator("#answer")).to_be_focused()


def test_a_start_with_nothing_to_tell_still_lands_on_the_case_heading(page, site, learner):
    sign_in(page, site, learner)
    page.goto(f"{site}/cases/")
    press(page, page.get_by_role("button", name=re.compile(rf"^Start case\W+{re.escape(C01_PRESENTATION)}$")))
    page.wait_for_url("**/attempts/*/")
    expect(page.locator(".messages")).to_have_count(0)
    expect(page.get_by_role("heading", level=1)).to_be_focused()
