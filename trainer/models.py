"""Attempts as an append-only event log of choices, plus classroom models.

The engine (trainer/engine.py, trainer/scoring.py) holds every rule; these models store what
happened and, once an attempt ends, the scores dashboards aggregate in SQL.
"""

from __future__ import annotations

import secrets
from dataclasses import replace
from typing import NamedTuple

from django.conf import settings
from django.db import IntegrityError, connections, models, transaction
from django.utils import timezone

from cases.models import Case, CaseVersion, GuidanceItem
from trainer.engine import State, is_advance
from trainer.scoring import Debrief, DimensionScore

INSTRUCTORS_GROUP = "Instructors"


class Scored(NamedTuple):
    """An attempt's debrief as its pages show it (Attempt.scored)."""

    report: Debrief  # the score, verdict and dimension scores as stored; findings, decisions and path replayed
    rescored: Debrief | None  # today's scoring of the same choices, only when it says otherwise


class Recorded(NamedTuple):
    """What `Attempt.choose` did: the attempt's state after it, and whether this
    call stored the choice (False for a repeat: a double click, a second tab)."""

    state: State
    new: bool


def is_instructor(user) -> bool:
    return bool(user.is_authenticated and user.groups.filter(name=INSTRUCTORS_GROUP).exists())


class ShownName(models.Model):
    """A person's shown name folded for search and A-Z order (trainer/names.py)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, primary_key=True, related_name="shown_name")
    key = models.TextField()  # not a CharField: folding can lengthen a name (ß is ss)

    def __str__(self) -> str:
        return self.key


class AttemptQuerySet(models.QuerySet):
    def for_user(self, user) -> AttemptQuerySet:
        return self.filter(user=user)

    def finished(self) -> AttemptQuerySet:
        return self.filter(finished_at__isnull=False)

    def in_progress(self) -> AttemptQuerySet:
        return self.filter(finished_at__isnull=True)

    def with_version(self) -> AttemptQuerySet:
        """Join the case version without its case file (see CaseVersion.playbook)."""
        return self.select_related("version").defer("version__data")


class Attempt(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="attempts")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="attempts")
    version = models.ForeignKey(CaseVersion, on_delete=models.PROTECT, related_name="attempts")
    assignment = models.ForeignKey(
        "Assignment", null=True, blank=True, on_delete=models.SET_NULL, related_name="attempts"
    )
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    late = models.BooleanField(default=False)
    # Written once when the attempt ends, so dashboards group in SQL.
    score_total = models.PositiveSmallIntegerField(null=True, blank=True)
    score_redflags = models.PositiveSmallIntegerField(null=True, blank=True)
    score_workup = models.PositiveSmallIntegerField(null=True, blank=True)
    score_assessment = models.PositiveSmallIntegerField(null=True, blank=True)
    score_efficiency = models.PositiveSmallIntegerField(null=True, blank=True)
    score_plan = models.PositiveSmallIntegerField(null=True, blank=True)
    unsafe = models.BooleanField(null=True, blank=True)
    outcome_good = models.BooleanField(null=True, blank=True)

    objects = AttemptQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at"]
        indexes = [
            models.Index(fields=["user", "case", "-started_at"]),
            models.Index(fields=["assignment", "user"]),
        ]

    def __str__(self) -> str:
        return f"Attempt {self.pk} on {self.case_id} by {self.user_id}"

    @property
    def debrief_locked_until(self):
        """Assessed work before its due time keeps its score closed (see classroom)."""
        from trainer.classroom import debrief_locked_until

        return debrief_locked_until(self)

    @property
    def is_finished(self) -> bool:
        return self.finished_at is not None

    @property
    def moves(self) -> int:
        """Questions, manoeuvres and decisions made, not counting "Move on" (uses prefetched choices)."""
        return sum(not is_advance(c.option_id) for c in self.choices.all())

    def choice_ids(self) -> list[str]:
        # Choice.objects rather than self.choices: the related manager is built anew
        # on each access, and this runs on every request that shows an attempt.
        return list(Choice.objects.filter(attempt_id=self.pk).order_by("seq").values_list("option_id", flat=True))

    def state(self, choices: list[str] | None = None) -> State:
        return self.version.playbook.replay(self.choice_ids() if choices is None else choices)

    def debrief(self, choices: list[str] | None = None) -> Debrief:
        """What the attempt's debrief shows: see scored."""
        return self.scored(choices).report

    def scored(self, choices: list[str] | None = None) -> Scored:
        """The debrief of a finished attempt, as the learner's and the instructor's pages
        show it: findings, decisions and path replayed from the choices, with the score,
        the safety verdict and the dimension scores stored when it finished
        (_record_result). The dashboard, the CSV, the learner's lists and "which attempt
        counts" read those; recomputed here, a rubric changed since gave one attempt two
        scores, and a grade changed after the fact. An attempt with no stored scores (not
        finished, or from before they were kept) is scored now. `rescored`: today's
        scoring, when its score or verdict differs from the stored one, so a page can say
        so (its dimension notes and findings are today's)."""
        today = self.version.playbook.debrief(self.choice_ids() if choices is None else choices)
        if self.finished_at is None or self.score_total is None or self.unsafe is None:
            return Scored(today, None)

        def as_stored(dim: DimensionScore) -> DimensionScore:  # one added to the rubric since keeps today's
            score = getattr(self, f"score_{dim.key}", None)
            return dim if score is None else replace(dim, score=score)

        dims = tuple(map(as_stored, today.dimensions))
        report = replace(today, dimensions=dims, raw_total=sum(d.score for d in dims), total=self.score_total, unsafe=self.unsafe)
        same = (report.total, report.unsafe, dims) == (today.total, today.unsafe, today.dimensions)
        return Scored(report, None if same else today)

    def choose(self, option_id: str) -> Recorded:
        """Record one choice: replay the stored choices, reject a choice that is
        not available now (storing nothing), append one Choice row and, if the
        case ended, write the scores in the same transaction as that row.

        A repeat of a choice already made (a double click, two tabs) returns the
        current state and stores nothing.

        Concurrency is optimistic: the new row takes the next `seq`, and the unique
        keys on (attempt, seq) and (attempt, option_id) refuse a second request that
        read the same choices; it reads again and decides anew (a repeat, no longer
        available, or the next seq). Reading and replaying inside a locked
        transaction instead held SQLite's single write lock through the whole
        request, and concurrent learners queued on it (bench/README.md).

        A refused insert is retried for as long as a choice stored meanwhile explains
        it, not a fixed number of times: after five, a request that had lost five
        races in a row (six or more different choices posted at once) was a 500.
        The loop ends, since every retry needs a longer log and an attempt holds at
        most one choice per option. A row lock on the attempt for the last tries is
        no way out: on PostgreSQL the lock holder waited on another request's
        uncommitted Choice of the same seq, whose commit waited on the lock (the
        foreign key check, or the scores' UPDATE), a deadlock."""
        book = self.version.playbook
        choices = self.choice_ids()
        while True:
            if option_id in choices:
                return Recorded(book.replay(choices), new=False)
            state = book.replay([*choices, option_id])  # raises InvalidChoice: nothing stored
            try:
                with transaction.atomic():
                    Choice.objects.create(attempt=self, seq=len(choices), option_id=option_id)
                    if state.finished:
                        self._record_result(book.debrief(state.chosen))
            except IntegrityError:
                # The unique keys refuse only a committed row, which a new read sees.
                read_before = len(choices)
                choices = self.choice_ids()
                if len(choices) <= read_before:
                    raise  # no other choice was stored: not a race, so retrying cannot help
                continue
            return Recorded(state, new=True)

    RESULT_FIELDS = [
        "finished_at", "late", "score_total", "score_redflags", "score_workup", "score_assessment",
        "score_efficiency", "score_plan", "unsafe", "outcome_good",
    ]

    def _record_result(self, report: Debrief) -> None:
        now = timezone.now()
        self.finished_at = now
        # The due time as it is now, not as the request read it with the attempt: an
        # extension saved meanwhile left the attempt marked late, and a removed
        # assignment's id written back by a whole-row save failed its foreign key (a 500).
        assignment = Assignment.objects.held(self.assignment_id) if self.assignment_id else None
        if assignment is None:
            self.assignment = None  # removed meanwhile: the attempt is self-paced practice now
        self.late = bool(assignment and now > assignment.due_at)
        self.score_total = report.total
        for dim in report.dimensions:
            setattr(self, f"score_{dim.key}", dim.score)
        self.unsafe = report.unsafe
        self.outcome_good = bool(report.outcome and report.outcome.good)
        self.save(update_fields=self.RESULT_FIELDS)  # never the assignment: removal owns that column
        known = set(GuidanceItem.objects.filter(id__in=[f.guidance_id for f in report.findings]).values_list("id", flat=True))
        AttemptFinding.objects.bulk_create(
            [
                AttemptFinding(attempt=self, guidance_id=f.guidance_id, status=f.status)
                for f in report.findings
                if f.guidance_id in known
            ]
        )


