"""Cohorts and membership: creating a cohort, joining it by code, co-instructors,
removing members, replacing the join code, archiving, and whether a learner is in
a cohort still running."""

from __future__ import annotations

import re
import unicodedata

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import QuerySet
from django.utils.text import Truncator

from trainer.classroom.base import INSTRUCTOR, LEARNER, ClassroomError, NoSuchJoinCode, take_cohort_turn, take_turn
from trainer.models import Attempt, Cohort, Membership, is_instructor, new_join_code


def normalize_code(raw: str) -> str:
    # Codes are read off a slide: forgive case, spaces and dashes. Learners sent the
    # join link paste it into the code box just as often: take the code out of it.
    # Full-width letters and digits (phone keyboards set to Chinese or Japanese) become
    # plain ones first; they were dropped as punctuation.
    raw = unicodedata.normalize("NFKC", raw)
    if link := re.search(r"/join/([^/?#\s]+)", raw):
        raw = link[1]
    return re.sub(r"[^A-Z0-9]", "", raw.upper())


def cohorts_taught(user) -> QuerySet[Cohort]:
    """The cohorts `user` teaches (Membership.objects.teaching: the roster role and
    instructor rights both), checked in the same query as the cohort itself."""
    # A subquery, not a join: a join on memberships would be reused by any later
    # count over memberships (the cohort list counted only the instructor's own row).
    return Cohort.objects.filter(pk__in=Membership.objects.teaching().filter(user=user).values("cohort_id"))


def learner_ids(cohort: Cohort | int) -> QuerySet:
    """The cohort's current learners as a subquery: removed members' work drops out
    of every aggregate without being deleted."""
    return Membership.objects.filter(cohort=cohort, role=LEARNER).values("user_id")


def cohort_name_refusal(user, name: str, exclude_pk: int | None = None) -> str:
    """Why `user` cannot give a cohort of theirs `name`, or "": two cohorts of one
    instructor with one name cannot be told apart, by them or by a learner in both
    (home page, join page). `exclude_pk`: the cohort being renamed."""
    if cohorts_taught(user).filter(name__iexact=name).exclude(pk=exclude_pk).exists():
        return "You already teach a cohort with this name: give this one a name of its own."
    return ""


@transaction.atomic
def create_cohort(user, name: str) -> Cohort:
    """A new cohort taught by `user` (CohortForm checked cohort_name_refusal). Create
    pressed twice sent two requests that each passed that check and each made a
    cohort; so the check is asked again in the user's turn."""
    take_turn(user)
    if refusal := cohort_name_refusal(user, name):
        raise ClassroomError(refusal)
    cohort = Cohort.objects.create(name=name, created_by=user)
    Membership.objects.create(cohort=cohort, user=user, role=INSTRUCTOR)
    return cohort


def find_cohort_by_code(code: str) -> Cohort:
    cohort = Cohort.objects.filter(join_code=normalize_code(code), archived=False).first()
    if cohort is None:
        raise NoSuchJoinCode("No open cohort has that join code. Check it with your instructor.")
    return cohort


def roster_place(user, cohort: Cohort) -> Membership | None:
    """`user`'s place on the cohort's roster, if any: the join link tells a member where
    they stand instead of asking them to join (join_cohort says the same on a POST)."""
    return cohort.memberships.filter(user=user).first()


def join_cohort(user, code: str) -> tuple[Cohort, str]:
    """Join as a learner. Returns the cohort and what to tell the user; joining
    twice is harmless."""
    cohort = find_cohort_by_code(code)
    membership, created = Membership.objects.get_or_create(cohort=cohort, user=user, defaults={"role": LEARNER})
    if created:
        return cohort, f"You joined {cohort.name}. Its assigned exercises are listed below."
    if membership.role == INSTRUCTOR:
        if membership.revoked:
            raise ClassroomError(
                f"You are on {cohort.name}'s roster as an instructor, and your instructor rights have been "
                "withdrawn, so its pages stay closed to you. Ask an administrator to restore them, or to take "
                "you off its roster so that you can join as a learner."
            )
        return cohort, f"You already teach {cohort.name}."
    return cohort, f"You are already a member of {cohort.name}."


