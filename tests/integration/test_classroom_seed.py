"""seed_demo builds a demo classroom by really playing cases, and is idempotent."""

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from trainer import classroom, cohort_stats
from trainer.models import Attempt, AttemptFinding, Choice, Cohort, Membership


def _snapshot():
    return (Cohort.objects.count(), Membership.objects.count(), Attempt.objects.count(), Choice.objects.count(), AttemptFinding.objects.count())


@pytest.mark.django_db
def test_seed_demo_creates_a_playable_classroom_and_is_idempotent(library):
    call_command("seed_demo", force=True, password="demo-pass-123", stdout=None)
    cohort = Cohort.objects.get(join_code="DEMOCLASS")
    assert Membership.objects.get(cohort=cohort, user__username="demo-instructor").role == "instructor"
    learners = Membership.objects.filter(cohort=cohort, role="learner")
    assert learners.count() == 12 and learners.filter(user__username__in=["demo-student", "demo-student2"]).count() == 2
    attempts = Attempt.objects.filter(assignment__cohort=cohort)
    finished, open_ = attempts.filter(finished_at__isnull=False), attempts.filter(finished_at__isnull=True)
    assert finished.count() >= 20 and open_.count() >= 5
    assert finished.filter(late=True).exists() and finished.filter(unsafe=True).exists()
    # Played through the engine: every finished attempt's stored score is its debrief's.
    for attempt in finished[:8]:
        report = attempt.debrief()
        assert (attempt.score_total, attempt.unsafe) == (report.total, report.unsafe)
        assert attempt.choices.count() == len(attempt.choice_ids()) > 0
    assert finished.filter(score_total=100).exists() and finished.filter(score_total__lt=60).exists()
    assert len({tuple(a.choice_ids()) for a in finished}) > 10  # various paths, not one
    before = _snapshot()
    call_command("seed_demo", force=True, password="demo-pass-123", stdout=None)
    assert _snapshot() == before
    # Someone tried the settings on the demo cohort: the next `make run` still finds it.
    classroom.issue_new_join_code(cohort, replacing=cohort.join_code)
    Cohort.objects.filter(pk=cohort.pk).update(name="Renamed")
    call_command("seed_demo", force=True, password="demo-pass-123", stdout=None)
    assert _snapshot() == before
    # The dashboard has something real to show.
    client = Client()
    client.force_login(cohort.memberships.get(role="instructor").user)
    page = client.get(reverse("cohort_dashboard", args=[cohort.pk])).content.decode()
    assert "Sam Rivera" in page and "<strong>" in page
    assert sum(s.done for s in cohort_stats.summaries(cohort, 12).values()) >= 20
