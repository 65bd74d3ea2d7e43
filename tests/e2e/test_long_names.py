"""A phone (375 px) and names people choose: a cohort name of 120 characters and a
username of 150 (an e-mail address, say) with no space to break at. The page must
wrap them, never scroll sideways."""

import pytest

from tests.e2e.conftest import no_horizontal_scroll, sign_in
from tests.factories import AssignmentFactory, TaughtCohortFactory, UserFactory, enrol

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LONG_COHORT = "Physiotherapy-" + "Y" * 106  # the form's limit, 120
LONG_USERNAME = "firstname.lastname@" + "h" * 127 + ".org"  # Django's limit, 150
WIDEST = (
    "() => [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right >"
    " document.documentElement.clientWidth + 0.5 && !e.closest('.table-responsive')).slice(-3).map(e => e.outerHTML.slice(0, 100))"
)


def overflowing(page, site, paths) -> dict:
    found = {}
    for path in paths:
        page.goto(site + path)
        scroll, client = no_horizontal_scroll(page)
        if scroll > client:
            found[path] = (scroll, client, page.evaluate(WIDEST))
    return found


@pytest.fixture
def world(transactional_db, library):
    instructor = UserFactory(username="ines", instructor=True)
    cohort = TaughtCohortFactory(name=LONG_COHORT, created_by=instructor)
    learner = UserFactory(username=LONG_USERNAME)
    enrol(cohort, learner)
    AssignmentFactory(cohort=cohort, code="C01")
    return instructor, cohort, learner


def test_long_names_wrap_on_a_phone(browser, site, world):
    instructor, cohort, learner = world
    membership = cohort.memberships.get(user=learner)
    context = browser.new_context(viewport={"width": 375, "height": 740})
    page = context.new_page()
    sign_in(page, site, learner)
    found = overflowing(page, site, ["/"])  # the assigned exercise names its cohort
    context.clear_cookies()
    sign_in(page, site, instructor)
    found |= overflowing(page, site, [
        "/cohorts/",
        f"/cohorts/{cohort.pk}/settings/",  # every cohort page's header names it
        f"/cohorts/{cohort.pk}/roster/",
        f"/cohorts/{cohort.pk}/roster/{membership.pk}/remove/",  # the button names the learner
    ])
    context.close()
    assert not found, f"horizontal scrolling at 375px: {found}"
