"""The Previous / n of N / Next links every paged list shares (the pager tag): they keep
the page's other query parameters (a library filter, the other list's page), name the
right parameter and address, and are absent from a list that fits on one page."""

import html
import re

from django.core.paginator import Paginator
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse

from tests.factories import TaughtCohortFactory, UserFactory, enrol

TAG = Template('{% load pager %}{% pager page "Things" param=param path=path anchor=anchor %}')


def _links(rendered: str) -> dict[str, str]:
    return {label: html.unescape(href) for href, label in re.findall(r'<a class="page-link" href="([^"]*)">(\w+)</a>', rendered)}


def _render(query: str, number: int, *, param="page", path="", anchor="", count=60) -> str:
    request = RequestFactory().get(f"/somewhere/?{query}")
    page = Paginator(range(count), 20).get_page(number)
    return TAG.render(Context({"request": request, "page": page, "param": param, "path": path, "anchor": anchor}))


def test_links_keep_the_filters_and_set_only_the_page():
    links = _links(_render("region=back&q=neck&page=2", 2))
    assert links == {"Previous": "?region=back&q=neck&page=1", "Next": "?region=back&q=neck&page=3"}


def test_first_and_last_pages_link_one_way_and_say_where_they_are():
    first, last = _render("", 1), _render("page=3", 3)
    assert set(_links(first)) == {"Next"} and "1 / 3" in first
    assert set(_links(last)) == {"Previous"} and "3 / 3" in last
    assert 'aria-label="Things"' in first


def test_a_list_on_one_page_has_no_pager():
    assert "<nav" not in _render("", 1, count=20)


def test_a_second_list_pages_on_its_own_parameter_address_and_place():
    links = _links(_render("page=2&archived_page=1", 1, param="archived_page", path="/cohorts/", anchor="archived"))
    assert links == {"Next": "/cohorts/?page=2&archived_page=2#archived"}


def test_roster_pages_its_learners(db, ines, ines_client):
    cohort = TaughtCohortFactory(created_by=ines)
    enrol(cohort, *[UserFactory(username=f"learner{i:02d}") for i in range(51)])
    url = reverse("cohort_roster", args=[cohort.pk])
    first = ines_client.get(url).content.decode()
    assert "1 / 2" in first and _links(first) == {"Next": "?page=2"}
    second = ines_client.get(url, {"page": 2}).content.decode()
    assert "learner50" in second and "learner00" not in second and _links(second) == {"Previous": "?page=1"}
