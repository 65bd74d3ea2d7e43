"""A finding that shows a present red flag's sign elicits it: the debrief must not tell a
learner who saw it that they missed it. C05's active neck movement (X3) provokes tingling
in both arms, and the debrief said "missed: significant sensory change" beside the
transcript that showed it. X3 stays the unsafe, low-yield manoeuvre it is.

Each row plays the case's best path with the other options that screen that red flag
left out, so only the finding can have elicited it."""

import pytest

from cases.format import Grade, PickStage, Yield
from cases.lint import load_catalogue, read_library
from trainer.engine import Playbook, advance_id

FILES, PROBLEMS = read_library()
BOOKS = {cf.case.id: Playbook(cf.case, load_catalogue()) for cf in FILES}

# (case, the option whose finding shows it, the red flag, what the finding shows)
SEEN = [
    ("C05", "X3", "rf-sensory", "a burst of tingling down both arms"),
    ("C03", "X10", "rf-infection", "Temperature 38.6 °C"),
    ("C03", "X1", "rf-infection", "Injection marks in both elbow creases"),
    ("C10", "X10", "rf-infection", "Temperature 38.3 °C"),
    ("C11", "X3", "rf-nonmechanical", "no position clearly eases the pain"),
]


def path_seeing(book: Playbook, option_id: str, red_flag: str) -> list[str]:
    """The best path, with every other option that screens `red_flag` left out and
    `option_id` taken (the best path leaves out a low-yield or unsafe one)."""
    choices: list[str] = []
    state = book.replay(choices)
    while not state.finished:
        stage = book.stages[state.stage_id]
        if isinstance(stage, PickStage):
            for o in stage.options:
                taken = o.id == option_id or (o.yield_ is not Yield.low and not o.unsafe and red_flag not in o.screens)
                if taken:
                    choices.append(o.id)
            choices.append(advance_id(stage.id))
        else:
            choices.append(next(o.id for o in stage.options if o.grade is Grade.best))
        state = book.replay(choices)
    return choices


def test_the_library_reads():
    assert not PROBLEMS and len(BOOKS) == 14


@pytest.mark.parametrize("code, option_id, red_flag, shown", SEEN)
def test_a_red_flag_the_learner_saw_is_elicited_not_missed(code, option_id, red_flag, shown):
    book = BOOKS[code]
    assert red_flag in book.case.red_flags.present
    choices = path_seeing(book, option_id, red_flag)
    state = book.replay(choices)
    assert any(entry.choice_id == option_id and shown in entry.text for entry in state.transcript)
    screening = [c for c in choices if c in book.option_stage and red_flag in getattr(book.stage_options[book.option_stage[c]][c], "screens", [])]
    assert set(screening) <= {option_id}  # nothing else on the path screens it
    report = book.debrief(choices)
    finding = next(f for f in report.findings if f.guidance_id == red_flag)
    assert finding.status == "elicited"
    assert red_flag not in report.missed_red_flags
    assert not any("was not elicited" in reason for reason in report.safety_reasons)


def test_the_unsafe_neck_movement_still_costs_what_it_did():
    """C05: the gate (unsafe, total capped at 40) and its efficiency cost (-2, a low-yield
    pick) stand; it is still not a way the linter counts for finding the red flag."""
    book = BOOKS["C05"]
    with_x3 = path_seeing(book, "X3", "rf-sensory")
    without = [c for c in with_x3 if c != "X3"]
    report, plain = book.debrief(with_x3), book.debrief(without)
    assert report.unsafe and report.band == "unsafe" and report.total <= 40
    assert "Unsafe manoeuvre: Ask him to turn and bend his neck actively to assess range of motion." in report.safety_reasons
    assert report.score("efficiency") == plain.score("efficiency") - 2
    assert plain.unsafe and [f.status for f in plain.findings if f.guidance_id == "rf-sensory"] == ["missed"]
    x3 = book.stage_options["exam"]["X3"]
    assert x3.unsafe and x3.yield_ is Yield.low and x3.id not in book.best_choices

