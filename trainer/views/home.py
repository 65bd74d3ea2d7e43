from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.views.decorators.http import require_GET

from trainer.models import Attempt


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Anonymous: what the trainer is. Signed in: where you left off."""
    context = {}
    if request.user.is_authenticated:
        attempts = Attempt.objects.for_user(request.user).select_related("case")
        context["in_progress"] = list(attempts.in_progress()[:10])
        context["recent"] = list(attempts.finished().order_by("-finished_at")[:10])
    return TemplateResponse(request, "trainer/home.html", context)
