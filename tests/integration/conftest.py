"""Fixtures several integration test files share (tests/conftest.py has the case
library and the personas): `attempt` for the test_play_* files, `room` for the
test_classroom_dashboard_* files."""

import random

import pytest

from tests.factories import AssignmentFactory, AttemptFactory, TaughtCohortFactory, UserFactory, enrol, play_assigned
from trainer.management.commands.seed_demo import demo_path

# _csv in dashboard_helpers.py asserts: rewritten as in a test module, its failures say what differed.
pytest.register_assert_rewrite("tests.integration.dashboard_helpers")


@pytest.fixture
def attempt(library, alice):
    return AttemptFactory(user=alice, code="C01")


@pytest.fixture
def room(library, ines):
    """Alice and Bob play C01's best path, Carol rushes it, Dan never starts."""
    cohort = TaughtCohortFactory(name="Spring block", created_by=ines)
    users = {n: UserFactory(username=n) for n in ("alice", "bob", "carol", "dan")}
    enrol(cohort, *users.values())
    assignment = AssignmentFactory(cohort=cohort, code="C01")
    book = assignment.case.current_version.playbook
    paths = {"alice": list(book.best_choices), "bob": list(book.best_choices), "carol": demo_path(book, "rushed", random.Random(3))}
    attempts = {n: play_assigned(users[n], assignment, p) for n, p in paths.items()}
    return {"cohort": cohort, "assignment": assignment, "users": users, "paths": paths, "attempts": attempts, "book": book}
