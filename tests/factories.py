"""One factory per model (factory-boy)."""

from datetime import timedelta

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from cases.models import Case
from trainer.models import INSTRUCTORS_GROUP, Assignment, Attempt, Choice, Cohort, Membership

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"learner{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def instructor(self, create, extracted, **kwargs):
        if create and extracted:
            group, _ = Group.objects.get_or_create(name=INSTRUCTORS_GROUP)
            self.groups.add(group)


class AttemptFactory(factory.django.DjangoModelFactory):
    """An attempt on a library case (the `library` fixture must have loaded it)."""

    class Meta:
        model = Attempt

    class Params:
        code = "C01"

    user = factory.SubFactory(UserFactory)
    case = factory.LazyAttribute(lambda a: Case.objects.get(code=a.code))
    version = factory.LazyAttribute(lambda a: a.case.current_version)


class ChoiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Choice

    attempt = factory.SubFactory(AttemptFactory)
    seq = factory.Sequence(lambda n: n)
    option_id = "H1"


class CohortFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Cohort

    name = factory.Sequence(lambda n: f"Cohort {n}")
    created_by = factory.SubFactory(UserFactory, instructor=True)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    cohort = factory.SubFactory(CohortFactory)
    user = factory.SubFactory(UserFactory)
    role = Membership.Role.LEARNER


class AssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Assignment

    class Params:
        code = "C01"

    cohort = factory.SubFactory(CohortFactory)
    case = factory.LazyAttribute(lambda a: Case.objects.get(code=a.code))
    opens_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))
    due_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=7))


def play(attempt, choices):
    """Make each choice through the model, as the views do; returns the last state."""
    state = None
    for choice in choices:
        state = attempt.choose(choice)
    return state
