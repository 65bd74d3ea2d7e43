from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from cases.models import Case
from trainer import classroom, cohort_stats
from trainer.forms import JoinForm
from trainer.models import Attempt


RESUME_ON_HOME = 10
RECENT_ON_HOME = 10
HISTORY_PAGE = 25


def _row(attempt: Attempt) -> tuple[Attempt, object, bool]:
    """An attempt as a learner's list shows it: the attempt, when its assessed debrief
    opens (None if open) and whether an assessed exercise on its case closes it now."""
    return attempt, classroom.debrief_locked_until(attempt), classroom.closed_by_assessment(attempt)


@require_safe
@never_cache  # what to do next changes with every attempt: Back must not show an old copy
def home(request: HttpRequest) -> HttpResponse:
    """Anonymous: what the trainer is. Signed in: assigned exercises first, then
    self-paced practice, then the learner's own attempt history."""
    context = {}
    if request.user.is_authenticated:
        context["assigned"] = classroom.learner_cells(request.user)
        context["in_cohort"] = bool(context["assigned"]) or classroom.in_open_cohort(request.user)
        context["only_archived"] = classroom.only_in_ended_cohorts(request.user, context["in_cohort"])
        in_progress = classroom.practice_in_progress(request.user).select_related("case", "assignment__cohort")
        context["in_progress"] = list(in_progress[:RESUME_ON_HOME])
        context["more_in_progress"] = in_progress.count() - RESUME_ON_HOME if len(context["in_progress"]) == RESUME_ON_HOME else 0
        history = classroom.listed_attempts(request.user).finished().order_by("-finished_at", "-pk")
        context["recent"] = [_row(a) for a in history[:RECENT_ON_HOME]]
        context["all_attempts"] = Attempt.objects.for_user(request.user).count()
        context["join_form"] = JoinForm()
        n, missed, fallen = cohort_stats.learner_patterns(request.user)
        context["patterns"] = {"attempts": n, "missed": missed, "fallen": fallen}
    return TemplateResponse(request, "trainer/home.html", context)


@login_required
@require_safe
@never_cache
def my_attempts(request: HttpRequest) -> HttpResponse:
    """Every attempt of the signed-in learner, the one touched last first, paginated;
    `?case=C06` narrows it to one case (the library card links here for older ones).
    Home lists only the latest few, so without this older debriefs were unreachable."""
    attempts = classroom.by_last_activity(classroom.listed_attempts(request.user))
    case = None
    if code := request.GET.get("case", "").strip().upper():  # c06 typed by hand is C06
        case = Case.objects.filter(code=code).first()
        attempts = attempts.filter(case=case) if case else attempts.none()
    page = Paginator(attempts, HISTORY_PAGE).get_page(request.GET.get("page"))
    context = {"page": page, "rows": [_row(a) for a in page.object_list], "case": case, "case_code": code}
    return TemplateResponse(request, "trainer/attempts.html", context)
