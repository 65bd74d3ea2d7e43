"""A learner self-practises C01 to the debrief, with JavaScript (htmx) and without."""

import re

import pytest
from playwright.sync_api import expect

from cases.models import GuidanceItem
from tests.e2e.conftest import mark_window, play_step, playbook, sign_in, sign_in_with_form, start_case, window_marker
from trainer.models import Attempt

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

C01_TITLE = "Acute lumbar strain after lifting"  # the debrief's heading
C01_PRESENTATION = "Low back spasm after lifting, 34-year-old warehouse picker"  # what the learner sees before it
# Three history questions, two manoeuvres, then the best decisions: several
# red flags stay unscreened, so the debrief has missed red flags to show.
PATH = ["H1", "H3", "H4", "history:next", "X2", "X4", "exam:next", "W1", "A", "P1"]
DUPLICATE_IDS = "() => [...document.querySelectorAll('[id]')].map(e => e.id).filter((id, i, all) => all.indexOf(id) !== i)"


def check_debrief(page, attempt: Attempt) -> None:
    report = attempt.debrief()
    assert report.missed_red_flags, "the chosen path must leave red flags to show"
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Debrief: {C01_TITLE}")
    expect(page.locator("p.display-6")).to_have_text(re.compile(rf"^\s*Score\s*{report.total}\s*/100\s*$"))
    for dim in report.dimensions:
        expect(page.locator("#dims-h + dl")).to_contain_text(f"{dim.score} / {dim.max}")
    missed = page.locator("section[aria-labelledby=missed-h]")
    for gid in report.missed_red_flags:
        item = GuidanceItem.objects.get(id=gid)
        card = missed.locator(".card").filter(has=page.get_by_role("link", name=item.title, exact=True))
        expect(card).to_have_count(1)
        expect(card).to_contain_text(item.statement)
        expect(card).to_contain_text(f"“{item.section}”")
    # Every missed red flag is listed, and nothing else is.
    expect(missed.locator(".card")).to_have_count(len(report.missed_red_flags))


def test_self_practice_with_javascript_never_reloads_the_page(page, site, learner):
    sign_in(page, site, learner)
    pk = start_case(page, site, C01_PRESENTATION)
    mark_window(page)
    book, chosen = playbook(), []
    for choice in PATH:
        play_step(page, book, chosen, choice)
        assert window_marker(page) == "still here", f"a full page load happened after {choice}"
    attempt = Attempt.objects.get(pk=pk)
    assert attempt.choice_ids() == PATH
    assert attempt.is_finished
    # Each answer appended only its own lines; the page must read exactly as a reload renders it.
    built = page.locator("#transcript").inner_text()
    assert page.evaluate(DUPLICATE_IDS) == []
    page.reload()
    assert page.locator("#transcript").inner_text() == built
    page.get_by_role("link", name="Read your debrief").click()
    page.wait_for_url(f"**/attempts/{pk}/debrief/")
    check_debrief(page, attempt)


