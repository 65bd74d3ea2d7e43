"""The instructor dashboard's CSV exports: the matrix and one row per attempt.

Both are streamed, the rows read from the database in batches as the file is sent:
a cohort of 1,000 learners with several assignments is thousands of attempts, and
building the whole file (every attempt with its findings) in memory before the first
byte made the export's memory grow with the cohort."""

from __future__ import annotations

import csv

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, StreamingHttpResponse
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_safe

from trainer import classroom, cohort_stats
from trainer.models import Membership
from trainer.scoring import DIMENSION_LABELS
from trainer.views.classroom import get_cohort_for_instructor

BATCH = 500  # learners (matrix) or attempts (attempts) read per query while streaming


def _safe(value) -> str:
    """Spreadsheets run cells starting with = + - @ as formulas; a username or
    label must never become one (CSV injection)."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


class _Line:
    """A file for csv.writer whose write() hands the formatted line back."""

    def write(self, value: str) -> str:
        return value


def _csv_response(filename: str, rows) -> StreamingHttpResponse:
    writer = csv.writer(_Line())

    def lines():
        # A byte-order mark: without it Excel reads the UTF-8 as Windows-1252 ("ChloÃ©").
        yield "\ufeff"
        for row in rows:
            yield writer.writerow(row)

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _filename(cohort, kind: str) -> str:
    """The cohort's name and the day: "cohort-7-matrix.csv" told one cohort's download,
    or one week's, from another in nobody's Downloads folder. ASCII, for every browser's
    Content-Disposition; a name with no Latin letters falls back to the cohort's number."""
    name = slugify(cohort.name)[:60].strip("-") or f"cohort-{cohort.pk}"
    return f"{name}-{kind}-{timezone.localdate().isoformat()}.csv"


def _yes_no(value, known: bool = True) -> str:
    """A flag as the spreadsheet reads it; empty where it does not apply yet."""
    return ("yes" if value else "no") if known else ""


def _stamp(dt) -> str:
    return timezone.localtime(dt).isoformat(timespec="seconds") if dt else ""


@login_required
@require_safe
def export_matrix(request: HttpRequest, pk: int) -> StreamingHttpResponse:
    cohort = get_cohort_for_instructor(request, pk)
    return _csv_response(_filename(cohort, "matrix"), _matrix_lines(cohort))


def _tag(code: str, assignment) -> str:
    """An assignment as both exports name it: the matrix's column heads, the attempts'
    "assignment" column (the same case may be assigned twice, once per mode). `code` is
    passed in: the attempts export has it on each attempt, and reading it through the
    assignment would be a query per row."""
    return f"{code} {assignment.mode} due {timezone.localtime(assignment.due_at):%Y-%m-%d}"


def _matrix_lines(cohort):
    assignments = cohort_stats.assignment_columns(cohort)
    head = ["student", "name"]
    for a in assignments:
        tag = _tag(a.case.code, a)  # as the dashboard names it
        head += [f"{tag} status", f"{tag} score", f"{tag} unsafe", f"{tag} late", f"{tag} attempts"]
    yield head
    members = cohort_stats.with_shown_name(Membership.objects.filter(cohort=cohort, role=Membership.Role.LEARNER).select_related("user"))
    members = members.order_by("shown_name", "user__username")  # as the dashboard lists them
    paginator = Paginator(members, BATCH)  # one batch of learners and their cells in memory at a time
    for number in paginator.page_range:
        for row in cohort_stats.matrix_rows(list(paginator.page(number).object_list), assignments):
            user = row.membership.user
            line = [_safe(user.username), _safe(user.get_full_name())]
            for cell in row.cells:
                counted = cell.counted
                line += [
                    cell.status_text.lower(),
                    counted.score_total if counted else "",
                    _yes_no(counted and counted.unsafe, known=bool(counted)),
                    _yes_no(counted and counted.late, known=bool(counted)),
                    cell.attempts,
                ]
            yield line


@login_required
@require_safe
def export_attempts(request: HttpRequest, pk: int) -> StreamingHttpResponse:
    cohort = get_cohort_for_instructor(request, pk)
    return _csv_response(_filename(cohort, "attempts"), _attempt_lines(cohort))


def _attempt_lines(cohort):
    dims = [f"score {DIMENSION_LABELS[d].lower()}" for d in cohort_stats.DIMENSIONS]
    yield ["student", "name", "case", "version", "assignment", "mode", "started", "finished", "late", "score total", *dims,
           "unsafe", "counted", "missed red flags", "pitfalls fallen into"]
    # iterator(): a batch of attempts, with its findings prefetched, at a time.
    for a in cohort_stats.attempt_export_rows(cohort).iterator(chunk_size=BATCH):
        finished = a.finished_at is not None
        yield [
            _safe(a.user.username), _safe(a.user.get_full_name()), a.case.code, a.version.number, _tag(a.case.code, a.assignment), a.assignment.mode,
            _stamp(a.started_at), _stamp(a.finished_at), _yes_no(a.late, finished),
            "" if a.score_total is None else a.score_total,
            *["" if getattr(a, f"score_{d}") is None else getattr(a, f"score_{d}") for d in cohort_stats.DIMENSIONS],
            _yes_no(a.unsafe, finished),
            _yes_no(classroom.is_counted(a)),
            " ".join(f.guidance_id for f in a.missed),
            " ".join(f.guidance_id for f in a.fallen),
        ]
