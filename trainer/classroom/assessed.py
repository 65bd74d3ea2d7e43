"""The assessment lock: an assessed attempt's debrief (and score) stays closed until
the due time, and while an assessed exercise is in play, the learner's other
attempts on its case (self-paced starts, play, debriefs) are closed too."""

from __future__ import annotations

from datetime import datetime

from django.db import connection
from django.db.models import BooleanField, Exists, OuterRef, Q, QuerySet, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from django.utils import timezone

from cases.models import Case
from trainer.classroom.base import LEARNER, when
from trainer.models import Assignment, Attempt, Cohort, Membership


def debrief_locked_until(attempt: Attempt, now: datetime | None = None, assignment: Assignment | None = None) -> datetime | None:
    """Assessed work: the debrief (and score) stays closed until the due time, so
    classmates cannot pass answers on while the exercise is still open."""
    if not attempt.assignment_id:
        return None
    assignment = assignment or attempt.assignment
    now = now or timezone.now()
    if assignment.mode == Assignment.Mode.ASSESSED and now < assignment.due_at:
        return assignment.due_at
    return None


def with_debrief_open(attempts: QuerySet[Attempt], now: datetime | None = None) -> QuerySet[Attempt]:
    """The rule of debrief_locked_until in SQL, for lists: the attempts whose debrief
    (and so their findings) their learner may see now."""
    return attempts.exclude(assignment__mode=Assignment.Mode.ASSESSED, assignment__due_at__gt=now or timezone.now())


def debrief_notice(attempt: Attempt) -> str:
    """What to tell a learner whose debrief is not open yet; empty if it is."""
    until = debrief_locked_until(attempt)
    if until is None:
        return ""
    return f"Your answers are saved. This is an assessed exercise: the score and debrief open after the due time, {when(until)}."


def assessing(user, case, now: datetime | None = None, *, other_than=None) -> QuerySet[Assignment]:
    """The learner's assessed assignments on `case` that are still in play: not yet
    due, or past due with their attempt unfinished, or (in a running cohort where they
    learn) past due and never started, since late work is accepted.
    While one is in play, every other attempt of theirs on the case is closed (no
    self-paced start, no play, no debrief): each would show the answers.
    Once they have an attempt on it, it stays in play whatever happens to the cohort
    or their place in it: their attempt can still be finished, so archiving the
    cohort or removing them (who may join again) must not open the case to them
    before the due time.
    `case` and `other_than` (an assignment pk, excluded) may be OuterRefs, so the
    attempt views check it inside the query that loads the attempt."""
    now = now or timezone.now()
    theirs = Attempt.objects.filter(assignment=OuterRef("pk"), user=user)
    # Three subqueries, each written once: every one more costs the library its SQL
    # compilation again, and SQLite runs each per row of the learner's attempts.
    holds = Exists(theirs.filter(Q(finished_at__isnull=True) | Q(assignment__due_at__gt=now)))  # whatever the cohort
    learning = Exists(Membership.objects.filter(cohort=OuterRef("cohort_id"), user=user, role=LEARNER, cohort__archived=False))
    in_play = holds | (learning & (Q(due_at__gt=now) | (Q(opens_at__lte=now) & ~Exists(theirs))))
    assignments = Assignment.objects.filter(in_play, mode=Assignment.Mode.ASSESSED)
    if case is not None:
        assignments = assignments.filter(case=case)
    return assignments if other_than is None else assignments.exclude(pk=other_than)


def assessment_lock(user, now: datetime | None = None) -> Exists:
    """For `user`'s Attempt rows: whether an assessed exercise in play on the attempt's
    case, other than the attempt's own assignment, closes it (annotate it, then ask
    attempt_lock_notice). One condition in the query that loads the attempt, so the
    choice POST pays no extra query for it."""
    own = Coalesce(OuterRef("assignment_id"), Value(0))
    return Exists(assessing(user, OuterRef("case_id"), now, other_than=own))


def _assessed_on_case_sql(case: str, other_than: str) -> str:
    """SQL: is there any assessed assignment on the case `case`, other than the
    assignment `other_than`, that the user has an attempt on or learns in a running
    cohort? (`case` and `other_than` are SQL expressions; the parameters come from
    _assessed_on_case_params.) What assessing() asks, without whether the assignment
    is still in play: a cheap first test, since the answer is rarely yes. Plain SQL
    because building and compiling assessing()'s ORM form costs more than running it
    (bench/HISTORY.md, session 8; bench/README.md, the class at 9:00); tests hold it
    to assessing()."""
    assignment, attempt, cohort, member = (m._meta.db_table for m in (Assignment, Attempt, Cohort, Membership))
    return (
        f"SELECT 1 FROM {assignment} x WHERE x.case_id = {case} AND x.mode = %s AND ("
        f"EXISTS (SELECT 1 FROM {member} m JOIN {cohort} c ON c.id = m.cohort_id"
        f" WHERE m.cohort_id = x.cohort_id AND m.user_id = %s AND m.role = %s AND c.archived = %s)"
        f" OR EXISTS (SELECT 1 FROM {attempt} t WHERE t.assignment_id = x.id AND t.user_id = %s)"
        f") AND x.id <> {other_than}"
    )


def _assessed_on_case_params(user) -> tuple:
    return (Assignment.Mode.ASSESSED, user.pk, LEARNER, False, user.pk)


