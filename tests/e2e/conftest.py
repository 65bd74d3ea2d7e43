"""Browser test helpers: a live server with the library, signed-in pages, play helpers.

Every page opened here fails its test on a JavaScript dialog (alert/confirm/prompt),
an uncaught page error or a Content-Security-Policy violation: an injected
script, or an inline style htmx slipped past the CSP, shows up as one of those.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from tests.factories import PASSWORD, UserFactory

E2E_DIR = Path(__file__).resolve().parent
AXE_JS = E2E_DIR / "vendor" / "axe.min.js"

# Runs in every page of the context before the app's own scripts; each violation
# is reported to Python at once, so one on an earlier page is not lost on navigation.
_WATCH_CSP = """
document.addEventListener('securitypolicyviolation', function (e) {
  window.__reportCspViolation(e.violatedDirective + ' ' + (e.blockedURI || '') + ' ' + (e.sample || ''));
});
"""


class PageProblems:
    """Everything that must never happen in a page, collected while the test runs."""

    def __init__(self) -> None:
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        self.csp: list[str] = []

    def watch(self, page) -> None:
        def on_dialog(dialog):
            self.dialogs.append(f"{dialog.type}: {dialog.message}")
            dialog.dismiss()

        page.on("dialog", on_dialog)
        page.on("pageerror", lambda exc: self.errors.append(f"page error: {exc}"))

    def watch_csp(self, context) -> None:
        context.expose_function("__reportCspViolation", lambda text: self.csp.append(text))
        context.add_init_script(_WATCH_CSP)

    def check(self) -> None:
        assert not self.dialogs, f"a script opened a dialog: {self.dialogs}"
        assert not self.errors, f"uncaught JavaScript errors: {self.errors}"
        assert not self.csp, f"Content-Security-Policy violations: {self.csp}"


@pytest.fixture
def site(live_server, library):
    """The live server's base URL, with the whole case library loaded."""
    return live_server.url


@pytest.fixture
def problems():
    return PageProblems()


@pytest.fixture
def page(context, problems):
    """pytest-playwright's page, watched for dialogs, page errors and CSP violations."""
    problems.watch_csp(context)
    page = context.new_page()
    page.set_default_timeout(10_000)
    problems.watch(page)
    yield page
    problems.check()
    page.close()


@pytest.fixture
def nojs_page(browser, problems):
    """A page in a context with JavaScript switched off: plain forms and redirects."""
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(10_000)
    problems.watch(page)
    yield page
    problems.check()
    context.close()


@pytest.fixture
def learner(transactional_db):
    return UserFactory(username="lena")


def sign_in(page, base_url: str, user) -> None:
    """Sign in by handing the browser a real session cookie (faster than the form)."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": base_url}])


def sign_in_with_form(page, base_url: str, username: str, password: str = PASSWORD) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()


def start_case(page, base_url: str, title: str) -> int:
    """From the library, start the case whose presentation is given; returns the attempt id."""
    page.goto(f"{base_url}/cases/")
    # The presentation is a visually hidden part of the name, so screen readers hear which case.
    page.get_by_role("button", name=re.compile(rf"^Start case\W+{re.escape(title)}$")).click()
    page.wait_for_url("**/attempts/*/")
    return int(page.url.rstrip("/").split("/")[-1])


def mark_window(page) -> None:
    """A marker that survives htmx swaps and disappears on any full page load."""
    page.evaluate("window.__noReload = 'still here'")


def window_marker(page):
    return page.evaluate("window.__noReload || null")


def run_axe(page) -> list[dict]:
    """axe-core's serious and critical violations on the current page."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        # Evaluated through the DevTools protocol: the app's CSP (rightly) blocks an
        # injected <script> tag, and loosening it for tests would test another app.
        page.evaluate("(src) => { (0, eval)(src); }", AXE_JS.read_text())
    result = page.evaluate(
        """async () => {
            const r = await axe.run(document, {resultTypes: ['violations']});
            return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 5).map(n => n.target.join(' '))}));
        }"""
    )
    return [v for v in result if v["impact"] in ("serious", "critical")]


def assert_no_axe_violations(page, what: str) -> None:
    bad = run_axe(page)
    assert not bad, f"axe-core on {what} ({page.url}):\n" + json.dumps(bad, indent=2)


def no_horizontal_scroll(page) -> tuple[int, int]:
    return page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")


def playbook(code: str = "C01"):
    from cases.models import Case

    return Case.objects.get(code=code).current_version.playbook


def play_step(page, book, chosen: list[str], choice: str) -> None:
    """Make one choice the way a mouse user does, and wait until the page shows it.

    Works with and without JavaScript: with it, htmx swaps the stage panel and appends to the transcript; without, the
    form posts and the browser follows the redirect back to the attempt page."""
    from playwright.sync_api import expect

    state = book.replay(chosen)
    stage = book.stages[state.stage_id]
    after = book.replay([*chosen, choice])
    if choice.endswith(":next"):
        page.get_by_role("button", name="Move on").click()
        expect(page.locator("#stage-h")).to_have_text(book.stages[after.stage_id].title)
    elif stage.kind == "decision":
        option = next(o for o in stage.options if o.id == choice)
        page.get_by_label(option.label, exact=True).check()
        page.get_by_role("button", name="Commit to this decision").click()
        expect(page.locator(".transcript .entry").filter(has_text="You decided").last).to_contain_text(option.label)
    else:
        option = next(o for o in stage.options if o.id == choice)
        page.get_by_role("button", name=option.label, exact=True).click()
        expect(page.locator(".transcript .entry").last).to_contain_text(option.reveals)
    if after.finished:
        expect(page.get_by_role("link", name="Read your debrief")).to_be_visible()
    chosen.append(choice)
