"""Read and check case files: schema and graph, every error located by file and line.
The graph checks themselves are in cases/graph.py.

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
    GuidanceCatalogue,
    GuidanceEntry,
    ref_codes,
)
from cases.graph import graph_problems
from cases.library_rules import library_problems, patient_name
from cases.messages import _where, explain_reader_error, explain_yaml_error, schema_messages

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
    library: bool = False  # held to the library's own rules (cases/library_rules.py)

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
    except yaml.reader.ReaderError as exc:
        # An invisible character pasted in with the text: PyYAML names only its offset in
        # the whole file ("position 1515"), on two lines, and the author cannot see it.
        line, message = explain_reader_error(exc, text)
        raise CaseFileError([Problem(str(path), line, message)]) from None
    except yaml.YAMLError as exc:
        raise CaseFileError([Problem(str(path), 1, f"YAML: {exc}")]) from None
    except RecursionError:
        # PyYAML recurses once per nesting level: a few hundred brackets exhaust the stack.
        raise CaseFileError([Problem(str(path), 1, "YAML is nested too deeply to be a case file")]) from None
    aliased = _alias_problem(root)
    if aliased:
        raise CaseFileError([Problem(str(path), *aliased)])
    duplicates = _duplicate_keys(root)
    if duplicates:
        raise CaseFileError([Problem(str(path), line, msg) for line, msg in duplicates])
    return data, _Locator(root)


MAX_VALUES = 100_000  # a library case is under 1,000 keys and values


def _alias_problem(root: yaml.Node | None) -> tuple[int, str] | None:
    """An alias (*name) stands for the whole block its anchor (&name) marks. One used
    inside its own block never ends (the checks below looped forever on `&a [*a]`), and
    aliases of aliases multiply: a few lines can stand for millions of values."""
    sizes: dict[int, int] = {}
    open_: set[int] = set()

    def size(node: yaml.Node) -> int:
        if id(node) in open_:
            raise _AliasLoop(node.start_mark.line + 1)
        if id(node) not in sizes:
            open_.add(id(node))
            children = [n for pair in node.value for n in pair] if isinstance(node, yaml.MappingNode) else node.value if isinstance(node, yaml.SequenceNode) else []
            sizes[id(node)] = min(1 + sum(size(child) for child in children), MAX_VALUES + 1)
            open_.discard(id(node))
        return sizes[id(node)]

    if root is None:
        return None
    try:
        total = size(root)
    except RecursionError:  # compose itself stops only a little deeper
        return 1, "YAML is nested too deeply to be a case file"
    except _AliasLoop as loop:
        return loop.line, "the block anchored here (&name) is used (*name) inside itself, so it would never end: write the content out instead of the alias"
    if total > MAX_VALUES:
        return 1, f"aliases (*name) repeat anchored blocks (&name) so often that the file stands for more than {MAX_VALUES:,} values: write the content out instead"
    return None


class _AliasLoop(Exception):
    def __init__(self, line: int):
        self.line = line


def _duplicate_keys(node: yaml.Node | None) -> list[tuple[int, str]]:
    """PyYAML keeps the last of two equal keys without a word: an author's second
    `reveals:` would silently replace the first."""
    out: list[tuple[int, str]] = []
    stack = [node] if node is not None else []
    seen: set[int] = set()  # an aliased block is one node reached twice: check it once
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, yaml.MappingNode):
            first: dict[str, int] = {}
            twice: list[tuple[int, str]] = []
            for key, value in current.value:
                if isinstance(key, yaml.ScalarNode):
                    line = key.start_mark.line + 1
                    if key.value in first:
                        twice.append((line, key.value))
                    first.setdefault(key.value, line)
                stack.append(value)
            second_id = next((line for line, key in twice if key == "id"), None)
            if second_id:
                # A second id is a new option or stage whose '- ' was left out: one message, not one per field.
                out.append((second_id, f"'id' appears twice in one block (first on line {first['id']}): if this line starts another option or stage, begin it with '- ', lined up with the one above"))
            else:
                out.extend((line, f"'{key}' appears twice in one block (first on line {first[key]}); keep one") for line, key in twice)
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
        # A byte-order mark (Notepad's "UTF-8 with BOM") is invisible: the first line must read as it looks.
        return raw.decode("utf-8").removeprefix("\ufeff")
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
        named = [] if entry.ext else ext_terms_in(entry.title, entry.statement)
        if named:
            raise CaseFileError([Problem(str(path), where.line(["guidance", i, "statement"]), f"{entry.id}: names {', '.join(named)}, which the source document does not: mark the item `ext: true`")])
    return entries


def content_hash(data: dict) -> str:
    """Hash of the validated content, not the bytes: comments and key order don't
    make a new version; any change an attempt could notice does."""
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def in_library(path: Path) -> bool:
    return Path(path).resolve().parent == LIBRARY_DIR


def read_case(path: Path, catalogue: dict[str, GuidanceEntry] | None = None, library: bool | None = None) -> CaseFile:
    """Parse and fully check one file; raises CaseFileError listing every problem.
    `library`: hold it to the library's own rules too (by default, when it is in cases/library/)."""
    path = Path(path)
    library = in_library(path) if library is None else library
    text = _read(path)
    data, where = _parse_yaml(path, text)
    if not isinstance(data, dict):
        raise CaseFileError([Problem(str(path), 1, "a case file must be a mapping (key: value lines) at the top level")])
    try:
        case = Case.model_validate(data)
    except ValidationError as exc:
        raise CaseFileError(sorted(_schema_problems(path, exc, where, data), key=lambda p: p.line)) from None
    catalogue = load_catalogue() if catalogue is None else catalogue
    found = presentation_problems(case) + blank_text_problems(data) + graph_problems(case, catalogue) + (library_problems(case, text) + ext_term_problems(case) if library else [])
    problems = sorted((Problem(str(path), loc if isinstance(loc, int) else where.line(loc), msg) for loc, msg in found), key=lambda p: p.line)
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
    return CaseFile(path=path, case=case, data=normal, content_hash=content_hash(normal), where=where, warnings=warnings, library=library)


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