def add_co_instructor(cohort: Cohort, username: str) -> Membership:
    User = get_user_model()
    user = User.objects.filter(username=username.strip()).first()
    if user is None:
        raise ClassroomError(f"There is no account called “{Truncator(username.strip()).chars(40)}”.")
    # Instructor rights come from the Instructors group; a roster entry alone must
    # not turn a learner into someone who sees classmates' work.
    if not is_instructor(user):
        raise ClassroomError(
            f"{user.username} is not an instructor account; an administrator must make them one first "
            f"(manage.py instructor add {user.username})."
        )
    if Membership.objects.filter(cohort=cohort, user=user, role=INSTRUCTOR).exists():
        raise ClassroomError(f"{user.username} already teaches {cohort.name}.")
    membership, _ = Membership.objects.update_or_create(cohort=cohort, user=user, defaults={"role": INSTRUCTOR})
    return membership


def removal_refusal(cohort: Cohort, membership: Membership) -> str:
    """Why `membership` may not leave `cohort`'s roster, or "": asked by the
    confirmation page (so it offers no button that would be refused) and by the removal."""
    # Only someone who still holds instructor rights keeps a cohort taught: a revoked
    # account's roster place must not let the last real instructor leave.
    if membership.role == INSTRUCTOR and not cohort.memberships.teaching().exclude(pk=membership.pk).exists():
        return "A cohort needs at least one instructor: add a co-instructor before removing the last one."
    return ""


@transaction.atomic
def remove_member(cohort: Cohort, membership_pk: int) -> Membership:
    # Removals from one roster take turns: two instructors removing each other at once
    # each saw the other stay (removal_refusal) and the cohort was left untaught
    # (PostgreSQL; SQLite's transactions take turns anyway).
    take_cohort_turn(cohort)
    membership = Membership.objects.select_related("user").filter(cohort=cohort, pk=membership_pk).first()
    if membership is None:
        raise ClassroomError("That person is not on this roster.")
    if refused := removal_refusal(cohort, membership):
        raise ClassroomError(refused)
    membership.delete()  # their attempts stay; they just leave the cohort's aggregates
    return membership


def work_in_cohort(cohort: Cohort, user) -> int:
    """How many attempts `user` has on the cohort's exercises: what removing them takes
    off its dashboard and exports (their attempts themselves are kept)."""
    return Attempt.objects.filter(user=user, assignment__cohort=cohort).count()


def issue_new_join_code(cohort: Cohort, replacing: str) -> str:
    """Replace a cohort's join code (it leaked, or the class is full): the old code
    and link stop working; members stay. Returns the new code. `replacing` names
    the code the instructor saw: a double submit or a second tab must not replace
    the code the first request just handed out."""
    # One conditional UPDATE, not a compare then a save: two submits that both read the
    # old code each passed the compare, and the first was shown a code the second had
    # already replaced (it never worked). 31^8 codes: like a new cohort's, a clash is
    # left to the unique key to refuse.
    code = new_join_code()
    if not Cohort.objects.filter(pk=cohort.pk, join_code=replacing).update(join_code=code):
        cohort.refresh_from_db(fields=["join_code"])
        raise ClassroomError(f"That code was already replaced: learners now join with {cohort.join_code}.")
    cohort.join_code = code
    return code


def assignment_refusal(cohort: Cohort) -> str:
    """Why `cohort` takes no new assignment, or "". Its learners never see an archived
    cohort's exercises, so a case assigned there would reach nobody."""
    if cohort.archived:
        return f"{cohort.name} is archived: its learners do not see its exercises, so a case assigned now would reach nobody."
    return ""


def set_archived(cohort: Cohort, archived: bool) -> None:
    """Archive a cohort at the end of term: nobody can join it, its exercises leave
    learners' home pages and no new attempt starts on them; every attempt, score and
    dashboard stays as it was. Restoring it undoes exactly that. Setting a state
    rather than toggling one, so a form sent twice cannot undo itself."""
    cohort.archived = archived
    cohort.save(update_fields=["archived"])


def in_open_cohort(user) -> bool:
    return Membership.objects.filter(user=user, role=LEARNER, cohort__archived=False).exists()


def only_in_ended_cohorts(user, in_open_cohort: bool) -> bool:
    """A learner whose cohorts were all archived: told their cohorts ended, not that they
    are in none (which read as if they had been removed)."""
    return not in_open_cohort and Membership.objects.filter(user=user, role=LEARNER).exists()
