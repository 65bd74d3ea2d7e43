"""Item analysis links back to the assignment(s) of its case. It was reached from an
assignment's page ("Item analysis for C01") and led nowhere but the cohort: back
to the assignment meant the browser's Back button, and a case assigned twice
(practice, then assessed) gave no way to either assignment."""

from django.urls import reverse

from tests.factories import AssignmentFactory
from trainer.models import Assignment


def test_item_analysis_links_to_each_assignment_of_its_case(room, ines_client):
    cohort, practice = room["cohort"], room["assignment"]
    assessed = AssignmentFactory(cohort=cohort, code=practice.case.code, mode=Assignment.Mode.ASSESSED)
    page = ines_client.get(reverse("item_analysis", args=[cohort.pk, practice.case.slug])).content.decode()
    for a in (practice, assessed):
        assert f'href="{reverse("assignment_detail", args=[cohort.pk, a.pk])}"' in page
