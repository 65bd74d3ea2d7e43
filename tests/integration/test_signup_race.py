"""Sign-up pressed twice (a double click, a second press while the first is on its way):
both requests pass the form's "username taken" check before either stores the account,
and the second's INSERT broke the unique key, a 500 page. The browser shows that second
answer, so the person was told something went wrong while their account existed."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from tests.factories import PASSWORD, UserFactory
from trainer.views.accounts import SignupForm

pytestmark = pytest.mark.django_db


@pytest.fixture
def first_request_wins(monkeypatch):
    """Store an account named `carol` just after this request's form passed its checks,
    as the other request does in the race; `password` is the one it was made with."""
    made_with = {}
    checked = SignupForm.is_valid

    def is_valid(form):
        valid = checked(form)
        UserFactory(username="carol", password=made_with["password"])
        return valid

    monkeypatch.setattr(SignupForm, "is_valid", is_valid)
    return made_with


def test_the_second_press_signs_in_the_account_the_first_created(anon_client, first_request_wins):
    first_request_wins["password"] = PASSWORD
    response = anon_client.post(reverse("signup"), {"username": "carol", "password1": PASSWORD, "password2": PASSWORD, "next": "/join/ABC/"})
    assert response.status_code == 302 and response["Location"] == "/join/ABC/"
    carol = get_user_model().objects.get(username="carol")
    assert anon_client.get(reverse("home")).context["user"] == carol


def test_someone_else_taking_the_name_meanwhile_is_a_message_not_a_server_error(anon_client, first_request_wins):
    first_request_wins["password"] = "someone-else's-pass-42"
    response = anon_client.post(reverse("signup"), {"username": "carol", "password1": PASSWORD, "password2": PASSWORD})
    assert response.status_code == 422
    assert "A user with that username already exists." in response.content.decode()
    assert not anon_client.get(reverse("home")).context["user"].is_authenticated
