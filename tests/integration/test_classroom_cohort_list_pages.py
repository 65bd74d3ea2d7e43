"""The instructor's cohort list (/cohorts/) a page at a time: running cohorts under
?page=, archived ones in their own list under ?archived_page= (150 cohorts made a
100 KB page), in as many queries for 60 cohorts as for 3."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.factories import AssignmentFactory, TaughtCohortFactory, UserFactory, enrol
from trainer.models import Cohort
from trainer.views.classroom import COHORT_PAGE


def _cohorts(ines, running: int, archived: int = 0, learners=()):
    """`running` cohorts named R000… and `archived` named A000…, each newer than the
    next (R000 is the newest), with `learners` enrolled and one assignment each."""
    now = timezone.now()
    made = []
    for prefix, n in (("R", running), ("A", archived)):
        for i in range(n):
            cohort = TaughtCohortFactory(name=f"{prefix}{i:03d}", created_by=ines, created_at=now - timedelta(minutes=i))
            enrol(cohort, *learners)
            AssignmentFactory(cohort=cohort, code="C01")
            made.append(cohort)
    Cohort.objects.filter(name__startswith="A").update(archived=True)
    return made


def _lists(page: str) -> tuple[list[str], list[str]]:
    """The names in the running list and in the archived one."""
    running, _, archived = page.partition('id="archived"')
    names = r'<a class="fw-semibold" href="/cohorts/\d+/">([^<]+)</a>'
    return re.findall(names, running), re.findall(names, archived)


def _get(client, **params):
    response = client.get(reverse("cohorts"), params)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("params", [{}, {"page": "2", "archived_page": "2"}])
def test_query_count_is_the_same_for_3_and_60_cohorts(library, django_assert_max_num_queries, params):
    learners = [UserFactory(username=f"l{i}") for i in range(3)]
    counts = []
    for size in (3, 60):
        teacher = UserFactory(username=f"teacher{size}", instructor=True)
        _cohorts(teacher, running=size, archived=size // 2, learners=learners)
        client = Client()
        client.force_login(teacher)
        with django_assert_max_num_queries(8):  # session, user, instructor check, a count and a page per list
            with CaptureQueriesContext(connection) as ctx:
                page = _get(client, **params)
        counts.append(len(ctx.captured_queries))
        running, archived = _lists(page)
        # Page 2 of 60 running and of 30 archived; of 3 and 1, their last page (the first).
        assert (len(running), len(archived)) == {3: (3, 1), 60: (25, 25 if not params else 5)}[size]
        assert "3 learners · 1 assignment" in page
    assert counts[0] == counts[1], counts


def test_running_cohorts_are_paged_newest_first_and_each_is_on_one_page(library, ines, ines_client):
    _cohorts(ines, running=COHORT_PAGE + 5)
    first, _ = _lists(_get(ines_client))
    second, _ = _lists(_get(ines_client, page=2))
    assert first == [f"R{i:03d}" for i in range(COHORT_PAGE)]
    assert second == [f"R{i:03d}" for i in range(COHORT_PAGE, COHORT_PAGE + 5)]


def test_the_archived_list_is_paged_on_its_own_and_says_how_many_there_are(library, ines, ines_client):
    _cohorts(ines, running=COHORT_PAGE + 1, archived=COHORT_PAGE + 2)
    page = _get(ines_client, page=2)
    running, archived = _lists(page)
    assert running == [f"R{COHORT_PAGE:03d}"] and archived == [f"A{i:03d}" for i in range(COHORT_PAGE)]
    assert f"Archived cohorts ({COHORT_PAGE + 2})" in page
    assert '<details class="mt-4" id="archived">' in page  # closed until one of its pages is asked for
    # Its Next link keeps the running list's page, and lands on the opened list.
    assert 'href="/cohorts/?page=2&amp;archived_page=2#archived">Next</a>' in page

    page = _get(ines_client, page=2, archived_page=2)
    running, archived = _lists(page)
    assert running == [f"R{COHORT_PAGE:03d}"] and archived == [f"A{COHORT_PAGE:03d}", f"A{COHORT_PAGE + 1:03d}"]
    assert '<details class="mt-4" id="archived" open>' in page
    assert '<span class="page-link">2 / 2</span>' in page.partition('id="archived"')[2]


@pytest.mark.parametrize("param", ["page", "archived_page"])
@pytest.mark.parametrize("asked, shown", [("999", 2), ("-1", 2), ("0", 2), ("abc", 1), ("", 1), ("2.5", 1)])
def test_a_page_out_of_range_or_not_a_number_gives_the_last_or_the_first(library, ines, ines_client, param, asked, shown):
    _cohorts(ines, running=COHORT_PAGE + 1, archived=COHORT_PAGE + 1)
    running, archived = _lists(_get(ines_client, **{param: asked}))
    names = running if param == "page" else archived
    prefix = "R" if param == "page" else "A"
    assert names == ([f"{prefix}{COHORT_PAGE:03d}"] if shown == 2 else [f"{prefix}{i:03d}" for i in range(COHORT_PAGE)])


def test_a_short_list_has_no_page_links(library, ines, ines_client):
    _cohorts(ines, running=COHORT_PAGE, archived=2)
    assert 'class="pagination"' not in _get(ines_client)


def test_the_create_forms_error_page_keeps_the_lists_and_links_them_to_the_list(library, ines, ines_client):
    """The 422 re-render is served at /cohorts/new/ (POST only): a bare ?page=2 link
    there would be a GET to /cohorts/new/ and answer 405."""
    _cohorts(ines, running=COHORT_PAGE + 1, archived=COHORT_PAGE + 1)
    response = ines_client.post(reverse("cohort_create"), {"name": ""})
    assert response.status_code == 422
    page = response.content.decode()
    assert "This field is required" in page
    running, archived = _lists(page)
    assert len(running) == COHORT_PAGE and len(archived) == COHORT_PAGE
    assert 'href="/cohorts/?page=2">Next</a>' in page
    assert 'href="/cohorts/?archived_page=2#archived">Next</a>' in page
    assert Cohort.objects.count() == 2 * (COHORT_PAGE + 1)


def test_the_empty_states_are_unchanged(library, ines, ines_client):
    assert "You do not teach a cohort yet." in _get(ines_client)
    _cohorts(ines, running=0, archived=2)
    page = _get(ines_client)
    assert "Every cohort you teach is archived." in page and "Archived cohorts (2)" in page
    _cohorts(ines, running=1)
    page = _get(ines_client)
    assert "Every cohort you teach is archived." not in page and "You do not teach" not in page


def test_another_instructors_cohorts_are_not_counted_or_listed(library, ines, ines_client):
    oscar = UserFactory(username="oscar", instructor=True)
    _cohorts(oscar, running=COHORT_PAGE + 1)
    page = _get(ines_client)
    assert "You do not teach a cohort yet." in page and 'class="pagination"' not in page
