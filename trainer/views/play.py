"""Self-paced play: the case library, an attempt, one choice, the debrief."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django_htmx.http import HttpResponseClientRedirect, push_url
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.template.response import TemplateResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from cases.models import Case
from trainer import classroom
from trainer.classroom import CaseWithdrawn, ClassroomError
from trainer.engine import InvalidChoice
from trainer.option_tokens import option_id_for
from trainer.views.helpers import (
    attempt_page, canonical_url, get_attempt_for_learner, latest_answer, show_started, stage_context, transcript_update, wants_fragment,
)

FILTERS = ("region", "type", "difficulty")


@require_safe
@never_cache  # Back must not show a card's state from before the learner's last action
def library(request: HttpRequest) -> HttpResponse:
    """Every published case, filterable; for a learner, their own attempts on each."""
    active = {key: request.GET[key] for key in FILTERS if request.GET.get(key)}
    canonical, untidy = canonical_url(request, reverse("library"), {**active, "page": request.GET.get("page")})
    if untidy and not request.htmx:
        return redirect(canonical)
    cases = Case.objects.published().filter(**active)
    if request.user.is_authenticated:
        cases = classroom.with_attempt_count(cases, request.user).prefetch_related(
            Prefetch(
                "attempts",
                queryset=classroom.card_attempts(request.user),
                to_attr="mine",
            )
        )
    # Every filter's choices from one query over the published cases' tags.
    tags = list(Case.objects.published().values_list(*FILTERS))
    filters = [
        {"key": key, "values": [(v, v == active.get(key)) for v in sorted({row[i] for row in tags})]}
        for i, key in enumerate(FILTERS)
    ]
    page = Paginator(cases, 20).get_page(request.GET.get("page"))
    if request.user.is_authenticated:
        classroom.library_card_actions(request.user, page.object_list)
    context = {"page": page, "filters": filters, "active": active}
    template = "trainer/library.html#results" if wants_fragment(request) else "trainer/library.html"
    response = TemplateResponse(request, template, context)
    if untidy and request.htmx:
        push_url(response, canonical)  # instead of the form's raw query
    return response


@login_required
@require_POST
def start_attempt(request: HttpRequest, case_code: str) -> HttpResponse:
    """Start on a library card: see classroom.start_case. Addressed by code, not
    slug: slugs name the diagnosis, and this address sits in the learner's page."""
    # Retired cases too: a page loaded before `retire_case` gets the reason, not a bare 404.
    case = get_object_or_404(Case.objects.filter(current_version__isnull=False), code=case_code)
    try:
        attempt, note = classroom.start_case(request.user, case)
    except CaseWithdrawn as refusal:
        messages.info(request, str(refusal))
        return redirect("library")
    except ClassroomError as refusal:  # an assessed exercise on this case comes first
        messages.info(request, str(refusal))
        return redirect("home")
    if note:
        messages.info(request, note)
    return show_started(request, attempt)


@login_required
@require_safe
@never_cache  # Back from another page re-fetches it: a cached copy offers choices already made
def attempt_detail(request: HttpRequest, pk: int) -> HttpResponse:
    attempt = get_attempt_for_learner(request, pk)
    if notice := classroom.attempt_lock_notice(attempt):  # an assessed exercise on this case comes first
        messages.info(request, notice)
        return redirect("home")
    return attempt_page(request, attempt)


@login_required
@require_POST
def attempt_choose(request: HttpRequest, pk: int) -> HttpResponse:
    """Record one choice. htmx gets the new stage panel plus the transcript lines
    the choice added (trainer/choice.html); a plain form POST is redirected back
    to the attempt page (post/redirect/get)."""
    error = ""
    new = False
    attempt = get_attempt_for_learner(request, pk)
    option_id = option_id_for(attempt.pk, attempt.version.playbook.option_stage, request.POST.get("option", ""))
    if notice := classroom.attempt_lock_notice(attempt):
        # Playing on would show how the case turns out while it is being assessed.
        messages.info(request, f"{notice} Nothing was recorded.")
        return HttpResponseClientRedirect(reverse("home")) if request.htmx else redirect("home")
    try:
        state, new = attempt.choose(option_id)
    except InvalidChoice as exc:
        error = f"{exc} Nothing was recorded."
        state = attempt.state()
    if not request.htmx:
        if error:
            messages.error(request, error)
            return redirect("attempt", pk=attempt.pk)
        # Without JavaScript the page reloads at the top: land on what changed, the
        # answer in the stage panel, or the new stage after "Move on" or a decision.
        anchor = "answer" if latest_answer(state) else "stage-h"
        return redirect(reverse("attempt", args=[attempt.pk]) + f"#{anchor}")
    context = stage_context(attempt, state, error=error, focus=True)
    # Re-rendering the whole transcript made each answer cost more as the attempt
    # grew (a third of the request's time at 60 choices, bench/README.md).
    context["update"] = transcript_update(attempt.version.playbook, state, new=new, shown=request.POST.get("shown", ""))
    return TemplateResponse(request, "trainer/choice.html", context, status=422 if error else 200)


@login_required
@require_safe
def attempt_debrief(request: HttpRequest, pk: int) -> HttpResponse:
    attempt = get_attempt_for_learner(request, pk, "case", "assignment__cohort", "assignment__case")  # for the retry forms
    if notice := classroom.debrief_refusal(attempt):
        messages.info(request, notice)
        return redirect("home")
    choices = attempt.choice_ids()
    state = attempt.state(choices)
    if not state.finished:
        messages.info(request, "Finish the case to see its debrief.")
        return redirect("attempt", pk=attempt.pk)
    report, rescored = attempt.scored(choices)  # the score as stored when it finished, as every list shows it
    context = {
        # (A stored score can exceed a weight lowered since: the bar stops full.)
        "dims": [(d, min(100, 5 * round(20 * d.score / d.max))) for d in report.dimensions],
        "attempt": attempt,
        "case": attempt.version.content,
        "report": report,
        "rescored": rescored,
        "state": state,
        # Assigned work retries on the assignment, so the new attempt counts for it.
        "try_again": bool(attempt.assignment) and classroom.can_try_again(request.user, attempt.assignment),
        "counted": classroom.counted_beside(attempt),  # so the debrief can say whether it is this one
    }
    return TemplateResponse(request, "trainer/debrief.html", context)
