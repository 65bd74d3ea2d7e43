"""Scoring a path: the rubric of blueprint §3, pure Python, no Django import.

`Playbook.debrief` (trainer/engine.py) replays a learner's choices and hands the
state here: red-flag screening, work-up, assessment, efficiency and plan scores, the
safety gate, and every finding the debrief names with its source. The engine knows
how a case is played; this module knows how a path is judged. Both are the only
places those rules live.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from cases.format import DecisionOption, DecisionStage, Dimension, Grade, Option, OutcomeStage, PickStage, Yield, cite_ref

if TYPE_CHECKING:  # the engine imports this module; these are only annotations here
    from trainer.engine import Entry, Playbook

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


def _title(book: Playbook, gid: str) -> str:
    """The guidance item's short name, for sentences a learner reads."""
    entry = book.catalogue.get(gid)
    return entry.title if entry else gid


def _finding(book: Playbook, gid: str, status: str, because: Sequence[str] = ()) -> Finding:
    entry = book.catalogue.get(gid)
    return Finding(
        guidance_id=gid,
        status=status,
        kind=entry.kind.value if entry else "",
        title=_title(book, gid),
        statement=entry.statement if entry else "",
        section=entry.section if entry else "",
        ref=entry.ref if entry else "",
        ext=entry.ext if entry else False,
        because=tuple(because),
    )


def debrief(book: Playbook, choices: Sequence[str]) -> Debrief:
    """Score a path by the rubric (blueprint §3): `Playbook.debrief` calls this."""
    state = book.replay(choices)
    chosen = set(state.chosen)
    picks: list[Option] = []
    all_picks: list[Option] = []
    decisions: list[tuple[DecisionStage, DecisionOption]] = []
    for stage in book.case.stages:
        if isinstance(stage, PickStage):
            all_picks.extend(stage.options)
            picks.extend(o for o in stage.options if o.id in chosen)
    for cid in state.chosen:
        stage = book.stages.get(book.option_stage.get(cid, ""))
        if isinstance(stage, DecisionStage):
            decisions.append((stage, next(o for o in stage.options if o.id == cid)))

    screened: dict[str, list[str]] = {}
    for opt in picks:
        for gid in opt.screens:
            screened.setdefault(gid, []).append(opt.label)

    rf = book.case.red_flags
    to_cover = list(dict.fromkeys([*rf.present, *rf.screen]))
    findings: list[Finding] = []
    safety: list[str] = []
    for gid in rf.present:
        if gid in screened:
            findings.append(_finding(book, gid, "elicited", screened[gid]))
        else:
            findings.append(_finding(book, gid, "missed"))
            safety.append(f"A red flag present in this patient was not elicited: {_title(book, gid)}.")
    for gid in rf.screen:
        if gid in rf.present:
            continue
        findings.append(_finding(book, gid, "screened" if gid in screened else "not_screened", screened.get(gid, ())))
    covered = sum(1 for g in to_cover if g in screened)
    d1 = round(WEIGHTS["redflags"] * covered / len(to_cover)) if to_cover else WEIGHTS["redflags"]
    d1_notes = tuple(f"Not screened: {_title(book, g)}." for g in to_cover if g not in screened)

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
        cited = tuple((gid, _title(book, gid)) for gid in opt.cites)
        reviews.append(DecisionReview(stage.id, stage.title, dim, opt, best, cited, stage_ext=stage.ext))
    for gid, because in triggered.items():
        findings.append(_finding(book, gid, "triggered", because))
    for gid, because in cautions.items():
        if gid not in triggered:  # fallen into once is what the learner must hear
            findings.append(_finding(book, gid, "caution", because))

    low = tuple(o for o in picks if o.yield_ is Yield.low)
    red_flag_ids = set(to_cover) | {g for g, e in book.catalogue.items() if e.kind.value == "red_flag"}
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
    outcome = book.stages[state.stage_id] if state.finished else None
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
        best_path=book.replay(book.best_choices).transcript if book.best_choices else (),
        outcome=outcome if isinstance(outcome, OutcomeStage) else None,
    )
