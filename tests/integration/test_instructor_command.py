"""`manage.py instructor`: instructor rights without the Django admin."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from tests.factories import UserFactory
from trainer.models import is_instructor

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = StringIO()
    call_command("instructor", *args, stdout=out)
    return out.getvalue()


def test_add_list_and_remove():
    alice, bob = UserFactory(username="alice"), UserFactory(username="bob")
    assert run("add", "alice", "bob") == "alice is an instructor.\nbob is an instructor.\n"
    assert is_instructor(alice) and is_instructor(bob)
    assert run("list") == "alice\nbob\n"
    run("remove", "bob")
    assert is_instructor(alice) and not is_instructor(bob)


def test_an_unknown_username_changes_nothing():
    alice = UserFactory(username="alice")
    with pytest.raises(CommandError, match="No account called nobody; nothing was changed"):
        run("add", "alice", "nobody")
    assert not is_instructor(alice)
    with pytest.raises(CommandError, match="Name the accounts"):
        run("add")
