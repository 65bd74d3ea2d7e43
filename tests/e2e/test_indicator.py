"""The "Saving…" indicator by the stage heading: hidden for a fast choice, shown
while a slow one is on its way, gone once the answer is on the page.

It used to flash up after a fast answer had arrived: htmx's settle step carries the
class of an old element to the new one with the same id, so the indicator re-created
with the stage panel started out with the request class and faded out from there."""

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import play_step, playbook, sign_in, start_case

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

C01_PRESENTATION = "Low back spasm after lifting, 34-year-old warehouse picker"
INVISIBLE = 0.05  # a computed opacity no one sees
FADE_DELAY_MS = 150  # app.css: the indicator starts to fade in 150 ms into a request

# Every animation frame, the computed opacity of the indicator on the page (the one
# in the stage panel at that moment) and whether the answer has arrived yet.
SAMPLE_OPACITY = """(entriesBefore) => {
  window.__opacity = [];
  window.__sampling = true;
  window.__sampleStart = performance.now();
  const sample = () => {
    const indicator = document.querySelector('#saving');
    window.__opacity.push({
      ms: performance.now() - window.__sampleStart,
      opacity: indicator ? parseFloat(getComputedStyle(indicator).opacity) : 0,
      requesting: document.querySelector('.htmx-request') !== null,
      answered: document.querySelectorAll('#transcript .entry').length > entriesBefore,
    });
    if (window.__sampling) requestAnimationFrame(sample);
  };
  requestAnimationFrame(sample);
}"""


def start_sampling(page) -> None:
    page.evaluate(SAMPLE_OPACITY, page.locator("#transcript .entry").count())


def stop_sampling(page) -> list[dict]:
    return page.evaluate("() => { window.__sampling = false; return window.__opacity; }")


def history_option(book, option_id: str):
    return next(o for o in book.stages["history"].options if o.id == option_id)


def test_a_fast_choice_never_shows_the_saving_indicator_after_its_answer(page, site, learner):
    sign_in(page, site, learner)
    start_case(page, site, C01_PRESENTATION)
    book, chosen = playbook(), []
    play_step(page, book, chosen, "H1")  # the first request warms the server up
    start_sampling(page)
    page.get_by_role("button", name=history_option(book, "H4").label, exact=True).click()
    expect(page.locator("#transcript .entry").last).to_contain_text(history_option(book, "H4").reveals)
    page.wait_for_timeout(600)  # longer than the indicator's delay and fade together
    samples = stop_sampling(page)
    assert any(s["answered"] for s in samples) and len(samples) > 10
    after = [s["opacity"] for s in samples if s["answered"]]
    assert max(after) < INVISIBLE, f"the indicator showed after the answer arrived: {after}"


def test_a_slow_choice_shows_the_saving_indicator_until_the_answer_arrives(page, site, learner):
    sign_in(page, site, learner)
    pk = start_case(page, site, C01_PRESENTATION)
    book, chosen = playbook(), []
    play_step(page, book, chosen, "H1")
    held = []
    page.route(f"**/attempts/{pk}/choose/", lambda route: held.append(route))
    start_sampling(page)
    page.get_by_role("button", name=history_option(book, "H4").label, exact=True).click()
    expect(page.locator("#saving")).to_have_css("opacity", "1")  # a slow network: the answer is held
    assert len(held) == 1
    # Nothing shows for the fade's delay, counted from when htmx marks the request, so a
    # choice answered within it shows nothing.
    samples = [s for s in stop_sampling(page) if s["requesting"]]
    early = [s["opacity"] for s in samples if s["ms"] - samples[0]["ms"] < FADE_DELAY_MS - 20]
    assert len(early) >= 3 and max(early) < INVISIBLE, f"the indicator showed within its delay: {early}"
    start_sampling(page)
    held[0].continue_()
    expect(page.locator("#transcript .entry").last).to_contain_text(history_option(book, "H4").reveals)
    page.wait_for_timeout(600)
    samples = stop_sampling(page)
    after = [s["opacity"] for s in samples if s["answered"]]
    assert after and max(after) < INVISIBLE, f"the indicator stayed after the answer arrived: {after}"


def test_an_idle_indicator_is_not_read_out_and_a_pending_save_is_shown(page, site, learner):
    """Hidden only by opacity, "Saving…" was read out as a status beside every stage
    heading, and the library's "Loading…" beside its Filter button, all the time."""
    sign_in(page, site, learner)
    page.goto(f"{site}/cases/")
    assert "Loading" not in page.locator("form[role=search]").aria_snapshot()
    expect(page.locator("form[action$='/start/'] .htmx-indicator").first).to_be_hidden()  # the Start buttons' spinner
    pk = start_case(page, site, C01_PRESENTATION)
    panel = page.locator("#stage-panel")
    assert "Saving" not in panel.aria_snapshot()
    book = playbook()
    held = []
    page.route(f"**/attempts/{pk}/choose/", lambda route: held.append(route))
    page.get_by_role("button", name=history_option(book, "H4").label, exact=True).click()
    expect(page.locator("#saving")).to_be_visible()
    assert "Saving…" in panel.aria_snapshot()  # while the choice is on its way, and only then
    held[0].continue_()
    expect(page.locator("#answer")).to_contain_text(history_option(book, "H4").reveals)
    expect(page.locator("#saving")).to_be_hidden()
    assert "Saving" not in panel.aria_snapshot()


def test_without_javascript_no_indicator_is_read_out(nojs_page, site, learner):
    page = nojs_page
    sign_in(page, site, learner)
    page.goto(f"{site}/cases/")
    assert "Loading" not in page.locator("form[role=search]").aria_snapshot()
    start_case(page, site, C01_PRESENTATION)
    assert "Saving" not in page.locator("#stage-panel").aria_snapshot()


def test_on_a_phone_a_slow_save_shows_where_the_learner_tapped(page, site, learner):
    """At 375 px a learner who taps the last question, or "Move on", has scrolled the
    stage heading away, and "Saving…" beside it with it: the only sign of the save was
    dimmed buttons. There it shows at the bottom of the screen, and goes with the answer."""
    page.set_viewport_size({"width": 375, "height": 740})
    sign_in(page, site, learner)
    pk = start_case(page, site, C01_PRESENTATION)
    held = []
    page.route(f"**/attempts/{pk}/choose/", lambda route: held.append(route))
    saving, heading = page.locator("#saving"), page.locator("#stage-h")
    expect(saving).to_be_hidden()
    last = page.locator(".option-list .btn").last
    answer = page.locator("#answer")
    for press, arrived in (
        (last, lambda: expect(answer).to_be_visible()),
        (page.get_by_role("button", name="Move on"), lambda: expect(heading).to_have_text("Examination")),
    ):
        press.click()
        expect(heading).not_to_be_in_viewport()  # the situation the audit met
        expect(saving).to_be_visible()
        expect(saving).to_have_css("opacity", "1")
        expect(saving).to_be_in_viewport(ratio=1)
        held.pop().continue_()
        arrived()
        expect(saving).to_be_hidden()