class Choice(models.Model):
    """One learner choice. Append-only: rows are never updated or deleted."""

    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="choices")
    seq = models.PositiveIntegerField()
    option_id = models.CharField(max_length=80)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["attempt", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["attempt", "option_id"], name="one_choice_per_option"),
            models.UniqueConstraint(fields=["attempt", "seq"], name="one_choice_per_seq"),
        ]

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Choices are append-only.")
        super().save(*args, **kwargs)


class AttemptFinding(models.Model):
    """Per guidance id, what the debrief found; written when the attempt ends."""

    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="findings")
    guidance = models.ForeignKey(GuidanceItem, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=20)  # elicited | missed | screened | not_screened | triggered | caution

    class Meta:
        constraints = [models.UniqueConstraint(fields=["attempt", "guidance", "status"], name="unique_finding")]
        indexes = [models.Index(fields=["guidance", "status"])]


def new_join_code() -> str:
    # Unambiguous characters only: codes are read aloud and typed from a slide.
    alphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(8))


class Cohort(models.Model):
    name = models.CharField(max_length=120)
    join_code = models.CharField(max_length=16, unique=True, default=new_join_code)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    archived = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.name


class MembershipQuerySet(models.QuerySet):
    def teaching(self) -> MembershipQuerySet:
        """Roster places that let their person teach: the instructor role on the roster
        and instructor rights (the Instructors group) both. Revoking the rights closes
        every cohort the person taught, whatever its roster still says."""
        return self.filter(role=Membership.Role.INSTRUCTOR, user__groups__name=INSTRUCTORS_GROUP)


