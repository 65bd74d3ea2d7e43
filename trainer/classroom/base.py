"""What every classroom module shares: the two membership roles, what counts as a
missed red flag, the refusal a rule raises (ClassroomError), how its messages
write a time (when), and the turns a rule asked again takes (take_turn, take_cohort_turn)."""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.formats import date_format

from trainer.scoring import MISSED_STATUSES
from trainer.models import Cohort, Membership

LEARNER = Membership.Role.LEARNER
INSTRUCTOR = Membership.Role.INSTRUCTOR
MISSED = MISSED_STATUSES  # the engine decides what counts as a missed red flag


class ClassroomError(Exception):
    """A rule said no; the message is written for the person who asked."""


class NoSuchJoinCode(ClassroomError):
    """No open cohort has the code: what a guess at a code gets (trainer/join_throttle.py counts these)."""


class CaseWithdrawn(ClassroomError):
    """The case was retired (manage.py retire_case): nothing new starts on it."""

    def __init__(self, case):
        super().__init__(
            f"{case.learner_label} has been withdrawn: no new attempt can start. "
            "Your attempts on it stay under All your attempts, and one under way can be finished."
        )


def when(dt: datetime) -> str:
    return date_format(timezone.localtime(dt), "j M Y, H:i T")


def take_turn(user) -> None:
    """Take this person's turn, inside the caller's transaction: what they do twice at
    once (a double click, two tabs) queues instead of each request passing a check the
    other has not yet changed. Every Start (the library's, an assignment's) takes it
    first, so parallel Starts neither each create an attempt nor deadlock (the
    assignment's Start once locked only the membership; with the library's Start
    holding this row, its new attempt's foreign key check waited on it, PostgreSQL);
    an instructor's Create cohort takes it around the name check. FOR NO KEY UPDATE:
    rows that merely point at the user are not held up."""
    get_user_model().objects.select_for_update(no_key=True).filter(pk=user.pk).exists()


def take_cohort_turn(cohort: Cohort | int) -> None:
    """Take the cohort's turn, inside the caller's transaction: changes to one cohort's
    exercises or instructors that a rule checks against each other (Assign and an edit
    of the mode, one case per mode; two instructors removing each other) queue, and each
    asks its rule again in its turn. FOR NO KEY UPDATE: learners joining and starting
    (rows that merely point at the cohort) are not held up."""
    Cohort.objects.select_for_update(no_key=True).filter(pk=getattr(cohort, "pk", cohort)).exists()
