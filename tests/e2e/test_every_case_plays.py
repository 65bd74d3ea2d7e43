"""The library shows all 14 cases, filterable, and each plays end to end in a real
browser (with JavaScript) to a debrief whose score, verdict and outcome are the
engine's. The short path below takes the best option at every decision but asks
only one question, so some cases end unsafe: a red flag left unasked."""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import play_step, playbook, sign_in

pytestmark = pytest.mark.browser

CODES = [f"C{n:02d}" for n in range(1, 15)]


def test_the_library_lists_all_fourteen_and_filters_in_place(page, site, learner):
    sign_in(page, site, learner)
    page.goto(f"{site}/cases/")
    expect(page.locator("#results article")).to_have_count(14)
    page.evaluate("window.__noReload = 1")
    page.get_by_label("Type").select_option("benign")
    expect(page.locator("#results")).to_contain_text("5 cases match your filters")
    expect(page.locator("#results article")).to_have_count(5)
    assert page.evaluate("window.__noReload") == 1, "filtering should not reload the page"
    assert "type=benign" in page.url  # the filtered view is linkable


@pytest.mark.parametrize("code", CODES)
def test_each_case_plays_to_its_debrief(page, site, learner, code):
    from cases.models import Case

    case = Case.objects.get(code=code)
    book = playbook(code)
    sign_in(page, site, learner)
    page.goto(f"{site}/cases/?type={case.type}")
    page.locator(f"form[action='/cases/{case.code}/start/'] button").click()
    page.wait_for_url("**/attempts/*/")
    # Until the debrief the case goes by its presentation: the title names the diagnosis.
    expect(page.get_by_role("heading", level=1)).to_have_text(case.presentation)
    assert case.title not in page.content()
    chosen: list[str] = []
    for choice in short_best_path(book):
        play_step(page, book, chosen, choice)
    page.get_by_role("link", name="Read your debrief").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Debrief: {case.title}")
    report = book.debrief(chosen)
    expect(page.locator("main")).to_contain_text(f"{report.total}/100")
    expect(page.locator("#verdict")).to_have_text("Unsafe" if report.unsafe else "Safe")
    expect(page.locator("#outcome-h")).to_contain_text(report.outcome.title)


def short_best_path(book) -> list[str]:
    """One question, one manoeuvre, then the best option at each decision: the
    whole branching structure in a few clicks (the full best path and its scores
    are checked without a browser in tests/integration/test_case_library.py)."""
    best = set(book.best_choices)
    chosen: list[str] = []
    state = book.replay(chosen)
    while not state.finished:
        if state.picks_in_stage == 0 and book.stages[state.stage_id].kind != "decision":
            choice = next(c for c in state.available if c in best)
        elif book.stages[state.stage_id].kind != "decision":
            choice = next(c for c in state.available if c.endswith(":next"))
        else:
            choice = next(c for c in state.available if c in best)
        chosen.append(choice)
        state = book.replay(chosen)
    return chosen
