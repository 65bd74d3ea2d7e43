"""The cohort list and a learner's drill-down, paged, on a 375 px phone without
JavaScript: plain links page them, an archived page opens its folded list where the
link lands, and neither page scrolls sideways. (What each page holds and its query
counts are in tests/integration/test_classroom_{cohort_list,student}_pages.py.)"""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.e2e.conftest import no_horizontal_scroll, sign_in
from tests.factories import AssignmentFactory, AttemptFactory, ChoiceFactory, TaughtCohortFactory, UserFactory, enrol
from trainer.views.classroom import COHORT_PAGE
from trainer.views.dashboard import STUDENT_ATTEMPTS_PAGE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_paging_on_a_phone_without_javascript(browser, site):
    ivy = UserFactory(username="ivy", instructor=True)
    now = timezone.now()
    for i in range(2 * COHORT_PAGE + 2):  # two pages of running cohorts, two of archived ones
        TaughtCohortFactory(
            name=f"Physiotherapy block {i:03d}", created_by=ivy, created_at=now - timedelta(minutes=i), archived=i > COHORT_PAGE
        )
    cohort = TaughtCohortFactory(name="Spring block", created_by=ivy, created_at=now + timedelta(minutes=1))
    lena = UserFactory(username="lena")
    enrol(cohort, lena)
    assignment = AssignmentFactory(cohort=cohort, code="C01", max_attempts=None)
    best = assignment.case.current_version.playbook.best_choices
    for i in range(STUDENT_ATTEMPTS_PAGE + 1):
        attempt = AttemptFactory(user=lena, code="C01", assignment=assignment, started_at=now - timedelta(hours=30 - i), finished_at=now, score_total=60)
        for seq, option in enumerate(best):
            ChoiceFactory(attempt=attempt, seq=seq, option_id=option)

    context = browser.new_context(viewport={"width": 375, "height": 740}, java_script_enabled=False)
    page = context.new_page()
    sign_in(page, site, ivy)
    page.goto(f"{site}/cohorts/")
    assert no_horizontal_scroll(page)[0] <= 375
    page.get_by_text("Archived cohorts").click()  # <details> opens without JavaScript
    page.get_by_role("navigation", name="Archived cohort pages").get_by_role("link", name="Next").click()
    expect(page).to_have_url(f"{site}/cohorts/?archived_page=2#archived")
    expect(page.get_by_role("link", name=f"Physiotherapy block {2 * COHORT_PAGE + 1:03d}", exact=True)).to_be_in_viewport()
    assert no_horizontal_scroll(page)[0] <= 375

    page.get_by_role("navigation", name="Cohort pages").get_by_role("link", name="Next").click()
    expect(page).to_have_url(f"{site}/cohorts/?archived_page=2&page=2")  # each list keeps the other's page
    expect(page.locator("details#archived")).to_have_attribute("open", "")

    page.goto(f"{site}/cohorts/{cohort.pk}/students/{lena.pk}/")
    page.get_by_role("navigation", name="Attempt pages").get_by_role("link", name="Next").click()
    expect(page).to_have_url(f"{site}/cohorts/{cohort.pk}/students/{lena.pk}/?page=2")
    expect(page.get_by_role("link", name="Debrief", exact=False)).to_have_count(1)
    assert no_horizontal_scroll(page)[0] <= 375
    context.close()
