"""The instructor dashboard's pages (the matrix, one assignment, what the cohort
misses) make as many queries for 40 learners as for 5."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.factories import AssignmentFactory, AttemptFactory, ChoiceFactory, TaughtCohortFactory, UserFactory, enrol
from tests.integration.dashboard_helpers import rows_of
from trainer.models import AttemptFinding


def _cohort_of(size: int, ines):
    """A cohort with three assignments; each learner has a finished attempt with
    stored scores and findings on two, and an open attempt on the third."""
    cohort = TaughtCohortFactory(created_by=ines)
    assignments = [AssignmentFactory(cohort=cohort, code=c, counts=k) for c, k in (("C01", "best"), ("C02", "first"), ("C04", "last"))]
    now = timezone.now()
    for i in range(size):
        user = UserFactory(username=f"s{size}-{i:03d}")
        enrol(cohort, user)
        for a in assignments[:2]:
            for score in (40 + i % 50, 60 + i % 40):
                att = AttemptFactory(user=user, code=a.case.code, assignment=a, finished_at=now, score_total=score, unsafe=score < 50)
                AttemptFinding.objects.create(attempt=att, guidance_id="rf-systemic", status="missed")
                ChoiceFactory(attempt=att, seq=0, option_id="H1")
        AttemptFactory(user=user, code="C04", assignment=assignments[2])
    return cohort, assignments


@pytest.mark.parametrize("searched", [False, True])
@pytest.mark.parametrize("view", ["cohort_dashboard", "assignment_detail", "cohort_misses"])
def test_query_count_is_the_same_at_5_and_40_students(library, ines, ines_client, django_assert_max_num_queries, view, searched):
    counts = []
    for size in (5, 40):
        cohort, assignments = _cohort_of(size, ines)
        args = [cohort.pk, assignments[0].pk] if view == "assignment_detail" else [cohort.pk]
        params = {"q": "s", "sort": "-progress"} if searched else {"sort": f"-a{assignments[0].pk}"}
        with django_assert_max_num_queries(12):
            with CaptureQueriesContext(connection) as ctx:
                response = ines_client.get(reverse(view, args=args), params)
        assert response.status_code == 200
        counts.append(len(ctx.captured_queries))
        if view == "cohort_dashboard":
            assert len(rows_of(response.content.decode())) == min(size, 25)
            assert f"{size} / {size} done" in response.content.decode()
    assert counts[0] == counts[1], counts
