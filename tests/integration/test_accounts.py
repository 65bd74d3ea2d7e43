"""Sign up, log in, log out; learner is the default role."""

import re
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.urls import reverse

from trainer.models import is_instructor
from tests.factories import PASSWORD, UserFactory


def test_signup_creates_a_learner_and_logs_them_in(anon_client, db):
    response = anon_client.post(
        reverse("signup"), {"username": "carol", "password1": PASSWORD, "password2": PASSWORD}
    )
    assert response.status_code == 302 and response["Location"] == reverse("library")
    carol = get_user_model().objects.get(username="carol")
    assert not is_instructor(carol)
    assert anon_client.get(reverse("home")).context["user"] == carol


def test_signup_with_mismatched_passwords_shows_the_error_and_keeps_the_username(anon_client, db):
    response = anon_client.post(reverse("signup"), {"username": "carol", "password1": PASSWORD, "password2": "nope"})
    assert response.status_code == 422
    html = response.content.decode()
    assert "didn’t match" in html or "didn't match" in html
    assert 'value="carol"' in html
    assert not get_user_model().objects.filter(username="carol").exists()


def test_signup_shows_the_strength_errors_together_with_a_mismatch(anon_client, db):
    """One round, every problem: before, "too short"/"too common" came only after
    the mismatch was fixed."""
    response = anon_client.post(reverse("signup"), {"username": "carol", "password1": "abc", "password2": "abd"})
    assert response.status_code == 422
    errors = response.context["form"].errors
    assert any("didn’t match" in e for e in errors["password2"])
    assert any("too short" in e for e in errors["password1"])
    assert any("too common" in e for e in errors["password1"])
    assert 'value="carol"' in response.content.decode()


def autofocused(html: str) -> list[str]:
    """The names of the fields that take focus when the page loads."""
    tags = re.findall(r"<input\b[^>]*>", html)
    return [re.search(r'name="([^"]+)"', t).group(1) for t in tags if re.search(r"\sautofocus[\s>=]", t)]


def test_a_failed_signup_puts_focus_on_the_first_field_to_fix(anon_client, db):
    """Not on the username, which was fine: a keyboard or screen-reader user lands on
    the field in error, whose error message is tied to it."""
    html = anon_client.post(reverse("signup"), {"username": "carol", "password1": "abc", "password2": "abd"}).content.decode()
    assert autofocused(html) == ["password1"]
    assert 'aria-describedby="id_password1_helptext id_password1_error"' in html


def test_a_failed_password_change_puts_focus_on_the_field_to_fix(alice_client, alice):
    html = alice_client.post(
        reverse("password_change"), {"old_password": PASSWORD, "new_password1": "a-new-long-secret-42", "new_password2": "typo"}
    ).content.decode()
    assert autofocused(html) == ["new_password2"]


def test_signup_lands_on_a_safe_next(anon_client, db):
    response = anon_client.post(
        reverse("signup"), {"username": "carol", "password1": PASSWORD, "password2": PASSWORD, "next": "/guidance/"}
    )
    assert response.status_code == 302 and response["Location"] == "/guidance/"


@pytest.mark.parametrize(
    "tampered", ["https://evil.example/join/X/", "//evil.example/", "javascript:alert(1)", "http://testserver@evil.example/"]
)
def test_signup_ignores_a_next_that_leaves_the_site(anon_client, db, tampered):
    page = anon_client.get(reverse("signup"), {"next": tampered}).content.decode()
    assert "evil.example" not in page and "javascript:" not in page  # not even echoed back
    response = anon_client.post(
        reverse("signup"), {"username": "carol", "password1": PASSWORD, "password2": PASSWORD, "next": tampered}
    )
    assert response.status_code == 302 and response["Location"] == reverse("library")


def test_login_with_the_form_and_logout(anon_client, db):
    UserFactory(username="dave")
    response = anon_client.post(reverse("login"), {"username": "dave", "password": PASSWORD})
    assert response.status_code == 302
    assert anon_client.get(reverse("home")).context["user"].username == "dave"
    anon_client.post(reverse("logout"))
    assert not anon_client.get(reverse("home")).context["user"].is_authenticated


