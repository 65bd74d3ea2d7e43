"""A wrong choice whose reason cites a pitfall falls into it: the debrief names it under
"Pitfalls you fell into". C12's W5 cited pf-strain-confusion ("a single sharp pull ... is
a local strain") and triggered nothing, so its debrief named no pitfall at all.

Held for poor and dangerous decision options only. A best or acceptable option cites the
pitfall it avoids (C12's best assessment cites pf-strain-confusion), and a trigger there
would list it as a caution the right choice carries. Not a lint rule: some wrong options
cite a pitfall as the background of their reason, not as the learner's error, and the
format has no field to say which. Those were read one by one and are listed in
BACKGROUND with why; a new one fails here until its author triggers it or lists it."""

import pytest

from cases.format import DecisionStage, Grade, PickStage, Yield
from cases.lint import load_catalogue, read_library
from trainer.engine import Playbook, advance_id

FILES, PROBLEMS = read_library()
CASES = {cf.case.id: cf.case for cf in FILES}

BACKGROUND = {
    # The handover frames the patient around the spasm label; the reasons say it invites the
    # *next* team to under-evaluate (pf-overemphasis, triggered), not that the learner, who
    # referred the patient, misattributed the findings.
    ("C03", "P9", "pf-misattribution"),
    ("C04", "P5", "pf-misattribution"),
    ("C10", "P2", "pf-misattribution"),
    # "Treats one symptom and adds another day's delay": a late plan, not spasm overemphasized.
    ("C03", "R2", "pf-overemphasis"),
    # Its reason speaks of radiographs missing the injury, not of calling the deficit stiffness.
    ("C05", "R2", "pf-misattribution"),
    # A scan for a new stroke or another central cause: the reason explains the tone as the
    # known spasticity; the learner did not take spasticity for musculoskeletal spasm.
    ("C08", "W3", "pf-spasticity-confusion"),
    ("C08", "W4", "pf-spasticity-confusion"),
    # The reason is about the strain (pf-strain-confusion, triggered); hard stretching as
    # cramp care is the background, not said.
    ("C12", "P3", "pf-cramp-confusion"),
}


def cited_not_triggered() -> set[tuple[str, str, str]]:
    return {
        (code, option.id, gid)
        for code, case in CASES.items()
        for stage in case.stages
        if isinstance(stage, DecisionStage)
        for option in stage.options
        if option.grade in (Grade.poor, Grade.dangerous)
        for gid in option.cites
        if gid.startswith("pf-") and gid not in option.triggers
    }


def test_the_library_reads():
    assert not PROBLEMS and len(CASES) == 14


def test_a_wrong_option_triggers_every_pitfall_its_reason_cites():
    assert cited_not_triggered() - BACKGROUND == set()


def test_every_background_citation_listed_is_still_one():
    """Triggered or no longer cited, it leaves the list."""
    assert BACKGROUND - cited_not_triggered() == set()


# The ones a content audit found, fixed by a trigger: their own reasons say the learner fell in.
FIXED = [
    ("C12", "W5", "pf-strain-confusion"),
    ("C12", "W6", "pf-strain-confusion"),
    ("C08", "W5", "pf-terminology"),
    ("C08", "W6", "pf-spasticity-confusion"),
    ("C03", "R3", "pf-misattribution"),
    ("C04", "R2", "pf-misattribution"),
    ("C04", "R3", "pf-overemphasis"),
    ("C05", "R3", "pf-misattribution"),
    ("C05", "R5", "pf-misattribution"),
]


@pytest.mark.parametrize("code, option_id, pitfall", FIXED)
def test_the_debrief_names_the_pitfall_the_reason_cites(code, option_id, pitfall):
    """Played through the option (no score changes: a trigger carries no points)."""
    book = Playbook(CASES[code], load_catalogue())
    path = _path_through(book, option_id)
    option = book.stage_options[book.option_stage[option_id]][option_id]
    finding = next(f for f in book.debrief(path).findings if f.guidance_id == pitfall)
    assert finding.status == "triggered" and option.label in finding.because


def _path_through(book: Playbook, option_id: str) -> list[str]:
    """Every essential and useful pick, then the first route through the decisions that
    offers `option_id` (a return visit's options come only after a wrong turn), then the
    best option at each decision after it."""

    def step(choices: list[str]) -> list[str]:
        stage = book.stages[book.replay(choices).stage_id]
        if isinstance(stage, PickStage):
            return [o.id for o in stage.options if o.yield_ is not Yield.low and not o.unsafe] + [advance_id(stage.id)]
        return [next(o.id for o in stage.options if o.grade is Grade.best)]

    def walk(choices: list[str]) -> list[str] | None:
        state = book.replay(choices)
        if state.finished:
            return None
        stage = book.stages[state.stage_id]
        if isinstance(stage, PickStage):
            return walk([*choices, *step(choices)])
        if option_id in book.stage_options[stage.id]:
            choices = [*choices, option_id]
            while not book.replay(choices).finished:
                choices += step(choices)
            return choices
        return next((found for o in stage.options if (found := walk([*choices, o.id]))), None)

    found = walk([])
    assert found, option_id
    return found
