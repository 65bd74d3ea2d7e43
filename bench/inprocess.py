"""In-process measurements against the bench database (after django.setup()):
SQL statements per request (django.test.Client + CaptureQueriesContext, the same
counter pytest-django's django_assert_max_num_queries uses), per-request median
time without HTTP or queueing, and the engine's replay time."""

from __future__ import annotations

import statistics
import time
import timeit
from urllib.parse import urlencode

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from cases.models import Case

HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_REQUEST_TYPE": "partial"}
# htmx 4 sends a form as application/x-www-form-urlencoded (multipart only with
# hx-encoding); the test Client's default, multipart, costs ~0.2 ms more to parse.
FORM = "application/x-www-form-urlencoded"


def htmx_post(c: Client, path: str, data: dict):
    return c.post(path, urlencode(data), content_type=FORM, **HTMX)
TX_WORDS = ("BEGIN", "SAVEPOINT", "RELEASE", "ROLLBACK", "COMMIT")


_CLIENT: Client | None = None


def client_for(cred: dict) -> Client:
    """One shared Client (so one handler: a new Client would load the middleware
    again, WhiteNoise's file scan included, on its first request), logged in as
    `cred` by swapping the session and CSRF cookies."""
    global _CLIENT
    if _CLIENT is None:
        _CLIENT = Client(HTTP_HOST="127.0.0.1")
    _CLIENT.cookies.clear()
    _CLIENT.cookies["sessionid"] = cred["session"]
    _CLIENT.cookies["csrftoken"] = cred["csrf"]
    return _CLIENT


def as_sent(attempt_pk: int, option: str) -> str:
    """An option as the page sends it: a token (trainer/option_tokens.py), except "Move on"."""
    from trainer.option_tokens import option_token

    return option if option.endswith(":next") else option_token(attempt_pk, option)


def post_next_choice(c: Client, item: dict):
    """Post the attempt's next planned option as the page would: as its token, with
    `shown`, the number of choices the page displays (so the app answers with only
    the new lines)."""
    option = item["remaining"].pop(0)
    resp = htmx_post(c, f"/attempts/{item['attempt']}/choose/", {"option": as_sent(item["attempt"], option), "shown": item["done"]})
    item["done"] += 1
    return option, resp


def _split(queries) -> dict:
    sql = [q["sql"] for q in queries]
    tx = [s for s in sql if s.lstrip().upper().startswith(TX_WORDS)]
    return {"total": len(sql), "tx_control": len(tx), "sql": sql}


def count_get(cred: dict, path: str, **headers) -> dict:
    c = client_for(cred)
    warm = c.get(path, **headers)  # compile templates, the playbook, caches
    with CaptureQueriesContext(connection) as ctx:
        resp = c.get(path, **headers)
    out = _split(ctx.captured_queries)
    out["status"] = resp.status_code
    out["warm_status"] = warm.status_code
    return out


def count_choice(items: list[dict]) -> dict:
    """A fresh, valid choice (the path a learner's click takes), after a warm-up
    choice on another attempt; also the count for a repeated (idempotent) choice."""
    warm, fresh = items[0], items[1]
    c = client_for(warm)
    post_next_choice(c, warm)
    c = client_for(fresh)
    with CaptureQueriesContext(connection) as ctx:
        option, resp = post_next_choice(c, fresh)
    out = _split(ctx.captured_queries)
    out["status"] = resp.status_code
    with CaptureQueriesContext(connection) as ctx:
        again = htmx_post(c, f"/attempts/{fresh['attempt']}/choose/", {"option": as_sent(fresh["attempt"], option), "shown": fresh["done"] - 1})
    out["repeat_total"] = len(ctx.captured_queries)
    out["repeat_tx"] = _split(ctx.captured_queries)["tx_control"]
    out["repeat_status"] = again.status_code
    return out


def time_get(cred: dict, path: str, reps: int = 15, budget_s: float = 6.0) -> float:
    """Median seconds of a GET in-process (one warm-up first)."""
    c = client_for(cred)
    c.get(path)
    samples, t_end = [], time.perf_counter() + budget_s
    for _ in range(reps):
        t0 = time.perf_counter()
        c.get(path)
        samples.append(time.perf_counter() - t0)
        if time.perf_counter() > t_end and len(samples) >= 3:
            break
    return statistics.median(samples)


def time_choices(items: list[dict], rounds: int = 2) -> tuple[float, int]:
    """Median seconds of a fresh, valid choice POST in-process, over several attempts."""
    samples = []
    for _ in range(rounds):
        for it in items:
            if not it["remaining"]:
                continue
            c = client_for(it)
            t0 = time.perf_counter()
            option, resp = post_next_choice(c, it)
            samples.append(time.perf_counter() - t0)
            if resp.status_code != 200:
                raise RuntimeError(f"choice POST {it['attempt']} {option}: HTTP {resp.status_code}")
    return statistics.median(samples), len(samples)


def replay_time(case_code: str, path: list[str]) -> dict:
    """Median per-call seconds of Playbook.replay (and debrief) of `path`, warm cache."""
    book = Case.objects.select_related("current_version").get(code=case_code).current_version.playbook
    book.replay(path)
    book.debrief(path)
    n = 200
    rep = [t / n for t in timeit.repeat(lambda: book.replay(path), number=n, repeat=15)]
    deb = [t / 20 for t in timeit.repeat(lambda: book.debrief(path), number=20, repeat=7)]
    return {"replay": statistics.median(rep), "debrief": statistics.median(deb), "choices": len(path)}
