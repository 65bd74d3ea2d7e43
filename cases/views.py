from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.views.decorators.http import require_safe

from cases.models import Case, GuidanceItem, playbooks
from cases.report import KIND_LABELS, ext_guidance, ext_items, guidance_usage, usage_by_kind
from trainer import classroom
from trainer.models import is_instructor


@require_safe
def guidance(request: HttpRequest) -> HttpResponse:
    """Public: every guidance item by kind, with the cases that exercise it (the
    same report as `manage.py case_report`, over the published versions).

    Instructors see every case; everyone else sees how many, and a learner also which
    of them they have finished and may read the debrief of. Naming the others would
    tell a learner where a red flag hides before they find it."""
    published = {c.code: c for c in Case.objects.published().with_current_version()}
    catalogue = {item.id: item.as_entry() for item in GuidanceItem.objects.all()}
    usage = guidance_usage(playbooks([c.current_version for c in published.values()]), catalogue)
    instructor = is_instructor(request.user)
    done = set() if instructor else _debriefed_case_codes(request.user)
    groups = [
        {
            "kind": kind.value,
            "label": KIND_LABELS[kind],
            "rows": [
                (u.entry, len(u.cases), [published[code] for code in u.cases if instructor or code in done]) for u in rows
            ],
        }
        for kind, rows in usage_by_kind(usage)
    ]
    # Passed on, so the context processor does not ask the database again.
    return TemplateResponse(request, "cases/guidance.html", {"groups": groups, "is_instructor": instructor})


def _debriefed_case_codes(user) -> set[str]:
    if not user.is_authenticated:
        return set()
    return set(classroom.readable_debriefs(user).values_list("case__code", flat=True).distinct())


@login_required
@require_safe
def clinical_review(request: HttpRequest) -> HttpResponse:
    """Instructors only (others get a 404): every `ext` item of the published
    cases and of the guidance catalogue, for a clinician's sign-off."""
    if not is_instructor(request.user):
        raise Http404("No such page.")
    published = list(Case.objects.published().with_current_version())
    cases = [ext_items(book.case) for book in playbooks([c.current_version for c in published])]
    kind_labels = dict(GuidanceItem.Kind.choices)
    guidance_items = [(e, kind_labels[e.kind.value]) for e in ext_guidance(i.as_entry() for i in GuidanceItem.objects.all())]
    context = {
        "cases": [c for c in cases if not c.empty],
        "cases_without_ext": [c for c in cases if c.empty],
        "guidance_items": guidance_items,
        "total": sum(len(c.items) + len(c.notes) for c in cases) + len(guidance_items),
    }
    return TemplateResponse(request, "cases/clinical_review.html", context)