class Membership(models.Model):
    class Role(models.TextChoices):
        LEARNER = "learner", "Learner"
        INSTRUCTOR = "instructor", "Instructor"

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=12, choices=Role.choices, default=Role.LEARNER)
    joined_at = models.DateTimeField(default=timezone.now)

    objects = MembershipQuerySet.as_manager()

    @property
    def revoked(self) -> bool:
        """On the roster as an instructor without instructor rights (manage.py instructor
        remove): the place stays, but opens nothing. MembershipQuerySet.teaching() is the
        same rule in SQL."""
        return self.role == Membership.Role.INSTRUCTOR and not is_instructor(self.user)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["cohort", "user"], name="one_membership")]
        indexes = [models.Index(fields=["cohort", "role"])]


class AssignmentQuerySet(models.QuerySet):
    def held(self, pk: int) -> Assignment | None:
        """The assignment as committed now (None once removed), held until the caller's
        transaction ends: reschedule and remove_assignment lock it first, so they wait
        for a learner starting or finishing on it, or the learner waits for them and
        reads what they saved. FOR KEY SHARE (no Django spelling): learners do not wait
        for each other, as they would under select_for_update. SQLite has no row locks;
        its transactions take the write lock at BEGIN (IMMEDIATE), which orders them."""
        if connections[self.db].vendor != "postgresql":
            return self.filter(pk=pk).first()
        table = connections[self.db].ops.quote_name(Assignment._meta.db_table)
        return next(iter(self.raw(f"SELECT * FROM {table} WHERE id = %s FOR KEY SHARE", [pk])), None)


class Assignment(models.Model):
    class Mode(models.TextChoices):
        PRACTICE = "practice", "Practice (debrief right away)"
        ASSESSED = "assessed", "Assessed (debrief after the due time)"

    class Counts(models.TextChoices):
        FIRST = "first", "First attempt"
        BEST = "best", "Best attempt"
        LAST = "last", "Last attempt"

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="assignments")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="assignments")
    opens_at = models.DateTimeField(default=timezone.now)
    due_at = models.DateTimeField()
    mode = models.CharField(max_length=10, choices=Mode.choices, default=Mode.PRACTICE)
    max_attempts = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Empty: unlimited")
    counts = models.CharField(max_length=8, choices=Counts.choices, default=Counts.BEST)
    created_at = models.DateTimeField(default=timezone.now)

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        ordering = ["due_at", "pk"]

    def __str__(self) -> str:
        return f"{self.case.code} for {self.cohort}"

    @property
    def retry_can_count(self) -> bool:
        """Whether another attempt can change the counted score: not when the first counts."""
        return self.counts != self.Counts.FIRST


class ThrottleCount(models.Model):
    """How many times one key (what was done, by whom: `join-guess:addr:203.0.113.5`) did
    something throttled in its current window, for every worker process at once:
    trainer/throttle.py."""

    key = models.CharField(max_length=200, primary_key=True)
    count = models.PositiveIntegerField()
    window_ends = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.key}: {self.count} until {self.window_ends:%H:%M:%S}"
