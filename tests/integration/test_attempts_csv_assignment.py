"""The attempts CSV names each row's assignment as the matrix CSV heads its columns
("C01 practice due 2026-11-18"), persona ines. Its "assignment" column held the
database id ("2"): meaningless to an instructor, and no way to match a row with
its column in the other export."""

from django.urls import reverse

from tests.factories import AssignmentFactory, play_assigned
from tests.integration.dashboard_helpers import _csv
from trainer.models import Assignment


def test_each_attempt_names_its_assignment_as_the_matrix_csv_does(room, ines_client):
    cohort = room["cohort"]
    assessed = AssignmentFactory(cohort=cohort, code="C01", mode=Assignment.Mode.ASSESSED)
    play_assigned(room["users"]["dan"], assessed)
    matrix = _csv(ines_client.get(reverse("export_matrix", args=[cohort.pk])))
    tags = [h.removesuffix(" status") for h in matrix[0] if h.endswith(" status")]
    rows = _csv(ines_client.get(reverse("export_attempts", args=[cohort.pk])))
    column = rows[0].index("assignment")
    named = {r[column] for r in rows[1:]}
    assert named == set(tags) and len(tags) == 2
    dan = [r for r in rows[1:] if r[0] == "dan"]
    assert [r[column] for r in dan] == [t for t in tags if " assessed " in t]
