"""The page a plain form gets when its CSRF check fails. A browser that blocks cookies
fails it on every form, the log-in form first: "reload and try again" alone sent such a
person round the same loop for ever, so the page says the site needs its cookie."""

import re

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_without_the_cookie_the_page_says_cookies_are_needed_and_links_home(db):
    client = Client(enforce_csrf_checks=True)
    page = client.get(reverse("login")).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    client.cookies.clear()  # blocked, or cleared while the page was open
    response = client.post(reverse("login"), {"csrfmiddlewaretoken": token, "username": "a", "password": "b"})
    assert response.status_code == 403
    html = response.content.decode()
    assert "needs cookies" in html
    assert f'href="{reverse("home")}"' in html.split('id="main"')[1]  # a way back in the page, not only the menu


def test_a_stale_token_with_the_cookie_is_told_to_reload_not_about_cookies(db):
    client = Client(enforce_csrf_checks=True)
    client.get(reverse("login"))  # the cookie is set
    response = client.post(reverse("login"), {"csrfmiddlewaretoken": "x" * 64, "username": "a", "password": "b"})
    assert response.status_code == 403
    html = response.content.decode()
    assert "reload the page" in html and "needs cookies" not in html
