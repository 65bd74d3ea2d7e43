"""A learner's own attempts, all of them: home lists the latest few and links the
rest (a learner audit found the 21st finished attempt, and the 11th case in
progress, silently gone from every page)."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from tests.factories import AttemptFactory, ChoiceFactory
from trainer.models import Attempt

def _finished(user, n, code="C06"):
    start = timezone.now() - timedelta(days=30)
    return [
        AttemptFactory(user=user, code=code, started_at=start + timedelta(hours=i), finished_at=start + timedelta(hours=i, minutes=5), score_total=50 + i % 50)
        for i in range(n)
    ]

def _links(page: str, name: str, attempts) -> set[int]:
    return {a.pk for a in attempts if reverse(name, args=[a.pk]) in page}

def test_every_finished_attempt_is_reachable_from_home(library, alice, alice_client, django_assert_max_num_queries):
    attempts = _finished(alice, 27)
    home = alice_client.get(reverse("home")).content.decode()
    assert len(_links(home, "debrief", attempts)) == 10
    assert "All your attempts (27)" in home and reverse("my_attempts") in home
    with django_assert_max_num_queries(8):  # not one query per row
        first = alice_client.get(reverse("my_attempts")).content.decode()
    second = alice_client.get(reverse("my_attempts"), {"page": 2}).content.decode()
    assert len(_links(first, "debrief", attempts)) == 25 and len(_links(second, "debrief", attempts)) == 2
    assert _links(first, "debrief", attempts) | _links(second, "debrief", attempts) == {a.pk for a in attempts}
    assert _links(first, "debrief", attempts[-1:])  # the one worked on last comes first

def test_the_library_card_links_its_earlier_attempts_to_the_list_for_that_case(library, alice, alice_client):
    c06 = _finished(alice, 5)
    c01 = _finished(alice, 1, code="C01")
    library_page = alice_client.get(reverse("library")).content.decode()
    assert f'{reverse("my_attempts")}?case=C06' in library_page and "and 2 earlier attempts" in library_page
    listed = alice_client.get(reverse("my_attempts"), {"case": "C06"}).content.decode()
    assert _links(listed, "debrief", c06) == {a.pk for a in c06} and not _links(listed, "debrief", c01)
    typed = alice_client.get(reverse("my_attempts"), {"case": " c06"}).content.decode()
    assert _links(typed, "debrief", c06) == {a.pk for a in c06}
    assert "No attempts on this case" in alice_client.get(reverse("my_attempts"), {"case": "C99"}).content.decode()

def test_cases_in_progress_come_by_last_activity_and_none_is_dropped_silently(library, alice, alice_client):
    start = timezone.now() - timedelta(days=3)
    under_way = [AttemptFactory(user=alice, code=f"C{n:02d}", started_at=start + timedelta(minutes=n)) for n in range(1, 13)]
    oldest = under_way[0]
    ChoiceFactory(attempt=oldest, seq=0, option_id="H1", created_at=timezone.now())  # started first, worked on last
    home = alice_client.get(reverse("home")).content.decode()
    resume = home[home.index('id="resume-h"') :]
    assert resume.index(reverse("attempt", args=[oldest.pk])) < resume.index(reverse("attempt", args=[under_way[-1].pk]))
    assert "And 2 more in progress" in home
    everything = alice_client.get(reverse("my_attempts")).content.decode()
    assert _links(everything, "attempt", under_way) == {a.pk for a in under_way}

def test_the_list_shows_only_the_learners_own_attempts(library, alice, bob, alice_client):
    theirs = _finished(bob, 2)
    assert not _links(alice_client.get(reverse("my_attempts")).content.decode(), "debrief", theirs)
    assert "You have not started a case yet" in alice_client.get(reverse("my_attempts")).content.decode()
    assert Attempt.objects.filter(user=bob).count() == 2

def test_signed_out_visitors_are_asked_to_log_in(client):
    response = client.get(reverse("my_attempts"))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_each_attempt_link_on_a_library_card_names_its_case_and_time(library, alice, alice_client):
    """Several same-day links read "Finished 24 Nov: 74/100" alike, naming no case for a screen reader."""
    [attempt] = _finished(alice, 1, code="C06")
    page = alice_client.get(reverse("library")).content.decode()
    link = page[page.index(f'href="{reverse("debrief", args=[attempt.pk])}"') :].split("</a>", 1)[0]
    from django.utils.dateformat import format as date_format
    from django.utils.timezone import localtime

    assert f"Finished {date_format(localtime(attempt.finished_at), 'j M H:i')}:" in link
    assert f", debrief for {attempt.case.presentation}" in link