def test_start_brings_the_case_in_one_request_with_its_address_title_and_focus(page, site, learner):
    """Start is boosted: one request instead of a redirect and a second request (what
    a class pressing Start together waits on). It must still behave as a page change:
    the address, the title, focus on the heading, Back to the library; and while it
    is on its way the button shows it and cannot be pressed twice."""
    sign_in(page, site, learner)
    page.goto(f"{site}/cases/")
    mark_window(page)
    held, sent = [], []
    page.route("**/cases/C01/start/", lambda route: held.append(route))  # a slow network
    page.on("request", lambda r: sent.append((r.method, r.url)) if "/static/" not in r.url else None)
    button = page.get_by_role("button", name=re.compile(rf"^Start case\W+{re.escape(C01_PRESENTATION)}$"))
    spinner = page.locator("form[action$='/cases/C01/start/'] .htmx-indicator")
    expect(spinner).to_have_css("opacity", "0")  # nothing on its way yet
    button.click()
    expect(button).to_be_disabled()
    expect(spinner).to_be_visible()
    expect(spinner).to_have_css("opacity", "1")  # retried past the 150 ms delay and fade
    assert len(held) == 1
    held[0].continue_()
    page.wait_for_url("**/attempts/*/")
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text(C01_PRESENTATION)
    expect(heading).to_be_focused()
    expect(page).to_have_title(re.compile(rf"^{re.escape(C01_PRESENTATION)} · "))
    assert window_marker(page) == "still here", "Start loaded a whole page"
    assert sent == [("POST", f"{site}/cases/C01/start/")], "the case came in more than one request"
    pk = int(page.url.rstrip("/").split("/")[-1])
    book, chosen = playbook(), []
    play_step(page, book, chosen, "H1")  # the page that arrived this way plays
    page.go_back()
    page.wait_for_url(f"{site}/cases/")
    resume = page.get_by_role("link", name=re.compile(rf"resume\W+{re.escape(C01_PRESENTATION)}", re.I))
    expect(resume).to_have_attribute("href", f"/attempts/{pk}/")
    page.go_forward()
    page.wait_for_url(f"**/attempts/{pk}/")
    expect(page.locator("#transcript .entry")).to_have_count(1)


def test_while_a_choice_is_saving_no_other_option_can_be_clicked(page, site, learner):
    """A second click during a slow save was stored but never shown (the page kept
    offering it): every button of the panel is disabled until the answer arrives."""
    sign_in(page, site, learner)
    pk = start_case(page, site, C01_PRESENTATION)
    held = []
    page.route(f"**/attempts/{pk}/choose/", lambda route: held.append(route))  # hold the POST
    buttons = page.locator("#stage-panel button")
    count = buttons.count()
    assert count >= 8  # the history questions
    buttons.first.click()
    for i in range(count):
        expect(buttons.nth(i)).to_be_disabled()
    # "Saving…" shows, in view (htmx fades it in after 150 ms; on a phone, test_indicator.py).
    expect(page.locator("#saving")).to_have_css("opacity", "1")
    expect(page.locator("#saving")).to_be_in_viewport(ratio=1)
    assert len(held) == 1
    held[0].continue_()
    expect(page.locator("#transcript .entry")).to_have_count(1)
    expect(page.locator("#stage-panel button").first).to_be_enabled()
    assert len(Attempt.objects.get(pk=pk).choice_ids()) == 1


def test_ext_content_is_marked_as_each_answer_arrives_as_the_whole_page_marks_it(page, site, learner):
    """C11's trunk sensation check (X6), its return visit and its outcome go beyond the
    source document: htmx's appended lines mark them as a reload does, the return visit's
    prompt is marked while it is the question, and no option still offered is marked."""
    sign_in(page, site, learner)
    start_case(page, site, 'Mid-back "spasm" for six weeks, 71-year-old retired bus driver')
    book, chosen = playbook("C11"), []
    ext_in_transcript = page.locator("#transcript .badge.text-bg-warning")
    for choice in ["H8", "history:next", "X6", "exam:next", "W1", "B", "P6", "R1"]:
        expect(page.locator("#stage-panel form .badge")).to_have_count(0)  # X6 too, while offered
        if choice == "R1":
            expect(page.locator("#stage-panel p").filter(has_text="Five days later").locator(".badge")).to_have_text(re.compile("^ext"))
        play_step(page, book, chosen, choice)
    expect(ext_in_transcript).to_have_count(3)  # X6's finding, the return visit's story, the outcome
    decided = page.locator("#transcript").locator("xpath=.//dt[.='You decided']/following-sibling::dd[1]")
    expect(decided).to_have_count(4)
    expect(decided.locator(".badge")).to_have_count(0)  # C11's return-visit options are within the source
    built = page.locator("#transcript").inner_text()
    page.reload()
    assert page.locator("#transcript").inner_text() == built
    expect(ext_in_transcript).to_have_count(3)


