"""An assignment's mode changed (practice to assessed, nothing started yet) while another
submit assigns the same case in that mode: the edit form checked "one exercise per case and
mode in a cohort" and saved later, so a case assigned in between was assessed twice in one
cohort (each learner two scored attempts on it, the dashboard two columns). Assign asked the
rule again in the cohort's turn; the edit did not. The same for "no mode change once learners
have attempts": a learner starting between the check and the save had their attempt's rules
changed under them (tests/integration/assignments/test_forms.py, one request with the other's
write landing right after its check). Here two requests in threads, the first held between
its check and its save (race_helpers), and two released together over HTTP. Runs on SQLite
and PostgreSQL."""

import threading
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import AssignmentFactory, TaughtCohortFactory, UserFactory, enrol
from tests.integration.assignments.helpers import _local
from tests.integration.race_helpers import interleave
from tests.integration.test_concurrency import THREADS, signed_in, sqlite_file_database, together  # noqa: F401 (fixture)
from trainer import classroom
from trainer.classroom import assignments
from trainer.models import Assignment

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def cohort(library, ines):
    return TaughtCohortFactory(name="Spring block", created_by=ines)


def edit_form(assignment, **fields) -> dict:
    data = {"opens_at": _local(assignment.opens_at), "due_at": _local(assignment.due_at), "mode": assignment.mode,
            "max_attempts": assignment.max_attempts or "", "counts": assignment.counts}
    return {**data, **fields}


def as_assessed(assignment: Assignment) -> Assignment:
    """The assignment as the edit view holds it once its form (practice -> assessed) is valid."""
    edited = Assignment.objects.select_related("case", "cohort").get(pk=assignment.pk)
    edited.mode, edited.max_attempts, edited.counts = Assignment.Mode.ASSESSED, 1, Assignment.Counts.FIRST
    return edited


def _pause_in_the_check(monkeypatch):
    """The first call of second_exercise_refusal waits (its caller's transaction open)
    until released; a later call says it was reached."""
    paused, release, second_checked = threading.Event(), threading.Event(), threading.Event()
    check = assignments.second_exercise_refusal

    def second_exercise_refusal(*args, **kwargs):
        refused = check(*args, **kwargs)
        if not paused.is_set():
            paused.set()
            release.wait(30)
        else:
            second_checked.set()
        return refused

    monkeypatch.setattr(assignments, "second_exercise_refusal", second_exercise_refusal)
    return paused, release, second_checked


def _new_assessed(cohort, code="C13") -> Assignment:
    now = timezone.now()
    case = cohort.assignments.get(case__code=code).case
    return Assignment(case=case, mode=Assignment.Mode.ASSESSED, opens_at=now, due_at=now + timedelta(days=7), max_attempts=1,
                      counts=Assignment.Counts.FIRST)


def _assessed_on(cohort, code="C13") -> int:
    return cohort.assignments.filter(case__code=code, mode=Assignment.Mode.ASSESSED).count()


def test_an_edit_saved_while_assign_is_between_its_check_and_its_save_is_refused(cohort, monkeypatch):
    # Assign has checked (nothing assessed on C13) and not yet saved; the edit to assessed,
    # whose form passed before either, is saved meanwhile. Both were stored (SQLite and PostgreSQL).
    practice = AssignmentFactory(cohort=cohort, code="C13", mode="practice")
    edited, new = as_assessed(practice), _new_assessed(cohort)
    paused, release, second_checked = _pause_in_the_check(monkeypatch)
    created, rescheduled = interleave(
        lambda: classroom.create_assignment(cohort, new),
        lambda: classroom.reschedule(edited),
        paused, release, second_checked,
    )
    assert isinstance(created, Assignment), created
    assert isinstance(rescheduled, classroom.ClassroomError) and "already assigned to this cohort as assessed" in str(rescheduled)
    assert _assessed_on(cohort) == 1
    practice.refresh_from_db()
    assert practice.mode == "practice"


def test_an_assign_while_an_edit_is_between_its_check_and_its_save_is_refused(cohort, monkeypatch):
    practice = AssignmentFactory(cohort=cohort, code="C13", mode="practice")
    edited, new = as_assessed(practice), _new_assessed(cohort)
    paused, release, second_checked = _pause_in_the_check(monkeypatch)
    rescheduled, created = interleave(
        lambda: classroom.reschedule(edited),
        lambda: classroom.create_assignment(cohort, new),
        paused, release, second_checked,
    )
    assert isinstance(rescheduled, classroom.Rescheduled), rescheduled
    assert isinstance(created, classroom.ClassroomError) and "already assigned to this cohort as assessed" in str(created)
    assert _assessed_on(cohort) == 1


def test_simultaneous_edit_and_assign_of_one_case_and_mode_make_one_exercise(cohort, ines):
    """Over HTTP, released together: one of the two is stored, the other is told on its form."""
    colleague = UserFactory(instructor=True)
    enrol(cohort, colleague, role="instructor")
    editor, assigner = signed_in(ines), signed_in(colleague)
    practice = AssignmentFactory(cohort=cohort, code="C13", mode="practice")
    edit_url = reverse("assignment_edit", args=[cohort.pk, practice.pk])
    assign_url = reverse("assignment_create", args=[cohort.pk])
    now = timezone.now()
    assign = {"case": practice.case_id, "mode": "assessed", "counts": "first", "max_attempts": "",
              "opens_at": _local(now), "due_at": _local(now + timedelta(days=7))}
    for round_ in range(THREADS):  # a race: several rounds, so one lost shows
        cohort.assignments.exclude(pk=practice.pk).delete()
        Assignment.objects.filter(pk=practice.pk).update(mode="practice", counts="best", max_attempts=None)
        practice.refresh_from_db()
        responses = together(2, lambda i: editor.post(edit_url, edit_form(practice, mode="assessed")) if i == 0 else assigner.post(assign_url, assign))
        assert _assessed_on(cohort) == 1, f"round {round_}"
        assert sorted(r.status_code for r in responses) == [302, 422], f"round {round_}"
