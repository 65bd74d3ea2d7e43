"""Cohorts, joining, the roster and assignments. The rules live in trainer.classroom;
these views check access, call it and render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Q
from django.template.defaultfilters import pluralize
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from trainer import classroom, cohort_stats
from trainer import join_throttle
from trainer.classroom import ClassroomError
from trainer.forms import AssignmentEditForm, AssignmentForm, CohortForm, CoInstructorForm, JoinForm
from trainer.models import Assignment, Cohort, Membership, is_instructor
from trainer.views.helpers import show_started


def get_cohort_for_instructor(request: HttpRequest, pk: int) -> Cohort:
    """A cohort the signed-in user teaches, or 404: to anyone else (its learners,
    other instructors) the cohort's dashboard, roster and exports do not exist."""
    cohort = classroom.cohorts_taught(request.user).filter(pk=pk).first()
    if cohort is None:
        raise Http404("No such cohort.")
    return cohort


def _require_instructor(request: HttpRequest) -> None:
    if not is_instructor(request.user):
        raise Http404("No such page.")


def join_url(request: HttpRequest, cohort: Cohort) -> str:
    return request.build_absolute_uri(reverse("join_link", args=[cohort.join_code]))


@login_required
@require_safe
def cohort_list(request: HttpRequest) -> HttpResponse:
    """An instructor's cohorts, and the form to create one."""
    _require_instructor(request)
    return _render_cohort_list(request, CohortForm())


COHORT_PAGE = 25


def _render_cohort_list(request: HttpRequest, form: CohortForm, status: int = 200) -> HttpResponse:
    """Running and archived cohorts, each list paged on its own (?page=, ?archived_page=)."""
    cohorts = (
        classroom.cohorts_taught(request.user)
        .annotate(
            learners=Count("memberships", filter=Q(memberships__role=Membership.Role.LEARNER), distinct=True),
            n_assignments=Count("assignments", distinct=True),
        )
        .order_by("-created_at", "-pk")  # newest first; pk settles ties, or a page could repeat a cohort
    )
    context = {
        "cohorts": Paginator(cohorts.filter(archived=False), COHORT_PAGE).get_page(request.GET.get("page")),
        "archived": Paginator(cohorts.filter(archived=True), COHORT_PAGE).get_page(request.GET.get("archived_page")),
        "form": form,
    }
    return TemplateResponse(request, "classroom/cohorts.html", context, status=status)


@login_required
@require_POST
def cohort_create(request: HttpRequest) -> HttpResponse:
    _require_instructor(request)
    form = CohortForm(request.POST, teacher=request.user)
    if form.is_valid():
        try:
            cohort = classroom.create_cohort(request.user, form.cleaned_data["name"])
        except ClassroomError as exc:  # the same name, created by another submit meanwhile
            form.add_error("name", str(exc))
        else:
            messages.success(request, f"Cohort created. Learners join with code {cohort.join_code} or the join link below.")
            return redirect("cohort_roster", pk=cohort.pk)
    return _render_cohort_list(request, form, status=422)


