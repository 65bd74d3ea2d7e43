"""Classroom forms. Rendered with crispy (bootstrap5) inside our own <form> tags,
so each works as a plain POST without JavaScript."""

from __future__ import annotations

from datetime import datetime
from datetime import timezone as dt_timezone

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils import timezone

from cases.models import Case
from trainer.classroom import cohort_name_refusal, mode_change_refusal, second_exercise_refusal
from trainer.models import Assignment, Cohort

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"
MAX_ATTEMPTS = 100  # more is unlimited in practice; leaving the field empty says so


class FocusFirstError:
    """A form posted without JavaScript comes back at the top of the page with focus
    on <body>: give the first field in error autofocus, so keyboard and screen reader
    users land on what needs fixing."""

    def full_clean(self):
        super().full_clean()
        self._focus_first_error()

    def add_error(self, field, error):
        # Views add errors after validation too (a co-instructor who already teaches).
        super().add_error(field, error)
        self._focus_first_error()

    def _focus_first_error(self):
        first = next((name for name in self.fields if name in (self._errors or {})), None)
        for name, bound in self.fields.items():
            if name == first:
                bound.widget.attrs["autofocus"] = True
            else:
                bound.widget.attrs.pop("autofocus", None)


class CohortForm(FocusFirstError, forms.ModelForm):
    class Meta:
        model = Cohort
        fields = ("name",)
        labels = {"name": "Cohort name"}
        help_texts = {"name": "For example “PT year 2, spring block”. Learners see it when they join."}

    def __init__(self, *args, teacher=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.teacher = teacher

    def clean_name(self):
        # Two cohorts of one instructor with one name cannot be told apart, by them or
        # by a learner in both (home page, join page).
        name = self.cleaned_data["name"].strip()
        if self.teacher is not None and (refusal := cohort_name_refusal(self.teacher, name, exclude_pk=self.instance.pk)):
            raise forms.ValidationError(refusal)
        return name


class JoinForm(FocusFirstError, forms.Form):
    code = forms.CharField(
        label="Join code",
        # Room for a pasted join link: a browser silently cuts a paste at maxlength,
        # and 32 characters cut "https://…/join/K7RQ2MXA/" before its code.
        max_length=500,
        help_text="The code your instructor gave you, for example K7RQ-2MXA, or the join link.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}),
    )


class CoInstructorForm(FocusFirstError, forms.Form):
    username = forms.CharField(label="Username of the co-instructor", max_length=150)


class LocalDateTimeField(forms.DateTimeField):
    """A wall-clock time in the site's time zone, as a datetime-local input sends it.
    Django refuses a time in the hour that repeats when clocks go back, so an
    assignment due then could not be saved again without moving it: the time it
    already has (`unchanged`, set by the form) is kept as it is. Otherwise, that
    hour and the one skipped when clocks go forward get a message saying which."""

    unchanged: datetime | None = None

    def to_python(self, value):
        try:
            return super().to_python(value)
        except ValidationError as error:
            if error.code != "ambiguous_timezone":
                raise
        with timezone.override(dt_timezone.utc):  # the wall-clock time as typed, read as UTC
            wall = super().to_python(value).replace(tzinfo=None)
        if self.unchanged and timezone.localtime(self.unchanged).replace(tzinfo=None) == wall:
            return self.unchanged
        zone = timezone.get_current_timezone()
        shown = f"{wall:%H:%M} on {wall.day} {wall:%B %Y}"
        if wall.replace(tzinfo=zone).astimezone(dt_timezone.utc).astimezone(zone).replace(tzinfo=None) != wall:  # no such time
            raise ValidationError(f"{shown} does not exist in {zone} (the clocks go forward): choose another time.", code="skipped_time")
        raise ValidationError(f"{shown} happens twice in {zone} (the clocks go back): choose a time outside that hour.", code="repeated_time")


class AssignmentForm(FocusFirstError, forms.ModelForm):
    case = forms.ModelChoiceField(queryset=Case.objects.published(), empty_label="Choose a case")

    class Meta:
        model = Assignment
        fields = ("case", "opens_at", "due_at", "mode", "max_attempts", "counts")
        labels = {"opens_at": "Opens", "due_at": "Due", "max_attempts": "Attempts allowed", "counts": "Which attempt counts"}
        widgets = {
            "opens_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL),
            "due_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL),
            "mode": forms.RadioSelect,
            "max_attempts": forms.NumberInput(attrs={"min": 1}),
        }
        field_classes = {"opens_at": LocalDateTimeField, "due_at": LocalDateTimeField}
        help_texts = {
            "opens_at": f"In {settings.TIME_ZONE}. Learners can start from this time.",
            "due_at": f"In {settings.TIME_ZONE}. Work finished after this is kept and marked late.",
            "max_attempts": "Leave empty for unlimited. Assessed exercises allow one attempt.",
            "counts": "For practice with several attempts: which one the dashboard scores.",
        }

    def __init__(self, *args, cohort: Cohort | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.cohort = cohort  # a new assignment's cohort, to refuse a duplicate
        for name in ("opens_at", "due_at"):
            self.fields[name].unchanged = getattr(self.instance, name)
        if "case" in self.fields:
            self.fields["case"].label_from_instance = lambda c: f"{c.code} · {c.title}"
        # The model's PositiveSmallIntegerField allows 0: its own bound refused -5 with
        # "greater than or equal to 0", then 0 was refused too. One bound, one message
        # (the form is novalidate, so the browser's min=1 never speaks first).
        # The upper bound is ours too: the model's comes from the database (32767 on
        # PostgreSQL, none on SQLite, which stored 99999999).
        attempts = self.fields["max_attempts"]
        attempts.min_value, attempts.max_value = 1, MAX_ATTEMPTS
        attempts.validators = [
            MinValueValidator(1, "Allow at least one attempt, or leave empty for unlimited."),
            MaxValueValidator(MAX_ATTEMPTS, f"Allow at most {MAX_ATTEMPTS} attempts, or leave empty for unlimited."),
        ]
        attempts.widget.attrs.update(min=1, max=MAX_ATTEMPTS)
        if self.data.get(self.add_prefix("mode")) == Assignment.Mode.ASSESSED:
            # Assessed allows one attempt whatever the field says (clean() sets it), so a
            # number left there from practice must not refuse the form.
            attempts.validators = []

    def clean(self):
        data = super().clean()
        opens, due = data.get("opens_at"), data.get("due_at")
        if opens and due and due <= opens:
            self.add_error("due_at", "The due time must be after the opening time.")
        # A new assignment only (AssignmentEditForm may close one early).
        if not self.instance.pk and due and due <= timezone.now():
            self.add_error("due_at", "This due time has passed: every learner would be late from the start.")
        self._refuse_a_second_exercise(data.get("mode"))
        if (
            self.instance.pk
            and self.instance.mode == Assignment.Mode.ASSESSED
            and due
            and self.instance.due_at <= timezone.now() < due
            and (opened := self.instance.attempts.filter(finished_at__isnull=False).count())
        ):
            # Past the due time the verdicts are open: moving it later would close debriefs
            # learners have already read (and their classmates may have heard about).
            self.add_error(
                "due_at",
                f"The due time has passed and {opened} finished attempt{'s have their' if opened != 1 else ' has its'} "
                "debrief open; a later due time would close them again. Learners can still finish late: their work is kept and marked late.",
            )
        if data.get("mode") == Assignment.Mode.ASSESSED:
            # Assessed means one counted attempt: anything else would let a learner
            # keep trying until the debrief opens.
            data["max_attempts"] = 1
            data["counts"] = Assignment.Counts.FIRST
        return data

    def _refuse_a_second_exercise(self, mode: str | None) -> None:
        """classroom.second_exercise_refusal for a new assignment (asked again when it is
        saved: create_assignment). An edit's new mode: AssignmentEditForm.clean."""
        case = self.cleaned_data.get("case")
        if self.instance.pk or not (self.cohort and case and mode):
            return
        if refusal := second_exercise_refusal(self.cohort, case, mode):
            self.add_error("case", refusal)


class AssignmentEditForm(AssignmentForm):
    """Dates and rules of an existing assignment. The case is fixed: learners'
    attempts belong to it (assign another case as a new assignment)."""

    case = None

    class Meta(AssignmentForm.Meta):
        fields = ("opens_at", "due_at", "mode", "max_attempts", "counts")
        help_texts = {
            **AssignmentForm.Meta.help_texts,
            "counts": "For practice with several attempts: which one the dashboard scores. Changing it re-scores work already finished.",
        }

    def clean(self):
        data = super().clean()
        # classroom.mode_change_refusal, asked again when the edit is saved (reschedule).
        # The case is fixed, so the mode is what to change.
        mode = data.get("mode")
        if mode and mode != self.instance.mode and (refusal := mode_change_refusal(self.instance, mode)):
            self.add_error("mode", refusal)
        return data
