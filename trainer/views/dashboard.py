"""The instructor's view of one cohort: the matrix, one assignment's plots, item
analysis per case, one student's work (the CSV exports are in
trainer/views/exports.py). Every view goes through
get_cohort_for_instructor (404 to anyone who does not teach the cohort) and
aggregates in SQL through trainer.classroom."""

from __future__ import annotations

from collections import Counter
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django_htmx.http import push_url
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_safe

from cases.models import Case, playbooks
from trainer import classroom, cohort_stats, plots
from trainer.models import Attempt, Membership
from trainer.views.classroom import get_cohort_for_instructor, join_url
from trainer.views.helpers import canonical_url, group_transcript, wants_fragment

PAGE_SIZE = 25
STUDENT_ATTEMPTS_PAGE = 20  # each with its whole path: 100 attempts made a 360 KB page
GRADE_TONES = {"best": "success", "acceptable": "info", "poor": "warning", "dangerous": "danger"}


@login_required
@require_safe
def dashboard(request: HttpRequest, pk: int) -> HttpResponse:
    """Students × assignments, searched, sorted and paginated in SQL. The htmx
    search and sort links get only the #matrix fragment."""
    cohort = get_cohort_for_instructor(request, pk)
    assignments = cohort_stats.assignment_columns(cohort)
    q = request.GET.get("q", "").strip()[:100]
    sort = request.GET.get("sort", "") or "name"
    base = reverse("cohort_dashboard", args=[cohort.pk])

    def url(**params) -> str:
        return canonical_url(request, base, {"q": q, "sort": sort, **params}, defaults={"sort": "name"})[0]

    members = cohort_stats.roster_page_queryset(cohort, assignments, sort, q)
    page = Paginator(members, PAGE_SIZE).get_page(request.GET.get("page"))
    # The page shown, not the one asked for: ?page=99 of 2 shows page 2 and says so.
    canonical, untidy = canonical_url(request, base, {"q": q, "sort": sort, "page": str(page.number)}, defaults={"sort": "name"})
    if untidy and not request.htmx:
        return redirect(canonical)
    rows = cohort_stats.matrix_rows(list(page.object_list), assignments)

    def sort_link(key: str) -> dict:
        active = sort.lstrip("-") == key
        # Scores and progress read best high-first; names A to Z.
        first = key if key == "name" else f"-{key}"
        target = (key if sort.startswith("-") else f"-{key}") if active else first
        state = ("descending" if sort.startswith("-") else "ascending") if active else None
        # A stable id per header: htmx puts focus back on the element with the
        # focused element's id after the swap, so a keyboard user stays on the header.
        return {"url": url(sort=target, page=None), "aria": state, "id": f"sort-{key}"}

    context = {
        "cohort": cohort,
        "assignments": [
            (a, sort_link(f"a{a.pk}")) for a in assignments
        ],
        "rows": rows,
        "page": page,
        "q": q,
        "sort": sort,
        "name_sort": sort_link("name"),
        "progress_sort": sort_link("progress"),
        "page_urls": {
            "prev": url(page=page.previous_page_number()) if page.has_previous() else "",
            "next": url(page=page.next_page_number()) if page.has_next() else "",
        },
        "join_url": join_url(request, cohort),
        "clear_search_url": url(q="", page=None),  # keeps the sort
    }
    if wants_fragment(request):
        response = TemplateResponse(request, "classroom/dashboard.html#matrix", context)
        if untidy:
            push_url(response, canonical)  # instead of the search form's raw query
        return response
    # Unsearched, the paginator has already counted every learner.
    learners = page.paginator.count if not q else Membership.objects.filter(cohort=cohort, role=Membership.Role.LEARNER).count()
    context["learners"] = learners
    summaries = cohort_stats.summaries(cohort, learners)
    context["summaries"] = [(a, summaries.get(a.pk, cohort_stats.Summary(learners))) for a in assignments]
    return TemplateResponse(request, "classroom/dashboard.html", context)


