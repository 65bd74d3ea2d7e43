"""Read and check case files: schema and graph, every error located by file and line.

Pure Python (no Django), so authors and the test suite can run it anywhere:
`python manage.py lint_cases` and `load_cases` are thin wrappers around it.
"""

from __future__ import annotations

import hashlib
import re
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import ValidationError

from cases.format import (
    INLINE_TAGS,
    RICH_TEXT_FIELDS,
    SECTION_HEADINGS,
    Case,
    DecisionStage,
    Dimension,
    GuidanceCatalogue,
    GuidanceEntry,
    Grade,
    OutcomeStage,
    PickStage,
    Transition,
    ref_codes,
)
from cases.messages import explain_yaml_error, schema_messages

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
    where: _Locator | None = field(default=None, compare=False, repr=False)
    # Not errors: the case loads, but something will not show as the author wrote it.
    warnings: tuple[Problem, ...] = field(default=(), compare=False)

    def line(self, *loc: object) -> int:
        return self.where.line(loc) if self.where else 1


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
                pair = next(((k, v) for k, v in node.value if k.value == key), None)
                if pair is None:
                    return best
                # The key's line: a list or block value starts on the line after it.
                best, node = pair[0].start_mark.line + 1, pair[1]
            elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
                node = node.value[key]
                best = node.start_mark.line + 1
            else:
                break
        return best


def _parse_yaml(path: Path, text: str) -> tuple[object, _Locator]:
    if not text.strip() or all(not ln.strip() or ln.lstrip().startswith("#") for ln in text.splitlines()):
        raise CaseFileError([Problem(str(path), 1, "the file is empty (only blank lines or comments)")])
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        line, message = explain_yaml_error(exc, text)
        raise CaseFileError([Problem(str(path), line, f"YAML syntax: {message}")]) from None
    except yaml.YAMLError as exc:
        raise CaseFileError([Problem(str(path), 1, f"YAML: {exc}")]) from None
    except RecursionError:
        # PyYAML recurses once per nesting level: a few hundred brackets exhaust the stack.
        raise CaseFileError([Problem(str(path), 1, "YAML is nested too deeply to be a case file")]) from None
    duplicates = _duplicate_keys(root)
    if duplicates:
        raise CaseFileError([Problem(str(path), line, msg) for line, msg in duplicates])
    return data, _Locator(root)


def _duplicate_keys(node: yaml.Node | None) -> list[tuple[int, str]]:
    """PyYAML keeps the last of two equal keys without a word: an author's second
    `reveals:` would silently replace the first."""
    out: list[tuple[int, str]] = []
    stack = [node] if node is not None else []
    while stack:
        current = stack.pop()
        if isinstance(current, yaml.MappingNode):
            first: dict[str, int] = {}
            for key, value in current.value:
                if isinstance(key, yaml.ScalarNode):
                    line = key.start_mark.line + 1
                    if key.value in first:
                        out.append((line, f"'{key.value}' appears twice in one block (first on line {first[key.value]}); keep one"))
                    first.setdefault(key.value, line)
                stack.append(value)
        elif isinstance(current, yaml.SequenceNode):
            stack.extend(current.value)
    return sorted(out)


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


def _schema_problems(path: Path, exc: ValidationError, where: _Locator, data: object = None) -> list[Problem]:
    return [Problem(str(path), where.line(loc), msg) for loc, msg in schema_messages(exc, data)]


