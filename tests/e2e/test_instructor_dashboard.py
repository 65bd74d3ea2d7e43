"""The instructor's cohort pages in a browser: they fit a phone, their plots' text
is legible, and the matrix's sort and search work together, keep focus, and work
without JavaScript. Each test was written against a fault a usability audit found."""

import random
import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import assert_no_axe_violations, no_horizontal_scroll, sign_in
from tests.factories import AssignmentFactory, TaughtCohortFactory, UserFactory, enrol, play_assigned
from trainer.management.commands.seed_demo import demo_path

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Rendered size of each plot text: its CSS font-size is in SVG user units, scaled by
# the viewBox (hypot: the y-axis label is rotated).
PLOT_TEXT_PX = """() => [...document.querySelectorAll('svg.plot-svg text')].map(t => {
    const m = t.getScreenCTM();
    return parseFloat(getComputedStyle(t).fontSize) * Math.hypot(m.a, m.b);
})"""


@pytest.fixture
def room(site):
    """Yan and Zoe play C01's best path, Amy rushes it, Bea never starts; three
    assignments make the matrix wider than a phone."""
    ivy = UserFactory(username="ivy", instructor=True)
    cohort = TaughtCohortFactory(name="Spring block", created_by=ivy)
    users = {n: UserFactory(username=n) for n in ("amy", "bea", "yan", "zoe")}
    enrol(cohort, *users.values())
    c01, *others = [AssignmentFactory(cohort=cohort, code=code) for code in ("C01", "C02", "C05")]
    book = c01.case.current_version.playbook
    for name in ("yan", "zoe"):
        play_assigned(users[name], c01)
        for a in others:
            play_assigned(users[name], a)
    play_assigned(users["amy"], c01, demo_path(book, "rushed", random.Random(3)))
    return {"site": site, "ivy": ivy, "cohort": cohort, "c01": c01}


def _rows(page) -> list[str]:
    return [t.strip() for t in page.locator("#matrix tbody th").all_inner_texts()]


@pytest.mark.parametrize("width,height", [(390, 844), (1280, 800)], ids=["phone", "desktop"])
def test_cohort_pages_fit_the_viewport_and_plot_text_is_legible(browser, problems, room, width, height):
    # At 390 px the matrix's visually hidden " out of 100" escaped its scroll box
    # (795 px page), the guidance page's case badges did not wrap (406 px), and the
    # plots' text came out at 6.8-8.2 px (about 10 px in half-width desktop columns).
    site, cohort, c01 = room["site"], room["cohort"], room["c01"]
    context = browser.new_context(viewport={"width": width, "height": height})
    problems.watch_csp(context)
    page = context.new_page()
    problems.watch(page)
    sign_in(page, site, room["ivy"])
    urls = {
        "dashboard": f"/cohorts/{cohort.pk}/",
        "assignment": f"/cohorts/{cohort.pk}/assignments/{c01.pk}/",
        "what they miss": f"/cohorts/{cohort.pk}/misses/",
        "item analysis": f"/cohorts/{cohort.pk}/cases/{c01.case.slug}/items/",
        "guidance": "/guidance/",
    }
    overflow, small = {}, {}
    for what, url in urls.items():
        page.goto(site + url)
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        scroll, client = no_horizontal_scroll(page)
        if scroll > width:
            overflow[what] = scroll
        sizes = page.evaluate(PLOT_TEXT_PX)
        if what in ("assignment", "what they miss", "item analysis"):
            assert sizes, f"no plot on {what}"
        if sizes and min(sizes) < 12:
            small[what] = round(min(sizes), 1)
    context.close()
    problems.check()
    assert not overflow, f"pages wider than {width}px: {overflow}"
    assert not small, f"plot text under 12px at {width}px: {small}"


def test_plot_text_follows_a_dark_high_contrast_theme(page, room):
    """Forced colours turn the page black but leave SVG fills alone: the plots' labels,
    values and ticks stayed near-black on black (1.1:1)."""
    site, cohort, c01 = room["site"], room["cohort"], room["c01"]
    sign_in(page, site, room["ivy"])
    page.emulate_media(forced_colors="active", color_scheme="dark")
    page.goto(f"{site}/cohorts/{cohort.pk}/assignments/{c01.pk}/")
    fills = page.evaluate("""() => [...document.querySelectorAll('svg.plot-svg text')].map(t => getComputedStyle(t).fill)""")
    text = page.evaluate("getComputedStyle(document.body).color")  # the theme's CanvasText
    assert fills and text != "rgb(33, 37, 41)"
    assert set(fills) == {text}, set(fills)


