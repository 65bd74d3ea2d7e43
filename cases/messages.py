"""Parser errors in an author's words.

PyYAML and pydantic describe what they expected ("expected <block end>, but found
'<scalar>'", "stages.0.history.next.constrained-str: String should match pattern
'^[A-Za-z0-9]...'"). Authors need what is wrong with their line and how to fix it.
cases/lint.py locates each problem; this module words it.
"""

from __future__ import annotations

import datetime
import difflib
import re

import yaml
from pydantic import ValidationError

from cases.format import (
    GUIDANCE_ID_PATTERN,
    ID_PATTERN,
    Case,
    DecisionOption,
    DecisionStage,
    GuidanceCatalogue,
    GuidanceEntry,
    Option,
    OutcomeStage,
    Patient,
    PickStage,
    RedFlags,
    Tags,
    Transition,
)

APOSTROPHE = "inside single quotes, write an apostrophe twice: 'don''t'"
DOUBLE_QUOTE = 'inside double quotes, write a double quote as \\"'


def explain_yaml_error(exc: yaml.MarkedYAMLError, text: str) -> tuple[int, str]:
    """(line, message) for a YAML syntax error, at the line where the trouble starts
    rather than where the parser gave up."""
    problem, context = exc.problem or "", exc.context or ""
    mark = exc.problem_mark or exc.context_mark
    at = mark.line + 1 if mark else 1
    began = exc.context_mark.line + 1 if exc.context_mark else at
    if "'\\t'" in problem:  # PyYAML quotes the tab as the two characters backslash, t
        line = _line(text, at)
        if mark and line[: mark.column].strip(" -"):  # after the key or within the text, not in the indentation
            return at, f"a tab character in the text (column {mark.column + 1}): replace it with a space"
        return at, "a tab character: indent with spaces only"
    if "could not find expected ':'" in problem and "simple key" in context:
        # `yield:low` or `title History`: YAML reads on, looking for the colon, and gives up a line later.
        return began, NO_COLON
    if "mapping values are not allowed" in problem:
        if mark and _is_overindented_key(text, mark):
            return at, "this key is indented further than the keys above it, so YAML reads it as more of the text before: line it up with them"
        if mark and _key_without_colon_above(text, mark):
            return at - 1, NO_COLON
        return at, "a second ': ' in text that is not in quotes: put the whole text in quotes, or start it with >- and continue on the next line"
    if "quoted scalar" in context:
        opening = _QUOTED_VALUE.match((text.splitlines() or [""])[min(began, len(text.splitlines())) - 1])
        hint = DOUBLE_QUOTE if opening and opening.group(1) == '"' else APOSTROPHE
        return began, f"a quote opened on line {began} is never closed ({hint})"
    if "flow sequence" in context or "flow mapping" in context:
        return began, f"a '[' or '{{' opened on line {began} is not closed (put text that starts with [ or {{ in quotes)"
    if "expected alphabetic or numeric character" in problem or "found character" in problem:
        return at, "text that starts with a character YAML reserves (* & ! | > % @ `): put the whole text in quotes"
    if "expected <block end>" in problem and "<scalar>" in problem:
        # A quote left open runs on over the following lines until the next quote
        # mark, and YAML gives up there: point at the line where it was opened.
        opened, quote = _unclosed_quote_before(text, at)
        if opened:
            hint = APOSTROPHE if quote == "'" else DOUBLE_QUOTE
            return opened, f"a quote opened on line {opened} is not closed on that line ({hint})"
        bracketed = _bracketed_text_before(text, at)
        if bracketed:
            return bracketed, "text that starts with [ or { is read as a list: put the whole text in quotes"
        return at, f"text continues after a closing quote ({APOSTROPHE}), or this line is indented differently from the lines above"
    if "expected <block end>" in problem or "expected <block mapping start>" in problem:
        return at, f"this line is indented differently from the lines above it (the block began on line {began})"
    return at, problem or context


def explain_reader_error(exc: yaml.reader.ReaderError, text: str) -> tuple[int, str]:
    """(line, message) for a character YAML refuses to read (NUL, a bell, another
    control character), which shows as nothing in most editors: say where on the line."""
    before = text[: exc.position]
    line = before.count("\n") + 1
    column = exc.position - (before.rfind("\n") + 1) + 1
    code = exc.character if isinstance(exc.character, int) else ord(exc.character)
    return line, (
        f"an invisible or control character (U+{code:04X}) at column {column}, which a case file cannot hold "
        "(it often comes with text pasted from a PDF or a word processor): delete it, or retype the text around it"
    )


NO_COLON = "a key without ': ' after it: write key: value, with a space after the colon"


def _line(text: str, number: int) -> str:
    lines = text.splitlines()
    return lines[number - 1] if 0 < number <= len(lines) else ""


