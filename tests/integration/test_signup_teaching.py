"""What the sign-up page tells someone who means to teach must be true: it said "An
instructor can make you a co-instructor of a cohort", but an instructor adding a new
account is refused until an administrator has made it an instructor account."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from tests.factories import PASSWORD, TaughtCohortFactory
from trainer import classroom


def test_the_sign_up_page_sends_a_would_be_teacher_to_the_administrator(anon_client, ines):
    page = anon_client.get(reverse("signup")).content.decode()
    anon_client.post(reverse("signup"), {"username": "tom", "password1": PASSWORD, "password2": PASSWORD})
    tom = get_user_model().objects.get(username="tom")
    cohort = TaughtCohortFactory(created_by=ines)
    with pytest.raises(classroom.ClassroomError, match="an administrator must make them one first"):
        classroom.add_co_instructor(cohort, tom.username)  # what the page promised an instructor could do
    assert "An instructor can make you a co-instructor" not in page
    assert "New accounts are learners. To teach, ask the site's administrator to make yours an instructor account" in page
