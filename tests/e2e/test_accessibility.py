"""axe-core on every page type: no serious or critical violation.

Each test visits several pages and reports every page's violations together, so
one run shows the whole picture."""

import json

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import run_axe, sign_in
from tests.factories import AttemptFactory, UserFactory, play

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BEST_C01 = ["H1", "H3", "H4", "H5", "H6", "H7", "H8", "history:next", "X2", "X4", "X9", "X6", "exam:next", "W1", "A", "P1"]


# Violations known and reported with a proposed fix, in code this suite's owner may
# not edit: (page as named in Audit.check, axe rule) -> where and why. Strict: a
# known violation that no longer occurs fails too, so this list only shrinks.
KNOWN: dict[tuple[str, str], str] = {}


class Audit:
    def __init__(self, page):
        # Bootstrap's 150 ms colour transitions would let axe measure contrast
        # halfway through a hover fade; users who ask for reduced motion get none.
        page.emulate_media(reduced_motion="reduce")
        self.page = page
        self.found: dict[str, list] = {}
        self.pages: list[str] = []
        self.known_seen: set[tuple[str, str]] = set()

    def check(self, what: str) -> None:
        self.page.wait_for_load_state()
        self.page.mouse.move(0, 0)  # no hover state left under the pointer
        self.pages.append(what)
        bad = []
        for violation in run_axe(self.page):
            if (what, violation["id"]) in KNOWN:
                self.known_seen.add((what, violation["id"]))
            else:
                bad.append(violation)
        if bad:
            self.found[f"{what} ({self.page.url})"] = bad

    def assert_clean(self) -> None:
        fixed = [k for k in KNOWN if k[0] in self.pages and k not in self.known_seen]
        assert not fixed, f"known violations no longer occur, remove them from KNOWN: {fixed}"
        assert not self.found, "serious/critical axe-core violations:\n" + json.dumps(self.found, indent=2)


def test_public_pages_and_forms_with_errors(page, site):
    audit = Audit(page)
    page.goto(f"{site}/")
    audit.check("home, anonymous")
    page.goto(f"{site}/cases/")
    audit.check("library, anonymous")
    page.goto(f"{site}/cases/?region=nowhere")
    expect(page.locator("#results .alert")).to_contain_text("No case matches")
    audit.check("library, no case matches")
    page.goto(f"{site}/guidance/")
    audit.check("guidance")

    UserFactory(username="forgetful")
    page.goto(f"{site}/accounts/login/")
    page.get_by_label("Username").fill("forgetful")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_text("do not match")).to_be_visible()
    audit.check("login with errors")

    page.goto(f"{site}/accounts/signup/")
    page.locator("#id_username").fill("new person")  # a space is not allowed
    page.locator("#id_password1").fill("short")
    page.locator("#id_password2").fill("different")
    page.get_by_role("button", name="Create account").click()
    expect(page.locator(".invalid-feedback, .is-invalid").first).to_be_visible()
    audit.check("signup with errors")

    for _ in range(5):
        page.goto(f"{site}/accounts/login/")
        page.get_by_label("Username").fill("forgetful")
        page.get_by_label("Password").fill("still-wrong")
        page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Too many failed log-in attempts")).to_be_visible()
    audit.check("locked out")
    assert len(audit.pages) == 7
    audit.assert_clean()


def test_play_pages_at_every_stage_kind(page, site, learner):
    fresh = AttemptFactory(user=learner)  # history
    exam = AttemptFactory(user=learner)
    play(exam, ["H1", "history:next", "X2"])
    decision = AttemptFactory(user=learner)
    play(decision, ["H1", "history:next", "X2", "exam:next"])
    finished = AttemptFactory(user=learner)
    play(finished, ["H1", "history:next", "X2", "exam:next", "W2", "E", "P2"])  # poor path: many findings
    best = AttemptFactory(user=learner)
    play(best, BEST_C01)
    sign_in(page, site, learner)
    audit = Audit(page)

    page.goto(f"{site}/")
    expect(page.get_by_role("heading", name="What you tend to miss")).to_be_visible()
    audit.check("home, signed in with attempts")
    page.goto(f"{site}/cases/")
    audit.check("library, signed in")
    page.goto(f"{site}/attempts/{fresh.pk}/")
    audit.check("attempt at history (nothing asked)")
    page.get_by_role("button", name="When did it start", exact=False).click()
    expect(page.locator(".transcript .entry")).to_have_count(1)
    audit.check("attempt at history after an htmx swap")
    page.goto(f"{site}/attempts/{exam.pk}/")
    audit.check("attempt at exam")
    page.goto(f"{site}/attempts/{decision.pk}/")
    expect(page.locator("input[type=radio]").first).to_be_visible()
    audit.check("attempt at a decision")
    # A stale choice: the error message swapped in by htmx.
    page.evaluate(
        "() => { const b = document.querySelector('button[type=submit][name=option]') ||"
        " document.querySelector('form[hx-post] button[type=submit]');"
        " const f = b.form; const i = document.createElement('input'); i.type = 'hidden';"
        " i.name = 'option'; i.value = 'P1'; f.querySelectorAll('input[type=radio]').forEach(r => r.remove());"
        " f.appendChild(i); }"
    )
    page.get_by_role("button", name="Commit to this decision").click()
    expect(page.get_by_role("alert")).to_contain_text("Nothing was recorded")
    audit.check("attempt with an error message")
    page.goto(f"{site}/attempts/{finished.pk}/")
    audit.check("attempt at its outcome")
    page.goto(f"{site}/attempts/{finished.pk}/debrief/")
    audit.check("debrief, poor path")
    page.goto(f"{site}/attempts/{best.pk}/debrief/")
    audit.check("debrief, best path")
    audit.assert_clean()


def test_the_clinical_review_tables_scroll_by_keyboard_on_a_phone(browser, site):
    """At 375 px the review's tables scroll sideways and hold nothing focusable: without a
    focusable region a keyboard user could not bring "Text to check" into view (axe:
    scrollable-region-focusable)."""
    context = browser.new_context(viewport={"width": 375, "height": 800})
    page = context.new_page()
    sign_in(page, site, UserFactory(username="reviewer", instructor=True))
    page.goto(f"{site}/review/")
    audit = Audit(page)
    audit.check("clinical review at 375 px")
    wide = page.locator("section .table-responsive").filter(has=page.locator("table"))
    region = next(r for r in wide.all() if r.evaluate("e => e.scrollWidth > e.clientWidth"))
    region.focus()
    expect(region).to_be_focused()
    page.keyboard.press("ArrowRight")
    page.wait_for_function("e => e.scrollLeft > 0", arg=region.element_handle())
    audit.assert_clean()
    context.close()


def test_the_audit_itself_catches_a_planted_violation(page, site):
    """Guards the harness: if axe stopped loading or reporting, the tests above would pass vacuously."""
    page.goto(f"{site}/guidance/")
    assert run_axe(page) == []
    page.evaluate("document.querySelector('main').insertAdjacentHTML('beforeend', '<img src=\"/static/none.png\">')")
    assert [v["id"] for v in run_axe(page)] == ["image-alt"]
