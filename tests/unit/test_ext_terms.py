"""Named conditions and tests the source document does not contain stand only in text
marked ext (cases/lint.py, EXT_ONLY_TERMS): a content audit found "discitis" unmarked in
C04's, C11's and C14's assessments while C03 marked it. Each test reads a real library
file, or a copy of it with one mark taken away, as `lint_cases` does."""

import re
from pathlib import Path

import pytest
import yaml

from cases.lint import (
    EXT_ONLY_TERMS,
    LIBRARY_DIR,
    CaseFileError,
    ext_term_problems,
    ext_terms_in,
    load_catalogue,
    read_case,
    read_library,
)

SEED = Path(__file__).resolve().parents[2] / "docs" / "source" / "muscle-spasm-overview.txt"


def library_text(code: str) -> str:
    return next(LIBRARY_DIR.glob(f"{code}-*.yaml")).read_text(encoding="utf-8")


def unmark(text: str, label: str) -> str:
    """The file with the `ext: true` of the option labelled `label` taken away."""
    start = text.index(f"label: {label}")
    at = text.index("        ext: true\n", start)
    assert text.count("      - id:", start, at) == 0, f"{label}: its option carries no ext mark"
    return text[:at] + text[at + len("        ext: true\n") :]


def problems(tmp_path, text: str, name: str) -> list:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CaseFileError) as exc:
        read_case(path, library=True)
    return exc.value.problems


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def test_the_library_names_them_only_where_marked():
    files, found = read_library()
    assert not found
    assert {cf.case.id: ext_term_problems(cf.case) for cf in files} == {cf.case.id: [] for cf in files}


# The options the audit found, and those the search after it found, each named as it was.
FIXED = [
    ("C04", "E", "Possible spinal infection (discitis)", ["discitis"]),
    ("C11", "D", "Possible vertebral osteomyelitis or discitis", ["discitis", "osteomyelitis"]),
    ("C14", "D", "Possible low-grade spinal infection, such as discitis", ["discitis"]),
    ("C10", "C", "Crystal arthritis (gout or pseudogout)", ["gout or pseudogout"]),
    # Its reason rests on the anal tone that exam option X6 (ext) finds reduced.
    ("C04", "A", "Suspected cauda equina syndrome", ["anal tone"]),
    ("C04", "C", "Probable urinary tract infection", ["anal tone"]),
]


@pytest.mark.parametrize("code, option_id, label, terms", FIXED)
def test_an_option_that_names_one_unmarked_is_refused_on_its_line(tmp_path, code, option_id, label, terms):
    text = library_text(code)
    changed = unmark(text, label)
    found = problems(tmp_path, changed, f"{code}-copy.yaml")
    assert [p.message for p in found] == [
        f"stage 'assessment', option '{option_id}': names {term}, which the source document does not: mark the option `ext: true` and say what in ext_notes"
        for term in terms
    ]
    id_line = changed[: changed.index(f"label: {label}")].count("\n")  # the `- id:` line just above the label
    assert {p.line for p in found} == {id_line}
    # Marked, each is named in the case's notes for the reviewing clinician.
    notes = yaml.safe_load(text)["ext_notes"]
    assert all(term in ext_terms_in(*notes) for term in terms)


def test_c03_marks_discitis_as_the_audit_found_and_its_stage_mark_would_cover_its_options(tmp_path):
    text = library_text("C03")
    found = problems(tmp_path, unmark(text, "Suspected spinal infection (discitis"), "C03-copy.yaml")
    assert [p.message.split(":")[1].strip() for p in found] == [
        "names discitis, which the source document does not",
        "names an epidural abscess or collection, which the source document does not",
    ]
    # A stage marked ext marks what it holds (engine.Entry: the option's or its stage's mark).
    data = yaml.safe_load(unmark(text, "Suspected spinal infection (discitis"))
    assessment = next(s for s in data["stages"] if s["id"] == "assessment")
    assessment["ext"] = True
    path = tmp_path / "C03-staged.yaml"
    path.write_text("# yaml-language-server: $schema=../schema.json\n" + yaml.safe_dump(data, sort_keys=False, width=1000), encoding="utf-8")
    assert not ext_term_problems(read_case(path, library=True).case)


def test_a_field_nothing_can_mark_needs_a_note_naming_the_term(tmp_path):
    text = library_text("C01")
    vignette = "Mr Daniel Okafor, 34, picks"
    assert vignette in text
    changed = text.replace(vignette, "Mr Daniel Okafor, 34, had discitis as a child and picks", 1)
    [problem] = problems(tmp_path, changed, "C01-copy.yaml")
    assert problem.message == "vignette: names discitis, which the source document does not, and this field cannot be marked ext: name it in an ext_notes line"
    assert problem.line == line_of(changed, "vignette:")
    noted = changed.replace("ext_notes:\n", "ext_notes:\n  - A childhood discitis in his history (vignette).\n", 1)
    path = tmp_path / "C01-noted.yaml"
    path.write_text(noted, encoding="utf-8")
    assert read_case(path, library=True).case.ext_notes[0].startswith("A childhood discitis")


def test_outside_the_library_the_rule_does_not_apply(tmp_path):
    # The bench's long synthetic case names sacroiliac provocation tests without a mark.
    path = tmp_path / "C01.yaml"
    path.write_text(unmark(library_text("C04"), "Possible spinal infection (discitis)"), encoding="utf-8")
    assert read_case(path).case.id == "C04"


def test_a_guidance_item_that_names_one_must_be_marked_ext(tmp_path):
    entry = load_catalogue()["rf-infection"].model_dump(mode="json")
    assert entry["ext"]
    for ext in (True, False):
        item = {**entry, "statement": entry["statement"] + " Discitis is one such infection.", "ext": ext}
        path = tmp_path / f"guidance-{ext}.yaml"
        text = yaml.safe_dump({"guidance": [item]}, sort_keys=False)
        path.write_text(text, encoding="utf-8")
        if ext:
            assert load_catalogue(path)["rf-infection"].ext
            continue
        with pytest.raises(CaseFileError) as exc:
            load_catalogue(path)
        [problem] = exc.value.problems
        assert problem.message == "rf-infection: names discitis, which the source document does not: mark the item `ext: true`"
        assert problem.line == line_of(text, "statement:")


def test_no_listed_term_is_one_the_source_document_says():
    """Marking what the document does say would send a clinician to sign off its own words."""
    seed = SEED.read_text(encoding="utf-8")
    assert ext_terms_in(seed) == []
    assert all(re.compile(p, re.I).search(seed) is None for p in EXT_ONLY_TERMS.values())
