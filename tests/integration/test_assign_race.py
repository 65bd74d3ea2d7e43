""""Assign" (or "Create" a cohort) pressed twice (a double click, a second press while the first is on its way)
sends two requests at once: each form saw no exercise on the case yet and each saved
one, so the cohort got the same case twice in one mode, which the form refuses one at a
time (an assessed case would give each learner two scored attempts, the dashboard two
columns). Real threads, as in test_start_race; SQLite and PostgreSQL."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import TaughtCohortFactory, UserFactory
from tests.integration.test_concurrency import THREADS, signed_in, sqlite_file_database, together  # noqa: F401 (fixture)
from cases.models import Case
from trainer.models import Assignment, Cohort

pytestmark = pytest.mark.django_db(transaction=True)


def test_simultaneous_assigns_of_one_case_make_one_exercise(library):
    instructor = UserFactory(instructor=True)
    cohort = TaughtCohortFactory(created_by=instructor)
    clients = [signed_in(instructor) for _ in range(THREADS)]
    now = timezone.localtime()
    form = {
        "case": Case.objects.get(code="C09").pk, "mode": "assessed", "counts": "first", "max_attempts": "",
        "opens_at": now.strftime("%Y-%m-%dT%H:%M"), "due_at": (now + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M"),
    }
    url = reverse("assignment_create", args=[cohort.pk])
    for round_ in range(6):  # a race: several rounds, so one lost shows
        Assignment.objects.filter(cohort=cohort).delete()  # each round races from none
        responses = together(THREADS, lambda i: clients[i].post(url, form))
        assert Assignment.objects.filter(cohort=cohort).count() == 1, f"round {round_}"
        # The others are told it is assigned already, on the form: nothing is a 500.
        assert sorted(r.status_code for r in responses) == [302] + [422] * (THREADS - 1)


def test_simultaneous_creates_of_one_cohort_make_one(db):
    """The same for "Create" on the cohorts page: two cohorts of one name cannot be told apart."""
    instructor = UserFactory(instructor=True)
    clients = [signed_in(instructor) for _ in range(THREADS)]
    for round_ in range(6):
        name = f"Spring block {round_}"
        responses = together(THREADS, lambda i: clients[i].post(reverse("cohort_create"), {"name": name}))
        assert Cohort.objects.filter(name=name).count() == 1, f"round {round_}"
        assert sorted(r.status_code for r in responses) == [302] + [422] * (THREADS - 1)
