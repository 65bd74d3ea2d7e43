"""Every due or opening time a learner reads names its time zone (the site's TIME_ZONE),
as the assessed "Submitted" panel and the classroom's messages always did."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import AssignmentFactory, TaughtCohortFactory, enrol, play_assigned
from trainer.classroom import when


@pytest.fixture
def new_york(settings):
    settings.TIME_ZONE = "America/New_York"


def test_due_and_opening_times_name_the_time_zone_on_home_the_library_and_the_attempts_list(
    new_york, alice, alice_client, library
):
    cohort = TaughtCohortFactory(name="Evening class")
    enrol(cohort, alice)
    now = timezone.now()
    practice = AssignmentFactory(cohort=cohort, code="C01", due_at=now + timedelta(days=3))
    upcoming = AssignmentFactory(cohort=cohort, code="C02", opens_at=now + timedelta(days=1), due_at=now + timedelta(days=5))
    assessed = AssignmentFactory(cohort=cohort, code="C04", mode="assessed", max_attempts=1, counts="first")
    play_assigned(alice, assessed)  # submitted: its score opens at the due time
    assert when(practice.due_at).endswith((" EST", " EDT"))  # the site's zone, named

    home = alice_client.get(reverse("home")).content.decode()
    for moment in (practice.due_at, upcoming.opens_at, upcoming.due_at, assessed.due_at):
        assert when(moment) in home, when(moment)
    cases = alice_client.get(reverse("library")).content.decode()
    assert f"due {when(practice.due_at)}: this counts for the exercise" in cases
    assert f"due {when(assessed.due_at)}. Self-paced practice" in cases
    assert f"(assessed: score after {when(assessed.due_at)})" in cases
    attempts = alice_client.get(reverse("my_attempts")).content.decode()
    assert f"Score and debrief open {when(assessed.due_at)}" in attempts
