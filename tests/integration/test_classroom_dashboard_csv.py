"""The instructor dashboard's CSV exports (persona ines): the matrix, and one row per
attempt with every dimension; no cell a spreadsheet would run as a formula."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from tests.factories import AssignmentFactory, TaughtCohortFactory, UserFactory, enrol, play_assigned
from tests.integration.dashboard_helpers import _csv
from trainer import classroom, cohort_stats
from trainer.models import Assignment, AttemptFinding


def test_matrix_csv(room, ines_client):
    rows = _csv(ines_client.get(reverse("export_matrix", args=[room["cohort"].pk])))
    tag = f"C01 practice due {timezone.localtime(room['assignment'].due_at):%Y-%m-%d}"
    assert rows[0] == ["student", "name", f"{tag} status", f"{tag} score", f"{tag} unsafe", f"{tag} late", f"{tag} attempts"]
    by_name = {r[0]: r for r in rows[1:]}
    assert set(by_name) == {"alice", "bob", "carol", "dan"}
    carol = room["attempts"]["carol"]
    assert by_name["carol"][2:] == ["done", str(carol.score_total), "yes" if carol.unsafe else "no", "no", "1"]
    assert by_name["dan"][2:] == ["not started", "", "", "", "0"]


def test_attempts_csv_has_one_row_per_attempt_with_every_dimension(room, ines_client):
    play_assigned(room["users"]["bob"], room["assignment"], ["H1"])  # an open attempt too
    rows = _csv(ines_client.get(reverse("export_attempts", args=[room["cohort"].pk])))
    head = rows[0]
    assert head[:9] == ["student", "name", "case", "version", "assignment", "mode", "started", "finished", "late"]
    assert head[-4:] == ["unsafe", "counted", "missed red flags", "pitfalls fallen into"]
    assert len([h for h in head if h.startswith("score ")]) == 6
    assert len(rows) == 1 + 4
    carol = room["attempts"]["carol"]
    line = next(r for r in rows[1:] if r[0] == "carol")
    assert line[2:4] == ["C01", str(carol.version.number)] and line[9] == str(carol.score_total)
    dims = [str(getattr(carol, f"score_{d}")) for d in cohort_stats.DIMENSIONS]
    assert line[10:15] == dims
    missed = sorted(AttemptFinding.objects.filter(attempt=carol, status__in=classroom.MISSED).values_list("guidance_id", flat=True))
    assert line[-2] == " ".join(missed)
    fallen = sorted(AttemptFinding.objects.filter(attempt=carol, status="triggered").values_list("guidance_id", flat=True))
    assert line[-1] == " ".join(fallen)  # cautions are not mistakes: never in this column
    open_row = [r for r in rows[1:] if r[0] == "bob" and r[7] == ""]
    assert len(open_row) == 1 and open_row[0][-3] == "no"


def test_csv_cells_cannot_become_spreadsheet_formulas(library, ines, ines_client):
    cohort = TaughtCohortFactory(created_by=ines)
    sneaky = UserFactory(username="=cmd")
    enrol(cohort, sneaky)
    play_assigned(sneaky, AssignmentFactory(cohort=cohort))
    for name in ("export_matrix", "export_attempts"):
        rows = _csv(ines_client.get(reverse(name, args=[cohort.pk])))
        assert rows[1][0] == "'=cmd"


def test_assignment_mode_is_in_the_export(room, ines_client):
    Assignment.objects.filter(pk=room["assignment"].pk).update(mode="assessed")
    rows = _csv(ines_client.get(reverse("export_attempts", args=[room["cohort"].pk])))
    assert {r[5] for r in rows[1:]} == {"assessed"}


def test_matrix_csv_says_overdue_as_the_dashboard_does(library, ines, ines_client):
    cohort = TaughtCohortFactory(created_by=ines)
    alice, bob = UserFactory(username="alice"), UserFactory(username="bob")
    enrol(cohort, alice, bob)
    now = timezone.now()
    assignment = AssignmentFactory(cohort=cohort, code="C01", opens_at=now - timedelta(days=3), due_at=now + timedelta(days=1))
    classroom.start_assignment(bob, assignment)
    Assignment.objects.filter(pk=assignment.pk).update(due_at=now - timedelta(hours=1))
    page = ines_client.get(reverse("cohort_dashboard", args=[cohort.pk])).content.decode()
    assert page.count(">overdue</span>") == 2  # "Not started · overdue", "In progress · overdue"
    rows = {r[0]: r for r in _csv(ines_client.get(reverse("export_matrix", args=[cohort.pk])))[1:]}
    assert rows["alice"][2] == "not started, overdue" and rows["bob"][2] == "in progress, overdue"
