"""What the assignment test files share: a rushed path through an assigned case, and a
time as the form's datetime-local field writes it."""

import random

from django.utils import timezone

from trainer.management.commands.seed_demo import demo_path


def rushed(assignment):
    return demo_path(assignment.case.current_version.playbook, "rushed", random.Random(1))


def _local(dt):
    return timezone.localtime(dt).strftime("%Y-%m-%dT%H:%M")
