"""Classroom rules that read and then write, with a second request in between (two
instructors, a double click): each was reproduced with simultaneous HTTP requests
against gunicorn on PostgreSQL. The second request is held at exactly the moment that
broke (tests/integration/race_helpers.py). Runs on SQLite and PostgreSQL."""

import threading

import pytest

from tests.factories import AssignmentFactory, TaughtCohortFactory, UserFactory, enrol
from tests.integration.race_helpers import interleave
from tests.integration.test_concurrency import sqlite_file_database  # noqa: F401 (fixture)
from trainer import classroom
from trainer.classroom import cohorts
from trainer.models import Attempt, Membership

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_instructors_removing_each_other_at_once_leave_one_teaching(ines, monkeypatch):
    # Each checked that another instructor would stay, then each removed the other:
    # on PostgreSQL the cohort was left with nobody to teach it (2 of 10 tries).
    ivan = UserFactory(username="ivan", instructor=True)
    cohort = TaughtCohortFactory(created_by=ines)
    enrol(cohort, ivan, role=Membership.Role.INSTRUCTOR)
    places = {m.user.username: m.pk for m in cohort.memberships.select_related("user")}
    paused, release, second_checked = threading.Event(), threading.Event(), threading.Event()
    check = cohorts.removal_refusal

    def removal_refusal(cohort, membership):
        refused = check(cohort, membership)
        if not paused.is_set():
            paused.set()  # the first request has checked, and not yet removed anyone
            release.wait(30)
        else:
            second_checked.set()
        return refused

    monkeypatch.setattr(cohorts, "removal_refusal", removal_refusal)
    results = interleave(
        lambda: classroom.remove_member(cohort, places["ivan"]),  # Ines removes Ivan
        lambda: classroom.remove_member(cohort, places["ines"]),  # Ivan removes Ines
        paused, release, second_checked,
    )
    assert Membership.objects.teaching().filter(cohort=cohort).count() == 1
    refused = [r for r in results if isinstance(r, classroom.ClassroomError)]
    assert len(refused) == 1 and "at least one instructor" in str(refused[0]), results


def test_a_library_start_and_an_assignment_start_at_once_give_one_attempt(library, alice, monkeypatch):
    # The library's Start locked the learner's row and then the membership; the
    # assignment's Start locked the membership, and its new attempt's foreign key
    # check waited for the learner's row: a deadlock on PostgreSQL (a 500 for one).
    assignment = AssignmentFactory(code="C09")
    enrol(assignment.cohort, alice)
    paused, release, never = threading.Event(), threading.Event(), threading.Event()
    from trainer.classroom import practice

    begin = practice._begin_assignment

    def begin_after_a_pause(*args):
        paused.set()  # the library's Start holds its locks and has not started the attempt
        release.wait(30)
        return begin(*args)

    monkeypatch.setattr(practice, "_begin_assignment", begin_after_a_pause)
    from_library, from_home = interleave(
        lambda: classroom.start_case(alice, assignment.case),
        lambda: classroom.start_assignment(alice, assignment),
        paused, release, never,
    )
    assert not isinstance(from_library, BaseException), from_library
    assert not isinstance(from_home, BaseException), from_home
    attempt = Attempt.objects.get(user=alice)
    assert from_library[0] == attempt and from_home[0] == attempt and attempt.assignment == assignment
