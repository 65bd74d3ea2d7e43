""""What they miss" on a phone: the "In which assigned case" table fits 375 px.

Each assignment's column header carried its mode and due date ("practice · due 18
Nov") on every screen; those words set the columns' width, so at 375 px four
assignments pushed the last case and the "All" total off to the right, behind a
sideways scroll nothing pointed to. On a phone a column is named by its case code
(linked to the assignment); mode and due date stay from tablet width up, and on a
phone too when one case is assigned twice, since then only the mode tells the two
columns apart."""

import random

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import sign_in
from tests.factories import AssignmentFactory, TaughtCohortFactory, UserFactory, enrol, play_assigned
from trainer.management.commands.seed_demo import demo_path
from trainer.models import Assignment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CODES = ("C01", "C02", "C03", "C05")


@pytest.fixture
def missing_class(site):
    ivy = UserFactory(username="ivy", instructor=True)
    cohort = TaughtCohortFactory(name="Spring block", created_by=ivy)
    amy = UserFactory(username="amy")
    enrol(cohort, amy)
    for code in CODES:
        a = AssignmentFactory(cohort=cohort, code=code)
        play_assigned(amy, a, demo_path(a.case.current_version.playbook, "rushed", random.Random(3)))
    return {"site": site, "ivy": ivy, "cohort": cohort}


def _by_case_table(page):
    return page.locator("section[aria-labelledby=by-case-h] table")


def test_the_per_case_table_fits_a_phone_with_every_column_on_screen(page, missing_class):
    site, cohort = missing_class["site"], missing_class["cohort"]
    page.set_viewport_size({"width": 375, "height": 812})
    sign_in(page, site, missing_class["ivy"])
    page.goto(f"{site}/cohorts/{cohort.pk}/misses/")
    table = _by_case_table(page)
    table.scroll_into_view_if_needed()
    assert table.evaluate("t => t.scrollWidth <= t.parentElement.clientWidth"), "the table scrolls sideways on a phone"
    # Every column, the totals last, ends inside the screen, not behind a scroll.
    rights = table.locator("thead th").evaluate_all("ths => ths.map(th => th.getBoundingClientRect().right)")
    assert len(rights) == 3 + len(CODES) and max(rights) <= 375  # Finding, the guidance (hidden on a phone), cases, All

    # From tablet width up, each column names its mode and due date.
    page.set_viewport_size({"width": 1280, "height": 800})
    expect(table.locator("thead th").nth(2)).to_contain_text("practice · due")


def test_a_case_assigned_twice_keeps_its_mode_on_a_phone(page, missing_class):
    site, cohort = missing_class["site"], missing_class["cohort"]
    AssignmentFactory(cohort=cohort, code="C01", mode=Assignment.Mode.ASSESSED)
    page.set_viewport_size({"width": 375, "height": 812})
    sign_in(page, site, missing_class["ivy"])
    page.goto(f"{site}/cohorts/{cohort.pk}/misses/")
    modes = _by_case_table(page).locator("thead th > span.small")  # each column's mode (and due date) line
    c01 = _by_case_table(page).locator("thead th", has_text="C01")
    expect(c01).to_have_count(2)
    expect(c01.nth(0).locator("> span.small")).to_be_visible()
    expect(c01.nth(0).locator("> span.small")).to_contain_text("practice", use_inner_text=True)
    expect(c01.nth(1).locator("> span.small")).to_contain_text("assessed", use_inner_text=True)
    expect(c01.nth(1).locator("> span.small")).to_be_visible()
    # A case assigned once gives its column the code alone.
    expect(modes.filter(visible=True)).to_have_count(2)
