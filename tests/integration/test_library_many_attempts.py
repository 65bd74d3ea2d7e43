"""A library card lists a learner's latest three attempts on its case: the page loads
those (and any unfinished or assessed one its Start rules read), not every attempt the
learner ever made, and counts the rest in SQL."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from tests.factories import AttemptFactory


def test_library_card_loads_the_latest_attempts_not_all(library, alice, alice_client):
    now = timezone.now()
    unfinished = AttemptFactory(user=alice, code="C01", started_at=now - timedelta(days=30))  # resumed by Start
    for i in range(12):
        start = now - timedelta(days=20 - i)
        AttemptFactory(user=alice, code="C01", started_at=start, finished_at=start + timedelta(minutes=9), score_total=60)
    response = alice_client.get(reverse("library"))
    card = next(c for c in response.context["page"].object_list if c.code == "C01")
    assert len(card.mine) == 4  # the latest three, and the unfinished one
    assert card.resume == unfinished
    assert "and 10 earlier attempts" in response.content.decode()