def test_self_practice_without_javascript(nojs_page, site, learner):
    page = nojs_page
    sign_in_with_form(page, site, learner.username)  # the real login form (django-axes in the path)
    expect(page.locator("nav")).to_contain_text(learner.username)
    pk = start_case(page, site, C01_PRESENTATION)
    book, chosen = playbook(), []
    for choice in PATH:
        play_step(page, book, chosen, choice)
        # Post/redirect/get: every choice lands back on the attempt page itself,
        # scrolled to what changed: the answer beside the options, or the new stage
        # after "Move on" or a decision.
        path, _, anchor = page.url.partition("#")
        assert path.endswith(f"/attempts/{pk}/")
        is_pick = book.stages[book.option_stage[choice]].kind in ("history", "exam") if ":" not in choice else False
        assert anchor == ("answer" if is_pick else "stage-h")
    attempt = Attempt.objects.get(pk=pk)
    assert attempt.choice_ids() == PATH
    page.get_by_role("link", name="Read your debrief").click()
    check_debrief(page, attempt)


def test_reloading_mid_case_resumes_with_the_transcript(page, site, learner):
    sign_in(page, site, learner)
    pk = start_case(page, site, C01_PRESENTATION)
    book, chosen = playbook(), []
    for choice in ["H1", "H3", "history:next", "X2"]:
        play_step(page, book, chosen, choice)
    page.reload()
    entries = page.locator(".transcript .entry")
    expect(entries).to_have_count(3)
    for option_id in ("H1", "H3", "X2"):
        stage = book.stages[book.option_stage[option_id]]
        reveals = next(o.reveals for o in stage.options if o.id == option_id)
        expect(page.locator("#play")).to_contain_text(reveals)
    expect(page.locator("#stage-h")).to_have_text("Examination")
    # Leaving and coming back from the home page's "Pick up where you left off".
    page.goto(site + "/")
    page.get_by_role("link", name=re.compile(rf"^Resume\W+{C01_PRESENTATION}$")).click()
    page.wait_for_url(f"**/attempts/{pk}/")
    expect(entries).to_have_count(3)
    play_step(page, book, chosen, "X4")
    assert Attempt.objects.get(pk=pk).choice_ids() == ["H1", "H3", "history:next", "X2", "X4"]


def two_tabs_after_h1(page, site, learner):
    """C01 started and H1 asked in `page`; a second tab open on the same attempt."""
    sign_in(page, site, learner)
    pk = start_case(page, site, C01_PRESENTATION)
    book, chosen = playbook(), []
    play_step(page, book, chosen, "H1")
    other = page.context.new_page()
    other.goto(f"{site}/attempts/{pk}/")
    return pk, book, chosen, other


def test_a_stale_tab_is_told_nothing_was_recorded_and_focus_lands_on_the_message(page, site, learner):
    pk, book, chosen, other = two_tabs_after_h1(page, site, learner)
    other.get_by_role("button", name="Move on").click()
    expect(other.locator("#stage-h")).to_have_text("Examination")
    other.close()
    # The first tab still shows the history questions; the attempt has moved on.
    page.get_by_role("button", name=book.stages["history"].options[1].label, exact=True).click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Nothing was recorded")
    expect(alert).to_be_focused()
    assert Attempt.objects.get(pk=pk).choice_ids() == ["H1", "history:next"]
    expect(page.locator("#stage-h")).to_have_text("Examination")


def test_two_tabs_answering_in_turn_each_show_every_answer(page, site, learner):
    pk, book, chosen, other = two_tabs_after_h1(page, site, learner)
    play_step(other, book, list(chosen), "H3")
    other.close()
    # This tab missed H3: its next answer brings the whole transcript, not just its own line.
    play_step(page, book, chosen, "H4")
    history = {o.id: o for o in book.stages["history"].options}
    entries = page.locator(".transcript .entry")
    expect(entries).to_have_count(3)
    for n, option_id in enumerate(["H1", "H3", "H4"]):
        expect(entries.nth(n)).to_contain_text(history[option_id].reveals)
    assert Attempt.objects.get(pk=pk).choice_ids() == ["H1", "H3", "H4"]
