"""Library-wide reports: which cases exercise each guidance id, and which content
goes beyond the source document (`ext`) and needs a clinician's sign-off.

Pure Python (no Django): `manage.py case_report`, the test suite and the clinical
review page all call these functions, so they cannot disagree.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from cases.format import Case, DecisionStage, GuidanceEntry, GuidanceKind, OutcomeStage, PickStage
from cases.lint import CaseFileError, load_catalogue, read_library
from trainer.engine import Playbook

KIND_LABELS = {
    GuidanceKind.red_flag: "Red flags",
    GuidanceKind.pitfall: "Pitfalls",
    GuidanceKind.teaching_point: "Teaching points",
    GuidanceKind.workflow: "Workflow",
}


# -- guidance usage -----------------------------------------------------------


@dataclass(frozen=True)
class Usage:
    entry: GuidanceEntry
    cases: tuple[str, ...]  # case ids (C01...), in library order

    @property
    def used(self) -> bool:
        return bool(self.cases)


def guidance_usage(books: Iterable[Playbook], catalogue: Mapping[str, GuidanceEntry]) -> list[Usage]:
    """For every catalogue id, in catalogue order, the cases that exercise it
    (red flags present/to screen, option screens/triggers, decision and outcome
    cites: `Playbook.guidance_ids`). Takes compiled playbooks, so the guidance page
    can pass the ones the server has cached."""
    by_id: dict[str, list[str]] = {gid: [] for gid in catalogue}
    for book in books:
        for gid in book.guidance_ids:
            if gid in by_id:  # unknown ids are the linter's business
                by_id[gid].append(book.case.id)
    return [Usage(catalogue[gid], tuple(by_id[gid])) for gid in catalogue]


def unused_ids(usage: Sequence[Usage]) -> list[str]:
    return [u.entry.id for u in usage if not u.used]


def usage_by_kind(usage: Sequence[Usage]) -> list[tuple[GuidanceKind, list[Usage]]]:
    return [(kind, [u for u in usage if u.entry.kind is kind]) for kind in GuidanceKind]


def library_usage(paths: Sequence[str | Path] = ()) -> list[Usage]:
    """Read the case files (default: the whole library) and report usage.
    Raises CaseFileError if any file has a problem: a report on a library that
    does not lint would be misleading."""
    good, problems = read_library(paths)
    if problems:
        raise CaseFileError(problems)
    catalogue = load_catalogue()
    return guidance_usage([Playbook(cf.case, catalogue) for cf in good], catalogue)


def format_usage(usage: Sequence[Usage]) -> list[str]:
    """Plain-text lines for the terminal, grouped by kind."""
    lines: list[str] = []
    for kind, rows in usage_by_kind(usage):
        used = sum(1 for u in rows if u.used)
        lines.append(f"{KIND_LABELS[kind]} ({used}/{len(rows)} used)")
        width = max((len(u.entry.id) for u in rows), default=0)
        for u in rows:
            cases = ", ".join(u.cases) if u.cases else "UNUSED"
            lines.append(f"  {u.entry.id.ljust(width)}  {cases}")
        lines.append("")
    used = sum(1 for u in usage if u.used)
    lines.append(f"{used} of {len(usage)} guidance ids are exercised by at least one case.")
    return lines


# -- content beyond the source (ext) ------------------------------------------


@dataclass(frozen=True)
class ExtItem:
    kind: str  # "stage" | "outcome" | "option" | "decision option"
    stage_id: str
    stage_title: str
    item_id: str
    label: str
    text: str


@dataclass(frozen=True)
class CaseExt:
    case_id: str
    title: str
    items: tuple[ExtItem, ...]
    notes: tuple[str, ...]

    @property
    def empty(self) -> bool:
        return not self.items and not self.notes


def ext_items(case: Case) -> CaseExt:
    """Every stage, option and decision option marked `ext: true`, in file order,
    with the text a clinician must check, plus the case's `ext_notes`."""
    items: list[ExtItem] = []
    for stage in case.stages:
        if stage.ext:
            if isinstance(stage, OutcomeStage):
                items.append(ExtItem("outcome", stage.id, stage.title, stage.id, stage.title, stage.text))
            else:
                items.append(ExtItem("stage", stage.id, stage.title, stage.id, stage.title, stage.prompt))
        if isinstance(stage, PickStage):
            for opt in stage.options:
                if opt.ext:
                    items.append(ExtItem("option", stage.id, stage.title, opt.id, opt.label, opt.reveals))
        elif isinstance(stage, DecisionStage):
            for opt in stage.options:
                if opt.ext:
                    items.append(ExtItem("decision option", stage.id, stage.title, opt.id, opt.label, opt.reason))
    return CaseExt(case.id, case.title, tuple(items), tuple(case.ext_notes))


def ext_guidance(entries: Iterable[GuidanceEntry]) -> list[GuidanceEntry]:
    return [e for e in entries if e.ext]
