"""Keyboard only: C01 from the library to the debrief with Tab, Enter, Space and
arrow keys; focus is always visible and lands on what changed after each htmx swap:
the answer, shown beside the options, or the next stage's heading."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import playbook, sign_in
from trainer.models import Attempt

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ACTIVE = """() => {
  const el = document.activeElement;
  const s = getComputedStyle(el);
  return {
    tag: el.tagName.toLowerCase(), id: el.id, type: el.type || '', value: el.value || '',
    text: (el.innerText || el.textContent || '').replace(/\\s+/g, ' ').trim(),
    autofocus: el.hasAttribute('data-autofocus'),
    outline: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2,
    outlineColor: s.outlineColor,
    shadow: s.boxShadow !== 'none',
  };
}"""


def active(page) -> dict:
    return page.evaluate(ACTIVE)


def assert_focus_visible(el: dict) -> None:
    assert el["outline"] or el["shadow"], f"focus is not visible on {el}"


def contrast_with_white(css_colour: str) -> float:
    """WCAG contrast ratio of an opaque `rgb(r, g, b)` against the white page."""
    channels = [int(c) / 255 for c in re.findall(r"\d+", css_colour)[:3]]
    r, g, b = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 1.05 / (0.2126 * r + 0.7152 * g + 0.0722 * b + 0.05)


def assert_focus_ring(el: dict) -> None:
    """A ring anyone can see (WCAG 1.4.11, 3:1), not only Bootstrap's pale glow."""
    assert el["outline"], f"no focus outline on {el}"
    assert contrast_with_white(el["outlineColor"]) >= 3, f"the focus outline is too faint on {el}"