@login_required
@require_http_methods(["GET", "POST"])
def join(request: HttpRequest) -> HttpResponse:
    """Join a cohort by typing its code."""
    form = JoinForm(request.POST or None)
    status = 422 if request.method == "POST" else 200
    if request.method == "POST" and form.is_valid():
        try:
            _, notice = join_throttle.look_up(request, classroom.join_cohort, request.user, form.cleaned_data["code"])
        except ClassroomError as exc:
            form.add_error("code", str(exc))
            if isinstance(exc, join_throttle.Paused):
                status = 429
        else:
            messages.success(request, notice)
            return redirect("home")
    return TemplateResponse(request, "classroom/join.html", {"form": form}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def join_link(request: HttpRequest, code: str) -> HttpResponse:
    """The link an instructor shares. GET only shows what you are joining: a link
    that joined on GET could be followed by a preview bot or planted in a page."""
    try:
        cohort = join_throttle.look_up(request, classroom.find_cohort_by_code, code)
    except ClassroomError as exc:  # no open cohort has it, or joining is paused
        messages.error(request, str(exc))
        return redirect("join")
    if request.method == "POST":
        try:
            _, notice = classroom.join_cohort(request.user, cohort.join_code)
        except ClassroomError as exc:
            messages.error(request, str(exc))
            return redirect("join")
        messages.success(request, notice)
        return redirect("home")
    return TemplateResponse(request, "classroom/join_link.html", {"cohort": cohort, "place": classroom.roster_place(request.user, cohort)})


@login_required
@require_http_methods(["GET", "POST"])
def cohort_settings(request: HttpRequest, pk: int) -> HttpResponse:
    """Rename the cohort; the page also holds the join code and archive forms."""
    cohort = get_cohort_for_instructor(request, pk)
    form = CohortForm(request.POST or None, instance=cohort, teacher=request.user)
    if request.method == "POST" and form.is_valid():
        if form.has_changed():
            form.save()
            messages.success(request, f"Renamed to {cohort.name}.")
        else:  # "Renamed to" the name it already had read as if something had changed
            messages.info(request, f"The name is unchanged: {cohort.name}.")
        return redirect("cohort_settings", pk=cohort.pk)
    if form.errors:
        cohort.refresh_from_db(fields=["name"])  # the header keeps the saved name
    status = 422 if request.method == "POST" else 200
    context = {"cohort": cohort, "form": form, "join_url": join_url(request, cohort)}
    return TemplateResponse(request, "classroom/settings.html", context, status=status)


@login_required
@require_POST
def cohort_new_code(request: HttpRequest, pk: int) -> HttpResponse:
    cohort = get_cohort_for_instructor(request, pk)
    if request.POST.get("confirm") != "1":
        messages.error(request, "Tick the box to confirm that the old code and link stop working. Nothing changed.")
        return redirect("cohort_settings", pk=cohort.pk)
    try:
        code = classroom.issue_new_join_code(cohort, replacing=request.POST.get("replacing", ""))
    except ClassroomError as exc:
        messages.info(request, str(exc))
    else:
        messages.success(request, f"New join code {code}. The old code and link no longer work; members stay in the cohort.")
    return redirect("cohort_settings", pk=cohort.pk)


@login_required
@require_POST
def cohort_archive(request: HttpRequest, pk: int) -> HttpResponse:
    cohort = get_cohort_for_instructor(request, pk)
    wanted = {"1": True, "0": False}.get(request.POST.get("archived", ""))
    if wanted is None:
        messages.error(request, "That request was not understood; nothing changed.")
        return redirect("cohort_settings", pk=cohort.pk)
    classroom.set_archived(cohort, wanted)
    if wanted:
        messages.success(request, f"{cohort.name} is archived. Its dashboard and exports stay here; learners no longer see its exercises.")
    else:
        messages.success(request, f"{cohort.name} is open again: learners see its exercises and can join.")
    return redirect("cohort_settings", pk=cohort.pk)


@login_required
@require_safe
def roster(request: HttpRequest, pk: int) -> HttpResponse:
    cohort = get_cohort_for_instructor(request, pk)
    return _render_roster(request, cohort, CoInstructorForm())


def _render_roster(request: HttpRequest, cohort: Cohort, form: CoInstructorForm, status: int = 200) -> HttpResponse:
    members = cohort_stats.with_shown_name(cohort.memberships.select_related("user")).order_by("-role", "shown_name", "user__username")
    # A revoked instructor keeps their roster place (manage.py instructor remove) but no
    # longer teaches: said beside their name, and never counted as the one who stays.
    teaches = Exists(Membership.objects.teaching().filter(pk=OuterRef("pk")))
    instructors = list(members.filter(role=Membership.Role.INSTRUCTOR).annotate(teaches=teaches))
    learners = Paginator(members.filter(role=Membership.Role.LEARNER), 50).get_page(request.GET.get("page"))
    context = {
        "cohort": cohort, "instructors": instructors, "teachers": sum(m.teaches for m in instructors),
        "learners": learners, "form": form, "join_url": join_url(request, cohort),
    }
    return TemplateResponse(request, "classroom/roster.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def remove_member(request: HttpRequest, pk: int, membership_pk: int) -> HttpResponse:
    """Take someone off the roster, after a confirmation page (one click on Remove
    used to drop a learner at once)."""
    cohort = get_cohort_for_instructor(request, pk)
    if request.method == "GET":
        member = get_object_or_404(cohort.memberships.select_related("user"), pk=membership_pk)
        context = {
            "cohort": cohort, "member": member, "is_self": member.user_id == request.user.pk,
            "attempts": classroom.work_in_cohort(cohort, member.user),
            "refused": classroom.removal_refusal(cohort, member),
            "revoked": member.revoked,
        }
        return TemplateResponse(request, "classroom/member_remove.html", context)
    try:
        gone = classroom.remove_member(cohort, membership_pk)
    except ClassroomError as exc:
        messages.error(request, str(exc))
    else:
        if gone.role == Membership.Role.INSTRUCTOR:
            who = "You no longer teach" if gone.user_id == request.user.pk else f"{gone.user.username} no longer teaches"
            messages.success(request, f"{who} {cohort.name}.")
        else:
            messages.success(request, f"{gone.user.username} was removed from {cohort.name}. Their attempts are kept. The join code still lets them back in until you issue a new one (Settings).")
        if gone.user_id == request.user.pk:
            return redirect("cohorts")
    return redirect("cohort_roster", pk=cohort.pk)


@login_required
@require_POST
def add_instructor(request: HttpRequest, pk: int) -> HttpResponse:
    cohort = get_cohort_for_instructor(request, pk)
    form = CoInstructorForm(request.POST)
    if form.is_valid():
        try:
            added = classroom.add_co_instructor(cohort, form.cleaned_data["username"])
        except ClassroomError as exc:
            form.add_error("username", str(exc))
        else:
            messages.success(request, f"{added.user.username} now co-teaches {cohort.name}.")
            return redirect("cohort_roster", pk=cohort.pk)
    return _render_roster(request, cohort, form, status=422)


@login_required
@require_http_methods(["GET", "POST"])
def assignment_create(request: HttpRequest, pk: int) -> HttpResponse:
    cohort = get_cohort_for_instructor(request, pk)
    if refusal := classroom.assignment_refusal(cohort):  # the page says why, with no form
        refused = request.method == "POST"
        context = {"cohort": cohort, "refusal": refusal, "refused": refused}
        return TemplateResponse(request, "classroom/assignment_form.html", context, status=422 if refused else 200)
    form = AssignmentForm(request.POST or None, cohort=cohort)
    if request.method == "POST" and form.is_valid():
        try:
            assignment = classroom.create_assignment(cohort, form.save(commit=False))
        except ClassroomError as exc:  # the same case assigned by another submit meanwhile
            form.add_error("case", str(exc))
        else:
            messages.success(request, f"{assignment.case.code} is assigned to {cohort.name}.")
            return redirect("cohort_dashboard", pk=cohort.pk)
    status = 422 if request.method == "POST" else 200
    return TemplateResponse(request, "classroom/assignment_form.html", {"cohort": cohort, "form": form}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def assignment_edit(request: HttpRequest, pk: int, assignment_pk: int) -> HttpResponse:
    """Change an assignment's dates and rules (an extension, a typo in the due time)."""
    cohort = get_cohort_for_instructor(request, pk)
    assignment = get_object_or_404(cohort.assignments.select_related("case"), pk=assignment_pk)
    form = AssignmentEditForm(request.POST or None, instance=assignment)
    if request.method == "POST" and form.is_valid():
        try:
            done = classroom.reschedule(form.save(commit=False))
        except classroom.ModeRefused as exc:  # the case assigned in that mode, or a learner started, since the form's check
            form.add_error("mode", str(exc))
        except ClassroomError as exc:
            messages.error(request, str(exc))
            return redirect("cohort_dashboard", pk=cohort.pk)
        else:
            messages.success(request, f"Saved {assignment.case.code}: due {classroom.when(assignment.due_at)}.{_rescheduled_note(assignment, done)}")
            return redirect("assignment_detail", pk=cohort.pk, assignment_pk=assignment.pk)
    status = 422 if request.method == "POST" else 200
    context = {"cohort": cohort, "form": form, "assignment": assignment}
    return TemplateResponse(request, "classroom/assignment_form.html", context, status=status)


def _rescheduled_note(assignment: Assignment, done: classroom.Rescheduled) -> str:
    """What an edit changed for learners' finished work, in plain words (empty if nothing)."""
    notes = []
    if done.remarked:
        notes.append(f"{done.remarked} finished attempt{pluralize(done.remarked)} re-marked against the new due time.")
    if done.counts_changed:
        n = done.rescored
        whose = {0: "no learner's counted score", 1: "1 learner's counted score"}.get(n, f"{n} learners' counted scores")
        notes.append(f"The counted score now comes from each learner's {assignment.counts} attempt: {whose} changed.")
    if n := done.over_limit:
        notes.append(
            f"{n} learner{pluralize(n)} {pluralize(n, 'has,have')} already used more attempts than the new limit: "
            "their attempts stay; they cannot start another."
        )
    return "".join(f" {note}" for note in notes)


@login_required
@require_http_methods(["GET", "POST"])
def assignment_remove(request: HttpRequest, pk: int, assignment_pk: int) -> HttpResponse:
    """Withdraw an assignment, after a confirmation page (a plain form: no script needed)."""
    cohort = get_cohort_for_instructor(request, pk)
    if request.method == "POST" and request.session.get("removed_assignment") == assignment_pk:
        # Remove pressed twice without JavaScript: the browser shows this second answer,
        # which was "Page not found" although the first press had removed it. Only this
        # session's own removal is named: any other missing id stays a plain 404.
        messages.info(request, "That assignment has already been removed.")
        return redirect("cohort_dashboard", pk=cohort.pk)
    assignment = get_object_or_404(cohort.assignments.select_related("case"), pk=assignment_pk)
    if request.method == "POST":
        kept = classroom.remove_assignment(assignment)
        request.session["removed_assignment"] = assignment_pk  # (deleting cleared assignment.pk)
        note = f" {kept} attempt{pluralize(kept)} on it stay{pluralize(kept, 's,')} with their learners as self-paced practice." if kept else ""
        messages.success(request, f"{assignment.case.code} is no longer assigned to {cohort.name}.{note}")
        return redirect("cohort_dashboard", pk=cohort.pk)
    attempts = assignment.attempts.aggregate(n=Count("pk"), learners=Count("user", distinct=True))
    context = {"cohort": cohort, "assignment": assignment, "attempts": attempts}
    return TemplateResponse(request, "classroom/assignment_remove.html", context)


@login_required
@require_POST
def assignment_start(request: HttpRequest, pk: int) -> HttpResponse:
    """A learner starts (or resumes) their attempt on an assigned case."""
    assignment = get_object_or_404(
        Assignment.objects.select_related("case", "cohort").filter(
            cohort__memberships__user=request.user, cohort__memberships__role=Membership.Role.LEARNER
        ),
        pk=pk,
    )
    try:
        attempt, created = classroom.start_assignment(request.user, assignment)
    except ClassroomError as exc:
        messages.error(request, str(exc))
        return redirect("home")
    if created and attempt.started_at > assignment.due_at:
        messages.warning(request, "The due time has passed: your work is still recorded, marked late.")
    return show_started(request, attempt)