@lru_cache(maxsize=4)
def load_catalogue(path: Path = GUIDANCE_FILE) -> dict[str, GuidanceEntry]:
    text = _read(path)
    data, where = _parse_yaml(path, text)
    try:
        catalogue = GuidanceCatalogue.model_validate(data)
    except ValidationError as exc:
        raise CaseFileError(_schema_problems(path, exc, where, data)) from None
    entries = {}
    for i, entry in enumerate(catalogue.guidance):
        if entry.id in entries:
            raise CaseFileError([Problem(str(path), where.line(["guidance", i, "id"]), f"duplicate id {entry.id}")])
        entries[entry.id] = entry
        codes = ref_codes(entry.ref)
        unknown = [c for c in codes if c not in SECTION_HEADINGS]
        if unknown:
            known = ", ".join(SECTION_HEADINGS)
            raise CaseFileError([Problem(str(path), where.line(["guidance", i, "ref"]), f"{entry.id}: ref cites unknown section code(s) {', '.join(unknown)} (known: {known}; FAQ-... and 'PRO step N' also work)")])
        if entry.section != SECTION_HEADINGS[codes[0]]:
            raise CaseFileError([Problem(str(path), where.line(["guidance", i, "section"]), f"{entry.id}: section should be the heading of the ref's first code {codes[0]}: \"{SECTION_HEADINGS[codes[0]]}\"")])
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
        raise CaseFileError([Problem(str(path), 1, "a case file must be a mapping (key: value lines) at the top level")])
    try:
        case = Case.model_validate(data)
    except ValidationError as exc:
        raise CaseFileError(sorted(_schema_problems(path, exc, where, data), key=lambda p: p.line)) from None
    catalogue = load_catalogue() if catalogue is None else catalogue
    found = presentation_problems(case) + graph_problems(case, catalogue)
    problems = sorted((Problem(str(path), where.line(loc), msg) for loc, msg in found), key=lambda p: p.line)
    if problems:
        raise CaseFileError(problems)
    normal = case.model_dump(mode="json", by_alias=True, exclude_defaults=False)
    warnings = tuple(
        sorted(
            [Problem(str(path), line, msg) for line, msg in comment_warnings(text)]
            + [Problem(str(path), where.line(loc), msg) for loc, msg in markup_warnings(data)],
            key=lambda w: w.line,
        )
    )
    return CaseFile(path=path, case=case, data=normal, content_hash=content_hash(normal), where=where, warnings=warnings)


_TAG = re.compile(r"</?([A-Za-z][A-Za-z0-9]*)\b[^>]*>")
_MARKDOWN = re.compile(r"\*\*\S[^*]*\*\*|__\S[^_]*__")


def markup_warnings(data: object, loc: tuple = ()) -> list[tuple[list, str]]:
    """Markup that will not show as written: a tag in plain text appears as typed, a tag
    outside the inline set is removed from rich text, and Markdown is not rendered."""
    out: list[tuple[list, str]] = []
    if isinstance(data, dict):
        for key, value in data.items():
            out.extend(markup_warnings(value, (*loc, key)))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            out.extend(markup_warnings(value, (*loc, i)))
    elif isinstance(data, str):
        field_name = next((k for k in reversed(loc) if isinstance(k, str)), "")
        tags = sorted({m.group(1).lower() for m in _TAG.finditer(data)})
        if field_name in RICH_TEXT_FIELDS:
            removed = [t for t in tags if t not in INLINE_TAGS]
            if removed:
                out.append((list(loc), f"{field_name}: <{'>, <'.join(removed)}> will be removed when shown (allowed: {', '.join(sorted(INLINE_TAGS))})"))
        elif tags:
            out.append((list(loc), f"{field_name}: <{'>, <'.join(tags)}> will show as typed: this field is plain text"))
        if _MARKDOWN.search(data):
            out.append((list(loc), f"{field_name}: Markdown (**bold**) is not rendered; use <strong> in rich text"))
    return out


_TEXT_KEYS = "label|reveals|reason|prompt|title|text|presentation|setting|occupation"
_COMMENT_IN_TEXT = re.compile(rf"^\s*(?:-\s+)?(?:{_TEXT_KEYS}):\s+(?!['\"|>])[^#\n]*\S\s+#")


