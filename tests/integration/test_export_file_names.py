"""The CSV exports are named after their cohort and the day (persona ines). They were
"cohort-7-matrix.csv": in a Downloads folder, an instructor with several cohorts,
exporting over a term, could not tell one cohort's file, or one week's, from another."""

from django.urls import reverse
from django.utils import timezone

from tests.factories import TaughtCohortFactory


def test_each_export_is_named_after_its_cohort_and_the_day(ines, ines_client):
    cohort = TaughtCohortFactory(created_by=ines, name="PT year 2: Spring block")
    today = timezone.localdate().isoformat()
    for view, kind in (("export_matrix", "matrix"), ("export_attempts", "attempts")):
        response = ines_client.get(reverse(view, args=[cohort.pk]))
        assert response["Content-Disposition"] == f'attachment; filename="pt-year-2-spring-block-{kind}-{today}.csv"'


def test_a_name_with_no_latin_letters_falls_back_to_the_cohort_number(ines, ines_client):
    cohort = TaughtCohortFactory(created_by=ines, name="Φυσιοθεραπεία")
    today = timezone.localdate().isoformat()
    response = ines_client.get(reverse("export_matrix", args=[cohort.pk]))
    assert response["Content-Disposition"] == f'attachment; filename="cohort-{cohort.pk}-matrix-{today}.csv"'