@login_required
@require_safe
def assignment_detail(request: HttpRequest, pk: int, assignment_pk: int) -> HttpResponse:
    """One assignment: completion, score distribution, missed red flags, pitfalls
    fallen into and the decision distribution, as plots with data tables."""
    cohort = get_cohort_for_instructor(request, pk)
    assignment = get_object_or_404(
        cohort.assignments.select_related("case__current_version").defer("case__current_version__data"), pk=assignment_pk
    )
    learners = Membership.objects.filter(cohort=cohort, role=Membership.Role.LEARNER).count()
    summary = cohort_stats.summaries(cohort, learners).get(assignment.pk, cohort_stats.Summary(learners))
    bins = cohort_stats.score_histogram(assignment)
    missed, triggered = cohort_stats.finding_counts(assignment)
    context = {
        "cohort": cohort,
        "assignment": assignment,
        "summary": summary,
        "score_plot": plots.histogram(
            "Counted scores",
            list(zip(cohort_stats.SCORE_BINS, bins)),
            x_label="Score band",
            y_label="Learners",
            caption=f"Counted score of each learner who finished ({summary.done} of {learners}).",
            empty="No learner has finished this exercise yet.",
        ),
        **_finding_plots(missed, triggered, total=summary.done, who="Learners who"),
        "missed": missed,
        "triggered": triggered,
        "decisions": [
            (
                stage,
                plots.bar_chart(
                    stage.title,
                    [plots.Bar(o.label, o.n, tone=GRADE_TONES.get(o.grade, "primary"), note=o.grade) for o in stage.options],
                    value_label="Learners who chose it",
                    category_label="Option",
                    total=stage.reached or None,
                    caption=f"{stage.title}: learners choosing each option in any attempt (of {stage.reached} who reached this decision).",
                ),
            )
            for stage in cohort_stats.decision_distribution(assignment)
        ],
    }
    return TemplateResponse(request, "classroom/assignment.html", context)


def _finding_plots(missed, triggered, *, total: int | None, who: str) -> dict:
    """The bar charts of red flags missed and pitfalls fallen into, each bar
    linked to its guidance statement. `who` heads the value axis ("Learners who")."""
    guidance = reverse("guidance")

    def bars(findings, tone):
        return [plots.Bar(f.title, f.n, href=f"{guidance}#{f.guidance_id}", tone=tone) for f in findings[:10]]

    return {
        "missed_plot": plots.bar_chart(
            "Red flags most often missed or not screened",
            bars(missed, "danger"),
            value_label=f"{who} missed it",
            category_label="Red flag",
            total=total,
            caption=(
                "Counted attempts that missed each red flag: either the patient had it and it was never elicited "
                "(which makes the attempt unsafe), or the case called for screening it and nobody asked. "
                "Each links to its guidance statement."
            ),
            empty="No red flag missed in a counted attempt yet.",
        ),
        "triggered_plot": plots.bar_chart(
            "Pitfalls most often fallen into",
            bars(triggered, "warning"),
            value_label=f"{who} fell into it",
            category_label="Pitfall",
            total=total,
            caption="Counted attempts with a wrong choice that fell into each pitfall. Each links to its guidance statement.",
            empty="No counted attempt has fallen into a pitfall yet.",
        ),
    }


@login_required
@require_safe
def cohort_misses(request: HttpRequest, pk: int) -> HttpResponse:
    """What the whole cohort misses: red flags and pitfalls over every assignment's
    counted attempts, and in which assigned case each was missed."""
    cohort = get_cohort_for_instructor(request, pk)
    assignments = cohort_stats.assignment_columns(cohort)
    found = cohort_stats.cohort_findings(cohort)
    rows = [
        (kind, f, found.per_assignment(f, assignments))
        for kind, findings in (("Red flag missed", found.missed), ("Pitfall fallen into", found.triggered))
        for f in findings
    ]
    codes = Counter(a.case.code for a in assignments)
    context = {
        "cohort": cohort,
        # A column's mode and due date give way on a phone, except where one case is
        # assigned twice: then only the mode tells its two columns apart.
        "assignments": [(a, codes[a.case.code] > 1) for a in assignments],
        "found": found,
        "rows": rows,
        # Counts without shares: each case screens for different red flags, so a share of
        # every counted attempt understated how often a flag was missed where it mattered
        # (the per-assignment columns below say in which case).
        **_finding_plots(found.missed, found.triggered, total=None, who="Attempts that"),
    }
    return TemplateResponse(request, "classroom/misses.html", context)


