"""The address a log-in attempt came from, for django-axes's throttling when the app
runs behind the TLS proxy (DJANGO_BEHIND_PROXY=1 sets AXES_CLIENT_IP_CALLABLE to
`behind_proxy`). Without the proxy axes reads REMOTE_ADDR itself and the header
below, which anyone can write, is never looked at."""

from __future__ import annotations

import ipaddress

from django.http import HttpRequest


def behind_proxy(request: HttpRequest) -> str | None:
    """The last X-Forwarded-For entry: the address our proxy saw and appended
    (nginx's $proxy_add_x_forwarded_for). REMOTE_ADDR is the proxy's own address for
    everybody, and entries left of the last came from the client, who can forge them
    to lock someone else out or to dodge their own lock-out."""
    last = request.META.get("HTTP_X_FORWARDED_FOR", "").rsplit(",", 1)[-1].strip()
    try:
        return str(ipaddress.ip_address(last))
    except ValueError:  # no header (the proxy does not set it) or not an address
        return request.META.get("REMOTE_ADDR")