# Named conditions and tests the source document does not contain: extension teaching
# (blueprint [ext]) wherever the library names them. A content audit found discitis unmarked
# in C04, C11 and C14 while C03 marked it, so the linter holds every library case to the
# list: such a term stands only in text marked `ext: true` (the option, or the stage that
# holds it), or, in a field nothing can mark (title, presentation, setting, vignette, objectives),
# with an ext_notes line naming it. Terms the source does contain (fracture, radiculopathy,
# imaging) and diagnoses the blueprint names without [ext] (cauda equina syndrome, septic
# arthritis, motor neuron disease) are not listed. Extend the list when a new case names
# another; keep each pattern narrow enough not to match a patient's name.
EXT_ONLY_TERMS: dict[str, str] = {
    "discitis": r"\bdiscitis\b",
    "osteomyelitis": r"\bosteomyelitis\b",
    "an epidural abscess or collection": r"\bepidural\b",
    "gout or pseudogout": r"\b(?:pseudo)?gout\b",
    "anal tone": r"\banal tone\b",
    "a bladder scan": r"\bbladder(?:-volume)? scan",
    "the Thompson (calf-squeeze) test": r"\bThompson(?: calf-squeeze)? test|\bcalf[- ]squeeze",
    "sacroiliac provocation tests": r"\b(?:sacroiliac|SI) provocation",
    "blood cultures": r"\bblood cultures?\b",
    "thyroid tests": r"\bthyroid\b|\bTSH\b",
    "an ECG": r"\bECGs?\b|\belectrocardiogra",
    "EMG or nerve conduction studies": r"\bEMG\b|\bnerve conduction\b",
    "axial spondyloarthritis": r"\bspondyl(?:o)?arthrit",
    "uveitis": r"\buveitis\b",
    "an aortic aneurysm": r"\baneurysm",
    "meningitis or meningism": r"\bmening(?:itis|ism|eal)\b",
    "dystonia": r"\bdystoni",
    "spinal stenosis": r"\bstenosis\b",
    "an avulsion": r"\bavulsion",
    "renal colic or a kidney stone": r"\brenal colic\b|\bkidney stones?\b",
}
_EXT_ONLY = {name: re.compile(pattern, re.IGNORECASE) for name, pattern in EXT_ONLY_TERMS.items()}
_UNMARKABLE_FIELDS = ("title", "presentation", "setting", "vignette")


def ext_terms_in(*texts: str) -> list[str]:
    """The extension-only terms (EXT_ONLY_TERMS) the texts name, in the list's order."""
    joined = "\n".join(texts)
    return [name for name, pattern in _EXT_ONLY.items() if pattern.search(joined)]


