from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError

from trainer.models import INSTRUCTORS_GROUP

DEMO_USERS = [("demo-instructor", True), ("demo-student", False), ("demo-student2", False)]


class Command(BaseCommand):
    help = "Create demo accounts (development only): demo-instructor, demo-student, demo-student2."

    def add_arguments(self, parser):
        parser.add_argument("--password", default="demo-pass-123", help="password for every demo account")
        parser.add_argument("--force", action="store_true", help="run even with DEBUG off")

    def handle(self, *args, password, force, **options):
        if not settings.DEBUG and not force:
            raise CommandError("Refusing to create demo accounts with DEBUG off (production). Use --force to override.")
        instructors, _ = Group.objects.get_or_create(name=INSTRUCTORS_GROUP)
        User = get_user_model()
        for username, instructor in DEMO_USERS:
            user, _ = User.objects.get_or_create(username=username, defaults={"email": f"{username}@example.org"})
            user.set_password(password)
            user.save()
            if instructor:
                user.groups.add(instructors)
        self.stdout.write(self.style.SUCCESS(f"Demo accounts ready: {', '.join(u for u, _ in DEMO_USERS)} (password: {password})"))
