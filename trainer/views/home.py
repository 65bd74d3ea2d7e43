from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from trainer import classroom, cohort_stats
from trainer.forms import JoinForm
from trainer.models import Attempt, Membership


@require_safe
@never_cache  # what to do next changes with every attempt: Back must not show an old copy
def home(request: HttpRequest) -> HttpResponse:
    """Anonymous: what the trainer is. Signed in: assigned exercises first, then
    self-paced practice, then the learner's own attempt history."""
    context = {}
    if request.user.is_authenticated:
        attempts = Attempt.objects.for_user(request.user).select_related("case", "assignment")
        context["assigned"] = classroom.learner_cells(request.user)
        context["in_cohort"] = bool(context["assigned"]) or classroom.in_open_cohort(request.user)
        # Only in cohorts that have ended: "you are not in a cohort" read as if they had been removed.
        context["only_archived"] = not context["in_cohort"] and Membership.objects.filter(user=request.user, role=Membership.Role.LEARNER).exists()
        context["in_progress"] = list(classroom.practice_in_progress(request.user).select_related("case")[:10])
        history = attempts.finished().order_by("-finished_at")[:20]
        context["recent"] = [(a, classroom.debrief_locked_until(a)) for a in history]
        context["join_form"] = JoinForm()
        n, missed, fallen = cohort_stats.learner_patterns(request.user)
        context["patterns"] = {"attempts": n, "missed": missed, "fallen": fallen}
    return TemplateResponse(request, "trainer/home.html", context)
