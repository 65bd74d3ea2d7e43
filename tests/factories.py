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
        state = attempt.choose(choice).state
    return state


# -- classroom ---------------------------------------------------------------------


class TaughtCohortFactory(CohortFactory):
    """A cohort whose creator is on its roster as instructor, as the create view makes it."""

    class Meta:
        skip_postgeneration_save = True

    @factory.post_generation
    def taught(self, create, extracted, **kwargs):
        if create:
            Membership.objects.get_or_create(cohort=self, user=self.created_by, defaults={"role": Membership.Role.INSTRUCTOR})


def enrol(cohort, *users, role=Membership.Role.LEARNER):
    for user in users:
        MembershipFactory(cohort=cohort, user=user, role=role)
    return users


def play_assigned(user, assignment, choices=None):
    """Start `user`'s attempt on `assignment` as the start view does, then play
    `choices` (default: the case's best path) through Attempt.choose."""
    from trainer import classroom

    attempt, _ = classroom.start_assignment(user, assignment)
    play(attempt, attempt.version.playbook.best_choices if choices is None else choices)
    attempt.refresh_from_db()
    return attempt


class ClassroomWorld:
    """The personas of every classroom permission test: an instructor and a learner
    of one cohort, a learner outside it, and the instructor of another cohort."""

    def __init__(self, code: str = "C01"):
        self.instructor = UserFactory(username="ines", instructor=True)
        self.cohort = TaughtCohortFactory(name="Ines's class", created_by=self.instructor)
        self.learner = UserFactory(username="lena")
        self.outsider = UserFactory(username="otto")
        self.other_instructor = UserFactory(username="oscar", instructor=True)
        self.other_cohort = TaughtCohortFactory(name="Oscar's class", created_by=self.other_instructor)
        enrol(self.cohort, self.learner)
        enrol(self.other_cohort, self.outsider)
        self.assignment = AssignmentFactory(cohort=self.cohort, code=code)
        self.attempt = play_assigned(self.learner, self.assignment)