def test_a_sort_keeps_focus_on_its_header_and_a_search_keeps_the_sort(page, room):
    site, cohort = room["site"], room["cohort"]
    sign_in(page, site, room["ivy"])
    page.goto(f"{site}/cohorts/{cohort.pk}/")
    c01 = page.get_by_role("link", name=re.compile(r"^C01\W+sort by score"))
    c01_header = page.locator("#matrix thead th").nth(2)

    # A keyboard user sorts: focus stays on the header's control after the swap
    # (it used to drop to <body>), so a second Enter flips the order.
    c01.focus()
    page.keyboard.press("Enter")
    expect(c01_header).to_have_attribute("aria-sort", "descending")
    expect(c01).to_be_focused()
    assert _rows(page) == ["yan", "zoe", "amy", "bea"]
    page.keyboard.press("Enter")
    expect(c01_header).to_have_attribute("aria-sort", "ascending")
    expect(c01).to_be_focused()
    assert _rows(page) == ["amy", "yan", "zoe", "bea"]

    # A search keeps that sort (it used to send sort=name)...
    page.get_by_label("Search students").fill("a")
    expect(page.locator("#matrix [role=status]")).to_contain_text("match “a”")
    expect(c01_header).to_have_attribute("aria-sort", "ascending")
    assert _rows(page) == ["amy", "yan", "bea"]
    assert re.search(rf"sort=a{room['c01'].pk}\b", page.url) and "q=a" in page.url
    # ... and a sort keeps the search.
    page.get_by_role("link", name=re.compile(r"^Student")).click()
    expect(page.locator("#matrix thead th").first).to_have_attribute("aria-sort", "ascending")
    expect(page.locator("#matrix [role=status]")).to_contain_text("match “a”")
    assert _rows(page) == ["amy", "bea", "yan"]


def test_without_javascript_a_search_keeps_the_sort_and_a_sort_the_search(nojs_page, room):
    page, site, cohort = nojs_page, room["site"], room["cohort"]
    sign_in(page, site, room["ivy"])
    page.goto(f"{site}/cohorts/{cohort.pk}/")
    page.get_by_role("link", name=re.compile(r"^C01\W+sort by score")).click()
    page.wait_for_url(re.compile(r"sort=-a\d+"))
    page.get_by_label("Search students").fill("a")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url(re.compile(r"q=a"))
    assert re.search(rf"sort=-a{room['c01'].pk}\b", page.url)
    assert _rows(page) == ["yan", "amy", "bea"]
    page.get_by_role("link", name=re.compile(r"^Done")).click()
    page.wait_for_url(re.compile(r"sort=-progress"))
    assert "q=a" in page.url and _rows(page)[-1] == "bea"


def test_the_join_link_copies_with_one_click(page, room):
    """The roster's join link was a read-only field: select it by hand and copy."""
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    sign_in(page, room["site"], room["ivy"])
    page.goto(f"{room['site']}/cohorts/{room['cohort'].pk}/roster/")
    link = page.locator("#join-url").input_value()
    assert room["cohort"].join_code in link
    page.get_by_role("button", name="Copy").click()
    expect(page.locator("#copy-status")).to_have_text("Link copied.")
    assert page.evaluate("navigator.clipboard.readText()") == link


def test_the_assignments_table_fits_a_phone(page, room):
    """At 390 px the table was cut after "Due", with Completion, Mean, Unsafe and Late
    off-screen and no hint to scroll: on a phone mode, due time and lateness fold in."""
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, room["site"], room["ivy"])
    page.goto(f"{room['site']}/cohorts/{room['cohort'].pk}/")
    table = page.locator("section[aria-labelledby=assign-h] table")
    fits = table.evaluate("t => t.scrollWidth <= t.parentElement.clientWidth")
    assert fits, "the assignments table scrolls sideways on a phone"
    expect(table.locator("th", has_text="Unsafe")).to_be_visible()
    expect(table.locator("tbody th").first).to_contain_text("Practice · due")


def test_paging_by_keyboard_keeps_focus_in_the_student_list(page, room):
    # On the last page there is no "Next" to put focus back on: it fell to <body>,
    # and the next Tab started again at "Skip to main content".
    from trainer.views.dashboard import PAGE_SIZE

    enrol(room["cohort"], *[UserFactory(username=f"pupil{n:02d}") for n in range(PAGE_SIZE)])
    site, cohort = room["site"], room["cohort"]
    sign_in(page, site, room["ivy"])
    page.goto(f"{site}/cohorts/{cohort.pk}/")
    page.get_by_role("link", name="Next").focus()
    page.keyboard.press("Enter")
    expect(page.locator("nav[aria-label='Student pages']")).to_contain_text("2 / 2")
    expect(page.locator("#matrix")).to_be_focused()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('#matrix') !== null")


def test_two_learners_with_one_name_are_told_apart_on_a_phone(page, room):
    """Learners choose their names: a second "Alice Able" made two identical rows."""
    site, cohort = room["site"], room["cohort"]
    for username in ("alice", "alice2"):
        enrol(cohort, UserFactory(username=username, first_name="Alice", last_name="Able"))
    page.set_viewport_size({"width": 375, "height": 812})
    sign_in(page, site, room["ivy"])
    page.goto(f"{site}/cohorts/{cohort.pk}/?q=alice")
    rows = page.locator("#matrix tbody th")
    expect(rows).to_have_count(2)
    # Both read "Alice Able", each with its own username beneath, visible.
    assert [" ".join(t.split()) for t in rows.all_inner_texts()] == ["Alice Able alice", "Alice Able alice2"]
    expect(rows.nth(1).get_by_text("alice2", exact=True)).to_be_visible()
    assert no_horizontal_scroll(page)[0] <= 375
    assert_no_axe_violations(page, "the matrix with two learners of one name")
