"""Grant or revoke instructor rights from the command line, so running the trainer
needs no Django admin session:

    manage.py instructor add alice bob      # they can create cohorts and see dashboards
    manage.py instructor remove alice       # back to a learner: no cohort of theirs opens for them
    manage.py instructor list

Removing keeps the person's places on the rosters of the cohorts they taught, marked
there as revoked, but those places give no access (Membership.objects.teaching):
adding them back restores exactly their cohorts, and a cohort they taught alone is
not left without any trace of who taught it. The output names those cohorts.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError

from trainer.models import INSTRUCTORS_GROUP, Cohort, Membership, is_instructor


class Command(BaseCommand):
    help = "Grant (add), revoke (remove) or list instructor rights."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["add", "remove", "list"])
        parser.add_argument("usernames", nargs="*")

    def handle(self, *args, action, usernames, **options):
        group, _ = Group.objects.get_or_create(name=INSTRUCTORS_GROUP)
        if action == "list":
            for name in group.user_set.order_by("username").values_list("username", flat=True):
                self.stdout.write(name)
            return
        if not usernames:
            raise CommandError(f"Name the accounts to {action}: manage.py instructor {action} USERNAME [USERNAME ...]")
        users = {u.username: u for u in get_user_model().objects.filter(username__in=usernames)}
        unknown = [name for name in usernames if name not in users]
        if unknown:  # all or nothing: a typo must not leave half the list changed
            raise CommandError(f"No account called {', '.join(unknown)}; nothing was changed.")
        for name in usernames:
            rostered = list(Cohort.objects.filter(memberships__user=users[name], memberships__role=Membership.Role.INSTRUCTOR).order_by("name"))
            if action == "add":
                again = "" if is_instructor(users[name]) else _again(rostered)
                group.user_set.add(users[name])
                self.stdout.write(f"{name} is an instructor.{again}")
            else:
                group.user_set.remove(users[name])
                self.stdout.write(f"{name} is no longer an instructor.{_revoked(name, rostered)}")


def _names(cohorts: list[Cohort]) -> str:
    return ", ".join(c.name for c in cohorts)


def _again(rostered: list[Cohort]) -> str:
    return f" They teach {_names(rostered)} again." if rostered else ""


def _revoked(name: str, rostered: list[Cohort]) -> str:
    if not rostered:
        return ""
    note = (
        f" They can no longer open the cohorts they taught: {_names(rostered)}"
        f" (their roster places stay, marked revoked; instructor add {name} restores them)."
    )
    untaught = [c for c in rostered if not c.memberships.teaching().exists()]
    if untaught:
        note += f" No instructor is left to open {_names(untaught)}."
    return note