def _key_without_colon_above(text: str, mark) -> bool:
    """The line above this key, at the same indentation, is one bare word or phrase with no
    colon (`title History`): YAML joined the two lines into one text and met this key's ':'."""
    above, here = _line(text, mark.line), _line(text, mark.line + 1)
    key = _KEY_AT_START.match(here)
    indent = len(above) - len(above.lstrip(" "))
    return bool(key) and mark.column == key.end() - 1 and indent == len(key.group(1)) and bool(above.strip()) and ":" not in above and not above.lstrip().startswith(("#", "- "))


_QUOTED_VALUE = re.compile(r"""^\s*(?:-\s+)?(?:[\w.-]+:\s+)?(['"])(.*)$""")


def _is_overindented_key(text: str, mark) -> bool:
    """The ': ' YAML stumbled on ends a line's first word, a key, which is indented
    further than the line above: the author pushed a key right, not a colon into text."""
    lines = text.splitlines()
    if not 0 < mark.line < len(lines):
        return False
    key = _KEY_AT_START.match(lines[mark.line])
    above = lines[mark.line - 1]
    return bool(key) and mark.column == key.end() - 1 and len(key.group(1)) > len(above) - len(above.lstrip(" -"))


_KEY_AT_START = re.compile(r"^( *)[A-Za-z_][A-Za-z0-9_-]*:")


def _unclosed_quote_before(text: str, line: int) -> tuple[int | None, str]:
    """The last line up to `line` whose value opens a quote it does not close, and the quote."""
    found, found_quote = None, ""
    for number, content in enumerate(text.splitlines()[:line], 1):
        match = _QUOTED_VALUE.match(content)
        if not match:
            continue
        quote, rest = match.groups()
        rest = rest.replace("''", "") if quote == "'" else re.sub(r'\\.', "", rest)
        if quote not in rest:
            found, found_quote = number, quote
    return found, found_quote


_BRACKETED_VALUE = re.compile(r"^\s*(?:-\s+)?[\w.-]+:\s+[\[{][^\]}]*[\]}]\s*\S")


def _bracketed_text_before(text: str, line: int) -> int | None:
    """A line up to `line` whose value starts with a closed [..] or {..} and goes on: "[Optional] history"."""
    lines = text.splitlines()[:line]
    return next((n for n in range(len(lines), 0, -1) if _BRACKETED_VALUE.match(lines[n - 1])), None)


def schema_messages(exc: ValidationError, data: object) -> list[tuple[list, str]]:
    """(yaml path, message) for each pydantic error, e.g. "stage 'history', option
    'L1': unknown field 'reveal' (did you mean 'reveals'?)"."""
    errors = [(_followable(err["loc"], data), err) for err in exc.errors(include_url=False)]
    fields = _FIELDS_OF.get(exc.title, _FIELDS_OF["Case"])
    out: list[tuple[list, str]] = []
    said_next: set[tuple] = set()
    for loc, err in errors:
        others = [(o, e) for o, e in errors if e is not err]
        # `next` is a stage id or a list of rules, and pydantic reports a mismatch
        # against each form: keep the error that says what is wrong, once.
        if err["type"].endswith("_type"):
            if any(len(o) > len(loc) and o[: len(loc)] == loc for o, _ in others):
                continue
            if any(o == loc and not e["type"].endswith("_type") for o, e in others):
                continue
            if loc and loc[-1] == "next":
                if tuple(loc) in said_next:
                    continue
                said_next.add(tuple(loc))
                out.append((loc, f"{_where(loc, data)}write a stage id (next: exam) or a list of rules (- when_any: [...] then goto: ...)"))
                continue
        # A wrong kind is reported on the stage; the author looks for the `kind:` line.
        where = loc + ["kind"] if err["type"] == "union_tag_invalid" else loc
        out.append((where, _describe(loc, err, data, fields)))
    return out


def _followable(loc: tuple, data: object) -> list:
    """The part of pydantic's error path that exists in the file: it inserts the
    names of union members ("history", "constrained-str", "list[Transition]")."""
    kept, node = [], data
    for i, key in enumerate(loc):
        last = i == len(loc) - 1
        if isinstance(node, dict) and key in node:
            node = node[key]
        elif isinstance(node, list) and isinstance(key, int) and 0 <= key < len(node):
            node = node[key]
        elif not last or not isinstance(node, dict):
            continue  # a union member's name, not a key of the file
        kept.append(key)
    return kept


def _where(loc: list, data: object, *, upto: int | None = None) -> str:
    """"stage 'history', option 'H4', yield: " for a path into the file."""
    words, node, parent_key = [], data, None
    for key in loc[:upto]:
        if isinstance(node, list) and isinstance(key, int):
            node = node[key]
            ident = node.get("id") if isinstance(node, dict) else None
            noun = {"stages": "stage", "options": "option", "next": "next rule"}.get(str(parent_key), f"{parent_key} item")
            words[-1:] = [f"{noun} '{ident}'" if ident else f"{noun} {key + 1}"]
        else:
            node = node.get(key) if isinstance(node, dict) else None
            words.append(str(key))
            parent_key = key
    return ", ".join(words) + ": " if words else ""


