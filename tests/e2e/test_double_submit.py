"""A plain form pressed twice (a double click, or again while a slow answer is on its
way) sent two requests, and the browser shows the second answer: a second "Remove" on an
assignment's confirmation page landed on "Page not found" although the first removed it,
and a second "Create" showed "You already teach a cohort with this name" beside the
cohort just made. The page now sends a plain form once; htmx forms are htmx's."""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import sign_in
from tests.factories import AssignmentFactory, TaughtCohortFactory, UserFactory
from trainer.models import Assignment, Cohort

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Press the button twice in one go and report, for each submit the page saw, whether
# the page let it through (the app's own listener runs first, on the document).
PRESS_TWICE = """(selector) => {
  const sent = [];
  window.addEventListener('submit', (e) => sent.push(!e.defaultPrevented));
  const button = document.querySelector(selector);
  button.click();
  button.click();
  return sent;
}"""


@pytest.fixture
def instructor(transactional_db):
    return UserFactory(username="ines", instructor=True)


def test_a_second_press_of_create_is_not_sent(page, site, instructor):
    sign_in(page, site, instructor)
    page.goto(f"{site}/cohorts/")
    page.get_by_label("Cohort name").fill("Spring block")
    assert page.evaluate(PRESS_TWICE, "form[action$='/cohorts/new/'] button[type=submit]") == [True, False]
    page.wait_for_url("**/roster/")
    expect(page.locator(".invalid-feedback")).to_have_count(0)
    assert Cohort.objects.filter(name="Spring block").count() == 1


def test_a_second_press_of_remove_does_not_end_on_page_not_found(page, site, instructor, library):
    cohort = TaughtCohortFactory(created_by=instructor)
    assignment = AssignmentFactory(cohort=cohort, code="C01")
    sign_in(page, site, instructor)
    page.goto(f"{site}/cohorts/{cohort.pk}/assignments/{assignment.pk}/remove/")
    assert page.evaluate(PRESS_TWICE, "main form[method=post] button[type=submit]") == [True, False]
    page.wait_for_url(f"**/cohorts/{cohort.pk}/")
    expect(page.get_by_text("C01 is no longer assigned")).to_be_visible()
    assert not Assignment.objects.filter(pk=assignment.pk).exists()


def test_a_boosted_start_that_failed_can_be_pressed_again(page, site, instructor, library):
    """A boosted Start is htmx's to send (it disables its button while it runs): the
    guard must leave it alone, or a Start whose request failed could not be retried."""
    sent = []

    def drop_the_first(route):
        sent.append(route.request.url)
        route.abort() if len(sent) == 1 else route.continue_()

    sign_in(page, site, instructor)
    page.goto(f"{site}/cases/")
    page.route("**/cases/C01/start/", drop_the_first)
    start = page.locator("form[action$='/cases/C01/start/'] button")
    start.click()
    expect(page.locator("#request-failed")).to_be_visible()
    start.click()
    page.wait_for_url("**/attempts/*/")
    assert len(sent) == 2
