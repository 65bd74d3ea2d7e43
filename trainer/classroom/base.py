"""What every classroom module shares: the two membership roles, what counts as a
missed red flag, the refusal a rule raises (ClassroomError) and how its messages
write a time (when)."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone
from django.utils.formats import date_format

from trainer.scoring import MISSED_STATUSES
from trainer.models import Membership

LEARNER = Membership.Role.LEARNER
INSTRUCTOR = Membership.Role.INSTRUCTOR
MISSED = MISSED_STATUSES  # the engine decides what counts as a missed red flag


class ClassroomError(Exception):
    """A rule said no; the message is written for the person who asked."""


class CaseWithdrawn(ClassroomError):
    """The case was retired (manage.py retire_case): nothing new starts on it."""

    def __init__(self, case):
        super().__init__(
            f"{case.learner_label} has been withdrawn: no new attempt can start. "
            "Your attempts on it stay under All your attempts, and one under way can be finished."
        )


def when(dt: datetime) -> str:
    return date_format(timezone.localtime(dt), "j M Y, H:i T")