def comment_warnings(text: str) -> list[tuple[int, str]]:
    """Unquoted text with ' #' in it: YAML drops the rest of the line as a comment."""
    return [
        (n, "text after ' #' is a YAML comment and is dropped: put the whole text in quotes")
        for n, line in enumerate(text.splitlines(), 1)
        if _COMMENT_IN_TEXT.match(line)
    ]


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
        for k, gid in enumerate(ids):
            if gid not in catalogue:
                out.append(([*loc, k], f"unknown guidance id '{gid}' (see cases/guidance.yaml)"))

    for key in ("present", "screen"):
        check_guidance(getattr(case.red_flags, key), ["red_flags", key])
        for k, gid in enumerate(getattr(case.red_flags, key)):
            if gid in catalogue and catalogue[gid].kind.value != "red_flag":
                out.append((["red_flags", key, k], f"'{gid}' is a {catalogue[gid].kind.value}, not a red flag"))

    conditions: list[tuple[str, list, str]] = []  # (stage id, rule's yaml path, option id in when_any)

    def targets(nxt, loc: list, sid: str) -> list[str]:
        if nxt is None:
            return []
        rules = [Transition(goto=nxt)] if isinstance(nxt, str) else nxt
        found = []
        earlier: set[str] | None = set()  # options earlier rules match on; None after a default
        default_at = 0  # which rule (1-based) is that default
        for r_i, rule in enumerate(rules):
            rloc = loc if isinstance(nxt, str) else [*loc, r_i]
            # The engine takes the first rule that matches, so a rule behind a default, or
            # one whose options all lead an earlier rule to match, is never read.
            if earlier is None or (rule.when_any and set(rule.when_any) <= earlier):
                why = f"rule {default_at} has no when_any and always applies" if earlier is None else "every option it names already matches an earlier rule"
                out.append((rloc, f"next rule {r_i + 1} (goto '{rule.goto}') can never apply: {why}; the engine takes the first rule that matches"))
            if earlier is not None:
                earlier = earlier | set(rule.when_any) if rule.when_any else None
                default_at = r_i + 1
            if rule.goto not in stage_ids:
                out.append((rloc, f"next stage '{rule.goto}' does not exist"))
            else:
                found.append(rule.goto)
            for oid in rule.when_any:
                if oid not in option_ids:
                    out.append((rloc, f"when_any names unknown option '{oid}'"))
                else:
                    conditions.append((sid, rloc, oid))
        if not isinstance(nxt, str) and rules and rules[-1].when_any:
            out.append((loc, "the last rule of a conditional next needs no when_any (the default)"))
        return found

    edges: dict[str, set[str]] = {}
    screenable: set[str] = set()
    for i, stage in enumerate(case.stages):
        loc = ["stages", i]
        succ: set[str] = set()
        if isinstance(stage, PickStage):
            succ.update(targets(stage.next, [*loc, "next"], stage.id))
            for j, opt in enumerate(stage.options):
                check_guidance(opt.screens, [*loc, "options", j, "screens"])
                check_guidance(opt.triggers, [*loc, "options", j, "triggers"])
                if not opt.reveals.strip():
                    out.append(([*loc, "options", j], f"option '{opt.id}' has no 'reveals' text"))
                if not opt.unsafe and opt.yield_.value != "low":
                    screenable.update(opt.screens)
                if opt.unsafe and opt.yield_.value == "essential":
                    out.append(([*loc, "options", j], f"option '{opt.id}' is both unsafe and essential: the best path cannot take it"))
        elif isinstance(stage, DecisionStage):
            stage_next = targets(stage.next, [*loc, "next"], stage.id)
            for j, opt in enumerate(stage.options):
                check_guidance(opt.cites, [*loc, "options", j, "cites"])
                check_guidance(opt.triggers, [*loc, "options", j, "triggers"])
                own = targets(opt.next, [*loc, "options", j, "next"], stage.id)
                if opt.next is None and stage.next is None:
                    out.append(([*loc, "options", j], f"dead end: option '{opt.id}' and its stage have no next"))
                succ.update(own or stage_next)
                # Rubric D4: a wrong assessment "shows its pf id" (or tp-symptom-not-diagnosis,
                # which its ids list too), so the debrief can name the trap.
                wrong = opt.grade in (Grade.poor, Grade.dangerous)
                if stage.scores is Dimension.assessment and wrong and not any(t.startswith(("pf-", "tp-")) for t in opt.triggers):
                    out.append(([*loc, "options", j], f"assessment option '{opt.id}' is graded {opt.grade.value} but triggers no pitfall: add the pf- id it falls into (or the tp- point it goes against) to triggers"))
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
    loop = _find_loop(case.start, edges)
    if loop:
        back, first = loop[-2], loop[-1]  # the next of `back` that leads to `first` closes the loop
        i = stage_ids[back]
        stage = case.stages[i]
        closing = [*_loc_of_next_to(stage, first)]
        out.append(
            (["stages", i, *closing], "the stages form a loop (" + " -> ".join(loop) + f"): change this next of '{back}'; every path must end in an outcome")
        )
        return out
    for sid, i in stage_ids.items():
        stage = case.stages[i]
        if not isinstance(stage, OutcomeStage) and not edges[sid]:
            out.append((["stages", i], f"dead end: stage '{sid}' leads nowhere and is not an outcome"))
    if not any(isinstance(s, OutcomeStage) for s in case.stages):
        out.append((["stages"], "the case has no outcome stage"))
    out.extend(_unmatchable_conditions(conditions, edges, {oid: case.stages[loc[1]].id for oid, loc in option_ids.items()}))
    if _has_ext(case) and not case.ext_notes:
        out.append((["title"], "ext_notes: missing: the case marks content ext; say in plain words what goes beyond the source, for the reviewing clinician"))

    for key in ("present", "screen"):
        for k, gid in enumerate(getattr(case.red_flags, key)):
            if gid not in screenable:
                what = "present" if key == "present" else "to screen"
                out.append((["red_flags", key, k], f"red flag {what} '{gid}' is screened by no essential/useful option"))
    if out:
        return out
    out.extend(_best_path_problems(case, catalogue))
    return out


