"""Counts for the app's throttles (join-code guesses, sign-ups), shared by every worker
process: a count is a row of ThrottleCount, for one key, in a window fixed by its first hit.

They lived in Django's default cache, each process's own memory, so N gunicorn workers
allowed N times each limit. Django's DatabaseCache would be shared, but it does not fit
a count: its incr is a read then a write (two requests at once both read 4 and store 5,
so simultaneous requests, the way to go faster, are undercounted: the loss this fixes),
each incr moves the expiry to the cache's default timeout, entries are culled past
MAX_ENTRIES, and its table needs `createcachetable` beside every `migrate`. Here each hit
is one `UPDATE ... SET count = count + 1` (the row lock queues simultaneous ones, so none
is lost), and `migrate` makes the table. django-axes keeps log-in failures in the
database for the same reason.

Counts are written in the request's own transaction, which is autocommit in the views
that count: a count made inside an atomic block that then rolls back is rolled back too.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from datetime import timedelta

from axes.helpers import get_client_ip_address
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone

from trainer.models import ThrottleCount


def client_address(request: HttpRequest) -> str | None:
    """Who a throttle counts: the address django-axes counts log-in failures for
    (REMOTE_ADDR, or behind the TLS proxy, DJANGO_BEHIND_PROXY=1, the one it appended:
    trainer/client_ip.py), except that an IPv6 address counts as its /64. One home or
    phone gets a whole /64 and may pick any address in it, so per address, one client
    had 2**64 fresh counts."""
    address = get_client_ip_address(request)
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return address
    return str(ipaddress.ip_network(f"{ip}/64", strict=False)) if ip.version == 6 else address


def counts(keys: Iterable[str]) -> dict[str, int]:
    """Each key's hits in its current window (a key with none, or whose window ended, is 0)."""
    keys = list(keys)
    live = ThrottleCount.objects.filter(key__in=keys, window_ends__gt=timezone.now())
    found = dict(live.values_list("key", "count"))
    return {key: found.get(key, 0) for key in keys}


def time_left(key: str) -> timedelta:
    """How long until `key`'s current window ends (zero if it has none)."""
    now = timezone.now()
    ends = ThrottleCount.objects.filter(key=key, window_ends__gt=now).values_list("window_ends", flat=True).first()
    return ends - now if ends else timedelta(0)


def hit(key: str, window: int) -> None:
    """One more for `key`. Its window (seconds) starts at the first hit after the last
    window ended; then rows whose window ended are deleted, so the table holds only the
    keys counting now."""
    now = timezone.now()
    for _ in range(3):  # the second try succeeds unless the row vanished meanwhile
        if ThrottleCount.objects.filter(key=key, window_ends__gt=now).update(count=F("count") + 1):
            return
        ThrottleCount.objects.filter(window_ends__lte=now).delete()  # this key's ended window too
        try:
            with transaction.atomic():
                ThrottleCount.objects.create(key=key, count=1, window_ends=now + timedelta(seconds=window))
            return
        except IntegrityError:  # another request started the window meanwhile: count in it
            continue
