"""Quick parallel Starts of one case (a double click, two tabs) resume one
self-paced attempt instead of each creating one: on PostgreSQL seven of fifteen
simultaneous Starts each made a new attempt (a security audit). The same for an
assigned exercise, whose Start checks the assessed rule before its transaction and
the attempt limit inside it. Real threads, each with its own connection; runs on
SQLite and PostgreSQL (DATABASE_URL)."""

import pytest
from django.urls import reverse

from tests.factories import AssignmentFactory, UserFactory, enrol
from tests.integration.test_concurrency import THREADS, signed_in, sqlite_file_database, together  # noqa: F401 (fixture)
from trainer.models import Attempt

pytestmark = pytest.mark.django_db(transaction=True)


def test_simultaneous_starts_of_one_case_leave_one_attempt_under_way(library):
    user = UserFactory()
    clients = [signed_in(user) for _ in range(THREADS)]
    url = reverse("start_attempt", args=["C09"])
    for round_ in range(3):
        Attempt.objects.filter(user=user).delete()  # each round races from nothing under way
        responses = together(THREADS, lambda i: clients[i].post(url))
        assert {r.status_code for r in responses} == {302}
        under_way = Attempt.objects.filter(user=user, case__code="C09", finished_at__isnull=True)
        assert under_way.count() == 1, f"round {round_}"
        assert {r["Location"] for r in responses} == {reverse("attempt", args=[under_way.get().pk])}


def test_simultaneous_starts_of_one_assignment_leave_one_attempt_within_its_limit(library):
    user = UserFactory()
    assignment = AssignmentFactory(code="C09", max_attempts=1)
    enrol(assignment.cohort, user)
    clients = [signed_in(user) for _ in range(THREADS)]
    url = reverse("assignment_start", args=[assignment.pk])
    for round_ in range(3):
        Attempt.objects.filter(user=user).delete()  # each round races from nothing under way
        responses = together(THREADS, lambda i: clients[i].post(url))
        attempts = Attempt.objects.filter(user=user, assignment=assignment)
        assert attempts.count() == 1, f"round {round_}"
        assert {r["Location"] for r in responses} == {reverse("attempt", args=[attempts.get().pk])}
