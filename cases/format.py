"""The case-file format, defined once as typed models.

Pure Python (pydantic, no Django): the engine, the linter, the loader and the
JSON Schema export (`cases/schema.json`) all read these models, so an author's
file means the same thing everywhere. `docs/case-format.md` explains it for
clinician-authors.
"""

from __future__ import annotations

import re
from enum import Enum
from typing import Annotated, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, field_validator

ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"
GUIDANCE_ID_PATTERN = r"^(rf|pf|tp|wf)-[a-z0-9-]+$"

Ident = Annotated[str, Field(pattern=ID_PATTERN, max_length=64)]
GuidanceId = Annotated[str, Field(pattern=GUIDANCE_ID_PATTERN, max_length=64)]
Text = Annotated[str, Field(min_length=1, max_length=4000)]

# The markup case text may carry where it is shown as rich text (vignette, prompt,
# reveals, an outcome's text); anything else is removed on display (nh3), and in
# every other field a tag shows as typed. The linter warns about both.
INLINE_TAGS = frozenset({"em", "strong", "i", "b", "br", "sub", "sup"})
RICH_TEXT_FIELDS = frozenset({"vignette", "prompt", "reveals", "text"})


class Strict(BaseModel):
    # Unknown keys are errors: a misspelt field must not be silently ignored. A field's
    # docstring becomes its description in cases/schema.json, which editors show on hover.
    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)


class Yield(str, Enum):
    essential = "essential"
    useful = "useful"
    low = "low"


class Grade(str, Enum):
    best = "best"
    acceptable = "acceptable"
    poor = "poor"
    dangerous = "dangerous"


class Dimension(str, Enum):
    """Which rubric dimension a decision stage scores (blueprint §3)."""

    workup = "workup"
    assessment = "assessment"
    plan = "plan"
    none = "none"  # e.g. the return visit after a wrong turn: shown, not scored


class Patient(Strict):
    age: Annotated[int, Field(ge=0, le=120)]
    """Age in years; the same as in the vignette and the answers."""
    sex: Literal["F", "M", "X"]
    occupation: Annotated[str, Field(max_length=120)] = ""

    @property
    def person(self) -> str:
        return {"F": "woman", "M": "man"}.get(self.sex, "patient")


class Tags(Strict):
    region: Annotated[str, Field(pattern=r"^[a-z][a-z-]*$")]
    """Body region, lowercase (lumbar, cervical, calf...): a library filter and on the card."""
    type: Literal["benign", "red-flag", "neuro-rehab"]
    """A library filter only: never on the card, where it would give the case away."""
    difficulty: Literal["introductory", "intermediate", "advanced"]


class RedFlags(Strict):
    present: list[GuidanceId] = []
    """Red flags (rf- ids) this patient has: leaving one unelicited makes the attempt unsafe."""
    screen: list[GuidanceId] = []
    """Red flags (rf- ids) a careful clinician screens for here; scored under red-flag screening."""


class Transition(Strict):
    """One rule of a conditional `next`: go to `goto` if any option in `when_any`
    was chosen earlier in the attempt; a rule without `when_any` always matches."""

    when_any: list[Ident] = []
    """Option ids chosen earlier (on this stage or one before it); leave out on the last rule."""
    goto: Ident
    """The stage to go to."""


Next = Union[Ident, list[Transition]]


class Option(Strict):
    id: Ident
    """Unique in the case (H1, X4...): charts count choices by it across versions, so keep it when rewording."""
    label: Text
    """The question or manoeuvre as the learner sees it (plain text)."""
    reveals: Annotated[str, Field(max_length=4000)] = ""
    """The patient's answer or the finding, shown once chosen (required by the linter)."""
    yield_: Annotated[Yield, Field(alias="yield")] = Yield.useful
    """essential (skipping costs a point unless it screens a red flag), useful (default) or low (choosing costs 2)."""
    screens: list[GuidanceId] = []
    """Guidance ids this option checks; an rf- id listed in the case's red_flags counts as screening it."""
    triggers: list[GuidanceId] = []
    """Guidance items this choice touches: a pitfall if the choice is wrong (low yield, unsafe), else a caution."""
    unsafe: bool = False
    """An unsafe manoeuvre (e.g. active neck movement before imaging after high-risk trauma): the attempt is unsafe."""
    ext: bool = False
    """Content beyond the source document, awaiting a clinician's sign-off (say what in ext_notes)."""

    @property
    def on_best_path(self) -> bool:
        """The best path takes every safe option that is not low yield (the engine's
        best_choices; the linter's screening and min_picks checks count on it)."""
        return self.yield_ is not Yield.low and not self.unsafe


