"""Migration 0003: attempts finished "Safe" with a dangerous choice at an unscored
decision (a return visit) are re-scored from their event log as the debrief now shows them."""

import importlib

from django.apps import apps

from tests.factories import AttemptFactory, play
from trainer.models import Attempt

migration = importlib.import_module("trainer.migrations.0003_unscored_dangerous_is_unsafe")

# C07: imaging the wrong target (poor) brings her back worse; then reassurance (R3, dangerous) or
# same-day assessment (R1, best).
C07_FIRST_VISIT = ["H10", "H2", "H12", "H3", "H4", "H5", "H7", "history:next", "X10", "X4", "X5", "X8", "X7", "exam:next"]


def finished(user, tail):
    attempt = AttemptFactory(user=user, code="C07")
    play(attempt, [*C07_FIRST_VISIT, *tail])
    attempt.refresh_from_db()
    return attempt


def test_a_stored_safe_verdict_with_a_dangerous_return_visit_choice_is_re_scored(library, alice, bob):
    reassured = finished(alice, ["W4", "A", "P5", "R3"])
    sent_in = finished(bob, ["W4", "A", "P5", "R1"])
    assert reassured.unsafe and reassured.score_total == 40  # what the engine stores now
    assert not sent_in.unsafe and sent_in.score_total == 80
    Attempt.objects.filter(pk=reassured.pk).update(unsafe=False, score_total=80)  # as stored before the change

    migration.rescore(apps, None)

    reassured.refresh_from_db()
    sent_in.refresh_from_db()
    assert (reassured.unsafe, reassured.score_total) == (True, 40)
    assert (sent_in.unsafe, sent_in.score_total) == (False, 80)  # a safe return visit is left alone
    assert reassured.debrief().unsafe and reassured.debrief().total == 40  # stored and shown agree
