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

# Every animation frame, the computed opacity of the indicator on the page (the one
# in the stage panel at that moment) and whether the answer has arrived yet.
SAMPLE_OPACITY = """(entriesBefore) => {
  window.__opacity = [];
  window.__sampling = true;
  const sample = () => {
    const indicator = document.querySelector('#saving');
    window.__opacity.push({
      opacity: indicator ? parseFloat(getComputedStyle(indicator).opacity) : 0,
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


def test_a_fast_choice_never_shows_the_saving_indicator(page, site, learner):
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
    during = [s["opacity"] for s in samples if not s["answered"]]
    assert max(after) < INVISIBLE, f"the indicator showed after the answer arrived: {after}"
    assert max(during, default=0) < INVISIBLE, f"the indicator showed during a fast request: {during}"


def test_a_slow_choice_shows_the_saving_indicator_until_the_answer_arrives(page, site, learner):
    sign_in(page, site, learner)
    pk = start_case(page, site, C01_PRESENTATION)
    book, chosen = playbook(), []
    play_step(page, book, chosen, "H1")
    held = []
    page.route(f"**/attempts/{pk}/choose/", lambda route: held.append(route))
    page.get_by_role("button", name=history_option(book, "H4").label, exact=True).click()
    page.wait_for_timeout(1000)  # a slow network: the answer is a second away
    assert len(held) == 1
    assert page.evaluate("parseFloat(getComputedStyle(document.querySelector('#saving')).opacity)") == 1
    start_sampling(page)
    held[0].continue_()
    expect(page.locator("#transcript .entry").last).to_contain_text(history_option(book, "H4").reveals)
    page.wait_for_timeout(600)
    samples = stop_sampling(page)
    after = [s["opacity"] for s in samples if s["answered"]]
    assert after and max(after) < INVISIBLE, f"the indicator stayed after the answer arrived: {after}"
