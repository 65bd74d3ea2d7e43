"""The instructor's drill-down to one student (persona ines): every assigned attempt
with its debrief and path, the review of one attempt, and self-paced practice kept
out of sight."""

import random

from django.urls import reverse

from tests.factories import AssignmentFactory, AttemptFactory, play_assigned
from trainer.management.commands.seed_demo import demo_path


def test_drill_down_lists_every_attempt_with_debrief_and_path(room, ines_client):
    cohort, alice = room["cohort"], room["users"]["alice"]
    second = play_assigned(alice, room["assignment"], ["H1"])  # in progress
    page = ines_client.get(reverse("cohort_student", args=[cohort.pk, alice.pk])).content.decode()
    first = room["attempts"]["alice"]
    for att in (first, second):
        assert reverse("cohort_attempt", args=[cohort.pk, att.pk]) in page
    assert "In progress" in page and ">counts</span>" in page
    first_label = room["book"].stages["history"].options[0].label
    assert first_label in page  # the path timeline
    review = ines_client.get(reverse("cohort_attempt", args=[cohort.pk, first.pk])).content.decode()
    assert f"{first.score_total}<span" in review and "Score by dimension" in review and 'class="timeline' in review


def test_the_drill_down_counts_choices_without_move_on_and_marks_low_yield_picks(room, ines_client):
    cohort, dan = room["cohort"], room["users"]["dan"]
    book = room["book"]
    low = next(o for o in book.stages["history"].options if o.yield_.value == "low")
    play_assigned(dan, room["assignment"], ["H1", low.id, "history:next", "X2"])  # 4 clicks, 3 choices
    page = ines_client.get(reverse("cohort_student", args=[cohort.pk, dan.pk])).content.decode()
    assert "Path (3 choices)" in page
    line = page[page.index(low.label):]
    assert line.index('<span class="badge text-bg-warning">low yield</span>') < line.index("</li>")


def test_the_instructors_review_of_an_unsafe_attempt_reads_as_theirs(room, ines_client):
    cohort = room["cohort"]
    c04 = AssignmentFactory(cohort=cohort, code="C04")
    rushed = play_assigned(room["users"]["dan"], c04, demo_path(c04.case.current_version.playbook, "rushed", random.Random(1)))
    assert rushed.unsafe
    review = ines_client.get(reverse("cohort_attempt", args=[cohort.pk, rushed.pk])).content.decode()
    assert review.count(">Unsafe</span>") == 1  # the band says "unsafe" too: one badge, not two
    assert "Their choice:" in review and "Your choice:" not in review


def test_drill_down_hides_self_paced_practice(room, ines_client):
    alice = room["users"]["alice"]
    private = AttemptFactory(user=alice, code="C02")
    page = ines_client.get(reverse("cohort_student", args=[room["cohort"].pk, alice.pk])).content.decode()
    assert reverse("cohort_attempt", args=[room["cohort"].pk, private.pk]) not in page
    assert ines_client.get(reverse("cohort_attempt", args=[room["cohort"].pk, private.pk])).status_code == 404
