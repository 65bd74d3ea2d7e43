"""Settings (persona ines): saving the name as it stands says nothing changed. It
said "Renamed to Ines's class." although the cohort kept the name it had, which
reads as if something had been changed (or a typed change had been lost)."""

from django.contrib.messages import get_messages
from django.urls import reverse

from tests.factories import TaughtCohortFactory


def test_saving_the_same_name_says_the_name_is_unchanged(ines, ines_client):
    cohort = TaughtCohortFactory(created_by=ines, name="Spring block")
    response = ines_client.post(reverse("cohort_settings", args=[cohort.pk]), {"name": " Spring block "})
    assert response.status_code == 302
    shown = [str(m) for m in get_messages(response.wsgi_request)]
    assert shown == ["The name is unchanged: Spring block."]


def test_a_new_name_is_saved_and_said(ines, ines_client):
    cohort = TaughtCohortFactory(created_by=ines, name="Spring block")
    response = ines_client.post(reverse("cohort_settings", args=[cohort.pk]), {"name": "Autumn block"})
    cohort.refresh_from_db()
    assert cohort.name == "Autumn block"
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["Renamed to Autumn block."]
