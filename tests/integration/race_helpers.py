"""Two requests interleaved at one chosen point, in real threads with their own
connections: the first pauses inside its transaction until the second has either
reached the same point or is waiting for a lock the first holds. Who waits for whom
is then the code's doing, not the scheduler's, so each run checks the same thing."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from django.db import connection

PATIENCE = 30  # seconds before a stuck test fails rather than hangs


def others_wait_for_a_lock() -> bool:
    """Whether another connection to this database waits for a row or table lock.
    Only PostgreSQL says; on SQLite a transaction takes the one write lock at BEGIN
    (IMMEDIATE), so the second request cannot start its own until the first ends."""
    if connection.vendor != "postgresql":
        return True
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0] > 0


class Run(threading.Thread):
    """work() in a thread with its own connection; `.result` is its return value or
    the exception it raised."""

    def __init__(self, work: Callable[[], object]):
        super().__init__(daemon=True)
        self.work, self.result = work, None

    def run(self) -> None:
        try:
            self.result = self.work()
        except BaseException as exc:  # the test asserts on it
            self.result = exc
        finally:
            connection.close()


def interleave(first: Callable[[], object], second: Callable[[], object], paused: threading.Event,
               release: threading.Event, second_reached: threading.Event) -> tuple[object, object]:
    """Run `first` until it sets `paused` (and waits for `release`), then `second`
    until it sets `second_reached` or waits for a lock; then release `first`."""
    a = Run(first)
    a.start()
    assert paused.wait(PATIENCE), "the first request never reached its pause"
    b = Run(second)
    b.start()
    deadline = time.monotonic() + PATIENCE
    while not (second_reached.is_set() or not b.is_alive() or others_wait_for_a_lock()):
        assert time.monotonic() < deadline, "the second request neither went on nor waited for a lock"
        time.sleep(0.01)
    release.set()
    a.join(PATIENCE), b.join(PATIENCE)
    assert not a.is_alive() and not b.is_alive(), "a request hung"
    return a.result, b.result
