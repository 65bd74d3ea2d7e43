"""The matrix's htmx requests say they are under way. Only the search box had an
indicator: a sort header or a "Next" page link fetched the matrix with nothing on
screen until the rows changed, so on a slow connection a second click followed.

Each request is held at the network until the test has looked (no timing)."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import sign_in
from tests.factories import AssignmentFactory, TaughtCohortFactory, UserFactory, enrol
from trainer.views.dashboard import PAGE_SIZE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def big_class(site):
    ivy = UserFactory(username="ivy", instructor=True)
    cohort = TaughtCohortFactory(name="Big class", created_by=ivy)
    enrol(cohort, *[UserFactory(username=f"pupil{n:02d}") for n in range(PAGE_SIZE + 1)])
    AssignmentFactory(cohort=cohort, code="C01")
    return {"site": site, "ivy": ivy, "cohort": cohort}


def _hold_matrix_requests(page) -> list:
    """Hold each htmx request for the matrix until the test lets it go."""
    held = []
    page.route(re.compile(r"/cohorts/\d+/\?"), lambda route: held.append(route) if route.request.headers.get("hx-request") else route.continue_())
    return held


def _wait_held(page, held: list) -> None:
    for _ in range(100):
        if held:
            return
        page.wait_for_timeout(50)
    raise AssertionError("the matrix request never left the page")


@pytest.mark.parametrize("width", [375, 1280])
def test_a_page_link_and_a_sort_header_show_a_loading_indicator_in_view(page, big_class, width):
    site, cohort = big_class["site"], big_class["cohort"]
    page.set_viewport_size({"width": width, "height": 800})
    sign_in(page, site, big_class["ivy"])
    page.goto(f"{site}/cohorts/{cohort.pk}/")
    held = _hold_matrix_requests(page)

    # "Next" sits below 25 rows: its indicator must be on screen where the click was.
    page.get_by_role("link", name="Next").click()
    _wait_held(page, held)
    busy = page.locator("#matrix .htmx-indicator, #matrix-loading").filter(visible=True)
    expect(busy).to_have_count(1)
    expect(busy).to_be_in_viewport()
    held.pop().continue_()
    expect(page.locator("nav[aria-label='Student pages']")).to_contain_text("2 / 2")
    expect(busy).to_have_count(0)

    # A sort header: the same, near the header clicked.
    page.get_by_role("link", name=re.compile(r"^Done")).click()
    _wait_held(page, held)
    expect(busy).to_have_count(1)
    expect(busy).to_be_in_viewport()
    held.pop().continue_()
    expect(page.locator("#matrix thead th").nth(1)).to_have_attribute("aria-sort", "descending")
    expect(busy).to_have_count(0)
