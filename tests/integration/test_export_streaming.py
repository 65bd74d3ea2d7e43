"""The CSV exports are streamed in batches: a cohort of 1,000 learners with several
assignments is thousands of attempts, and building the whole file (and every attempt
with its findings) in memory before the first byte grew without bound."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.factories import AssignmentFactory, AttemptFactory, TaughtCohortFactory, UserFactory, enrol
from trainer.models import AttemptFinding
from trainer.views import exports


def _cohort(ines, learners: int):
    cohort = TaughtCohortFactory(created_by=ines)
    assignment = AssignmentFactory(cohort=cohort, code="C01")
    for i in range(learners):
        user = UserFactory(username=f"s{i:02d}")
        enrol(cohort, user)
        att = AttemptFactory(user=user, code="C01", assignment=assignment, finished_at=timezone.now(), score_total=50)
        AttemptFinding.objects.create(attempt=att, guidance_id="rf-systemic", status="missed")
    return cohort


@pytest.mark.parametrize("view", ["export_matrix", "export_attempts"])
def test_export_is_streamed_and_reads_rows_only_as_it_is_sent(library, ines, ines_client, view):
    cohort = _cohort(ines, 3)
    response = ines_client.get(reverse(view, args=[cohort.pk]))
    assert response.streaming
    chunks = iter(response.streaming_content)
    with CaptureQueriesContext(connection) as ctx:
        first = next(chunks)  # the byte-order mark goes out before any row is read
    assert first.startswith("\ufeff".encode()) and not ctx.captured_queries
    body = first + b"".join(chunks)
    assert body.count(b"\n") == 4  # header + one row per learner


def test_attempts_export_reads_attempts_and_findings_in_batches(library, ines, ines_client, monkeypatch):
    monkeypatch.setattr(exports, "BATCH", 2)
    cohort = _cohort(ines, 5)
    with CaptureQueriesContext(connection) as ctx:
        body = ines_client.get(reverse("export_attempts", args=[cohort.pk])).getvalue().decode("utf-8-sig")
    assert body.count("rf-systemic") == 5
    finding_reads = [q["sql"] for q in ctx.captured_queries if 'FROM "trainer_attemptfinding"' in q["sql"]]
    # Two prefetches (missed, fallen) per batch of at most 2 attempts: 3 batches.
    assert len(finding_reads) == 6, finding_reads