@login_required
@require_safe
def item_analysis(request: HttpRequest, pk: int, slug: str) -> HttpResponse:
    """How often each question and manoeuvre was asked on a case, across the
    cohort's assigned attempts, and how red-flag screening relates to safety."""
    cohort = get_cohort_for_instructor(request, pk)
    # A subquery, not a join on assignments: a case assigned twice (practice, then
    # assessed) came back twice, and get() raised MultipleObjectsReturned (a 500).
    assigned = cohort.assignments.values("case_id")
    case = get_object_or_404(Case.objects.with_current_version(), slug=slug, pk__in=assigned)
    analysis = cohort_stats.item_analysis(cohort, case)
    stages: dict[str, list] = {}
    for item in analysis.items:
        stages.setdefault(item.stage, []).append(item)
    plots_by_stage = [
        (
            title,
            plots.bar_chart(
                f"{title}: how often each was asked",
                [plots.Bar(i.label, i.asked, tone="muted" if i.yield_ == "low" else "primary", note=i.yield_) for i in items],
                value_label="Finished attempts",
                category_label="Question or manoeuvre",
                total=analysis.attempts or None,
                empty="No finished attempt yet.",
            ),
        )
        for title, items in stages.items()
    ]
    context = {
        "cohort": cohort,
        "case": case,
        # The way back to the assignment page(s) it is reached from: a case may be assigned twice.
        "assignments": cohort.assignments.filter(case=case).order_by("due_at", "pk"),
        "analysis": analysis,
        "plots": plots_by_stage,
    }
    return TemplateResponse(request, "classroom/items.html", context)


def _get_learner(cohort, user_pk: int):
    member = Membership.objects.select_related("user").filter(cohort=cohort, user_id=user_pk, role=Membership.Role.LEARNER).first()
    if member is None:
        raise Http404("No such student in this cohort.")
    return member.user


@login_required
@require_safe
def student_detail(request: HttpRequest, pk: int, user_pk: int) -> HttpResponse:
    """One learner's work on this cohort's assignments, each with its path, a page
    at a time: each attempt is replayed to draw its path."""
    cohort = get_cohort_for_instructor(request, pk)
    student = _get_learner(cohort, user_pk)
    page = Paginator(cohort_stats.student_attempts(cohort, student), STUDENT_ATTEMPTS_PAGE).get_page(request.GET.get("page"))
    shown = list(page.object_list)
    books = playbooks([a.version for a in shown])  # case files not compiled yet: one query, not one per case
    items = []
    for attempt, book in zip(shown, books):
        state = book.replay([c.option_id for c in attempt.choices.all()])
        items.append({"attempt": attempt, "counted": classroom.is_counted(attempt), "transcript": group_transcript(state.transcript)})
    context = {"cohort": cohort, "student": student, "attempts": items, "page": page}
    return TemplateResponse(request, "classroom/student.html", context)


@login_required
@require_safe
def attempt_review(request: HttpRequest, pk: int, attempt_pk: int) -> HttpResponse:
    """The debrief of a learner's assigned attempt, as the instructor sees it (no
    due-time lock: the instructor is the one who decides the grade)."""
    cohort = get_cohort_for_instructor(request, pk)
    attempt = get_object_or_404(
        Attempt.objects.with_version().select_related("user", "case", "assignment").filter(
            assignment__cohort=cohort, user_id__in=classroom.learner_ids(cohort)
        ),
        pk=attempt_pk,
    )
    choices = attempt.choice_ids()
    state = attempt.state(choices)
    # The score stored when it finished, as the dashboard and the CSV show it.
    report, rescored = attempt.scored(choices) if state.finished else (None, None)
    context = {
        "cohort": cohort,
        "attempt": attempt,
        "student": attempt.user,
        "state": state,
        "report": report,
        "rescored": rescored,
        "transcript": group_transcript(state.transcript),
    }
    return TemplateResponse(request, "classroom/review.html", context)
