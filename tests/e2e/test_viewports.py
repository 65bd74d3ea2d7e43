"""Phone (390 px) and desktop (1280 px): the attempt and debrief pages never scroll sideways."""

import pytest

from tests.e2e.conftest import no_horizontal_scroll, sign_in
from tests.factories import AttemptFactory, play

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

STAGES = {
    "history": ["H1"],
    "exam": ["H1", "H2", "history:next", "X2"],
    "decision": ["H1", "history:next", "X2", "exam:next"],
    "outcome": ["H1", "history:next", "X2", "exam:next", "W2", "E", "P2"],
}


@pytest.mark.parametrize("width,height", [(390, 844), (1280, 800)], ids=["phone", "desktop"])
def test_no_horizontal_scrolling(browser, site, learner, width, height):
    attempts = {}
    for name, choices in STAGES.items():
        attempts[name] = AttemptFactory(user=learner)
        play(attempts[name], choices)
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    sign_in(page, site, learner)
    urls = {f"attempt at {name}": f"{site}/attempts/{a.pk}/" for name, a in attempts.items()}
    urls["debrief"] = f"{site}/attempts/{attempts['outcome'].pk}/debrief/"
    overflow = {}
    for what, url in urls.items():
        page.goto(url)
        assert page.locator("h1").is_visible()
        scroll, client = no_horizontal_scroll(page)
        if scroll > client:
            widest = page.evaluate(
                "() => [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right >"
                " document.documentElement.clientWidth + 0.5).slice(-3).map(e => e.outerHTML.slice(0, 120))"
            )
            overflow[what] = (scroll, client, widest)
    context.close()
    assert not overflow, f"horizontal scrolling at {width}px: {overflow}"


def test_a_library_cards_attempt_links_are_targets_a_finger_can_hit(page, site, learner):
    """The card's stacked "Finished ...: NN/100" links were 16 px tall with centres 21 px
    apart: WCAG 2.5.8 asks for 24 px targets, or 24 px between their centres."""
    for _ in range(3):
        play(AttemptFactory(user=learner), STAGES["outcome"])
    sign_in(page, site, learner)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{site}/cases/")
    links = page.locator("article").filter(has_text="Finished").first.locator("li a")
    boxes = [links.nth(i).bounding_box() for i in range(links.count())]
    assert len(boxes) == 3
    assert all(b["height"] >= 24 for b in boxes), boxes
    centres = [b["y"] + b["height"] / 2 for b in boxes]
    assert all(later - earlier >= 24 for earlier, later in zip(centres, centres[1:])), centres
