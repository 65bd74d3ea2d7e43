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


class Strict(BaseModel):
    # Unknown keys are errors: a misspelt field must not be silently ignored.
    model_config = ConfigDict(extra="forbid", frozen=True)


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
    sex: Literal["F", "M", "X"]
    occupation: Annotated[str, Field(max_length=120)] = ""

    @property
    def person(self) -> str:
        return {"F": "woman", "M": "man"}.get(self.sex, "patient")


class Tags(Strict):
    region: Annotated[str, Field(pattern=r"^[a-z][a-z-]*$")]
    type: Literal["benign", "red-flag", "neuro-rehab"]
    difficulty: Literal["introductory", "intermediate", "advanced"]


class RedFlags(Strict):
    present: list[GuidanceId] = []
    screen: list[GuidanceId] = []


class Transition(Strict):
    """One rule of a conditional `next`: go to `goto` if any option in `when_any`
    was chosen earlier in the attempt; a rule without `when_any` always matches."""

    when_any: list[Ident] = []
    goto: Ident


Next = Union[Ident, list[Transition]]


class Option(Strict):
    id: Ident
    label: Text
    # History answer or exam finding shown once the option is chosen.
    reveals: Annotated[str, Field(max_length=4000)] = ""
    yield_: Annotated[Yield, Field(alias="yield")] = Yield.useful
    screens: list[GuidanceId] = []
    triggers: list[GuidanceId] = []
    # Unsafe exam manoeuvre (e.g. active neck ROM before imaging after high-risk trauma).
    unsafe: bool = False
    # True when the content goes beyond the source document and needs clinician sign-off.
    ext: bool = False


class DecisionOption(Strict):
    id: Ident
    label: Text
    grade: Grade
    reason: Text
    cites: list[GuidanceId] = []
    triggers: list[GuidanceId] = []
    next: Next | None = None
    ext: bool = False


class _Stage(Strict):
    id: Ident
    title: Annotated[str, Field(min_length=1, max_length=200)]
    prompt: Annotated[str, Field(max_length=4000)] = ""
    ext: bool = False


class PickStage(_Stage):
    """History or exam: the learner picks several options, then moves on."""

    kind: Literal["history", "exam"]
    options: Annotated[list[Option], Field(min_length=1)]
    min_picks: Annotated[int, Field(ge=0)] = 1
    next: Next


class DecisionStage(_Stage):
    """One choice that branches: work-up, assessment, plan, or a return visit."""

    kind: Literal["decision"]
    scores: Dimension = Dimension.none
    options: Annotated[list[DecisionOption], Field(min_length=2)]
    next: Next | None = None


class OutcomeStage(_Stage):
    """A narrative ending."""

    kind: Literal["outcome"]
    text: Text
    good: bool
    cites: list[GuidanceId] = []


Stage = Annotated[Union[PickStage, DecisionStage, OutcomeStage], Field(discriminator="kind")]


class Case(Strict):
    id: Annotated[str, Field(pattern=r"^C[0-9]{2,3}$")]
    slug: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=80)]
    title: Annotated[str, Field(min_length=1, max_length=200)]
    # What learners see until the debrief: the title names the diagnosis, which is
    # what the case asks them to find. Optional here only so that versions stored
    # before it existed still load; the linter requires it in every case file.
    presentation: Annotated[str, Field(max_length=100)] = ""
    setting: Annotated[str, Field(min_length=1, max_length=120)]
    patient: Patient
    vignette: Text
    tags: Tags
    objectives: Annotated[list[Text], Field(min_length=1)]
    red_flags: RedFlags
    start: Ident
    stages: Annotated[list[Stage], Field(min_length=1)]
    ext_notes: list[Text] = []

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


class GuidanceEntry(Strict):
    id: GuidanceId
    kind: GuidanceKind
    # A short name for lists, charts and debrief sentences; the statement says it in full.
    title: Annotated[str, Field(min_length=1, max_length=60)]
    statement: Text
    section: Annotated[str, Field(min_length=1, max_length=200)]  # exact seed heading
    ref: Annotated[str, Field(min_length=1, max_length=200)]  # e.g. "FAQ-concern; CON (Red-flag contexts)"
    ext: bool = False


class GuidanceCatalogue(Strict):
    guidance: Annotated[list[GuidanceEntry], Field(min_length=1)]


def json_schema() -> dict:
    """The JSON Schema editors use to check a case file as the author types."""
    schema = Case.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "Muscle spasm trainer case file"
    return schema