def _loc_of_next_to(stage, target: str) -> list:
    """Where in a stage the `next` leading to `target` is written: the stage's own, or an option's."""
    def leads(nxt) -> bool:
        return nxt == target if isinstance(nxt, str) else any(r.goto == target for r in nxt or [])

    for j, opt in enumerate(getattr(stage, "options", [])):
        if getattr(opt, "next", None) is not None and leads(opt.next):
            return ["options", j, "next"]
    return ["next"] if leads(getattr(stage, "next", None)) else ["id"]


def _find_loop(start: str, edges: dict[str, set[str]]) -> list[str]:
    """A loop reachable from start, as the stage ids around it (first repeated at the end), or []."""
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    path: list[str] = []

    def visit(sid: str) -> list[str]:
        state[sid] = 1
        path.append(sid)
        for nxt in sorted(edges[sid]):
            if state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        path.pop()
        state[sid] = 2
        return []

    return visit(start)


def _unmatchable_conditions(conditions, edges: dict[str, set[str]], stage_of: dict[str, str]) -> list[tuple[list, str]]:
    """A when_any can only match an option chosen before the rule is read: one on
    this stage or on a stage that can lead here. Any other id makes the rule dead."""
    before: dict[str, set[str]] = {sid: set() for sid in edges}
    for sid, succ in edges.items():
        for nxt in succ:
            before[nxt].add(sid)
    out = []
    for sid, loc, oid in conditions:
        seen, stack = {sid}, [sid]
        while stack:
            for prev in before[stack.pop()] - seen:
                seen.add(prev)
                stack.append(prev)
        if stage_of[oid] not in seen:
            out.append((loc, f"when_any names '{oid}' (stage '{stage_of[oid]}'), which can never have been chosen when '{sid}' is left: list options from '{sid}' or the stages before it"))
    return out


def _has_ext(case: Case) -> bool:
    return any(getattr(s, "ext", False) or any(o.ext for o in getattr(s, "options", [])) for s in case.stages)


def _best_path_problems(case: Case, catalogue: dict[str, GuidanceEntry]) -> list[tuple[list, str]]:
    from trainer.engine import Playbook  # engine and scoring are pure Python too
    from trainer.scoring import TOP_BAND

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
    files: list[Path] = []
    for p in map(Path, paths or [LIBRARY_DIR]):
        # .yml too: an author's file skipped without a word would look checked.
        files.extend(sorted([*p.glob("*.yaml"), *p.glob("*.yml")]) if p.is_dir() else [p])
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
        problems.append(Problem(str(paths[0]) if paths else str(LIBRARY_DIR), 0, "no case files (*.yaml, *.yml) found"))
    for path in files:
        try:
            good.append(read_case(path, catalogue))
        except CaseFileError as exc:
            problems.extend(exc.problems)
    for cf in good:
        # A copy of C01 saved as C15-....yaml that still says `id: C01` would replace C01.
        if not _named_after(cf.path, cf.case.id):
            problems.append(
                Problem(str(cf.path), cf.line("id"), f"id {cf.case.id} does not match the file name: name the file {cf.case.id}-{cf.case.slug}.yaml, or give the case its own id")
            )
    for attr in ("id", "slug"):
        seen: dict[str, Path] = {}
        for cf in good:
            value = getattr(cf.case, attr)
            if value in seen:
                problems.append(Problem(str(cf.path), cf.line(attr), f"case {attr} '{value}' is also used by {seen[value]}"))
            seen.setdefault(value, cf.path)
    return good, problems


def _named_after(path: Path, case_id: str) -> bool:
    stem = path.name.split(".")[0]
    return stem == case_id or stem.startswith(f"{case_id}-")