class DecisionOption(Strict):
    id: Ident
    """Unique in the case (W1, A, P2...)."""
    label: Text
    """The option as the learner sees it: as long and detailed as the others, whatever its grade."""
    grade: Grade
    """best, acceptable, poor or dangerous (dangerous makes the attempt unsafe on a scored decision)."""
    reason: Text
    """Why, shown in the debrief."""
    cites: list[GuidanceId] = []
    """Guidance the reason rests on, linked from the debrief."""
    triggers: list[GuidanceId] = []
    """Guidance items this choice touches: a pitfall if the grade is poor or dangerous, else a caution."""
    next: Next | None = None
    """Where this option leads; without it, the stage's next."""
    ext: bool = False
    """Content beyond the source document, awaiting a clinician's sign-off (say what in ext_notes)."""


class _Stage(Strict):
    id: Ident
    """Unique in the case; next and goto name stages by it."""
    title: Annotated[str, Field(min_length=1, max_length=200)]
    prompt: Annotated[str, Field(max_length=4000)] = ""
    """The instruction or situation shown above the options; never say whether a red flag came up."""
    ext: bool = False
    """Content beyond the source document, awaiting a clinician's sign-off (say what in ext_notes)."""


class PickStage(_Stage):
    """History or exam: the learner picks several options, then moves on."""

    kind: Literal["history", "exam"]
    options: Annotated[list[Option], Field(min_length=1)]
    min_picks: Annotated[int, Field(ge=0)] = 1
    """How many options the learner must pick before "Move on"."""
    next: Next
    """The stage after "Move on": a stage id, or a list of when_any rules."""


class DecisionStage(_Stage):
    """One choice that branches: work-up, assessment, plan, or a return visit."""

    kind: Literal["decision"]
    scores: Dimension = Dimension.none
    """The rubric dimension the choice scores; none (default) for an unscored decision such as a return visit."""
    options: Annotated[list[DecisionOption], Field(min_length=2)]
    next: Next | None = None
    """Where the options lead unless an option has its own next."""


class OutcomeStage(_Stage):
    """A narrative ending."""

    kind: Literal["outcome"]
    text: Text
    """What happened to the patient; true for every path that reaches it."""
    good: bool
    """Whether this ending is a good one (the best path must end in one)."""
    cites: list[GuidanceId] = []


Stage = Annotated[Union[PickStage, DecisionStage, OutcomeStage], Field(discriminator="kind")]


class Case(Strict):
    id: Annotated[str, Field(pattern=r"^C[0-9]{2,3}$")]
    """The case code (C15); the file's name starts with it (C15-night-cramps.yaml)."""
    slug: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=80)]
    """Lowercase words joined by hyphens, unique in the library; instructors' addresses use it."""
    title: Annotated[str, Field(min_length=1, max_length=200)]
    """The diagnosis-level title: instructors see it, learners only in the debrief."""
    # Optional here only so that versions stored before it existed still load.
    presentation: Annotated[str, Field(max_length=100)] = ""
    """What learners see until the debrief: the complaint and who the patient is, no diagnosis (required by the linter)."""
    setting: Annotated[str, Field(min_length=1, max_length=120)]
    """Where the encounter happens: Urgent care, Primary care, ED..."""
    patient: Patient
    vignette: Text
    """The opening the learner reads first; it starts with the patient's name and age ("Mr Daniel Okafor, 34, ...")."""
    tags: Tags
    objectives: Annotated[list[Text], Field(min_length=1)]
    """Learning objectives, one sentence each."""
    red_flags: RedFlags
    start: Ident
    """The id of the first stage (usually history)."""
    stages: Annotated[list[Stage], Field(min_length=1)]
    ext_notes: list[Text] = []
    """Plain-language notes for the reviewing clinician on what goes beyond the source (required if anything is ext)."""

    @property
    def learner_title(self) -> str:
        # A version stored before presentations existed gets a heading that gives nothing away.
        return self.presentation or f"{self.setting}: a {self.patient.age}-year-old {self.patient.person}"

    @field_validator("slug")
    @classmethod
    def _slug_not_numeric(cls, v: str) -> str:
        if re.fullmatch(r"[0-9]+", v):
            raise ValueError("slug must contain a letter")
        return v


