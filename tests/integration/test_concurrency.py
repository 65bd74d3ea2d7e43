"""Concurrency: simultaneous POSTs of one choice store exactly one; two tabs on one
attempt never corrupt it. Real threads, each with its own database connection,
through the full request stack. Runs on SQLite and PostgreSQL (DATABASE_URL)."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse

from tests.factories import AttemptFactory, UserFactory
from trainer.models import Attempt, Choice
from tests.integration.play_helpers import as_sent

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(scope="module", autouse=True)
def sqlite_file_database(django_db_setup, django_db_blocker, tmp_path_factory):
    """On SQLite, run this module against a database file, as production does.

    The suite's SQLite test database lives in memory with a shared cache, where a
    second writer fails at once with "database table is locked" (table locks
    ignore the busy timeout). Production uses a file with WAL, IMMEDIATE
    transactions and a busy timeout (trainer/settings.py), which is what must be
    proven here. PostgreSQL needs no swap."""
    if connection.vendor != "sqlite" or not connection.is_in_memory_db():
        yield
        return
    path = tmp_path_factory.mktemp("concurrency") / "db.sqlite3"
    with django_db_blocker.unblock():
        name = connection.settings_dict["NAME"]
        in_memory = connection.connection  # closing it would destroy the suite's database
        connection.connection = None
        connection.settings_dict["NAME"] = str(path)  # threads' new connections read this too
        try:
            call_command("migrate", verbosity=0, interactive=False)
            yield
        finally:
            connection.close()
            connection.settings_dict["NAME"] = name
            connection.connection = in_memory

HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_REQUEST_TYPE": "partial"}
THREADS = 8


def together(n: int, work: Callable[[int], object]) -> list:
    """Run work(0..n-1) in n threads released at the same instant; return results
    (or the exception each raised)."""
    barrier = threading.Barrier(n)
    results: list = [None] * n

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            results[i] = work(i)
        except BaseException as exc:  # reported by the caller
            results[i] = exc
        finally:
            connection.close()  # this thread's own connection

    threads = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a request thread hung"
    errors = [r for r in results if isinstance(r, BaseException)]
    assert not errors, f"requests raised: {errors!r}"
    return results


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def assert_consistent(attempt: Attempt) -> list[str]:
    """Seq numbers 0..n-1 without gaps or repeats, and the log replays."""
    rows = list(Choice.objects.filter(attempt=attempt).order_by("seq").values_list("seq", "option_id"))
    assert [seq for seq, _ in rows] == list(range(len(rows))), rows
    chosen = [option for _, option in rows]
    assert len(set(chosen)) == len(chosen), chosen
    attempt.refresh_from_db()
    state = attempt.state(chosen)  # raises InvalidChoice if the log is not a valid path
    assert attempt.is_finished == state.finished
    return chosen


def test_simultaneous_posts_of_one_choice_store_exactly_one(library):
    user = UserFactory()
    clients = [signed_in(user) for _ in range(THREADS)]
    for round_ in range(3):
        attempt = AttemptFactory(user=user)
        url = reverse("attempt_choose", args=[attempt.pk])
        # Half as htmx, half as a plain form (a double click with and without JS).
        responses = together(
            THREADS, lambda i: clients[i].post(url, {"option": as_sent(attempt, "H1")}, **(HTMX if i % 2 else {}))
        )
        statuses = sorted(r.status_code for r in responses)
        assert set(statuses) <= {200, 302}, statuses
        assert Choice.objects.filter(attempt=attempt).count() == 1, f"round {round_}"
        assert assert_consistent(attempt) == ["H1"]


def test_simultaneous_decisions_keep_exactly_one(library):
    user = UserFactory()
    clients = [signed_in(user) for _ in range(THREADS)]
    attempt = AttemptFactory(user=user)
    for option in ["H1", "history:next", "X2", "exam:next"]:
        attempt.choose(option)
    url = reverse("attempt_choose", args=[attempt.pk])
    options = ["W1", "W2", "W4", "W7"]
    responses = together(THREADS, lambda i: clients[i].post(url, {"option": as_sent(attempt, options[i % 4])}, **HTMX))
    chosen = assert_consistent(attempt)
    assert len(chosen) == 5 and chosen[-1] in options
    winner = chosen[-1]
    for i, r in enumerate(responses):
        # The winner's senders see the new stage; every other decision is refused, unrecorded.
        assert r.status_code == (200 if options[i % 4] == winner else 422), (options[i % 4], winner, r.status_code)


def test_many_simultaneous_different_choices_are_all_stored_in_order(library):
    """Ten different questions posted at once on one attempt: each request but one
    loses races to the others, up to nine in a row. With a fixed five retries the
    last losers were a 500 on PostgreSQL; now every one is stored, in one gapless
    sequence."""
    user = UserFactory()
    questions = ["H1", "H3", "H4", "H5", "H6", "H7", "H8", "H2", "H13", "H9"]
    clients = [signed_in(user) for _ in questions]
    for round_ in range(3):
        attempt = AttemptFactory(user=user)
        url = reverse("attempt_choose", args=[attempt.pk])
        responses = together(len(questions), lambda i: clients[i].post(url, {"option": as_sent(attempt, questions[i])}, **HTMX))
        assert [r.status_code for r in responses] == [200] * len(questions), round_
        chosen = assert_consistent(attempt)  # seq 0..9, no gap, no repeat
        assert sorted(chosen) == sorted(questions), (round_, chosen)


TAB_A = ["H1", "H3", "H4", "history:next", "X2", "X4", "exam:next", "W1", "A", "P1"]
TAB_B = ["H2", "H5", "H6", "history:next", "X9", "X6", "exam:next", "W2", "B", "P2"]


def test_two_tabs_choosing_different_options_never_corrupt_the_attempt(library):
    user = UserFactory()
    tabs = [signed_in(user), signed_in(user)]
    for round_ in range(4):
        attempt = AttemptFactory(user=user)
        url = reverse("attempt_choose", args=[attempt.pk])
        sequences = [TAB_A, TAB_B] if round_ % 2 == 0 else [TAB_B, TAB_A]

        def play_tab(i: int) -> list[tuple[str, int]]:
            return [(option, tabs[i].post(url, {"option": as_sent(attempt, option)}, **HTMX).status_code) for option in sequences[i]]

        outcomes = together(2, play_tab)
        chosen = assert_consistent(attempt)
        for tab in outcomes:
            for option, status in tab:
                assert status in (200, 422), (option, status)
                if status == 200:  # recorded now, or a repeat of what is recorded
                    assert option in chosen, (round_, option, chosen)
        # Everything recorded was acknowledged to one of the tabs.
        acknowledged = {option for tab in outcomes for option, status in tab if status == 200}
        assert set(chosen) <= acknowledged, (chosen, acknowledged)
