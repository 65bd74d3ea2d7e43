"""The case engine: pure Python, no Django import.

Given a case and the ordered list of choices a learner made, `Playbook.replay`
computes where the attempt stands and `Playbook.debrief` scores it (the rubric
itself is in trainer/scoring.py). These two modules are the only place that knows
the rules (what is available, what is revealed, where a decision leads, how a path
is scored); views, templates and dashboards ask them.

A choice is an option id, or `<stage id>:next` to leave a history/exam stage.
Stages form a directed acyclic graph (the linter checks), so every option can be
chosen at most once per attempt; the database relies on that for its unique key.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property

from cases.format import (
    Case,
    DecisionOption,
    DecisionStage,
    Dimension,
    GuidanceEntry,
    Grade,
    Next,
    Option,
    OutcomeStage,
    PickStage,
    Yield,
)
from trainer import scoring
from trainer.scoring import Debrief

ADVANCE_SUFFIX = ":next"


class InvalidChoice(ValueError):
    """The choice is not available at this point of the attempt."""


def advance_id(stage_id: str) -> str:
    return stage_id + ADVANCE_SUFFIX


def is_advance(choice: str) -> bool:
    """Whether a choice leaves a history/exam stage ("Move on") rather than picking an option."""
    return choice.endswith(ADVANCE_SUFFIX)


@dataclass(frozen=True)
class Entry:
    """One line of the running transcript."""

    stage_id: str
    stage_title: str
    kind: str  # history | exam | decision | outcome
    choice_id: str
    label: str
    text: str
    unsafe: bool = False
    grade: str = ""
    low_yield: bool = False  # for debriefs and instructors; the attempt page never shows it
    ext: bool = False  # beyond the source document (the option, its stage or the outcome): shown once revealed
    # A decision's two parts, marked apart: the story (an unscored stage's prompt, e.g. C11's
    # ext return visit) and the choice (an ext option, or an ext stage with no story).
    story_ext: bool = False
    choice_ext: bool = False


@dataclass(frozen=True)
class State:
    stage_id: str
    finished: bool
    chosen: tuple[str, ...]
    transcript: tuple[Entry, ...]
    available: tuple[str, ...]
    picks_in_stage: int

    @property
    def can_advance(self) -> bool:
        return any(is_advance(c) for c in self.available)


@dataclass
class _Walk:
    stage_id: str
    chosen: list[str] = field(default_factory=list)
    transcript: list[Entry] = field(default_factory=list)
    picks_in_stage: int = 0
    finished: bool = False
    taken: set[str] = field(default_factory=set)  # = set(chosen), kept in step


class Playbook:
    """A compiled case: indexes built once, then replay/debrief many times.

    Case versions are immutable, so the Django layer caches one Playbook per
    version and every request replays against the same indexes."""

    def __init__(self, case: Case, catalogue: Mapping[str, GuidanceEntry] | None = None):
        self.case = case
        self.catalogue = catalogue or {}
        self.stages = {s.id: s for s in case.stages}
        self.option_stage: dict[str, str] = {}
        # stage id -> {option id: option}: O(1) checks and look-ups in replay.
        self.stage_options: dict[str, dict[str, Option | DecisionOption]] = {}
        # The transcript line each option (or outcome) adds: immutable, built once.
        self.entries: dict[str, Entry] = {}
        for stage in case.stages:
            self.stage_options[stage.id] = {o.id: o for o in getattr(stage, "options", [])}
            for opt in getattr(stage, "options", []):
                self.option_stage[opt.id] = stage.id
                if isinstance(stage, PickStage):
                    self.entries[opt.id] = Entry(
                        stage.id, stage.title, stage.kind, opt.id, opt.label, opt.reveals, unsafe=opt.unsafe,
                        low_yield=opt.yield_ is Yield.low, ext=opt.ext or stage.ext,
                    )
                else:
                    # An unscored decision is a consequence (the patient comes back worse):
                    # its prompt tells what happened, so the transcript and debrief keep it.
                    story = stage.prompt if stage.scores is Dimension.none else ""
                    story_ext = stage.ext and bool(story)
                    self.entries[opt.id] = Entry(
                        stage.id, stage.title, "decision", opt.id, opt.label, story, grade=opt.grade.value, ext=opt.ext or stage.ext,
                        story_ext=story_ext, choice_ext=opt.ext or (stage.ext and not story_ext),
                    )
            if isinstance(stage, OutcomeStage):
                self.entries[stage.id] = Entry(
                    stage.id, stage.title, "outcome", "", stage.title, stage.text, grade="good" if stage.good else "bad", ext=stage.ext
                )

    @cached_property
    def guidance_ids(self) -> frozenset[str]:
        """Every guidance id the case exercises (red flags, screens, triggers, cites)."""
        ids = set(self.case.red_flags.present) | set(self.case.red_flags.screen)
        for stage in self.case.stages:
            ids.update(getattr(stage, "cites", []))
            for opt in getattr(stage, "options", []):
                ids.update(getattr(opt, "screens", []))
                ids.update(opt.triggers)
                ids.update(getattr(opt, "cites", []))
        return frozenset(ids)

    # -- play ---------------------------------------------------------------

    def resolve(self, nxt: Next | None, chosen: Sequence[str]) -> str | None:
        if nxt is None or isinstance(nxt, str):
            return nxt
        taken = set(chosen)
        for rule in nxt:
            if not rule.when_any or taken.intersection(rule.when_any):
                return rule.goto
        return None

    def _enter(self, walk: _Walk, stage_id: str) -> None:
        walk.stage_id = stage_id
        walk.picks_in_stage = 0
        stage = self.stages[stage_id]
        if isinstance(stage, OutcomeStage):
            walk.finished = True
            walk.transcript.append(self.entries[stage.id])

    def _available(self, walk: _Walk) -> tuple[str, ...]:
        if walk.finished:
            return ()
        stage = self.stages[walk.stage_id]
        if isinstance(stage, DecisionStage):
            return tuple(o.id for o in stage.options)
        ids = [o.id for o in stage.options if o.id not in walk.taken]
        if walk.picks_in_stage >= min(stage.min_picks, len(stage.options)):
            ids.append(advance_id(stage.id))
        return tuple(ids)

    def _can_choose(self, walk: _Walk, choice: str) -> bool:
        """`choice in self._available(walk)`, without building the tuple."""
        if walk.finished:
            return False
        stage = self.stages[walk.stage_id]
        if choice in self.stage_options[stage.id]:
            return isinstance(stage, DecisionStage) or choice not in walk.taken
        return (
            isinstance(stage, PickStage)
            and choice == advance_id(stage.id)
            and walk.picks_in_stage >= min(stage.min_picks, len(stage.options))
        )

    def _apply(self, walk: _Walk, choice: str) -> None:
        if not self._can_choose(walk, choice):
            raise InvalidChoice(self._why_unavailable(walk, choice))
        stage = self.stages[walk.stage_id]
        walk.chosen.append(choice)
        walk.taken.add(choice)
        if isinstance(stage, PickStage):
            if choice == advance_id(stage.id):
                self._enter(walk, self.resolve(stage.next, walk.chosen))
                return
            walk.picks_in_stage += 1
            walk.transcript.append(self.entries[choice])
            return
        assert isinstance(stage, DecisionStage)
        opt = self.stage_options[stage.id][choice]
        walk.transcript.append(self.entries[choice])
        target = self.resolve(opt.next, walk.chosen) or self.resolve(stage.next, walk.chosen)
        self._enter(walk, target)

    def _why_unavailable(self, walk: _Walk, choice: str) -> str:
        if walk.finished:
            return "This attempt is finished; start a new attempt to play again."
        if not choice:  # a form sent without a selection (no JavaScript, `required` bypassed)
            return "Choose an option first."
        if choice in walk.chosen:
            return "You already chose that."
        if choice == advance_id(walk.stage_id):
            return "Choose at least one option before moving on."
        if choice in self.option_stage or is_advance(choice):
            stage = self.option_stage.get(choice) or choice.removesuffix(ADVANCE_SUFFIX)
            passed = {self.option_stage.get(c) or c.removesuffix(ADVANCE_SUFFIX) for c in walk.chosen}
            if stage in passed and stage != walk.stage_id:
                # Usually a second tab or window left behind: say why, the panel shows where the attempt is.
                return "This attempt has moved past that stage (perhaps in another tab or window); here is where it is now."
            return "That option is not available at this stage."
        return "There is no such option in this case."

    def replay(self, choices: Sequence[str]) -> State:
        """The state after `choices`; raises InvalidChoice on the first invalid one."""
        walk = _Walk(stage_id=self.case.start)
        self._enter(walk, self.case.start)
        for choice in choices:
            self._apply(walk, choice)
        return State(
            stage_id=walk.stage_id,
            finished=walk.finished,
            chosen=tuple(walk.chosen),
            transcript=tuple(walk.transcript),
            available=self._available(walk),
            picks_in_stage=walk.picks_in_stage,
        )

    # -- the best path --------------------------------------------------------

    @cached_property
    def best_choices(self) -> tuple[str, ...]:
        """Every essential and useful question/manoeuvre, then the best option at
        each decision. None if some decision on the way has no best option."""
        walk = _Walk(stage_id=self.case.start)
        self._enter(walk, self.case.start)
        for _ in range(10_000):  # a DAG ends; the bound guards a malformed graph
            if walk.finished:
                return tuple(walk.chosen)
            stage = self.stages[walk.stage_id]
            if isinstance(stage, PickStage):
                for opt in stage.options:
                    if opt.on_best_path:
                        self._apply(walk, opt.id)
                self._apply(walk, advance_id(stage.id))
            else:
                best = [o for o in stage.options if o.grade is Grade.best]
                if not best:
                    return ()
                self._apply(walk, best[0].id)
        return ()

    # -- debrief --------------------------------------------------------------

    def debrief(self, choices: Sequence[str]) -> Debrief:
        """The path's scores and findings (trainer/scoring.py)."""
        return scoring.debrief(self, choices)
