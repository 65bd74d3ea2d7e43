"""The roster's Instructors list tells co-instructors apart as the learner list does:
by name and username. Names are chosen freely, so two "Sam Lee" instructors read
the same, and the one added by username ("Add co-instructor": samlee2) was not
named by it anywhere on the page but inside the Remove button's hidden text."""

from django.urls import reverse

from tests.factories import TaughtCohortFactory, UserFactory, enrol
from trainer.models import Membership


def test_each_instructor_is_listed_with_their_username(ines, ines_client):
    cohort = TaughtCohortFactory(created_by=ines)
    for username in ("samlee", "samlee2"):
        enrol(cohort, UserFactory(username=username, first_name="Sam", last_name="Lee", instructor=True), role=Membership.Role.INSTRUCTOR)
    page = ines_client.get(reverse("cohort_roster", args=[cohort.pk])).content.decode()
    instructors = page[page.index('id="instructors-h"') :].split("</ul>")[0]
    for username in ("samlee", "samlee2"):
        assert f'<span class="small text-body-secondary person" title="{username}">{username}</span>' in instructors
