"""Locust users for the "class at 9:00" scenario (bench/class_at_nine.py writes the plan).

Each user is one learner of the bench's 1000-student cohort: it presses Start on the
same assigned case as everyone else (all within the first second), as the boosted
button does with JavaScript (the case page in the answer) or, with `--class-start
plain`, as a plain form does (a redirect, then the page); then it reads before every click
(the plan's think time) and posts its planned choices as htmx does. No Django here:
the plan carries each learner's session cookie, CSRF secret and a valid path, and
the key the server makes option tokens with.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from locust import HttpUser, between, task
from locust.exception import StopUser

from trainer.option_tokens import option_token

PLAN = json.loads(Path(os.environ["BENCH_CLASS_PLAN"]).read_text())
TOKEN_KEY = bytes.fromhex(PLAN["token_key"])
_learners = iter(PLAN["learners"])


class Learner(HttpUser):
    wait_time = between(*PLAN["think_s"])

    def on_start(self) -> None:
        me = next(_learners, None)
        if me is None:  # more users than learners in the plan
            raise StopUser()
        self.client.cookies.update({"sessionid": me["session"], "csrftoken": me["csrf"]})
        self.csrf = me["csrf"]
        self.path = me["path"]
        self.made = 0
        pressed = time.perf_counter()
        if PLAN["start"] == "boosted":
            page = self._start_boosted()
        else:
            page = self._start_plain()
        if page is None:
            raise StopUser()
        # What the learner waits: from pressing Start to the case on screen (one request or two).
        self.environment.events.request.fire(
            request_type="FLOW", name="Start to case on screen", response_time=(time.perf_counter() - pressed) * 1000,
            response_length=len(page.content), exception=None if page.ok else f"attempt page {page.status_code}",
            context={},
        )
        self.wait()  # the vignette is read before the first click

    def _start_boosted(self):
        """As the Start button does with JavaScript (hx-boost): the case page comes back
        in the POST's answer, its address in HX-Push-Url."""
        headers = {"X-CSRFToken": self.csrf, "HX-Request": "true", "HX-Request-Type": "full"}
        with self.client.post(PLAN["start_path"], headers=headers, allow_redirects=False,
                              name="Start (boosted POST, answers with the case)", catch_response=True) as r:
            self.attempt = r.headers.get("HX-Push-Url", "")
            if r.status_code != 200 or not self.attempt.startswith("/attempts/"):
                r.failure(f"Start answered {r.status_code}, HX-Push-Url {self.attempt or 'missing'}")
                return None
        return r

    def _start_plain(self):
        """As the Start button does without JavaScript: a redirect, then the page."""
        with self.client.post(PLAN["start_path"], headers={"X-CSRFToken": self.csrf}, allow_redirects=False,
                              name="Start (POST)", catch_response=True) as r:
            self.attempt = r.headers.get("Location", "")
            if r.status_code != 302 or not self.attempt.startswith("/attempts/"):
                r.failure(f"Start answered {r.status_code} -> {self.attempt or 'no redirect'}")
                return None
        return self.client.get(self.attempt, name="attempt page")

    @task
    def choose(self) -> None:
        if self.made == len(self.path):
            self.client.get(f"{self.attempt}debrief/", name="debrief")
            raise StopUser()
        option = self.path[self.made]
        attempt_pk = int(self.attempt.strip("/").rsplit("/", 1)[1])
        sent = option if option.endswith(":next") else option_token(attempt_pk, option, TOKEN_KEY)  # as the page sends it
        with self.client.post(
            f"{self.attempt}choose/",
            data={"option": sent, "shown": self.made},
            headers={"X-CSRFToken": self.csrf, "HX-Request": "true", "HX-Request-Type": "partial"},
            name="choice POST (htmx)", catch_response=True,
        ) as r:
            if r.status_code != 200:
                r.failure(f"choice {option} answered {r.status_code}")
        if r.status_code != 200:
            raise StopUser()
        self.made += 1
