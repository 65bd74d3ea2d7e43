import random

from django.http import Http404, HttpRequest

from trainer import classroom
from trainer.engine import Entry, State
from trainer.models import Attempt


def get_attempt_for_learner(request: HttpRequest, pk: int, *, lock: bool = False) -> Attempt:
    """The signed-in user's own attempt, or 404: another person's attempt does not
    exist as far as this user can tell. `lock=True` (inside a transaction) also
    takes the attempt's row lock, in the same query."""
    attempts = Attempt.objects.select_related("version", "case", "assignment")
    if lock:
        attempts = attempts.select_for_update(of=("self",))
    try:
        return attempts.get(pk=pk, user=request.user)
    except Attempt.DoesNotExist:
        raise Http404("No such attempt.") from None


def stage_context(attempt: Attempt, state: State, error: str = "") -> dict:
    book = attempt.version.playbook
    stage = book.stages[state.stage_id]
    available = set(state.available)
    options = [o for o in getattr(stage, "options", []) if o.id in available]
    if stage.kind == "decision":
        # Authors tend to list the best option first; a stable per-attempt shuffle
        # removes that cue without reordering between page loads.
        random.Random(f"{attempt.pk}:{stage.id}").shuffle(options)
    advance = next((c for c in state.available if c.endswith(":next")), None)
    next_title = ""
    if advance:
        target = book.stages.get(book.resolve(stage.next, state.chosen) or "")
        next_title = target.title if target else ""
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
        # Where keyboard focus goes after an htmx swap (static/js/app.js): the error,
        # the new stage's heading after "Move on", else the newest transcript entry.
        "focus": "error" if error else "stage" if state.chosen and state.chosen[-1].endswith(":next") else "entry",
        # Assessed work before its due time: no outcome narrative (it gives the verdict away).
        "locked_until": classroom.debrief_locked_until(attempt) if state.finished else None,
        "last_entry": state.transcript[-1] if state.transcript else None,
    }


def group_transcript(entries: tuple[Entry, ...]) -> list[dict]:
    """Transcript entries grouped by stage, in order, for headings."""
    groups: list[dict] = []
    for entry in entries:
        if not groups or groups[-1]["stage_id"] != entry.stage_id:
            groups.append({"stage_id": entry.stage_id, "title": entry.stage_title, "kind": entry.kind, "entries": []})
        groups[-1]["entries"].append(entry)
    return groups