PATTERN_WORDS = {
    ID_PATTERN: "is not a valid id: use letters, digits, '-', '_' or '.', with no spaces",
    GUIDANCE_ID_PATTERN: "is not a guidance id: rf-, pf-, tp- or wf- then lowercase words joined by '-' (see cases/guidance.yaml)",
    r"^C[0-9]{2,3}$": "is not a case code: a capital C and two or three digits, e.g. C15",
    r"^[a-z0-9][a-z0-9-]*$": "is not a slug: lowercase letters, digits and '-', e.g. night-cramps",
    r"^[a-z][a-z-]*$": "is not a region: lowercase letters and '-', e.g. lumbar",
}


def _describe(loc: list, err: dict, data: object, fields: list[str]) -> str:
    kind, ctx, value = err["type"], err.get("ctx", {}), err.get("input")
    name = str(loc[-1]) if loc else ""
    if kind in ("extra_forbidden", "missing"):
        prefix = _where(loc, data, upto=-1)
        if kind == "missing":
            return f"{prefix}'{name}' is missing"
        if name == "options":
            return f"{prefix}'options' does not belong here: an outcome ends the case and has none (a choice is a decision stage)"
        if name in fields:  # a real field, in the wrong kind of block
            return f"{prefix}'{name}' does not belong here"
        guess = difflib.get_close_matches(name, fields, n=1)
        return f"{prefix}unknown field '{name}'" + (f" (did you mean '{guess[0]}'?)" if guess else "")
    prefix = _where(loc, data)
    shown = repr(value) if isinstance(value, str) and len(value) <= 60 else "this"
    if kind == "union_tag_invalid":
        return f"{prefix}kind {ctx.get('tag', '?')!r} is not one of {ctx.get('expected_tags', '')}"
    if kind == "string_pattern_mismatch":
        return f"{prefix}{shown} {PATTERN_WORDS.get(ctx.get('pattern'), 'is not in the expected form')}"
    if kind in ("enum", "literal_error"):
        return f"{prefix}{shown} is not one of {ctx.get('expected', '')}"
    if kind == "string_type":
        if isinstance(value, bool):
            return f"{prefix}YAML reads a bare yes, no, on, off, true or false as {str(value).lower()}: put the text in quotes"
        if value is None:
            return f"{prefix}is empty: write the text"
        if isinstance(value, (int, float)):
            return f"{prefix}YAML reads this as a number: put the text in quotes"
        if isinstance(value, (datetime.date, datetime.time)):  # `2024-03-01` is a date to YAML, not text
            return f"{prefix}YAML reads this as a date: put the text in quotes"
        return f"{prefix}should be text, not a list or a block"
    if kind == "list_type" and name in ("stages", "options"):
        return f"{prefix}write a list of {name}, each starting with '- id:' on its own line (see docs/case-format.md)"
    if kind == "list_type":
        return f"{prefix}write a list: [{value}]" if isinstance(value, str) else f"{prefix}write a list: [a, b]"
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return f"{prefix}should be a whole number"
    if kind in ("bool_parsing", "bool_type"):
        return f"{prefix}write true or false"
    if kind == "less_than_equal":
        return f"{prefix}must be at most {ctx.get('le')}"
    if kind == "greater_than_equal":
        return f"{prefix}must be at least {ctx.get('ge')}"
    if kind == "string_too_short":
        return f"{prefix}is empty: write the text"
    if kind == "string_too_long":
        return f"{prefix}is longer than {ctx.get('max_length')} characters: shorten it"
    if kind == "too_short":
        return f"{prefix}needs at least {ctx.get('min_length')} (there {'is' if ctx.get('actual_length') == 1 else 'are'} {ctx.get('actual_length')})"
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        if ctx.get("class_name") == "Transition" or name == "next" or (len(loc) > 1 and loc[-2] == "next"):
            return f"{prefix}each rule is a block: '- goto: <stage id>', with 'when_any: [option ids]' on every rule but the last"
        return f"{prefix}should be a block of 'key: value' lines"
    return f"{prefix}{err['msg']}"


def _field_names(*models) -> list[str]:
    names: set[str] = set()
    for model in models:
        names.update(f.alias or n for n, f in model.model_fields.items())
    return sorted(names)


# The fields an author may mean, by the file's top model (pydantic's error title):
# a misspelt key in guidance.yaml should not be told of a case file's fields.
_FIELDS_OF = {
    "Case": _field_names(Case, Patient, Tags, RedFlags, Transition, Option, DecisionOption, PickStage, DecisionStage, OutcomeStage),
    "GuidanceCatalogue": _field_names(GuidanceCatalogue, GuidanceEntry),
}

