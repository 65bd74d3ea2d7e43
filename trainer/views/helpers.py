from dataclasses import dataclass
from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django_htmx.http import push_url

from trainer import classroom
from trainer.engine import Entry, Playbook, State, advance_id
from trainer.models import Attempt
from trainer.option_tokens import option_token, shuffled


@dataclass(frozen=True)
class Offered:
    """An option as the attempt page offers it: what the form sends, and its label."""

    token: str
    label: str


def wants_fragment(request: HttpRequest) -> bool:
    """An htmx request that swaps part of the page (a filter, a sort), as opposed
    to a boosted link or htmx 4's history restore (Back to a pushed URL whose
    snapshot is gone), which replace the whole body and need the whole page."""
    htmx = request.htmx
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request


def canonical_url(request: HttpRequest, path: str, params: dict[str, str | None], defaults: dict[str, str] | None = None) -> tuple[str, bool]:
    """The address of a filtered list with only the parameters in use (not empty, not
    a default: page 1 and any in `defaults`), and whether the request's differs. A GET
    form sends every field, empty ones included (`?region=&type=benign`,
    `?q=&sort=name`): the view redirects a plain request to the tidy address and has
    htmx push it instead of the form's."""
    defaults = {"page": "1", **(defaults or {})}
    params = {k: v for k, v in params.items() if v not in ("", None) and v != defaults.get(k)}
    url = path + (f"?{urlencode(params)}" if params else "")
    return url, dict(request.GET.items()) != params


def get_attempt_for_learner(request: HttpRequest, pk: int, *related: str) -> Attempt:
    """The signed-in user's own attempt, or 404: another person's attempt does not
    exist as far as this user can tell. `related`: further joins a view needs."""
    # Only the joins every attempt view uses: each costs SQL compilation on every
    # choice (the attempt query was a quarter of a choice POST, bench/README.md).
    attempts = Attempt.objects.with_version().select_related("assignment", *related)
    # Whether an assessed exercise on its case might close it (classroom.attempt_lock_notice),
    # asked inside this query: the choice POST has no query to spare (issue 6).
    attempts = attempts.annotate(assessment_lock_possible=classroom.assessment_lock_possible(request.user))
    try:
        return attempts.get(pk=pk, user=request.user)
    except Attempt.DoesNotExist:
        raise Http404("No such attempt.") from None


def latest_answer(state: State) -> Entry | None:
    """The answer to the question or manoeuvre just chosen, while its stage is still
    open: the stage panel repeats it above the options, so a learner on a phone,
    where the transcript sits below the panel, reads it without scrolling away."""
    last = state.transcript[-1] if state.transcript else None
    if last and last.kind in ("history", "exam") and last.stage_id == state.stage_id and not state.finished:
        return last
    return None


def stage_context(attempt: Attempt, state: State, *, error: str = "", focus: bool = False) -> dict:
    """What the attempt page shows. `focus=True` (an htmx answer to a choice) also
    marks where keyboard focus goes after the swap (static/js/app.js): the error,
    the answer just revealed (in the stage panel, next to the options), or the new
    stage's heading after "Move on" or a decision."""
    book = attempt.version.playbook
    stage = book.stages[state.stage_id]
    available = set(state.available)
    options = list(getattr(stage, "options", []))
    # Authors list the best decision first and the essential (red-flag) questions at
    # the top; a stable per-attempt shuffle removes that cue without reordering
    # between page loads (an option chosen drops out, the rest keep their places).
    # Keyed with the secret: an order computed from public values could be undone.
    shuffled(attempt.pk, stage.id, options)
    # Sent as tokens, not authored ids, which follow a pattern (trainer/option_tokens.py).
    options = [Offered(option_token(attempt.pk, o.id), o.label) for o in options if o.id in available]
    advance = advance_id(stage.id) if state.can_advance else None
    next_title = ""
    if advance:
        target = book.stages.get(book.resolve(stage.next, state.chosen) or "")
        next_title = target.title if target else ""
    answer = latest_answer(state)
    return {
        "attempt": attempt,
        "case": book.case,
        "state": state,
        "stage": stage,
        "options": options,
        "advance": advance,
        "next_title": next_title,
        "transcript": group_transcript(state.transcript),
        "error": error,
        "answer": answer,
        "focus": ("error" if error else "answer" if answer else "stage") if focus else "",
        # Assessed work before its due time: no outcome narrative (it gives the verdict away).
        "locked_until": classroom.debrief_locked_until(attempt) if state.finished else None,
        "last_entry": state.transcript[-1] if state.transcript else None,
    }


def group_transcript(entries: tuple[Entry, ...]) -> list[dict]:
    """Transcript entries grouped by stage, in order, for headings."""
    groups: list[dict] = []
    for entry in entries:
        if not groups or groups[-1]["stage_id"] != entry.stage_id:
            groups.append(
                {"index": len(groups), "stage_id": entry.stage_id, "title": entry.stage_title, "kind": entry.kind, "entries": []}
            )
        groups[-1]["entries"].append(entry)
    return groups


def transcript_update(book: Playbook, state: State, *, new: bool, shown: str) -> dict | None:
    """The lines an htmx answer appends to the transcript the page already shows,
    or None when it must replace the whole transcript.

    `shown` is how many choices the page had when the learner chose (a hidden
    field). Only a page exactly one choice behind, whose choice was just stored,
    gets the append; a repeat (double click), a stale second tab, an error or a
    tampered field all get the whole transcript, so the page ends up right."""
    if not new or shown != str(len(state.chosen) - 1):
        return None
    before = group_transcript(book.replay(state.chosen[:-1]).transcript)
    if not before:
        return None  # the first line replaces the "nothing asked yet" text
    after = group_transcript(state.transcript)
    last = before[-1]
    return {
        "group": last["index"],
        "entries": after[last["index"]]["entries"][len(last["entries"]) :],
        "groups": after[len(before) :],
    }


def show_started(request: HttpRequest, attempt: Attempt) -> HttpResponse:
    """After a Start: the attempt page. A plain form POST is redirected to it
    (post/redirect/get). The Start buttons are boosted, and htmx gets the page in
    this response with its address pushed into the history: one request per learner
    instead of two, which is what a class pressing Start together waits on (bench/README.md)."""
    if not request.htmx:
        return redirect("attempt", pk=attempt.pk)
    attempt = get_attempt_for_learner(request, attempt.pk)  # with the joins the page uses
    response = attempt_page(request, attempt, arrived=True)
    push_url(response, reverse("attempt", args=[attempt.pk]))
    return response


def attempt_page(request: HttpRequest, attempt: Attempt, *, arrived: bool = False) -> TemplateResponse:
    """The attempt page (attempt_detail, show_started). `arrived`: it replaced another
    page without a page load (a boosted Start), so keyboard focus goes to its heading,
    as a screen reader would start on a new page."""
    context = {**stage_context(attempt, attempt.state()), "arrived": arrived}
    return TemplateResponse(request, "trainer/attempt.html", context)
