"""Query budgets for playing a case (bench/README.md): a choice, the attempt page,
the debrief. (A boosted Start's budget is with the library's tests.)"""

from django.urls import reverse

from tests.factories import play
from tests.integration.play_helpers import choose


def test_a_choice_post_stays_within_its_query_budget(alice_client, attempt, assert_max_queries):
    choose(alice_client, attempt, "H1")
    with assert_max_queries(5):
        assert choose(alice_client, attempt, "H4").status_code == 200


def test_the_attempt_page_stays_within_its_query_budget(alice_client, attempt, django_assert_max_num_queries):
    play(attempt, ["H1", "H4", "history:next"])
    with django_assert_max_num_queries(6):
        assert alice_client.get(reverse("attempt", args=[attempt.pk])).status_code == 200


def test_the_debrief_stays_within_its_query_budget(alice_client, attempt, django_assert_max_num_queries):
    play(attempt, attempt.version.playbook.best_choices)
    with django_assert_max_num_queries(8):
        assert alice_client.get(reverse("debrief", args=[attempt.pk])).status_code == 200