def tab_to(page, matches, limit: int = 80) -> dict:
    """Press Tab until the focused element matches; fail after `limit` presses."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        el = active(page)
        if matches(el):
            assert_focus_visible(el)
            return el
    raise AssertionError(f"Tab never reached the element; focus ended on {active(page)}")


def assert_focus_on_answer(page, text: str) -> None:
    """Focus on the answer in the stage panel, above the options (so the next Tab
    reaches them), and the transcript has it too."""
    answer = page.locator("#stage-panel #answer")
    expect(answer).to_contain_text(text)
    expect(answer).to_be_focused()
    expect(page.locator(".transcript .entry").last).to_contain_text(text)
    assert active(page)["outline"], f"the focused answer has no visible outline: {active(page)}"
    page.keyboard.press("Tab")
    assert active(page)["tag"] == "button", "Tab from the answer goes on to the options"
    page.keyboard.press("Shift+Tab")


def test_a_whole_case_by_keyboard(page, site, learner):
    sign_in(page, site, learner)
    page.goto(f"{site}/cases/")
    skip = tab_to(page, lambda el: el["text"] == "Skip to main content", limit=1)
    assert skip["tag"] == "a"
    tab_to(page, lambda el: el["tag"] == "button" and el["text"].startswith("Start case") and "Low back spasm after lifting" in el["text"])
    page.keyboard.press("Enter")
    page.wait_for_url("**/attempts/*/")
    pk = int(page.url.rstrip("/").split("/")[-1])
    book = playbook()
    options = {o.id: o for s in book.case.stages for o in getattr(s, "options", [])}

    for n, option_id in enumerate(["H1", "H3", "H4"]):
        option = options[option_id]
        tab_to(page, lambda el, label=option.label: el["tag"] == "button" and el["text"] == label)
        page.keyboard.press("Enter" if n % 2 == 0 else "Space")  # buttons answer to both
        assert_focus_on_answer(page, option.reveals)

    for stage_title, picks in (("Examination", ["X2", "X4"]), ("Work-up", [])):
        tab_to(page, lambda el: el["tag"] == "button" and el["text"].startswith("Move on"))
        page.keyboard.press("Enter")
        heading = page.locator("#stage-h")
        expect(heading).to_have_text(stage_title)
        expect(heading).to_be_focused()  # the new stage is what changed
        for option_id in picks:
            option = options[option_id]
            tab_to(page, lambda el, label=option.label: el["tag"] == "button" and el["text"] == label)
            page.keyboard.press("Enter")
            assert_focus_on_answer(page, option.reveals)

    for option_id in ("W1", "A", "P1"):
        radios = page.locator("input[type=radio]")
        first = tab_to(page, lambda el: el["type"] == "radio")
        assert_focus_ring(first)  # not yet checked: only the ring shows where focus is
        assert first["value"] == radios.first.get_attribute("value"), "Tab enters a radio group on its first option"
        page.keyboard.press("Space")  # checks the focused radio
        checked = page.locator("input[type=radio]:checked")
        expect(checked).to_have_value(first["value"])
        # Arrow keys move the selection within the group (options may be in any order;
        # the page sends a token per option, so the label says which radio is which).
        wanted = page.get_by_label(options[option_id].label, exact=True).get_attribute("value")
        for _ in range(radios.count()):
            if checked.get_attribute("value") == wanted:
                break
            page.keyboard.press("ArrowDown")
        page.keyboard.press("ArrowDown")
        page.keyboard.press("ArrowUp")
        expect(checked).to_have_value(wanted)
        expect(checked).to_be_focused()
        assert_focus_ring(active(page))
        tab_to(page, lambda el: el["tag"] == "button" and el["text"] == "Commit to this decision", limit=3)
        page.keyboard.press("Enter")
        expect(page.locator("#stage-h")).to_be_focused()  # the next stage, or the outcome
        assert active(page)["outline"]

    # The outcome closes the transcript under its own heading (named once, not twice).
    expect(page.get_by_role("heading", name="Ten days later", level=3)).to_be_visible()
    expect(page.locator(".transcript .entry").last).to_contain_text("He is clearly improving")
    tab_to(page, lambda el: el["tag"] == "a" and el["text"] == "Read your debrief")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/attempts/{pk}/debrief/")
    assert Attempt.objects.get(pk=pk).choice_ids() == [
        "H1", "H3", "H4", "history:next", "X2", "X4", "exam:next", "W1", "A", "P1"
    ]
    tab_to(page, lambda el: el["tag"] == "button" and el["text"] == "Try this case again")


def test_the_library_filters_show_a_clear_focus_ring(page, site):
    """The app's ring lost to Bootstrap's `.form-select:focus { outline: 0 }`: a focused
    filter showed only a pale glow (and a decision's radio the same, checked above)."""
    page.goto(f"{site}/cases/")
    for name in ("region", "type", "difficulty"):
        assert_focus_ring(tab_to(page, lambda el, name=name: el["tag"] == "select" and el["id"] == f"f-{name}"))


def test_text_fields_buttons_and_nav_links_show_the_ring_too(page, site):
    """Bootstrap's `.form-control:focus`, `.btn:focus-visible` and `.nav-link:focus-visible`
    set `outline: 0` over the app's ring, leaving glows of 1.4-1.8:1."""
    page.goto(f"{site}/accounts/login/")
    assert_focus_ring(tab_to(page, lambda el: el["tag"] == "a" and el["text"] == "Cases"))  # the navbar's first link
    assert_focus_ring(tab_to(page, lambda el: el["tag"] == "input" and el["type"] == "text"))
    assert_focus_ring(tab_to(page, lambda el: el["tag"] == "input" and el["type"] == "password"))
    assert_focus_ring(tab_to(page, lambda el: el["tag"] == "button" and el["text"] == "Log in"))


def test_arrowing_through_a_filter_asks_for_the_settled_choice_once(page, site):
    """Each ArrowDown on a closed select is a change: six presses sent six requests and
    left six history entries, so Back took six presses to leave the filter."""
    page.goto(f"{site}/cases/")
    before = page.evaluate("history.length")
    asked = []
    page.on("request", lambda request: asked.append(request.url) if "/cases/?" in request.url else None)
    region = page.locator("#f-region")
    region.focus()
    for _ in range(6):
        page.keyboard.press("ArrowDown")
    settled = region.input_value()
    expect(page).to_have_url(f"{site}/cases/?region={settled}")
    expect(page.locator("#results-status")).to_contain_text("match")
    assert asked == [f"{site}/cases/?region={settled}&type=&difficulty="]
    assert page.evaluate("history.length") == before + 1
    page.go_back()
    expect(page).to_have_url(f"{site}/cases/")
