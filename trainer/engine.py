"""The case engine: pure Python, no Django import.

Given a case and the ordered list of choices a learner made, `Playbook.replay`
computes where the attempt stands and `Playbook.debrief` scores it. This module is
the only place that knows the rules (what is available, what is revealed, where a
decision leads, how a path is scored); views, templates and dashboards ask it.

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
    cite_ref,
)

ADVANCE_SUFFIX = ":next"

# Blueprint §3: weights of each dimension and the points a graded decision earns.
WEIGHTS = {"redflags": 25, "workup": 25, "assessment": 25, "efficiency": 10, "plan": 15}
DIMENSION_LABELS = {
    "redflags": "Red-flag screening",
    "workup": "Work-up fit",
    "assessment": "Assessment",
    "efficiency": "Efficiency",
    "plan": "Plan and follow-up",
}
GRADE_POINTS = {
    "workup": {Grade.best: 25, Grade.acceptable: 12, Grade.poor: 5, Grade.dangerous: 0},
    "assessment": {Grade.best: 25, Grade.acceptable: 12, Grade.poor: 0, Grade.dangerous: 0},
    "plan": {Grade.best: 15, Grade.acceptable: 8, Grade.poor: 3, Grade.dangerous: 0},
}
SAFETY_CAP = 40
TOP_BAND = 85
# A present red flag left unelicited is "missed", one only to screen is "not_screened":
# for the learner and the dashboard both are red flags they did not cover.
MISSED_STATUSES = ("missed", "not_screened")


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


@dataclass(frozen=True)
class Finding:
    guidance_id: str
    status: str  # elicited | missed | screened | not_screened | triggered | caution
    kind: str
    title: str
    statement: str
    section: str
    ref: str
    ext: bool
    because: tuple[str, ...] = ()

    @property
    def source(self) -> str:
        return cite_ref(self.ref) if self.ref else ""

    @property
    def status_label(self) -> str:
        return self.status.replace("_", " ")


@dataclass(frozen=True)
class DimensionScore:
    key: str
    label: str
    score: int
    max: int
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class DecisionReview:
    stage_id: str
    stage_title: str
    dimension: str
    chosen: DecisionOption
    best: tuple[DecisionOption, ...]
    cited: tuple[tuple[str, str], ...] = ()  # (id, title) of the guidance the chosen option's reason cites
    stage_ext: bool = False  # the decision's stage goes beyond the source (C11's return visit)


@dataclass(frozen=True)
class Debrief:
    dimensions: tuple[DimensionScore, ...]
    raw_total: int
    total: int
    unsafe: bool
    safety_reasons: tuple[str, ...]
    findings: tuple[Finding, ...]
    decisions: tuple[DecisionReview, ...]
    missed_essentials: tuple[Option, ...]
    low_yield_chosen: tuple[Option, ...]
    best_path: tuple[Entry, ...]
    outcome: OutcomeStage | None

    @property
    def band(self) -> str:
        # The rubric's points alone called a path excellent that set a poor plan after the right
        # work-up (88), and good when the patient came back worse: the band says what the points hide.
        if self.unsafe:
            return "unsafe"
        if self.outcome is not None and not self.outcome.good:
            return "needs work"
        wrong = any(d.chosen.grade in (Grade.poor, Grade.dangerous) and d.dimension != Dimension.none.value for d in self.decisions)
        if self.total >= TOP_BAND and not wrong:
            return "excellent"
        if self.total >= 70:
            return "good"
        return "needs work"

    @property
    def missed_findings(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.status in MISSED_STATUSES)

    @property
    def triggered_findings(self) -> tuple[Finding, ...]:
        """Pitfalls the learner fell into: fired by a wrong choice."""
        return tuple(f for f in self.findings if f.status == "triggered")

    @property
    def caution_findings(self) -> tuple[Finding, ...]:
        """Pitfalls a sound choice carries (keep them in mind), not mistakes."""
        return tuple(f for f in self.findings if f.status == "caution")

    @property
    def unheeded_findings(self) -> tuple[Finding, ...]:
        """Present red flags the learner found and then acted against (a dangerous
        decision): "none missed" alone would read as praise."""
        if not any(d.chosen.grade is Grade.dangerous for d in self.decisions):
            return ()
        return tuple(f for f in self.findings if f.status == "elicited")

    @property
    def missed_red_flags(self) -> tuple[str, ...]:
        return tuple(f.guidance_id for f in self.missed_findings)

    @property
    def triggered(self) -> tuple[str, ...]:
        return tuple(f.guidance_id for f in self.triggered_findings)

    def score(self, key: str) -> int:
        return next(d.score for d in self.dimensions if d.key == key)


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
                    if opt.yield_ is not Yield.low and not opt.unsafe:
                        self._apply(walk, opt.id)
                self._apply(walk, advance_id(stage.id))
            else:
                best = [o for o in stage.options if o.grade is Grade.best]
                if not best:
                    return ()
                self._apply(walk, best[0].id)
        return ()

    # -- debrief --------------------------------------------------------------

    def _title(self, gid: str) -> str:
        """The guidance item's short name, for sentences a learner reads."""
        entry = self.catalogue.get(gid)
        return entry.title if entry else gid

    def _finding(self, gid: str, status: str, because: Sequence[str] = ()) -> Finding:
        entry = self.catalogue.get(gid)
        return Finding(
            guidance_id=gid,
            status=status,
            kind=entry.kind.value if entry else "",
            title=self._title(gid),
            statement=entry.statement if entry else "",
            section=entry.section if entry else "",
            ref=entry.ref if entry else "",
            ext=entry.ext if entry else False,
            because=tuple(because),
        )

    def debrief(self, choices: Sequence[str]) -> Debrief:
        state = self.replay(choices)
        chosen = set(state.chosen)
        picks: list[Option] = []
        all_picks: list[Option] = []
        decisions: list[tuple[DecisionStage, DecisionOption]] = []
        for stage in self.case.stages:
            if isinstance(stage, PickStage):
                all_picks.extend(stage.options)
                picks.extend(o for o in stage.options if o.id in chosen)
        for cid in state.chosen:
            stage = self.stages.get(self.option_stage.get(cid, ""))
            if isinstance(stage, DecisionStage):
                decisions.append((stage, next(o for o in stage.options if o.id == cid)))

        screened: dict[str, list[str]] = {}
        for opt in picks:
            for gid in opt.screens:
                screened.setdefault(gid, []).append(opt.label)

        rf = self.case.red_flags
        to_cover = list(dict.fromkeys([*rf.present, *rf.screen]))
        findings: list[Finding] = []
        safety: list[str] = []
        for gid in rf.present:
            if gid in screened:
                findings.append(self._finding(gid, "elicited", screened[gid]))
            else:
                findings.append(self._finding(gid, "missed"))
                safety.append(f"A red flag present in this patient was not elicited: {self._title(gid)}.")
        for gid in rf.screen:
            if gid in rf.present:
                continue
            findings.append(self._finding(gid, "screened" if gid in screened else "not_screened", screened.get(gid, ())))
        covered = sum(1 for g in to_cover if g in screened)
        d1 = round(WEIGHTS["redflags"] * covered / len(to_cover)) if to_cover else WEIGHTS["redflags"]
        d1_notes = tuple(f"Not screened: {self._title(g)}." for g in to_cover if g not in screened)

        for opt in picks:
            if opt.unsafe:
                safety.append(f"Unsafe manoeuvre: {opt.label}.")
        # A trigger on a wrong choice (a poor or dangerous decision, an unsafe or
        # low-yield pick) is a pitfall fallen into. On a sound choice it is a
        # caution the choice carries, e.g. pf-exam-distortion on the strength test
        # every learner should do: the debrief lists it apart and the cohort
        # charts do not count it as a mistake.
        triggered: dict[str, list[str]] = {}
        cautions: dict[str, list[str]] = {}
        for opt in picks:
            wrong = opt.unsafe or opt.yield_ is Yield.low
            for gid in opt.triggers:
                (triggered if wrong else cautions).setdefault(gid, []).append(opt.label)
        points = {"workup": 0, "assessment": 0, "plan": 0}
        reviews: list[DecisionReview] = []
        for stage, opt in decisions:
            wrong = opt.grade in (Grade.poor, Grade.dangerous)
            for gid in opt.triggers:
                (triggered if wrong else cautions).setdefault(gid, []).append(opt.label)
            dim = stage.scores.value
            if stage.scores is not Dimension.none:
                points[dim] = GRADE_POINTS[dim][opt.grade]
            # The gate reads unscored decisions too: "reassure, add a relaxant" when the patient
            # comes back worse is the same act the first visit's gate refuses (rubric D2: W1/W9
            # with a red flag present), and a return visit that earns no points must not say "Safe".
            if opt.grade is Grade.dangerous:
                safety.append(f"Dangerous decision at {stage.title}: {opt.label}.")
            best = tuple(o for o in stage.options if o.grade is Grade.best)
            cited = tuple((gid, self._title(gid)) for gid in opt.cites)
            reviews.append(DecisionReview(stage.id, stage.title, dim, opt, best, cited, stage_ext=stage.ext))
        for gid, because in triggered.items():
            findings.append(self._finding(gid, "triggered", because))
        for gid, because in cautions.items():
            if gid not in triggered:  # fallen into once is what the learner must hear
                findings.append(self._finding(gid, "caution", because))

        low = tuple(o for o in picks if o.yield_ is Yield.low)
        red_flag_ids = set(to_cover) | {g for g, e in self.catalogue.items() if e.kind.value == "red_flag"}
        missed_ess = tuple(
            o
            for o in all_picks
            if o.yield_ is Yield.essential and o.id not in chosen and not red_flag_ids.intersection(o.screens)
        )
        all_missed_ess = tuple(o for o in all_picks if o.yield_ is Yield.essential and o.id not in chosen)
        d5 = max(0, WEIGHTS["efficiency"] - 2 * len(low) - len(missed_ess))
        # An unsafe manoeuvre still costs its efficiency points (rubric D5), but "would not change
        # management" undersold it: its note points to the safety verdict, which names it, and it
        # stays off the list of low-yield choices.
        d5_notes = tuple(
            f"“{o.label}” was unsafe here (see the safety verdict)." if o.unsafe else f"“{o.label}” would not change management."
            for o in low
        )

        dims = (
            DimensionScore("redflags", DIMENSION_LABELS["redflags"], d1, WEIGHTS["redflags"], d1_notes),
            DimensionScore("workup", DIMENSION_LABELS["workup"], points["workup"], WEIGHTS["workup"]),
            DimensionScore("assessment", DIMENSION_LABELS["assessment"], points["assessment"], WEIGHTS["assessment"]),
            DimensionScore("efficiency", DIMENSION_LABELS["efficiency"], d5, WEIGHTS["efficiency"], d5_notes),
            DimensionScore("plan", DIMENSION_LABELS["plan"], points["plan"], WEIGHTS["plan"]),
        )
        raw = sum(d.score for d in dims)
        unsafe = bool(safety)
        outcome = self.stages[state.stage_id] if state.finished else None
        return Debrief(
            dimensions=dims,
            raw_total=raw,
            total=min(raw, SAFETY_CAP) if unsafe else raw,
            unsafe=unsafe,
            safety_reasons=tuple(safety),
            findings=tuple(findings),
            decisions=tuple(reviews),
            missed_essentials=all_missed_ess,
            low_yield_chosen=tuple(o for o in low if not o.unsafe),
            best_path=self.replay(self.best_choices).transcript if self.best_choices else (),
            outcome=outcome if isinstance(outcome, OutcomeStage) else None,
        )


def replay(case: Case, choices: Sequence[str]) -> State:
    return Playbook(case).replay(choices)


def debrief(case: Case, choices: Sequence[str], catalogue: Mapping[str, GuidanceEntry] | None = None) -> Debrief:
    return Playbook(case, catalogue).debrief(choices)
