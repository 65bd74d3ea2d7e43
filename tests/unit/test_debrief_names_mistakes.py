"""The debrief's promise, case by case: a wrong decision the learner is shown the
consequence of (the patient comes back worse) is also named in the debrief, so
"Pitfalls you fell into: None" never sits beside a bad outcome.

Each wrong (poor or dangerous) decision of every library case is put in place of the
best one on the best path; the rest of the path stays the best it can be."""

import pytest

from cases.format import DecisionStage, Grade, PickStage, Yield
from cases.lint import load_catalogue, read_library
from trainer.engine import Playbook, advance_id

FILES, PROBLEMS = read_library()
BOOKS = {cf.case.id: Playbook(cf.case, load_catalogue()) for cf in FILES}


def best_path_with(book: Playbook, option_id: str) -> list[str]:
    """Every essential and useful pick, the best option at each decision, except
    `option_id` at its own decision (if the path reaches it)."""
    choices: list[str] = []
    state = book.replay(choices)
    while not state.finished:
        stage = book.stages[state.stage_id]
        if isinstance(stage, PickStage):
            choices += [o.id for o in stage.options if o.yield_ is not Yield.low and not o.unsafe]
            choices.append(advance_id(stage.id))
        else:
            ids = [o.id for o in stage.options]
            choices.append(option_id if option_id in ids else next(o.id for o in stage.options if o.grade is Grade.best))
        state = book.replay(choices)
    return choices


# Those the best path reaches (a return visit's options come only after another wrong
# turn), and of those, the ones whose outcome is bad: the patient comes back worse.
WRONG = [
    (code, option.id)
    for code, book in sorted(BOOKS.items())
    for stage in book.case.stages
    if isinstance(stage, DecisionStage)
    for option in stage.options
    if option.grade in (Grade.poor, Grade.dangerous) and option.id in best_path_with(book, option.id)
]
COMES_BACK_WORSE = [
    (code, option_id)
    for code, option_id in WRONG
    if (outcome := BOOKS[code].debrief(best_path_with(BOOKS[code], option_id)).outcome) is not None and not outcome.good
]


def test_the_library_reads():
    assert not PROBLEMS
    assert len(BOOKS) == 14
    assert len(WRONG) > 100  # every case's wrong work-ups, assessments and plans
    assert len(COMES_BACK_WORSE) > 50


@pytest.mark.parametrize("code, option_id", COMES_BACK_WORSE)
def test_a_wrong_decision_that_brings_the_patient_back_worse_is_named(code, option_id):
    """C06's plan "rest until an MRI has been done" led to the same "review after the scan"
    as the MRI work-up, but only the work-up named "Imaging is selective"; C14's "emergency
    department for a scan" led to his return a year later with "Pitfalls you fell into: None";
    the bed-rest plans of C01, C02, C12 and C13 ended in their "after rest" outcomes likewise."""
    report = BOOKS[code].debrief(best_path_with(BOOKS[code], option_id))
    assert report.triggered_findings or report.missed_findings, (
        f"{code}: {option_id} ends in {report.outcome.id!r} (good: false), but the debrief names no pitfall"
    )


@pytest.mark.parametrize("code, option_id", [("C04", "P5"), ("C10", "P2")])
def test_a_handover_framed_around_the_spasm_label_names_the_pitfall(code, option_id):
    """Sending the patient in with "known recurrent back spasm, requesting a muscle relaxant"
    (C04) or "arthritis flare with muscle spasm" (C10): the reason says the label invites the
    next team to under-evaluate, as C03's "back spasm in a known drug user" handover does,
    but only C03's was named under "Pitfalls you fell into"."""
    book = BOOKS[code]
    choices = best_path_with(book, option_id)
    assert option_id in choices
    assert "pf-overemphasis" in book.debrief(choices).triggered
