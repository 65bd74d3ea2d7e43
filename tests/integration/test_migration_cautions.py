"""Migration 0002: findings stored before the engine told cautions from pitfalls
fallen into (every trigger was "triggered") are recomputed from the event log."""

import importlib

from django.apps import apps

from tests.factories import AttemptFactory, play
from trainer.models import AttemptFinding

migration = importlib.import_module("trainer.migrations.0002_findings_caution")


def stored(attempt):
    return set(AttemptFinding.objects.filter(attempt=attempt).values_list("guidance_id", "status"))


def test_old_triggered_rows_become_cautions_only_where_a_right_choice_fired_them(library, alice):
    attempt = AttemptFactory(user=alice, code="C01")
    # The strength test X4 carries pf-exam-distortion; the X-ray W4 is a mistake.
    play(attempt, ["H1", "history:next", "X2", "X4", "exam:next", "W4", "E", "P2"])
    now = stored(attempt)
    assert ("pf-exam-distortion", "caution") in now and ("tp-imaging-selective", "triggered") in now
    AttemptFinding.objects.filter(attempt=attempt, status="caution").update(status="triggered")  # as stored before

    migration.mark_cautions(apps, None)
    assert stored(attempt) == now

    migration.unmark_cautions(apps, None)  # the way back restores the old single status
    assert ("pf-exam-distortion", "triggered") in stored(attempt)
