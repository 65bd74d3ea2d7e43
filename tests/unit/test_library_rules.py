"""The library's own rules (docs/case-format.md, "Adding a case to the library") are
the linter's: a file in cases/library/ that breaks one is refused with file, line and
problem. Each test breaks a copy of C01 read as a library file."""

import pytest
import yaml

from cases.library_rules import SCHEMA_LINE
from cases.lint import LIBRARY_DIR, CaseFileError, read_case, read_library

C01 = (LIBRARY_DIR / "C01-lumbar-strain-lift.yaml").read_text(encoding="utf-8")


def problems(tmp_path, text, name="C01-lumbar-strain-lift.yaml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CaseFileError) as exc:
        read_case(path, library=True)
    return exc.value.problems


def line_of(text, needle):
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def redump(change) -> str:
    """C01 changed as data (for changes a text edit cannot make in one place)."""
    data = yaml.safe_load(C01)
    change(data)
    return SCHEMA_LINE + "\n" + yaml.safe_dump(data, sort_keys=False, width=1000)


def test_c01_as_written_meets_them(tmp_path):
    (tmp_path / "C01.yaml").write_text(C01, encoding="utf-8")
    assert read_case(tmp_path / "C01.yaml", library=True).library


def test_outside_the_library_they_do_not_apply(tmp_path):
    # The bench's synthetic case and the browser tests' probe are not teaching content.
    (tmp_path / "C01.yaml").write_text(C01.replace(SCHEMA_LINE + "\n", ""), encoding="utf-8")
    assert not read_case(tmp_path / "C01.yaml").library


@pytest.mark.parametrize(
    "old, new, needle, message",
    [
        (SCHEMA_LINE + "\n", "# C01\n", "# C01", "the first line must be"),
        ("Mr Daniel Okafor, 34, picks", "He picks", "vignette:", "vignette: open with the patient's name and age"),
        ("label: Conservative care - stay active", "label: Conservative care, with a long careful explanation of every single step of it, a leaflet, exercises, a diary, and then stay active", "label: Conservative care, with", "the best label"),
        ("prompt: He asks whether he needs a scan", "prompt: No red flag so far. He asks whether he needs a scan", "No red flag so far", "the prompt says \"red flag\""),
    ],
)
def test_a_broken_rule_is_refused_on_its_line(tmp_path, old, new, needle, message):
    text = C01.replace(old, new, 1)
    assert text != C01
    [problem] = problems(tmp_path, text)
    assert message in problem.message and problem.line == line_of(text, needle)


def _trim(kind, keep):
    def change(data):
        stage = next(s for s in data["stages"] if s.get("kind") == kind or s.get("scores") == kind)
        stage["options"] = stage["options"][:keep]
    return change


def _all_good(data):
    for stage in data["stages"]:
        if stage["kind"] == "outcome":
            stage["good"] = True


@pytest.mark.parametrize(
    "change, message",
    [
        (_trim("history", 7), "7 history option(s); a library case needs at least 8"),
        (_trim("exam", 5), "5 exam option(s); a library case needs at least 6"),
        (_trim("assessment", 3), "assessment 'assessment' has 3 options; give it 4 to 6"),
        (_all_good, "no outcome with good: false"),
    ],
)
def test_a_case_too_thin_for_the_library_is_refused(tmp_path, change, message):
    text = redump(change)
    found = [p for p in problems(tmp_path, text) if message in p.message]
    assert found and found[0].line > 1


def test_two_cases_about_the_same_patient_are_refused(tmp_path):
    (tmp_path / "C01-lumbar-strain-lift.yaml").write_text(C01, encoding="utf-8")
    copy = C01.replace("id: C01", "id: C77").replace("slug: lumbar-strain-lift", "slug: copy-77")
    (tmp_path / "C77-copy.yaml").write_text(copy, encoding="utf-8")
    _, [problem] = read_library([tmp_path], library=True)
    assert problem.path.endswith("C77-copy.yaml") and problem.line == line_of(copy, "vignette:")
    assert "the patient's name 'Daniel Okafor' is also used by" in problem.message