def ext_term_problems(case: Case) -> list[tuple[list, str]]:
    """Extension-only terms in text not marked ext. Returns (yaml path, message) pairs."""
    out: list[tuple[list, str]] = []
    noted = set(ext_terms_in(*case.ext_notes))
    unmarkable = [([key], getattr(case, key)) for key in _UNMARKABLE_FIELDS]
    unmarkable += [(["objectives", k], text) for k, text in enumerate(case.objectives)]
    for loc, text in unmarkable:
        for term in ext_terms_in(text):
            if term not in noted:
                out.append((loc, f"{loc[0]}: names {term}, which the source document does not, and this field cannot be marked ext: name it in an ext_notes line"))
    for i, stage in enumerate(case.stages):
        if stage.ext:
            continue
        own = [getattr(stage, key, "") or "" for key in ("title", "prompt", "text")]
        for term in ext_terms_in(*own):
            out.append((["stages", i, "id"], f"stage '{stage.id}': names {term}, which the source document does not: mark the stage `ext: true` and say what in ext_notes"))
        for j, opt in enumerate(getattr(stage, "options", [])):
            if opt.ext:
                continue
            texts = [opt.label, getattr(opt, "reveals", ""), getattr(opt, "reason", "")]
            for term in ext_terms_in(*texts):
                out.append((["stages", i, "options", j, "id"], f"stage '{stage.id}', option '{opt.id}': names {term}, which the source document does not: mark the option `ext: true` and say what in ext_notes"))
    return out


def blank_text_problems(data: object) -> list[tuple[list, str]]:
    """Text that is only spaces: the format's "at least one character" lets `label: ' '`
    through, and the learner is shown an empty button, reason or outcome. Checked here,
    not in the format, so that versions already stored load as they always have."""
    said_elsewhere = ("presentation", "reveals")  # presentation_problems and graph_problems name these
    return [(loc, f"{_where(loc, data)}is only spaces: write the text") for loc in _blank_strings(data) if loc[-1] not in said_elsewhere]


def _blank_strings(node: object, loc: tuple = ()) -> list[list]:
    if isinstance(node, dict):
        return [found for key, value in node.items() for found in _blank_strings(value, (*loc, key))]
    if isinstance(node, list):
        return [found for i, value in enumerate(node) for found in _blank_strings(value, (*loc, i))]
    return [list(loc)] if isinstance(node, str) and node and not node.strip() else []


def presentation_problems(case: Case) -> list[tuple[list, str]]:
    """The heading learners see instead of the title. Returns (yaml path, message) pairs."""
    if not case.presentation.strip():
        # Written but blank: point at it, not at the title, where a missing one is reported.
        where = ["presentation"] if case.presentation else ["title"]
        return [(where, "presentation: missing: the heading learners see until the debrief (the title names the diagnosis)")]
    if case.presentation.strip().casefold() == case.title.strip().casefold():
        return [(["presentation"], "presentation: repeats the title; say what the patient brings, not what they have")]
    return []


def library_files(paths: Sequence[str | Path] = ()) -> list[Path]:
    files: list[Path] = []
    for p in map(Path, paths or [LIBRARY_DIR]):
        # .yml too: an author's file skipped without a word would look checked.
        files.extend(sorted([*p.glob("*.yaml"), *p.glob("*.yml")]) if p.is_dir() else [p])
    return files


def read_library(paths: Sequence[str | Path] = (), library: bool | None = None) -> tuple[list[CaseFile], list[Problem]]:
    """Read every file; return the good ones and every problem (across files and
    across cases, e.g. two files claiming the same case id). `library`: as read_case."""
    good: list[CaseFile] = []
    problems: list[Problem] = []
    try:
        catalogue = load_catalogue(GUIDANCE_FILE)  # the module's, read now: a test may point it elsewhere
    except CaseFileError as exc:
        return [], exc.problems
    files = library_files(paths)
    if not files:
        problems.append(Problem(str(paths[0]) if paths else str(LIBRARY_DIR), 0, "no case files (*.yaml, *.yml) found"))
    for path in files:
        try:
            good.append(read_case(path, catalogue, library))
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
    # Learners mix up two stories told about one patient (the docs: no two cases may use the same name).
    named: dict[str, Path] = {}
    for cf in (cf for cf in good if cf.library):
        name = patient_name(cf.case.vignette)
        if name in named:
            problems.append(Problem(str(cf.path), cf.line("vignette"), f"the patient's name '{name}' is also used by {named[name]}: give this patient a name of their own"))
        named.setdefault(name, cf.path)
    return good, problems


def _named_after(path: Path, case_id: str) -> bool:
    stem = path.name.split(".")[0]
    return stem == case_id or stem.startswith(f"{case_id}-")
