"""The rules a case in the library (cases/library/) must meet beyond the format and
the graph: docs/case-format.md, "Adding a case to the library". They were held only
by the test suite, so `lint_cases` said OK and `load_cases` published a case that
broke them. The bench's synthetic case and the browser tests' probe are not teaching
content and do not live in the library, so the linter leaves these rules out for them.

Rules about this library's own content plan (the fourteen blueprint cases, W1-W9 in
every work-up, each case's main wrong path) stay in tests/integration/test_case_library.py,
as does the statistic across the whole library (the best label the longest in at most
half the decisions of a kind), which a file checked on its own cannot be held to.

Pure Python (no Django), like the linter that runs it.
"""

from __future__ import annotations

import re

from cases.format import Case, DecisionStage, Dimension, Grade, OutcomeStage, PickStage

SCHEMA_LINE = "# yaml-language-server: $schema=../schema.json"
# "Mr Daniel Okafor, 34, ...": an optional title, first name and surname, a comma, the age.
_NAME = re.compile(r"(?:(?:Mr|Mrs|Ms|Miss|Dr) )?([A-Z][a-z]+(?: [A-Z][A-Za-z'-]+)+), \d+")
MIN_OPTIONS = {"history": 8, "exam": 6}
ASSESSMENT_OPTIONS = (4, 6)
BEST_LABEL_RATIO = 1.2


def patient_name(vignette: str) -> str | None:
    match = _NAME.match(vignette.strip())
    return match.group(1) if match else None


def library_problems(case: Case, text: str) -> list[tuple[list | int, str]]:
    """(yaml path or line number, message) pairs."""
    out: list[tuple[list | int, str]] = []
    if text.splitlines()[:1] != [SCHEMA_LINE]:
        out.append((1, f"the first line must be `{SCHEMA_LINE}` (editors check the file against the format with it)"))
    if patient_name(case.vignette) is None:
        out.append((["vignette"], "vignette: open with the patient's name and age, then a comma: 'Mr Daniel Okafor, 34, ...' (first name and surname; Mr, Mrs, Ms, Miss or Dr optional)"))
    for kind, least in MIN_OPTIONS.items():
        count = sum(len(s.options) for s in case.stages if isinstance(s, PickStage) and s.kind == kind)
        if count < least:
            out.append((["stages"], f"the case has {count} {kind} option(s); a library case needs at least {least}"))
    decisions = [(i, s) for i, s in enumerate(case.stages) if isinstance(s, DecisionStage)]
    for dim in (Dimension.workup, Dimension.assessment):
        if not any(s.scores is dim for _, s in decisions):
            out.append((["stages"], f"the case has no decision with scores: {dim.value}"))
    low, high = ASSESSMENT_OPTIONS
    for i, stage in decisions:
        if stage.scores is Dimension.assessment and not low <= len(stage.options) <= high:
            out.append((["stages", i, "options"], f"assessment '{stage.id}' has {len(stage.options)} options; give it {low} to {high}"))
        out.extend(_label_length(i, stage))
    for i, stage in enumerate(case.stages):
        if "red flag" in (getattr(stage, "prompt", "") or "").lower():
            out.append((["stages", i, "prompt"], f"stage '{stage.id}': the prompt says \"red flag\", which tells the learner what to look for (or that the screen was clear); let the patient ask instead"))
    if not any(isinstance(s, OutcomeStage) and not s.good for s in case.stages):
        out.append((["stages"], "the case has no outcome with good: false: a wrong path must show its consequence"))
    return out


def _label_length(i: int, stage: DecisionStage) -> list[tuple[list, str]]:
    """A best label much longer than the others gives the answer away before the choice."""
    others = [len(o.label) for o in stage.options if o.grade is not Grade.best]
    out = []
    for j, opt in enumerate(stage.options):
        if opt.grade is Grade.best and others and len(opt.label) > BEST_LABEL_RATIO * max(others):
            out.append((["stages", i, "options", j, "label"], f"decision '{stage.id}': the best label ({len(opt.label)} characters) is more than {BEST_LABEL_RATIO} x the longest other ({max(others)}); move detail into its reason"))
    return out

