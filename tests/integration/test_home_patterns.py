"""The learner's home page: the red flags they tend to miss and the pitfalls they tend to
fall into, across their own finished attempts."""

import random

from django.urls import reverse

from tests.factories import AttemptFactory, play
from trainer.management.commands.seed_demo import demo_path
from trainer.models import AttemptFinding


def finish(user, code, kind):
    attempt = AttemptFactory(user=user, code=code)
    play(attempt, demo_path(attempt.version.playbook, kind, random.Random(1)))
    return attempt


def test_patterns_count_the_learners_own_attempts_only(library, alice, alice_client, bob):
    rushed = [finish(alice, "C04", "rushed"), finish(alice, "C03", "rushed")]
    finish(alice, "C01", "best")
    finish(bob, "C04", "rushed")  # someone else's misses are not hers
    home = alice_client.get(reverse("home")).content.decode()
    assert "What you tend to miss" in home and "Over the 3 cases you have finished" in home
    missed = AttemptFinding.objects.filter(attempt__in=rushed, status__in=("missed", "not_screened"), guidance__kind="red_flag")
    assert missed.exists(), "a rushed cauda equina / infection case misses red flags"
    top = max({f.guidance_id for f in missed}, key=lambda g: (missed.filter(guidance_id=g).values("attempt").distinct().count(), g))
    n = missed.filter(guidance_id=top).values("attempt").distinct().count()
    assert f'href="/guidance/#{top}"' in home
    assert f"({n} of 3)" in home


def test_a_clean_record_says_so_and_a_new_learner_sees_nothing(library, alice, alice_client, bob_client):
    finish(alice, "C01", "best")
    home = alice_client.get(reverse("home")).content.decode()
    assert "you screened every red flag" in home
    assert "no choice of yours fell into a pitfall" in home
    assert "pf-exam-distortion" not in home  # the caution C01's strength test carries is no mistake
    assert "What you tend to miss" not in bob_client.get(reverse("home")).content.decode()


def test_pitfalls_fallen_into_are_counted_and_linked(library, alice, alice_client):
    rushed = finish(alice, "C04", "rushed")
    finish(alice, "C01", "best")
    fallen = set(
        AttemptFinding.objects.filter(attempt=rushed, status="triggered", guidance__kind="pitfall").values_list(
            "guidance_id", flat=True
        )
    )
    assert fallen, "a rushed cauda equina case falls into pitfalls"
    home = alice_client.get(reverse("home")).content.decode()
    section = home[home.index("Pitfalls you fell into") : home.index("</section>", home.index("Pitfalls you fell into"))]
    for gid in fallen:
        assert f'href="/guidance/#{gid}"' in section and "(1 of 2)" in section


def test_every_red_flag_missed_is_listed_the_first_five_open_the_rest_folded(library, alice, alice_client):
    # Earlier the list stopped at five with no word of the rest, so it looked complete.
    rushed = [finish(alice, code, "rushed") for code in ("C04", "C03", "C11", "C05")]
    missed = set(
        AttemptFinding.objects.filter(attempt__in=rushed, status__in=("missed", "not_screened"), guidance__kind="red_flag")
        .values_list("guidance_id", flat=True)
    )
    assert len(missed) > 5, "four rushed red-flag cases leave more than five red flags unscreened"
    home = alice_client.get(reverse("home")).content.decode()
    section = home[home.index("Red flags you missed") : home.index("Pitfalls you fell into")]
    for gid in missed:
        assert f'href="/guidance/#{gid}"' in section
    folded = section[section.index("<details") :]
    assert f"<summary>{len(missed) - 5} more</summary>" in folded and folded.count('href="/guidance/#') == len(missed) - 5


def test_a_retried_case_counts_once_by_its_latest_attempt(library, alice, alice_client):
    """Fifteen retries of one case made its misses lead the list (a learner audit); and
    a mistake put right on the retry is no longer a habit."""
    for _ in range(4):
        finish(alice, "C04", "rushed")
    finish(alice, "C03", "rushed")
    home = alice_client.get(reverse("home")).content.decode()
    assert "Over the 2 cases you have finished" in home
    assert "(4 of" not in home and "of 5)" not in home
    finish(alice, "C04", "best")
    home = alice_client.get(reverse("home")).content.decode()
    patterns = home[home.index("What you tend to miss") : home.index('id="recent-h"')]
    gaps = AttemptFinding.objects.filter(status__in=["missed", "not_screened"])
    c04_only = set(gaps.filter(attempt__case__code="C04").values_list("guidance__title", flat=True))
    c03 = set(gaps.filter(attempt__case__code="C03").values_list("guidance__title", flat=True))
    assert c04_only - c03 and not any(title in patterns for title in c04_only - c03)


def path(attempt, kind):
    return demo_path(attempt.version.playbook, kind, random.Random(1))


def c04_gaps_shown(client) -> set[str]:
    home = client.get(reverse("home")).content.decode()
    patterns = home[home.index("What you tend to miss") : home.index('id="recent-h"')]
    gaps = AttemptFinding.objects.filter(attempt__case__code="C04", status__in=["missed", "not_screened"], guidance__kind="red_flag")
    return {title for title in gaps.values_list("guidance__title", flat=True) if title in patterns}


def test_the_attempt_finished_last_counts_not_the_one_started_last(library, alice, alice_client):
    """Started A, started B (another tab), finished B well, then finished A in a rush: A is
    the learner's latest work on the case, and its misses are what they do now."""
    first, second = AttemptFactory(user=alice, code="C04"), AttemptFactory(user=alice, code="C04")
    play(second, path(second, "best"))
    play(first, path(first, "rushed"))
    assert c04_gaps_shown(alice_client), "the rushed attempt, finished last, counts"  # the later start hid them
    assert "Over the 1 case you have finished" in alice_client.get(reverse("home")).content.decode()


def test_a_mistake_put_right_in_an_attempt_finished_later_no_longer_counts(library, alice, alice_client):
    """The other way round: the rushed attempt started last but finished first."""
    first, second = AttemptFactory(user=alice, code="C04"), AttemptFactory(user=alice, code="C04")
    play(second, path(second, "rushed"))
    assert c04_gaps_shown(alice_client)
    play(first, path(first, "best"))
    assert not c04_gaps_shown(alice_client)  # the later start kept them


def test_the_patterns_cost_the_same_queries_whatever_the_attempts(library, alice, django_assert_num_queries):
    from trainer import cohort_stats

    finish(alice, "C04", "rushed")
    with django_assert_num_queries(2):
        cohort_stats.learner_patterns(alice)
    for code, kind in (("C04", "best"), ("C03", "rushed"), ("C11", "rushed"), ("C01", "best"), ("C03", "best")):
        finish(alice, code, kind)
    with django_assert_num_queries(2):
        n, missed, fallen = cohort_stats.learner_patterns(alice)
    assert n == 4 and missed