def test_a_wrong_password_gets_a_clear_message_read_with_the_fields(anon_client, db):
    """The message sat above the fields in a plain <div> while focus went to the
    username: a screen reader never read it, nor the lock-out warning after it."""
    UserFactory(username="dave")
    response = anon_client.post(reverse("login"), {"username": "dave", "password": "wrong"})
    page = response.content.decode()
    assert response.status_code == 200
    assert '<div id="login-errors" class="alert alert-danger" role="alert">' in page and "do not match" in page
    for name in ("username", "password"):
        field = re.search(rf'<input[^>]*name="{name}"[^>]*>', page)[0]
        assert 'aria-describedby="login-errors"' in field and 'aria-invalid="true"' in field, field
    assert page.count("do not match") == 1  # not a second copy from the form's own error block
    fresh = anon_client.get(reverse("login")).content.decode()
    assert "aria-invalid" not in fresh and "login-errors" not in fresh


def test_sign_up_names_say_what_they_are_for_autofill(anon_client, db):
    page = anon_client.get(reverse("signup")).content.decode()
    assert re.search(r'<input[^>]*name="first_name"[^>]*autocomplete="given-name"', page) or re.search(r'<input[^>]*autocomplete="given-name"[^>]*name="first_name"', page)
    assert re.search(r'<input[^>]*name="last_name"[^>]*autocomplete="family-name"', page) or re.search(r'<input[^>]*autocomplete="family-name"[^>]*name="last_name"', page)


@override_settings(DEBUG=True)
def test_seed_demo_creates_the_demo_accounts_with_the_given_password(db):
    # --force: the suite's PostgreSQL run is not the development database (test_demo_accounts_stay_local.py).
    call_command("seed_demo", "--password", "pw-for-demo-1", "--force", stdout=StringIO())
    users = get_user_model().objects.filter(username__startswith="demo-")
    names = set(users.values_list("username", flat=True))
    assert {"demo-instructor", "demo-student", "demo-student2"} <= names
    assert is_instructor(users.get(username="demo-instructor"))
    assert not is_instructor(users.get(username="demo-student"))
    assert users.get(username="demo-student").check_password("pw-for-demo-1")


@override_settings(DEBUG=False)
def test_seed_demo_refuses_in_production_mode(db):
    with pytest.raises(CommandError, match="Refusing"):
        call_command("seed_demo", stdout=StringIO())
    assert not get_user_model().objects.filter(username="demo-student").exists()


def test_signup_takes_an_optional_name_that_instructors_see(anon_client, db):
    page = anon_client.get(reverse("signup")).content.decode()
    assert page.index('name="username"') < page.index('name="first_name"') < page.index('name="password1"')
    anon_client.post(reverse("signup"), {"username": "carol", "first_name": "Carol", "last_name": "Nguyen",
                                         "password1": PASSWORD, "password2": PASSWORD})
    assert get_user_model().objects.get(username="carol").get_full_name() == "Carol Nguyen"
    anon_client.post(reverse("logout"))
    anon_client.post(reverse("signup"), {"username": "dora", "password1": PASSWORD, "password2": PASSWORD})
    assert get_user_model().objects.get(username="dora").get_full_name() == ""  # a name is optional


def test_a_learner_changes_their_own_password_and_other_sessions_end(alice):
    from django.test import Client
    from django.urls import reverse

    from tests.factories import PASSWORD

    here, elsewhere = Client(), Client()
    for browser in (here, elsewhere):
        browser.force_login(alice)
    page = here.get(reverse("home")).content.decode()
    assert f'href="{reverse("password_change")}" title="Your account' in page  # the username in the menu leads there
    assert f'<a class="nav-link" href="{reverse("password_change")}">Account</a>' in page  # on a phone, where the username gives way
    wrong = here.post(reverse("password_change"), {"old_password": "nope", "new_password1": "a-new-long-secret-42", "new_password2": "a-new-long-secret-42"})
    assert wrong.status_code == 200 and "Your old password was entered incorrectly" in wrong.content.decode()
    done = here.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "a-new-long-secret-42", "new_password2": "a-new-long-secret-42"},
        follow=True,
    )
    assert "Your password has been changed." in done.content.decode()
    assert here.get(reverse("attempt", args=[1])).status_code == 404  # still signed in here (404: no such attempt)
    assert elsewhere.get(reverse("password_change"))["Location"].startswith(reverse("login"))  # signed out elsewhere
    alice.refresh_from_db()
    assert alice.check_password("a-new-long-secret-42")
