"""Creating accounts, throttled per client address.

Anyone could make accounts without end from one address, each one also a fresh
account for guessing join codes (trainer/join_throttle.py). The limit counts accounts
made (settings.SIGNUPS_PER_HOUR), in a window that starts at the first; the counts are
trainer/throttle.py's, shared by every worker process. The address is the one
django-axes counts log-in failures for, an IPv6 client's /64."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.http import HttpRequest
from django.template.defaultfilters import pluralize

from trainer import throttle

WINDOW = 60 * 60  # seconds: settings.SIGNUPS_PER_HOUR is per hour


def minutes(delta: timedelta) -> str:
    # Minutes rather than "an hour": the log-in lockout template can only divide
    # (widthratio), so every page that names a wait says it the same way.
    n = round(delta.total_seconds() / 60)
    return f"{n} minute{pluralize(n)}"


def key(request: HttpRequest) -> str:
    return f"signup:addr:{throttle.client_address(request)}"


def pause(request: HttpRequest) -> str | None:
    """Why this client address may not create another account now, or None."""
    counter = key(request)
    if throttle.counts([counter])[counter] < settings.SIGNUPS_PER_HOUR:
        return None
    wait = max(throttle.time_left(counter), timedelta(minutes=1))
    return (
        f"Too many accounts have been created from this network in the last hour, so signing up "
        f"from it is paused for {minutes(wait)}. If you already have an account, log in instead."
    )


def record(request: HttpRequest) -> None:
    """An account was made from this address (not a double click's second request,
    which gets the account its first one made)."""
    throttle.hit(key(request), WINDOW)
