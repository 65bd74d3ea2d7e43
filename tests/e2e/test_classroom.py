"""Classroom flows in a real browser: an instructor creates a cohort and an
assignment and reads the dashboard; learners join and complete the assigned case,
with JavaScript and without. axe-core checks each classroom page on the way, and
a cohort name carrying a script payload stays text (the page fixture fails on any
dialog or CSP violation)."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.e2e.conftest import mark_window, play_step, playbook, sign_in, window_marker
from tests.e2e.test_accessibility import Audit
from tests.factories import AssignmentFactory, UserFactory
from trainer import classroom
from trainer.models import Assignment, Attempt, Cohort, Membership

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

C01_TITLE = "Acute lumbar strain after lifting"  # instructors' pages and the debrief
C01_PRESENTATION = "Low back spasm after lifting, 34-year-old warehouse picker"  # learners' pages before the debrief
COHORT = "Year 2 <img src=x onerror=\"alert('cohort')\">"
PATH = ["H1", "H3", "H4", "history:next", "X2", "X4", "exam:next", "W1", "A", "P1"]


def play_assigned(page, pk: int) -> None:
    book, chosen = playbook(), []
    for choice in PATH:
        play_step(page, book, chosen, choice)
    assert Attempt.objects.get(pk=pk).choice_ids() == PATH


def test_instructor_sets_up_a_cohort_a_learner_completes_it_and_the_dashboard_shows_it(page, browser, site):
    instructor = UserFactory(username="ivy", instructor=True)
    learner = UserFactory(username="lena")
    sign_in(page, site, instructor)
    audit = Audit(page)

    # The instructor creates a cohort (a first try with no name shows the error).
    page.goto(f"{site}/cohorts/")
    audit.check("cohorts, none yet")
    page.get_by_role("button", name="Create cohort").click()
    expect(page.locator(".invalid-feedback")).to_be_visible()
    audit.check("create cohort with errors")
    page.get_by_label("Cohort name").fill(COHORT)
    page.get_by_role("button", name="Create cohort").click()
    page.wait_for_url("**/cohorts/*/roster/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Roster")  # the page, under its cohort
    expect(page.locator(".cohort-context")).to_have_text(COHORT)
    code = page.locator(".join-code").first.inner_text().strip()
    cohort = Cohort.objects.get(join_code=code)
    assert cohort.name == COHORT
    audit.check("roster, empty")

    # ... and assigns C01 (a first try with no due time shows the error).
    page.get_by_role("link", name="Assign a case").click()
    page.get_by_label("Case").select_option(label=f"C01 · {C01_TITLE}")
    page.get_by_role("button", name="Assign").click()
    expect(page.locator(".invalid-feedback").first).to_be_visible()
    audit.check("assignment form with errors")
    due = (timezone.now() + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M")
    page.locator("#id_due_at").fill(due)
    page.get_by_role("button", name="Assign").click()
    page.wait_for_url(f"**/cohorts/{cohort.pk}/")
    assignment = Assignment.objects.get(cohort=cohort)
    assert assignment.case.code == "C01" and assignment.mode == "practice"
    audit.check("dashboard, no learner yet")

    # A learner joins with the code, in their own browser, and completes the case.
    learner_context = browser.new_context()
    lpage = learner_context.new_page()
    dialogs = []
    lpage.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    sign_in(lpage, site, learner)
    lpage.goto(f"{site}/")
    lpage.get_by_label("Join code").fill(code.lower()[:4] + "-" + code.lower()[4:])  # forgiving, as read off a slide
    lpage.get_by_role("button", name="Join a cohort").click()
    expect(lpage.get_by_role("status").first).to_contain_text("You joined")
    assert Membership.objects.filter(cohort=cohort, user=learner, role="learner").exists()
    # Now in a cohort, the join form folds away under a summary.
    expect(lpage.get_by_label("Join code")).to_be_hidden()
    expect(lpage.locator("summary", has_text="Join another cohort")).to_be_visible()
    lpage.get_by_role("button", name=re.compile(rf"^Start\W+{C01_PRESENTATION}$")).click()
    lpage.wait_for_url("**/attempts/*/")
    pk = int(lpage.url.rstrip("/").split("/")[-1])
    assert Attempt.objects.get(pk=pk).assignment_id == assignment.pk
    mark_window(lpage)
    play_assigned(lpage, pk)
    assert window_marker(lpage) == "still here"
    lpage.get_by_role("link", name="Read your debrief").click()
    expect(lpage.get_by_role("heading", level=1)).to_have_text(f"Debrief: {C01_TITLE}")
    assert not dialogs
    learner_context.close()
    score = Attempt.objects.get(pk=pk).score_total

    # The instructor's dashboard shows the work, searchable in place.
    page.goto(f"{site}/cohorts/{cohort.pk}/")
    matrix = page.locator("#matrix")
    row = matrix.get_by_role("row").filter(has_text="lena")
    expect(row).to_contain_text("Done")
    expect(row).to_contain_text(str(score))
    expect(page.locator("main")).to_contain_text("1 / 1 done")
    audit.check("dashboard with a finished learner")
    mark_window(page)
    page.get_by_label("Search students").fill("nobody-here")
    expect(matrix).to_contain_text("No student matches")
    page.get_by_label("Search students").fill("len")
    expect(matrix.get_by_role("row").filter(has_text="lena")).to_be_visible()
    assert window_marker(page) == "still here", "searching reloaded the page"

    page.get_by_role("link", name="What they miss").click()
    page.wait_for_url(f"**/cohorts/{cohort.pk}/misses/")
    expect(page.locator("main")).to_contain_text("1 counted attempt")
    audit.check("what the cohort misses")
    page.get_by_role("link", name="Dashboard", exact=True).click()
    page.get_by_role("link", name=re.compile(rf"^C01 · {C01_TITLE}$")).click()
    page.wait_for_url(f"**/cohorts/{cohort.pk}/assignments/{assignment.pk}/")
    audit.check("assignment detail")
    # Extending the due time, from the assignment page.
    page.get_by_role("link", name="Change dates and rules").click()
    page.wait_for_url(f"**/cohorts/{cohort.pk}/assignments/{assignment.pk}/edit/")
    audit.check("change an assignment")
    later = (timezone.now() + timedelta(days=14)).strftime("%Y-%m-%dT%H:%M")
    page.locator("#id_due_at").fill(later)
    page.get_by_role("button", name="Save changes").click()
    page.wait_for_url(f"**/cohorts/{cohort.pk}/assignments/{assignment.pk}/")
    expect(page.get_by_role("status").first).to_contain_text("Saved C01")
    assignment.refresh_from_db()
    assert timezone.localtime(assignment.due_at).strftime("%Y-%m-%dT%H:%M") == later
    # Removing an assignment asks first; "Keep it" goes back with nothing changed.
    page.get_by_role("link", name="Remove this assignment").click()
    expect(page.locator("main")).to_contain_text("1 learner started it (1 attempt)")
    audit.check("remove an assignment (confirmation)")
    page.get_by_role("link", name="Keep it").click()
    page.wait_for_url(f"**/cohorts/{cohort.pk}/assignments/{assignment.pk}/")
    page.goto(f"{site}/cohorts/{cohort.pk}/students/{learner.pk}/")
    expect(page.locator("main")).to_contain_text(C01_TITLE)
    audit.check("student detail")
    page.goto(f"{site}/cohorts/{cohort.pk}/attempts/{pk}/")
    expect(page.locator("main")).to_contain_text(str(score))
    audit.check("attempt review")
    page.goto(f"{site}/cohorts/{cohort.pk}/roster/")
    expect(page.locator("main")).to_contain_text("lena")
    audit.check("roster with a learner")
    page.goto(f"{site}/cohorts/")
    expect(page.locator("main")).to_contain_text(COHORT)
    audit.check("cohort list")
    assert page.evaluate("document.querySelectorAll('body img, [onerror]').length") == 0
    # End of term: a new join code, then the cohort archived, from its settings tab.
    page.get_by_role("link", name=f"Dashboard of {COHORT}").click()
    page.get_by_role("link", name="Settings", exact=True).click()
    page.wait_for_url(f"**/cohorts/{cohort.pk}/settings/")
    audit.check("cohort settings")
    old_code = cohort.join_code
    page.get_by_label(f"I understand that {old_code} and its link stop working at once").check()
    page.get_by_role("button", name="Issue a new join code").click()
    expect(page.get_by_role("status").first).to_contain_text("New join code")
    cohort.refresh_from_db()
    assert cohort.join_code != old_code
    expect(page.locator("main")).to_contain_text(cohort.join_code)
    page.get_by_role("button", name="Archive this cohort").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Archived")
    expect(page.get_by_role("button", name="Restore this cohort")).to_be_visible()
    audit.check("archived cohort settings")
    page.goto(f"{site}/cohorts/")
    page.locator("summary", has_text="Archived cohorts (1)").click()
    expect(page.get_by_role("link", name=COHORT, exact=True)).to_be_visible()
    audit.check("cohort list with an archived cohort")
    page.goto(f"{site}/review/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    audit.check("clinical review (instructors)")
    audit.assert_clean()


def test_a_learner_without_javascript_joins_by_link_and_completes_the_assignment(nojs_page, site):
    page = nojs_page
    instructor = UserFactory(username="ivy", instructor=True)
    cohort = classroom.create_cohort(instructor, COHORT)
    assignment = AssignmentFactory(cohort=cohort, code="C01")
    learner = UserFactory(username="nojs")
    sign_in(page, site, learner)

    page.goto(f"{site}/join/{cohort.join_code}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Join {COHORT}?")
    assert not Membership.objects.filter(user=learner).exists(), "the link must not join on GET"
    page.get_by_role("button", name=f"Join {COHORT}").click()
    page.wait_for_url(f"{site}/")
    assert Membership.objects.filter(cohort=cohort, user=learner, role="learner").exists()
    page.get_by_role("button", name=re.compile(rf"^Start\W+{C01_PRESENTATION}$")).click()
    page.wait_for_url("**/attempts/*/")
    pk = int(page.url.rstrip("/").split("/")[-1])
    play_assigned(page, pk)
    attempt = Attempt.objects.get(pk=pk)
    assert attempt.assignment_id == assignment.pk and attempt.is_finished
    page.get_by_role("link", name="Read your debrief").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Debrief: {C01_TITLE}")
    page.goto(f"{site}/")
    expect(page.locator("#assigned-h + ul")).to_contain_text("Done")


def test_the_learner_pages_of_the_classroom_pass_axe(page, site):
    instructor = UserFactory(username="ivy", instructor=True)
    cohort = classroom.create_cohort(instructor, "Year 2")
    AssignmentFactory(cohort=cohort, code="C01")
    AssignmentFactory(cohort=cohort, code="C03", mode="assessed", max_attempts=1)
    learner = UserFactory(username="lena")
    sign_in(page, site, learner)
    audit = Audit(page)
    page.goto(f"{site}/join/")
    page.get_by_role("button", name="Join", exact=True).click()
    expect(page.locator(".invalid-feedback")).to_be_visible()
    audit.check("join with errors")
    page.get_by_label("Join code").fill("NOPE-NOPE")
    page.get_by_role("button", name="Join", exact=True).click()
    expect(page.locator(".invalid-feedback")).to_contain_text("No open cohort")
    audit.check("join with a wrong code")
    page.goto(f"{site}/join/{cohort.join_code}/")
    audit.check("join link")
    page.get_by_role("button", name="Join Year 2").click()
    page.wait_for_url(f"{site}/")
    expect(page.locator("#assigned-h + ul li")).to_have_count(2)
    audit.check("home with assigned exercises")
    audit.assert_clean()


def test_a_join_link_pasted_into_the_code_box_joins(page, site):
    """The box cut a pasted link at 32 characters (the browser enforces maxlength),
    and the server refused 36 with "Ensure this value has at most 32 characters"."""
    cohort = classroom.create_cohort(UserFactory(username="ivy", instructor=True), "Year 2")
    learner = UserFactory(username="lena")
    sign_in(page, site, learner)
    page.goto(f"{site}/join/")
    page.get_by_label("Join code").fill(f"https://spasm-trainer.physio-school.example.ac.uk/join/{cohort.join_code}/")
    page.get_by_role("button", name="Join", exact=True).click()
    page.wait_for_url(f"{site}/")
    expect(page.get_by_role("status").first).to_contain_text("You joined Year 2")
    assert Membership.objects.filter(cohort=cohort, user=learner, role="learner").exists()


def test_an_instructor_without_javascript_removes_an_assignment_and_archives_the_cohort(nojs_page, site):
    page = nojs_page
    instructor = UserFactory(username="ivy", instructor=True)
    cohort = classroom.create_cohort(instructor, "Spring block")
    wrong = AssignmentFactory(cohort=cohort, code="C02")
    sign_in(page, site, instructor)

    page.goto(f"{site}/cohorts/{cohort.pk}/assignments/{wrong.pk}/")
    page.get_by_role("link", name="Remove this assignment").click()
    expect(page.locator("main")).to_contain_text("Nobody has started it yet")
    page.get_by_role("button", name="Remove the assignment").click()
    page.wait_for_url(f"**/cohorts/{cohort.pk}/")
    expect(page.get_by_role("status").first).to_contain_text("C02 is no longer assigned to Spring block")
    assert not Assignment.objects.filter(pk=wrong.pk).exists()

    page.get_by_role("link", name="Settings", exact=True).click()
    page.get_by_role("button", name="Archive this cohort").click()
    page.wait_for_url(f"**/cohorts/{cohort.pk}/settings/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Archived")
    assert Cohort.objects.get(pk=cohort.pk).archived
    # An archived cohort takes no new assignment (its learners would never see it):
    # the Assign page says so and leads back to Settings to restore it.
    page.get_by_role("link", name="Assign a case").click()
    notice = page.get_by_role("alert").filter(has_text="is archived")
    expect(notice).to_contain_text("Spring block is archived: its learners do not see its exercises")
    expect(page.get_by_role("button", name="Assign", exact=True)).to_have_count(0)
    notice.get_by_role("link", name="Settings").click()
    page.wait_for_url(f"**/cohorts/{cohort.pk}/settings/")
    page.get_by_role("button", name="Restore this cohort").click()
    expect(page.get_by_role("status").first).to_contain_text("Spring block is open again")
    assert not Cohort.objects.get(pk=cohort.pk).archived