def assessment_lock_possible(user) -> RawSQL:
    """For `user`'s Attempt rows: whether any assessed assignment on the attempt's case,
    other than the attempt's own, that they have an attempt on or learn in a running
    cohort, exists at all: what
    assessment_lock asks, without whether it is still in play. The attempt views
    annotate this (as `assessment_lock_possible`) and ask assessing() only when it is
    true, which is rare. The ORM's form of assessment_lock doubled the choice POST
    (3.7 -> 7.4 ms, most of it building and compiling the subquery; bench/HISTORY.md,
    session 8); a test holds it to assessing()."""
    table = Attempt._meta.db_table
    sql = _assessed_on_case_sql(f"{table}.case_id", f"COALESCE({table}.assignment_id, 0)")
    return RawSQL(f"EXISTS ({sql})", _assessed_on_case_params(user), output_field=BooleanField())


def _assessed_on_case(user, case: Case, other_than: int | None) -> bool:
    """assessment_lock_possible for one case, before any attempt exists (Start)."""
    with connection.cursor() as cursor:
        cursor.execute(f"{_assessed_on_case_sql('%s', '%s')} LIMIT 1", (case.pk, *_assessed_on_case_params(user), other_than or 0))
        return cursor.fetchone() is not None


def attempt_lock_notice(attempt: Attempt) -> str:
    """What closes this attempt to its learner while an assessed exercise on its case
    is in play, or "" (see closed_by_assessment). An unfinished assessed attempt is
    never closed: it can always be finished (two cohorts assessing one case must not
    lock each other's attempts)."""
    if not closed_by_assessment(attempt):
        return ""
    return practice_notice(attempt.user, attempt.case, other_than=attempt.assignment_id)


def closed_by_assessment(attempt: Attempt) -> bool:
    """attempt_lock_notice's rule as a yes/no. `attempt` is annotated with either
    assessment_lock (lists: `assessment_locked`, the answer) or
    assessment_lock_possible (the attempt views: a cheap first test)."""
    if is_open_assessed(attempt):
        return False
    if hasattr(attempt, "assessment_locked"):
        return bool(attempt.assessment_locked)
    return bool(attempt.assessment_lock_possible) and assessing(attempt.user_id, attempt.case_id, other_than=attempt.assignment_id).exists()


def readable_debriefs(user, now: datetime | None = None) -> QuerySet[Attempt]:
    """`user`'s finished attempts whose debrief they may read now: not an assessed one
    before its due time (with_debrief_open), nor one an assessed exercise in play on its
    case closes (assessment_lock). Whatever shows what a case held (their patterns on
    home, the cases named on the Guidance page) reads only these."""
    return with_debrief_open(Attempt.objects.for_user(user).finished(), now).exclude(assessment_lock(user, now))


def listed_attempts(user) -> QuerySet[Attempt]:
    """A learner's attempts as their lists show them (home, all attempts, library cards):
    case and assignment joined, annotated with `assessment_locked` (closed_by_assessment)."""
    return Attempt.objects.for_user(user).select_related("case", "assignment__cohort").annotate(assessment_locked=assessment_lock(user))


def debrief_refusal(attempt: Attempt) -> str:
    """Why the learner may not read this attempt's debrief now, or "": assessed work
    before its due time, or any attempt while an assessed exercise on its case is open."""
    return debrief_notice(attempt) or attempt_lock_notice(attempt)


def practice_notice(user, case: Case, now: datetime | None = None, *, other_than: int | None = None) -> str:
    """Why the learner may not practise `case` (start, play or read another attempt of
    theirs on it) while an assessed exercise on it is in play (see assessing), or "".
    `other_than`: the assignment of the attempt being opened, which never locks itself."""
    if not _assessed_on_case(user, case, other_than):
        return ""  # nearly always: no need to build assessing()'s query
    now = now or timezone.now()
    blocking = assessing(user, case, now, other_than=other_than).order_by("due_at").first()
    if blocking is None:
        return ""
    after = "Self-paced practice on it, and your other attempts on it, open after the due time."
    if now < blocking.opens_at:
        # Its card on the home page says "Not open yet", with no Start button to send them to.
        return f"{case.learner_label} is an assessed exercise for you: it opens on {when(blocking.opens_at)} and is due {when(blocking.due_at)}. {after}"
    # Their attempt on it: none, under way, or handed in (it may be in a cohort since
    # archived, or one they were removed from, so not among their assigned exercises).
    theirs = list(Attempt.objects.filter(user=user, assignment=blocking).values_list("finished_at", flat=True))
    under_way = any(finished_at is None for finished_at in theirs)
    if now < blocking.due_at:
        if under_way:
            todo = "finish your attempt (Resume on your home page)"
        elif theirs:
            todo = "you have handed it in"
        else:
            todo = "start it from your assigned exercises"
        return f"{case.learner_label} is an assessed exercise for you, due {when(blocking.due_at)}; {todo}. {after}"
    # Past the due time an assessed exercise can still be done (late): practising the
    # case first would let the learner read its debrief, then answer.
    if under_way:
        return f"Your assessed attempt on {case.learner_label} is not finished: finish it first (Resume on your home page; it will be marked late). Self-paced practice on it opens after that."
    return f"{case.learner_label} is an assessed exercise you have not done yet (it was due {when(blocking.due_at)}): do it from your assigned exercises first (it will be marked late). Self-paced practice on it opens after that."


def is_open_assessed(attempt: Attempt) -> bool:
    """An unfinished assessed attempt: its case is closed to self-paced practice until
    it is finished, whatever became of its cohort (assessing(), clause two, in SQL)."""
    a = attempt.assignment if attempt.assignment_id else None
    return attempt.finished_at is None and a is not None and a.mode == Assignment.Mode.ASSESSED