class GuidanceKind(str, Enum):
    red_flag = "red_flag"
    pitfall = "pitfall"
    teaching_point = "teaching_point"
    workflow = "workflow"


# The seed document's headings, by the codes the catalogue's `ref` uses (blueprint §0).
SECTION_HEADINGS = {
    "INT": "Muscle Spasm Introduction (What it is)",
    "PUR": "Why Muscle Spasm is used (Purpose / benefits)",
    "IND": "Indications (When orthopedic clinicians use it)",
    "CON": "Contraindications / when it is NOT ideal",
    "MEC": "How it works (Mechanism / physiology)",
    "PRO": "Muscle Spasm Procedure overview (How it is applied)",
    "TYP": "Types / variations",
    "PC": "Pros and cons",
    "AFT": "Aftercare & longevity",
    "ALT": "Alternatives / comparisons",
    "FAQ": "Muscle Spasm Common questions (FAQ)",
}
_REF_CODE = re.compile(r"\s*([A-Z]+)")  # "FAQ-concern" -> FAQ, "PRO step 1" -> PRO, 'CON ("...")' -> CON


def ref_codes(ref: str) -> list[str]:
    """The section codes a `ref` cites, in order, each once."""
    codes: list[str] = []
    for part in ref.split(";"):
        m = _REF_CODE.match(part)
        code = m.group(1) if m else part.strip()
        if code not in codes:
            codes.append(code)
    return codes


def ref_sections(ref: str) -> tuple[str, ...]:
    """The seed headings a `ref` cites; unknown codes are the linter's to report."""
    return tuple(SECTION_HEADINGS[c] for c in ref_codes(ref) if c in SECTION_HEADINGS)


def cite_sections(sections: tuple[str, ...]) -> str:
    """'section “A”', or 'sections “A” and “B”', for a debrief's source line."""
    quoted = [f"“{s}”" for s in sections]
    if len(quoted) < 2:
        return f"section {''.join(quoted)}"
    return f"sections {', '.join(quoted[:-1])} and {quoted[-1]}"


def cite_ref(ref: str) -> str:
    """Every section a `ref` draws on, as a source line says it (not only the first, `section`)."""
    return cite_sections(ref_sections(ref))


class GuidanceEntry(Strict):
    id: GuidanceId
    kind: GuidanceKind
    # A short name for lists, charts and debrief sentences; the statement says it in full.
    title: Annotated[str, Field(min_length=1, max_length=60)]
    statement: Text
    section: Annotated[str, Field(min_length=1, max_length=200)]  # exact seed heading
    ref: Annotated[str, Field(min_length=1, max_length=200)]  # e.g. "FAQ-concern; CON (Red-flag contexts)"
    ext: bool = False

    @property
    def source(self) -> str:
        return cite_ref(self.ref)


class GuidanceCatalogue(Strict):
    guidance: Annotated[list[GuidanceEntry], Field(min_length=1)]


def json_schema(guidance_ids: list[str] | None = None) -> dict:
    """The JSON Schema editors use to check a case file as the author types. Given the
    catalogue's ids, every guidance-id field lists them, so an editor can complete them
    (the pattern alone let `rf-generalised` through until the linter ran)."""
    schema = Case.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "Muscle spasm trainer case file"
    if guidance_ids:
        _list_guidance_ids(schema, sorted(guidance_ids))
    return schema


def _list_guidance_ids(node: object, ids: list[str]) -> None:
    if isinstance(node, dict):
        if node.get("pattern") == GUIDANCE_ID_PATTERN:
            node["enum"] = ids
        for value in node.values():
            _list_guidance_ids(value, ids)
    elif isinstance(node, list):
        for value in node:
            _list_guidance_ids(value, ids)
