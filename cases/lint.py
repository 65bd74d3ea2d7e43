"""Read and check case files: schema and graph, every error located by file and line.

Pure Python (no Django), so authors and the test suite can run it anywhere:
`python manage.py lint_cases` and `load_cases` are thin wrappers around it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import ValidationError

from cases.format import (
    Case,
    DecisionStage,
    Dimension,
    GuidanceCatalogue,
    GuidanceEntry,
    Grade,
    OutcomeStage,
    PickStage,
    Transition,
)

CASES_DIR = Path(__file__).resolve().parent
LIBRARY_DIR = CASES_DIR / "library"
GUIDANCE_FILE = CASES_DIR / "guidance.yaml"
MAX_FILE_BYTES = 512 * 1024


@dataclass(frozen=True)
class Problem:
    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


@dataclass(frozen=True)
class CaseFile:
    path: Path
    case: Case
    data: dict
    content_hash: str


class CaseFileError(Exception):
    def __init__(self, problems: Sequence[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in problems))


class _Locator:
    """Maps a path of keys/indexes (as pydantic reports it) to a line in the YAML."""

    def __init__(self, root: yaml.Node | None):
        self.root = root

    def line(self, loc: Iterable[object]) -> int:
        node = self.root
        best = node.start_mark.line + 1 if node is not None else 1
        for key in loc:
            if isinstance(node, yaml.MappingNode):
                nxt = next((v for k, v in node.value if k.value == key), None)
                if nxt is None:
                    nxt_key = next((k for k, _ in node.value if k.value == key), None)
                    return nxt_key.start_mark.line + 1 if nxt_key is not None else best
                node = nxt
            elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
                node = node.value[key]
            else:
                break
            best = node.start_mark.line + 1
        return best


def _parse_yaml(path: Path, text: str) -> tuple[object, _Locator]:
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        raise CaseFileError([Problem(str(path), line, f"YAML syntax: {exc.problem or exc.context}")]) from None
    except yaml.YAMLError as exc:
        raise CaseFileError([Problem(str(path), 1, f"YAML: {exc}")]) from None
    except RecursionError:
        # PyYAML recurses once per nesting level: a few hundred brackets exhaust the stack.
        raise CaseFileError([Problem(str(path), 1, "YAML is nested too deeply to be a case file")]) from None
    return data, _Locator(root)


def _read(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise CaseFileError([Problem(str(path), 0, f"cannot read file: {exc.strerror}")]) from None
    if len(raw) > MAX_FILE_BYTES:
        raise CaseFileError([Problem(str(path), 1, f"file is larger than {MAX_FILE_BYTES // 1024} KB")])
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise CaseFileError([Problem(str(path), line, "file is not valid UTF-8")]) from None


def _schema_problems(path: Path, exc: ValidationError, where: _Locator) -> list[Problem]:
    out = []
    for err in exc.errors(include_url=False):
        # pydantic adds the union member's tag ("history", "decision"...) to the path.
        loc = [p for p in err["loc"] if p not in ("history", "exam", "decision", "outcome")]
        field = ".".join(str(p) for p in loc) or "(top level)"
        out.append(Problem(str(path), where.line(loc), f"{field}: {err['msg']}"))
    return out


@lru_cache(maxsize=4)
def load_catalogue(path: Path = GUIDANCE_FILE) -> dict[str, GuidanceEntry]:
    text = _read(path)
    data, where = _parse_yaml(path, text)
    try:
        catalogue = GuidanceCatalogue.model_validate(data)
    except ValidationError as exc:
        raise CaseFileError(_schema_problems(path, exc, where)) from None
    entries = {}
    for i, entry in enumerate(catalogue.guidance):
        if entry.id in entries:
            raise CaseFileError([Problem(str(path), where.line(["guidance", i, "id"]), f"duplicate id {entry.id}")])
        entries[entry.id] = entry
    return entries


def content_hash(data: dict) -> str:
    """Hash of the validated content, not the bytes: comments and key order don't
    make a new version; any change an attempt could notice does."""
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def read_case(path: Path, catalogue: dict[str, GuidanceEntry] | None = None) -> CaseFile:
    """Parse and fully check one file; raises CaseFileError listing every problem."""
    path = Path(path)
    text = _read(path)
    data, where = _parse_yaml(path, text)
    if not isinstance(data, dict):
        raise CaseFileError([Problem(str(path), 1, "a case file must be a mapping (key: value) at the top level")])
    try:
        case = Case.model_validate(data)
    except ValidationError as exc:
        raise CaseFileError(_schema_problems(path, exc, where)) from None
    catalogue = load_catalogue() if catalogue is None else catalogue
    found = presentation_problems(case) + graph_problems(case, catalogue)
    problems = [Problem(str(path), where.line(loc), msg) for loc, msg in found]
    if problems:
        raise CaseFileError(problems)
    normal = case.model_dump(mode="json", by_alias=True, exclude_defaults=False)
    return CaseFile(path=path, case=case, data=normal, content_hash=content_hash(normal))


def presentation_problems(case: Case) -> list[tuple[list, str]]:
    """The heading learners see instead of the title. Returns (yaml path, message) pairs."""
    if not case.presentation.strip():
        return [(["title"], "presentation: missing: the heading learners see until the debrief (the title names the diagnosis)")]
    if case.presentation.strip().casefold() == case.title.strip().casefold():
        return [(["presentation"], "presentation: repeats the title; say what the patient brings, not what they have")]
    return []


def graph_problems(case: Case, catalogue: dict[str, GuidanceEntry]) -> list[tuple[list, str]]:
    """Semantic checks pydantic cannot express. Returns (yaml path, message) pairs."""
    out: list[tuple[list, str]] = []
    stage_ids: dict[str, int] = {}
    option_ids: dict[str, list] = {}
    for i, stage in enumerate(case.stages):
        if stage.id in stage_ids:
            out.append((["stages", i, "id"], f"duplicate stage id '{stage.id}'"))
        stage_ids.setdefault(stage.id, i)
        for j, opt in enumerate(getattr(stage, "options", [])):
            if opt.id in option_ids:
                out.append((["stages", i, "options", j, "id"], f"duplicate option id '{opt.id}' (ids are unique per case)"))
            option_ids.setdefault(opt.id, ["stages", i, "options", j])
    if out:
        return out

    def check_guidance(ids: Iterable[str], loc: list) -> None:
        for gid in ids:
            if gid not in catalogue:
                out.append((loc, f"unknown guidance id '{gid}' (see cases/guidance.yaml)"))

    for key in ("present", "screen"):
        for k, gid in enumerate(getattr(case.red_flags, key)):
            check_guidance([gid], ["red_flags", key, k])
            if gid in catalogue and catalogue[gid].kind.value != "red_flag":
                out.append((["red_flags", key, k], f"'{gid}' is a {catalogue[gid].kind.value}, not a red flag"))

    def targets(nxt, loc: list) -> list[str]:
        if nxt is None:
            return []
        rules = [Transition(goto=nxt)] if isinstance(nxt, str) else nxt
        found = []
        for r_i, rule in enumerate(rules):
            rloc = loc if isinstance(nxt, str) else [*loc, r_i]
            if rule.goto not in stage_ids:
                out.append((rloc, f"next stage '{rule.goto}' does not exist"))
            else:
                found.append(rule.goto)
            for oid in rule.when_any:
                if oid not in option_ids:
                    out.append((rloc, f"when_any names unknown option '{oid}'"))
        if not isinstance(nxt, str) and rules and rules[-1].when_any:
            out.append((loc, "the last rule of a conditional next needs no when_any (the default)"))
        return found

    edges: dict[str, set[str]] = {}
    screenable: set[str] = set()
    for i, stage in enumerate(case.stages):
        loc = ["stages", i]
        succ: set[str] = set()
        if isinstance(stage, PickStage):
            succ.update(targets(stage.next, [*loc, "next"]))
            for j, opt in enumerate(stage.options):
                check_guidance(opt.screens, [*loc, "options", j, "screens"])
                check_guidance(opt.triggers, [*loc, "options", j, "triggers"])
                if not opt.reveals.strip():
                    out.append(([*loc, "options", j], f"option '{opt.id}' has no 'reveals' text"))
                if not opt.unsafe and opt.yield_.value != "low":
                    screenable.update(opt.screens)
        elif isinstance(stage, DecisionStage):
            stage_next = targets(stage.next, [*loc, "next"])
            for j, opt in enumerate(stage.options):
                check_guidance(opt.cites, [*loc, "options", j, "cites"])
                check_guidance(opt.triggers, [*loc, "options", j, "triggers"])
                own = targets(opt.next, [*loc, "options", j, "next"])
                if opt.next is None and stage.next is None:
                    out.append(([*loc, "options", j], f"dead end: option '{opt.id}' and its stage have no next"))
                succ.update(own or stage_next)
            if not any(o.grade is Grade.best for o in stage.options):
                out.append(([*loc, "options"], f"decision '{stage.id}' has no option graded best"))
        else:
            check_guidance(stage.cites, [*loc, "cites"])
        edges[stage.id] = succ

    if case.start not in stage_ids:
        out.append((["start"], f"start stage '{case.start}' does not exist"))
        return out
    if out:
        return out

    # Reachability and cycles (the engine relies on a DAG: each option chosen once).
    seen: set[str] = set()
    stack = [case.start]
    while stack:
        sid = stack.pop()
        if sid not in seen:
            seen.add(sid)
            stack.extend(edges[sid])
    for sid, i in stage_ids.items():
        if sid not in seen:
            out.append((["stages", i, "id"], f"stage '{sid}' is unreachable from start '{case.start}'"))
    colour: dict[str, int] = {}

    def has_cycle(sid: str) -> bool:
        colour[sid] = 1
        for nxt in edges[sid]:
            if colour.get(nxt) == 1 or (nxt not in colour and has_cycle(nxt)):
                return True
        colour[sid] = 2
        return False

    if has_cycle(case.start):
        out.append((["stages"], "the stages form a loop; every path must end in an outcome"))
        return out
    for sid, i in stage_ids.items():
        stage = case.stages[i]
        if not isinstance(stage, OutcomeStage) and not edges[sid]:
            out.append((["stages", i], f"dead end: stage '{sid}' leads nowhere and is not an outcome"))
    if not any(isinstance(s, OutcomeStage) for s in case.stages):
        out.append((["stages"], "the case has no outcome stage"))

    for key in ("present", "screen"):
        for k, gid in enumerate(getattr(case.red_flags, key)):
            if gid not in screenable:
                what = "present" if key == "present" else "to screen"
                out.append((["red_flags", key, k], f"red flag {what} '{gid}' is screened by no essential/useful option"))
    if out:
        return out
    out.extend(_best_path_problems(case, catalogue))
    return out


def _best_path_problems(case: Case, catalogue: dict[str, GuidanceEntry]) -> list[tuple[list, str]]:
    from trainer.engine import TOP_BAND, Playbook  # engine is pure Python too

    book = Playbook(case, catalogue)
    best = book.best_choices
    if not best:
        return [(["stages"], "the case has no best path (follow the options graded best: it must reach an outcome)")]
    report = book.debrief(best)
    out: list[tuple[list, str]] = []
    if report.outcome is None or not report.outcome.good:
        out.append((["stages"], "the best path ends in an outcome that is not marked good: true"))
    if report.unsafe:
        out.append((["stages"], "the best path is flagged unsafe: " + "; ".join(report.safety_reasons)))
    scored = {r.dimension for r in report.decisions}
    for dim in (Dimension.workup, Dimension.assessment, Dimension.plan):
        if dim.value not in scored:
            out.append((["stages"], f"the best path has no decision that scores '{dim.value}'"))
    if not out and report.total < TOP_BAND:
        out.append((["stages"], f"the best path scores {report.total}, below the top band ({TOP_BAND})"))
    return out


def library_files(paths: Sequence[str | Path] = ()) -> list[Path]:
    if not paths:
        return sorted(LIBRARY_DIR.glob("*.yaml"))
    files: list[Path] = []
    for p in map(Path, paths):
        files.extend(sorted(p.glob("*.yaml")) if p.is_dir() else [p])
    return files


def read_library(paths: Sequence[str | Path] = ()) -> tuple[list[CaseFile], list[Problem]]:
    """Read every file; return the good ones and every problem (across files and
    across cases, e.g. two files claiming the same case id)."""
    good: list[CaseFile] = []
    problems: list[Problem] = []
    try:
        catalogue = load_catalogue()
    except CaseFileError as exc:
        return [], exc.problems
    files = library_files(paths)
    if not files:
        problems.append(Problem(str(paths[0]) if paths else str(LIBRARY_DIR), 0, "no case files (*.yaml) found"))
    for path in files:
        try:
            good.append(read_case(path, catalogue))
        except CaseFileError as exc:
            problems.extend(exc.problems)
    for attr in ("id", "slug"):
        seen: dict[str, Path] = {}
        for cf in good:
            value = getattr(cf.case, attr)
            if value in seen:
                problems.append(Problem(str(cf.path), 1, f"case {attr} '{value}' is also used by {seen[value]}"))
            seen.setdefault(value, cf.path)
    return good, problems
