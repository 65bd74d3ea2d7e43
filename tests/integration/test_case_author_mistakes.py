"""An author's slips in a case file, through the commands they run: `lint_cases` and
`load_cases` both name the file, the line and the problem in the author's words,
`load_cases` exits non-zero without a traceback, and nothing reaches the database.

Each file here is a copy of C01 made into a new case, C77, kept outside the library."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from cases.lint import LIBRARY_DIR
from cases.models import Case, CaseVersion

C01 = (LIBRARY_DIR / "C01-lumbar-strain-lift.yaml").read_text()
NEW = C01.replace("id: C01", "id: C77").replace("slug: lumbar-strain-lift", "slug: author-draft")


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def refused(tmp_path: Path, text: str | bytes) -> tuple[Path, list[str]]:
    """Write the draft, run lint_cases and load_cases on it; both must refuse it with the
    same located problems, and the load must leave the database as it was."""
    path = tmp_path / "C77-author-draft.yaml"
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    said = {}
    for command in ("lint_cases", "load_cases"):
        err = StringIO()
        versions = CaseVersion.objects.count()
        with pytest.raises(CommandError):
            call_command(command, str(tmp_path), stdout=StringIO(), stderr=err)
        assert CaseVersion.objects.count() == versions and not Case.objects.filter(code="C77").exists()
        assert "Traceback" not in err.getvalue()
        said[command] = [line for line in err.getvalue().splitlines() if line.startswith(f"{path}:")]
    assert said["lint_cases"] == said["load_cases"] and said["lint_cases"], said
    return path, said["load_cases"]


def test_the_draft_itself_loads(library, tmp_path):
    (tmp_path / "C77-author-draft.yaml").write_text(NEW)
    call_command("load_cases", str(tmp_path), stdout=StringIO(), stderr=StringIO())
    assert Case.objects.get(code="C77").current_version.number == 1


@pytest.mark.parametrize("character", ["\x00", "\x07", "\x1b"])
def test_an_invisible_control_character_is_located_on_its_line_and_column(library, tmp_path, character):
    # PyYAML said "unacceptable character #x0007 ... position 1515" on two lines, reported on line 1.
    needle = "label: Is there a family history of migraine?"
    text = NEW.replace(needle, needle.replace("family", f"fam{character}ily"))
    path, [problem] = refused(tmp_path, text)
    line = line_of(text, "label: Is there a fam")
    column = text.splitlines()[line - 1].index(character) + 1
    assert problem == (
        f"{path}:{line}: an invisible or control character (U+{ord(character):04X}) at column {column}, which a case file "
        "cannot hold (it often comes with text pasted from a PDF or a word processor): delete it, or retype the text around it"
    )


@pytest.mark.parametrize(
    "needle, field",
    [
        ("label: Is there a family history of migraine?", "stage 'history', option 'L1', label"),
        ("  - Screen a new low back presentation for red flags before calling it mechanical.", "objectives item 1"),
        ("title: Acute lumbar strain after lifting", "title"),
    ],
)
def test_text_of_only_spaces_is_refused_on_its_line(library, tmp_path, needle, field):
    # The format asks for at least one character, so ' ' loaded: an empty button or heading.
    key = needle.split(":")[0]
    text = NEW.replace(needle, f"{key}: '   '" if ":" in needle else "  - '   '", 1)
    path, [problem] = refused(tmp_path, text)
    line = line_of(text, "'   '")
    assert problem == f"{path}:{line}: {field}: is only spaces: write the text"


def test_ext_content_without_ext_notes_is_reported_on_the_first_ext_mark(library, tmp_path):
    # It was reported on the title's line, which says nothing about what needs the notes.
    text = NEW[: NEW.index("\next_notes:")] + "\n"
    path, [problem] = refused(tmp_path, text)
    assert problem.startswith(f"{path}:{line_of(text, 'ext: true')}: ext_notes: missing: this is marked ext;")


def test_export_schema_names_a_slip_in_the_guidance_catalogue_and_writes_nothing(tmp_path, monkeypatch):
    # lint_cases named the line; export_schema, which reads the same catalogue, was a traceback.
    from cases import lint

    broken = tmp_path / "guidance.yaml"
    text = lint.GUIDANCE_FILE.read_text().replace("kind: red_flag", "kind: redflag", 1)
    broken.write_text(text)
    monkeypatch.setattr(lint, "GUIDANCE_FILE", broken)
    schema = (lint.CASES_DIR / "schema.json").read_bytes()
    err = StringIO()
    with pytest.raises(CommandError, match="schema.json was not written"):
        call_command("export_schema", stdout=StringIO(), stderr=err)
    assert f"{broken}:{line_of(text, 'kind: redflag')}: guidance item 'rf-systemic', kind: 'redflag' is not one of" in err.getvalue()
    assert (lint.CASES_DIR / "schema.json").read_bytes() == schema


def test_a_long_chain_of_stages_is_checked_without_exhausting_the_stack(library, tmp_path):
    # The loop check recursed once per stage: 1,100 chained stages were a RecursionError traceback.
    count = 1100  # past Python's default recursion limit of 1,000
    chain = "".join(
        f"  - id: d{i}\n    kind: decision\n    title: Step {i}\n    next: {f'd{i + 1}' if i < count - 1 else 'plan'}\n    options:\n"
        f"      - {{id: d{i}a, label: Go on, grade: best, reason: Fine.}}\n      - {{id: d{i}b, label: Wait, grade: poor, reason: Late.}}\n"
        for i in range(count)
    )
    text = NEW.replace("    next: plan\n", "    next: d0\n", 1).replace("  - id: plan\n", chain + "  - id: plan\n", 1)
    path = tmp_path / "C77-author-draft.yaml"
    path.write_text(text)
    call_command("lint_cases", str(tmp_path), stdout=StringIO(), stderr=StringIO())
    # And a loop at its far end is still found, on the line that closes it.
    looped = text.replace(f"    next: plan\n    options:\n      - {{id: d{count - 1}a", f"    next: d0\n    options:\n      - {{id: d{count - 1}a", 1)
    _, problems = refused(tmp_path, looped)  # with the stages after it, now unreachable
    [loop] = [p for p in problems if "loop" in p]
    assert "the stages form a loop (d0 -> d1 -> d2" in loop and f"d{count - 1} -> d0): change this next of 'd{count - 1}'" in loop


def test_an_alias_used_inside_its_own_anchor_is_refused_not_a_hang(library, tmp_path):
    # The duplicate-key check followed the alias back into its own block for ever.
    needle = "    screens: [rf-neuro-progressive]\n"
    text = NEW.replace(needle, "    screens: &again [rf-neuro-progressive, *again]\n", 1)
    assert text != NEW
    path, [problem] = refused(tmp_path, text)
    assert problem == f"{path}:{line_of(text, '&again')}: the block anchored here (&name) is used (*name) inside itself, so it would never end: write the content out instead of the alias"


def test_aliases_of_aliases_that_stand_for_millions_of_values_are_refused(library, tmp_path):
    levels = "x-0: &l0 [a, a, a, a, a, a, a, a, a, a]\n" + "".join(f"x-{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 10)}]\n" for i in range(1, 7))
    path, [problem] = refused(tmp_path, NEW + levels)
    assert problem == f"{path}:1: aliases (*name) repeat anchored blocks (&name) so often that the file stands for more than 100,000 values: write the content out instead"


def test_an_alias_that_repeats_a_text_still_loads(library, tmp_path):
    # Anchors are plain YAML an author may use to say the same thing twice; only their abuse is refused.
    text = NEW.replace("title: Acute lumbar strain after lifting", "title: &name Acute lumbar strain after lifting", 1)
    text = text.replace("    title: History\n", "    title: *name\n", 1)
    (tmp_path / "C77-author-draft.yaml").write_text(text)
    call_command("load_cases", str(tmp_path), stdout=StringIO(), stderr=StringIO())
    assert Case.objects.get(code="C77").current_version.content.stages[0].title == "Acute lumbar strain after lifting"


@pytest.mark.parametrize(
    "old, new, expected",
    [
        # YAML read on to the next line looking for the colon: the message named that line, in parser words.
        ("    yield: low\n", "    yield:low\n", "YAML syntax: a key without ': ' after it: write key: value, with a space after the colon"),
        ("    title: History\n", "    title History\n", "YAML syntax: a key without ': ' after it: write key: value, with a space after the colon"),
        ("setting: Urgent care\n", "setting Urgent care\n", "YAML syntax: a key without ': ' after it: write key: value, with a space after the colon"),
        # A tab inside the text was reported as indentation, which the author had not touched.
        ("label: Is there a family history", "label: Is there a family\thistory", "YAML syntax: a tab character in the text (column 33): replace it with a space"),
    ],
)
def test_a_missing_colon_or_a_tab_in_the_text_is_reported_on_its_own_line(library, tmp_path, old, new, expected):
    text = NEW.replace(old, new, 1)
    assert text != NEW
    path, [problem] = refused(tmp_path, text)
    assert problem == f"{path}:{line_of(text, new.strip())}: {expected}"


def test_a_library_file_saved_with_a_byte_order_mark_loads(library, tmp_path, monkeypatch):
    # Windows editors save "UTF-8 with BOM": the library's first-line rule said the schema line
    # was missing, on a line that reads exactly as the rule asks.
    monkeypatch.setattr("cases.lint.LIBRARY_DIR", tmp_path.resolve())  # this folder is the library
    (tmp_path / "C01-lumbar-strain-lift.yaml").write_bytes(b"\xef\xbb\xbf" + C01.encode())
    before = CaseVersion.objects.count()
    call_command("load_cases", str(tmp_path), stdout=StringIO(), stderr=StringIO())
    assert CaseVersion.objects.count() == before  # the same content as C01's current version


def test_a_blank_presentation_is_reported_on_its_own_line(library, tmp_path):
    text = NEW.replace("presentation: Low back spasm after lifting, 34-year-old warehouse picker", "presentation: '  '", 1)
    assert text != NEW
    path, [problem] = refused(tmp_path, text)
    assert problem.startswith(f"{path}:{line_of(text, 'presentation:')}: presentation: missing")


def test_an_option_whose_dash_was_left_out_gets_one_message_saying_so(library, tmp_path):
    # Without its '- ', an option's fields join the one above: one message per field followed,
    # each saying "keep one", which would have the author delete the option.
    text = NEW.replace("      - id: L1\n", "        id: L1\n", 1)
    assert text != NEW
    path, [problem] = refused(tmp_path, text)
    assert problem == (
        f"{path}:{line_of(text, 'id: L1')}: 'id' appears twice in one block (first on line {line_of(text, '- id: H9')}): "
        "if this line starts another option or stage, begin it with '- ', lined up with the one above"
    )


def test_a_stage_the_best_path_cannot_leave_is_reported_not_a_traceback(library, tmp_path):
    # The best path takes every safe essential or useful option; the engine refused its
    # "Move on" below min_picks, and lint_cases and load_cases ended in InvalidChoice.
    text = NEW.replace("    kind: exam\n", "    kind: exam\n    min_picks: 12\n", 1)
    assert text != NEW
    path, [problem] = refused(tmp_path, text)
    assert problem.startswith(f"{path}:{line_of(text, 'min_picks: 12')}: stage 'exam': moving on needs ")
    assert problem.endswith("which is all the best path takes: lower min_picks, or make more options essential or useful")


def test_lint_cases_says_no_case_file_was_checked_when_the_guidance_catalogue_is_broken(tmp_path, monkeypatch):
    # It said "1 problem(s) in 1 file(s); 0 other file(s) are fine" of a library it had not read.
    from cases import lint

    broken = tmp_path / "guidance.yaml"
    broken.write_text(lint.GUIDANCE_FILE.read_text().replace("kind: red_flag", "kind: redflag", 1))
    monkeypatch.setattr(lint, "GUIDANCE_FILE", broken)
    err = StringIO()
    with pytest.raises(CommandError, match=r"^The guidance catalogue has problems \(see above\); no case file was checked\.$"):
        call_command("lint_cases", stdout=StringIO(), stderr=err)
    assert f"{broken}:" in err.getvalue()


def test_text_that_yaml_reads_as_a_date_asks_for_quotes(library, tmp_path):
    # It said "should be text, not a list or a block", of a line holding neither.
    text = NEW.replace("setting: Urgent care", "setting: 2024-03-01", 1)
    path, [problem] = refused(tmp_path, text)
    assert problem == f"{path}:{line_of(text, 'setting: 2024')}: setting: YAML reads this as a date: put the text in quotes"
