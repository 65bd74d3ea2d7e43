"""The drill-down to one learner (/cohorts/<pk>/students/<user_pk>/) a page of
attempts at a time: each attempt is replayed and its whole path drawn, so 100
attempts made a 360 KB page. The order stays by due date, then as started; the
"counts" badge is decided over all the learner's attempts, not the page's."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

import cases.models
from tests.factories import AssignmentFactory, AttemptFactory, ChoiceFactory, TaughtCohortFactory, UserFactory, enrol
from trainer.views.dashboard import STUDENT_ATTEMPTS_PAGE

CODES = ("C01", "C02", "C04")
TEN = tuple(f"C{i:02d}" for i in range(1, 11))


def _work(ines, n: int, codes=CODES, scores=None):
    """A cohort where alice has `n` finished attempts, dealt round the assignments
    (one per code, due one day apart, the best attempt counting). Returns the
    cohort, alice and her attempts in the page's order: by due date, then started."""
    cohort = TaughtCohortFactory(created_by=ines)
    alice = UserFactory(username=f"alice{n}")
    enrol(cohort, alice)
    now = timezone.now()
    assignments = [
        AssignmentFactory(cohort=cohort, code=code, counts="best", max_attempts=None, due_at=now + timedelta(days=k + 1))
        for k, code in enumerate(codes)
    ]
    attempts = []
    for i in range(n):
        a = assignments[i % len(assignments)]
        score = scores[i] if scores else 50 + i % 40
        att = AttemptFactory(
            user=alice, code=a.case.code, assignment=a, started_at=now - timedelta(hours=n - i),
            finished_at=now - timedelta(hours=n - i) + timedelta(minutes=20), score_total=score,
        )
        ChoiceFactory(attempt=att, seq=0, option_id=a.case.current_version.playbook.best_choices[0])
        attempts.append((codes.index(a.case.code), i, att))
    return cohort, alice, [att for *_, att in sorted(attempts, key=lambda t: t[:2])]


def _shown(page: str, cohort) -> list[int]:
    """The attempts on the page, as the pks of their Debrief links, in order."""
    return [int(pk) for pk in re.findall(rf'href="/cohorts/{cohort.pk}/attempts/(\d+)/"', page)]


def _get(client, cohort, user, **params):
    response = client.get(reverse("cohort_student", args=[cohort.pk, user.pk]), params)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("compiled", [True, False], ids=["cases-compiled", "fresh-worker"])
def test_query_count_is_the_same_for_3_and_60_attempts(library, ines, ines_client, django_assert_max_num_queries, monkeypatch, compiled):
    counts = []
    # One case, then ten (six attempts each: page 2 shows four cases), whose case files load in one query.
    for n, codes in ((3, CODES[:1]), (60, TEN)):
        cohort, alice, _ = _work(ines, n, codes)
        if not compiled:
            monkeypatch.setattr(cases.models, "_PLAYBOOKS", {})  # a worker that has compiled no case yet
        # session, user, cohort, learner, count, page, choices, the menu's instructor check (+ the case files not compiled yet)
        with django_assert_max_num_queries(8 if compiled else 9):
            with CaptureQueriesContext(connection) as ctx:
                page = _get(ines_client, cohort, alice, page=2)
        counts.append(len(ctx.captured_queries))
        assert len(_shown(page, cohort)) == min(n, STUDENT_ATTEMPTS_PAGE)
    assert counts[0] == counts[1], counts


def test_attempts_are_paged_in_the_pages_order_and_each_is_on_one_page(library, ines, ines_client):
    n = 2 * STUDENT_ATTEMPTS_PAGE + 3
    cohort, alice, ordered = _work(ines, n)
    shown = []
    for number in (1, 2, 3):
        page = _get(ines_client, cohort, alice, page=number)
        shown += _shown(page, cohort)
        assert f'<span class="page-link">{number} / 3</span>' in page
    assert shown == [a.pk for a in ordered]
    assert f"{n} attempts, by due date, then in the order started." in page


def test_the_counted_badge_is_decided_over_every_attempt_not_the_page(library, ines, ines_client):
    """One case, best attempt counts: the best is on page 2, so page 1's attempts
    on the same assignment are not marked as counting."""
    n = STUDENT_ATTEMPTS_PAGE + 2
    scores = [60] * (n - 1) + [95]
    cohort, alice, ordered = _work(ines, n, CODES[:1], scores)
    first = _get(ines_client, cohort, alice)
    second = _get(ines_client, cohort, alice, page=2)
    assert ">counts</span>" not in first
    assert second.count(">counts</span>") == 1
    best = second[second.index(f'id="att-{ordered[-1].pk}"'):]
    assert best.index(">counts</span>") < best.index("</article>")


@pytest.mark.parametrize("asked, shown", [("999", 2), ("0", 2), ("-3", 2), ("abc", 1), ("", 1), ("1e3", 1)])
def test_a_page_out_of_range_or_not_a_number_gives_the_last_or_the_first(library, ines, ines_client, asked, shown):
    cohort, alice, ordered = _work(ines, STUDENT_ATTEMPTS_PAGE + 1)
    expected = ordered[STUDENT_ATTEMPTS_PAGE:] if shown == 2 else ordered[:STUDENT_ATTEMPTS_PAGE]
    assert _shown(_get(ines_client, cohort, alice, page=asked), cohort) == [a.pk for a in expected]


def test_page_links_keep_other_parameters_and_a_short_list_has_none(library, ines, ines_client):
    cohort, alice, _ = _work(ines, STUDENT_ATTEMPTS_PAGE + 1)
    page = _get(ines_client, cohort, alice, page=2, ref="matrix")
    assert 'href="?page=1&amp;ref=matrix">Previous</a>' in page
    cohort, bob, _ = _work(ines, STUDENT_ATTEMPTS_PAGE)
    assert 'class="pagination"' not in _get(ines_client, cohort, bob)


def test_the_empty_state_is_unchanged(room, ines_client):
    dan = room["users"]["dan"]  # enrolled, never started
    page = _get(ines_client, room["cohort"], dan)
    assert "dan has not started an assigned exercise in this cohort yet." in page
    assert 'class="pagination"' not in page and "role=\"status\">0 attempts" not in page


def test_a_page_of_another_cohorts_learner_is_still_404(room, ines_client, alice, alice_client):
    other = TaughtCohortFactory()
    outsider = UserFactory(username="otto")
    enrol(other, outsider)
    assert ines_client.get(reverse("cohort_student", args=[room["cohort"].pk, outsider.pk]), {"page": "2"}).status_code == 404
    learner = room["users"]["alice"]
    assert alice_client.get(reverse("cohort_student", args=[room["cohort"].pk, learner.pk]), {"page": "2"}).status_code == 404
