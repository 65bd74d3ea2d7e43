"""`manage.py instructor`: instructor rights without the Django admin."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from tests.factories import UserFactory
from trainer import classroom
from trainer.models import Membership, is_instructor

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


def test_removing_says_which_cohorts_close_and_adding_back_reopens_them(library):
    ines, carla = UserFactory(username="ines", instructor=True), UserFactory(username="carla", instructor=True)
    shared, alone = classroom.create_cohort(ines, "Shared block"), classroom.create_cohort(carla, "Carla's block")
    classroom.add_co_instructor(shared, "carla")
    assert run("remove", "carla") == (
        "carla is no longer an instructor. They can no longer open the cohorts they taught: Carla's block, Shared block "
        "(their roster places stay, marked revoked; instructor add carla restores them). "
        "No instructor is left to open Carla's block.\n"
    )
    assert list(classroom.cohorts_taught(carla)) == []
    assert Membership.objects.filter(user=carla, role=Membership.Role.INSTRUCTOR).count() == 2
    assert run("add", "carla") == "carla is an instructor. They teach Carla's block, Shared block again.\n"
    assert set(classroom.cohorts_taught(carla)) == {shared, alone}
    assert run("add", "carla") == "carla is an instructor.\n"  # already one: nothing reopened
