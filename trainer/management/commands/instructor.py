"""Grant or revoke instructor rights from the command line, so running the trainer
needs no Django admin session:

    manage.py instructor add alice bob      # they can create cohorts and see dashboards
    manage.py instructor remove alice       # back to a learner (cohort rosters unchanged)
    manage.py instructor list
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError

from trainer.models import INSTRUCTORS_GROUP


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
            if action == "add":
                group.user_set.add(users[name])
                self.stdout.write(f"{name} is an instructor.")
            else:
                group.user_set.remove(users[name])
                self.stdout.write(f"{name} is no longer an instructor.")
