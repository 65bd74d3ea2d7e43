"""Migration 0004 and trainer/names.py: every account's shown name folded for search and
A-Z order, stored for the accounts already there and kept up to date on save."""

import importlib

import pytest
from django.apps import apps
from django.test import Client
from django.urls import reverse

from tests.factories import PASSWORD, UserFactory
from trainer.models import ShownName

pytestmark = pytest.mark.django_db

migration = importlib.import_module("trainer.migrations.0004_shown_name")


def keys() -> dict[str, str]:
    return dict(ShownName.objects.values_list("user__username", "key"))


def test_the_accounts_already_there_get_their_key():
    UserFactory(username="emile", first_name="Émile", last_name="Zola")
    UserFactory(username="Straße")
    ShownName.objects.all().delete()  # as before the migration
    migration.fill(apps, None)
    assert keys() == {"emile": "emile zola", "Straße": "strasse"}


def test_a_rename_updates_the_key_and_a_log_in_writes_nothing():
    user = UserFactory(username="chloe")
    assert keys() == {"chloe": "chloe"}
    user.first_name, user.last_name = "Chloé", "Ødegård"
    user.save()
    assert keys() == {"chloe": "chloe odegard"}
    ShownName.objects.update(key="as it was")
    response = Client().post(reverse("login"), {"username": "chloe", "password": PASSWORD})
    assert response.status_code == 302  # logged in, which saves last_login only
    assert keys() == {"chloe": "as it was"}
