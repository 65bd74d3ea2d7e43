"""Locust users for the "class at 9:00" scenario (bench/class_at_nine.py writes the plan).

Each user is one learner of the bench's 1000-student cohort: it presses Start on the
same assigned case as everyone else (all within the first second), follows the
redirect to the attempt page as a browser does, then reads before every click
(the plan's think time) and posts its planned choices as htmx does. No Django here:
the plan carries each learner's session cookie, CSRF secret and a valid path.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from locust import HttpUser, between, task
from locust.exception import StopUser

PLAN = json.loads(Path(os.environ["BENCH_CLASS_PLAN"]).read_text())
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
        with self.client.post(PLAN["start_path"], headers={"X-CSRFToken": self.csrf}, allow_redirects=False,
                              name="Start (POST)", catch_response=True) as r:
            location = r.headers.get("Location", "")
            started = r.status_code == 302 and location.startswith("/attempts/")
            if not started:
                r.failure(f"Start answered {r.status_code} -> {location or 'no redirect'}")
        if not started:
            raise StopUser()
        self.attempt = location
        page = self.client.get(self.attempt, name="attempt page")
        # What the learner waits: from pressing Start to the case on screen (both requests).
        self.environment.events.request.fire(
            request_type="FLOW", name="Start to case on screen", response_time=(time.perf_counter() - pressed) * 1000,
            response_length=len(page.content), exception=None if page.ok else f"attempt page {page.status_code}",
            context={},
        )
        self.wait()  # the vignette is read before the first click

    @task
    def choose(self) -> None:
        if self.made == len(self.path):
            self.client.get(f"{self.attempt}debrief/", name="debrief")
            raise StopUser()
        option = self.path[self.made]
        with self.client.post(
            f"{self.attempt}choose/",
            data={"option": option, "shown": self.made},
            headers={"X-CSRFToken": self.csrf, "HX-Request": "true", "HX-Request-Type": "partial"},
            name="choice POST (htmx)", catch_response=True,
        ) as r:
            if r.status_code != 200:
                r.failure(f"choice {option} answered {r.status_code}")
        if r.status_code != 200:
            raise StopUser()
        self.made += 1
