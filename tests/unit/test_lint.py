"""The linter names file, line and problem for every kind of authoring error."""

from pathlib import Path

import pytest
import yaml

from cases.lint import CaseFileError, read_case, read_library
from tests.unit.cases_fixture import MINI

GOOD = yaml.safe_dump(MINI, sort_keys=False)


def write(tmp_path: Path, text: str, name: str = "case.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def problems_for(tmp_path: Path, text: str) -> list:
    with pytest.raises(CaseFileError) as exc:
        read_case(write(tmp_path, text))
    return exc.value.problems


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def test_the_fixture_case_is_clean(tmp_path):
    assert read_case(write(tmp_path, GOOD)).case.id == "C90"


def test_yaml_syntax_error_names_the_line(tmp_path):
    text = GOOD.replace("title: Mini case", "title: [unclosed")
    [problem] = problems_for(tmp_path, text)
    assert problem.path.endswith("case.yaml")
    assert "YAML syntax" in problem.message
    assert abs(problem.line - line_of(GOOD, "title: Mini case")) <= 2


def test_a_misspelt_field_is_an_error_on_its_line(tmp_path):
    text = GOOD.replace("  reveals: Ten days.", "  reveal: Ten days.")
    problems = problems_for(tmp_path, text)
    assert any("reveal" in p.message and p.line == line_of(text, "reveal: Ten days.") for p in problems)


def test_a_case_without_a_presentation_is_refused_at_its_title(tmp_path):
    # Learners would otherwise see only the title, which names the diagnosis.
    text = GOOD.replace("presentation: Back spasm in a 40-year-old\n", "")
    [problem] = problems_for(tmp_path, text)
    assert problem.message.startswith("presentation: missing")
    assert problem.line == line_of(text, "title: Mini case")


def test_a_presentation_that_repeats_the_title_is_refused(tmp_path):
    text = GOOD.replace("presentation: Back spasm in a 40-year-old", "presentation: mini CASE")
    [problem] = problems_for(tmp_path, text)
    assert "repeats the title" in problem.message and problem.line == line_of(text, "presentation: mini CASE")


def test_a_missing_presentation_is_reported_with_the_other_problems(tmp_path):
    text = GOOD.replace("presentation: Back spasm in a 40-year-old\n", "").replace("next: exam", "next: exma")
    messages = [p.message for p in problems_for(tmp_path, text)]
    assert any(m.startswith("presentation: missing") for m in messages) and any("'exma'" in m for m in messages)


def test_an_unknown_next_stage_is_located(tmp_path):
    text = GOOD.replace("next: exam", "next: exma")
    [problem] = problems_for(tmp_path, text)
    assert "next stage 'exma' does not exist" in problem.message
    assert problem.line == line_of(text, "next: exma")


def test_an_unknown_guidance_id_is_located(tmp_path):
    text = GOOD.replace("- wf-history", "- wf-histroy")
    [problem] = problems_for(tmp_path, text)
    assert "unknown guidance id 'wf-histroy'" in problem.message
    assert problem.line == line_of(text, "wf-histroy")


def test_an_unreachable_stage_is_reported(tmp_path):
    data = {**MINI, "stages": [*MINI["stages"], {"id": "orphan", "kind": "outcome", "title": "O", "good": True, "text": "x"}]}
    problems = problems_for(tmp_path, yaml.safe_dump(data, sort_keys=False))
    assert any("'orphan' is unreachable" in p.message for p in problems)


def test_a_dead_end_decision_is_reported(tmp_path):
    stages = [dict(s) for s in MINI["stages"]]
    ret = next(s for s in stages if s["id"] == "return")
    ret["options"] = [{k: v for k, v in o.items() if k != "next"} for o in ret["options"]]
    problems = problems_for(tmp_path, yaml.safe_dump({**MINI, "stages": stages}, sort_keys=False))
    assert any("dead end" in p.message for p in problems)


def test_a_present_red_flag_that_no_option_can_elicit_is_reported(tmp_path):
    data = {**MINI, "red_flags": {"present": ["rf-infection", "rf-trauma"], "screen": ["rf-sensory"]}}
    problems = problems_for(tmp_path, yaml.safe_dump(data, sort_keys=False))
    assert any("'rf-trauma'" in p.message and "screened by no" in p.message for p in problems)


def test_a_case_with_no_best_path_is_reported(tmp_path):
    text = GOOD.replace("grade: best\n    reason: Fever.", "grade: acceptable\n    reason: Fever.")
    assert text != GOOD
    problems = problems_for(tmp_path, text)
    assert any("no option graded best" in p.message for p in problems)


def test_a_loop_between_stages_is_reported(tmp_path):
    stages = [dict(s) for s in MINI["stages"]]
    next(s for s in stages if s["id"] == "exam")["next"] = "history"
    problems = problems_for(tmp_path, yaml.safe_dump({**MINI, "stages": stages}, sort_keys=False))
    assert any("loop" in p.message or "unreachable" in p.message for p in problems)


def test_two_files_with_one_case_id_are_reported(tmp_path):
    write(tmp_path, GOOD, "a.yaml")
    write(tmp_path, GOOD, "b.yaml")
    good, problems = read_library([tmp_path])
    assert any("also used by" in p.message for p in problems)


def test_the_whole_library_is_clean():
    good, problems = read_library()
    assert problems == []
    assert len(good) >= 3


def test_a_guidance_entry_without_its_short_title_is_located(tmp_path):
    """The debrief, charts and home page name guidance items by title."""
    from cases.lint import GUIDANCE_FILE, load_catalogue

    text = GUIDANCE_FILE.read_text()
    needle = '    title: "New bladder or bowel disturbance"\n'
    assert needle in text
    broken = write(tmp_path, text.replace(needle, ""), "guidance.yaml")
    with pytest.raises(CaseFileError) as exc:
        load_catalogue(broken)
    [problem] = exc.value.problems
    assert problem.path.endswith("guidance.yaml") and "title" in problem.message
    assert problem.line == line_of(text.replace(needle, ""), "id: rf-bowel-bladder")
