"""Guessing join codes, throttled.

A join code is 8 characters from 31 (8.5e11 codes), which holds only if guesses are
few: the join form, the join link and the log-in and sign-up pages (which name the
cohort a `next=/join/CODE/` leads to, before anyone signs in) answered every guess
at once, about 20 a second from one signed-in tab, and sign-up makes as many
accounts as anyone wants. So codes that match no open cohort are counted per account
and per client address (the one django-axes uses, so behind the proxy the client's,
not the proxy's); past either limit within the window, no code is looked up, right
or wrong, until the window ends.

The counts are trainer/throttle.py's, in the database: every worker process reads and
adds to the same ones (each process's own cache allowed N times the limits with N).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.http import HttpRequest

from trainer import throttle
from trainer.classroom import ClassroomError, NoSuchJoinCode

T = TypeVar("T")

WINDOW = 15 * 60  # seconds
PER_ACCOUNT = 10  # a learner mistypes a code a few times, not ten
PER_ADDRESS = 100  # a class behind one school address joins at once

MESSAGE = (
    "Too many join codes that did not work: joining is paused for 15 minutes. "
    "Check the code with your instructor, or use the join link they sent."
)


def _counters(request: HttpRequest) -> list[tuple[str, int]]:
    counters = [(f"join-guess:addr:{throttle.client_address(request)}", PER_ADDRESS)]
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        counters.append((f"join-guess:user:{user.pk}", PER_ACCOUNT))
    return counters


def blocked(request: HttpRequest) -> bool:
    """Whether this account or address has used up its wrong codes for now."""
    counters = _counters(request)
    counts = throttle.counts(key for key, _ in counters)
    return any(counts[key] >= limit for key, limit in counters)


def record_miss(request: HttpRequest) -> None:
    """A code that matched no open cohort."""
    for key, _ in _counters(request):
        throttle.hit(key, WINDOW)  # the window starts at the first miss


class Paused(ClassroomError):
    """Joining is paused for this account or address (MESSAGE)."""


def look_up(request: HttpRequest, lookup: Callable[..., T], *args) -> T:
    """`lookup(*args)`, a classroom function that finds a cohort by its code, as every
    view that takes a code runs it: not at all while paused (Paused), and a code that
    matches no open cohort (NoSuchJoinCode, raised on) counted as a guess."""
    if blocked(request):
        raise Paused(MESSAGE)
    try:
        return lookup(*args)
    except NoSuchJoinCode:
        record_miss(request)
        raise
