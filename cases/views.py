from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.views.decorators.http import require_GET

from cases.models import Case, GuidanceItem


@require_GET
def guidance(request: HttpRequest) -> HttpResponse:
    """Public: every guidance item by kind, with the cases that exercise it."""
    cases = list(Case.objects.published().select_related("current_version"))
    used_by: dict[str, list[Case]] = {}
    for case in cases:
        for gid in case.current_version.playbook.guidance_ids:
            used_by.setdefault(gid, []).append(case)
    groups = []
    items = list(GuidanceItem.objects.all())
    for kind, label in GuidanceItem.Kind.choices:
        rows = [(item, used_by.get(item.id, [])) for item in items if item.kind == kind]
        groups.append({"kind": kind, "label": label, "rows": rows})
    return TemplateResponse(request, "cases/guidance.html", {"groups": groups})
