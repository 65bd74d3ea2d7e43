"""A screen reader hears how many cases a filter leaves. The count swapped in with the
list sat in a live region created with it, and a live region inserted already filled
is not reliably announced: the one that speaks must be on the page before the swap."""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import mark_window, window_marker

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_filtering_the_library_speaks_the_new_count_from_a_region_already_on_the_page(page, site):
    page.goto(f"{site}/cases/")
    mark_window(page)
    live = page.locator("main [role=status]:not(.htmx-indicator):not(.messages)")
    expect(live).to_have_count(1)
    live.evaluate("e => { e.__before = true; }")  # the same element after the swap, not a new one
    page.select_option("#f-region", "lumbar")
    expect(page).to_have_url(f"{site}/cases/?region=lumbar")
    assert window_marker(page) == "still here"  # htmx swapped the list
    expect(live).to_have_count(1)
    expect(live).to_have_text("5 cases match your filters")
    assert live.evaluate("e => e.__before === true")
    page.select_option("#f-type", "benign")
    page.select_option("#f-difficulty", "advanced")
    expect(live).to_have_text("No case matches these filters.")
    assert live.evaluate("e => e.__before === true")
