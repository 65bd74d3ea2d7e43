"""The linter names file, line and problem for every kind of authoring error."""

from pathlib import Path

import pytest
import yaml

from cases.lint import LIBRARY_DIR, CaseFileError, load_catalogue, read_case, read_library
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


def test_a_key_written_twice_is_an_error_on_the_second(tmp_path):
    # YAML keeps the last of two equal keys without a word: the author's first answer would vanish.
    text = GOOD.replace("    reveals: Ten days.\n", "    reveals: Ten days.\n    reveals: Two days.\n")
    [problem] = problems_for(tmp_path, text)
    assert problem.line == line_of(text, "reveals: Two days.")
    assert f"'reveals' appears twice in one block (first on line {line_of(text, 'reveals: Ten days.')})" in problem.message


@pytest.mark.parametrize(
    "broken, needle, expected",
    [
        ("  reveals: Ten days.", "\treveals: Ten days.", "a tab character: indent with spaces only"),
        ("  reveals: Ten days.", "  reveals: 'I don't know.'", "write an apostrophe twice"),
        ("  reveals: Ten days.", "  reveals: Onset: ten days.", "put the whole text in quotes"),
        # A key pushed right reads as more of the text above it: quoting would not help.
        ("  reveals: Ten days.", "    reveals: Ten days.", "this key is indented further than the keys above it"),
    ],
)
def test_common_yaml_slips_are_explained_in_an_authors_words(tmp_path, broken, needle, expected):
    text = GOOD.replace(broken, needle)
    [problem] = problems_for(tmp_path, text)
    assert expected in problem.message and problem.line == line_of(text, needle.strip())


def test_a_quote_left_open_points_at_the_line_it_opens(tmp_path):
    text = GOOD.replace("  reveals: Ten days.", "  reveals: 'Ten days.")
    [problem] = problems_for(tmp_path, text)
    opened = line_of(text, "reveals: 'Ten days.")
    assert problem.line == opened and f"a quote opened on line {opened} is never closed" in problem.message


@pytest.mark.parametrize("text", ["", "\n\n", "# only a comment\n"])
def test_an_empty_file_says_so(tmp_path, text):
    [problem] = problems_for(tmp_path, text)
    assert problem.message == "the file is empty (only blank lines or comments)"


def test_schema_errors_name_stage_and_option_and_suggest_the_field(tmp_path):
    text = GOOD.replace("  reveals: Ten days.", "  reveal: Ten days.")
    [problem] = problems_for(tmp_path, text)
    assert problem.message == "stage 'history', option 'H1': unknown field 'reveal' (did you mean 'reveals'?)"


def test_a_misspelt_rule_key_gives_one_message_not_one_per_form_of_next(tmp_path):
    # `next` is a stage id or a list of rules; pydantic complains about both forms.
    text = GOOD.replace("- when_any:", "- when:")
    assert text != GOOD
    [problem] = problems_for(tmp_path, text)
    assert problem.message == "stage 'plan', next rule 1: unknown field 'when' (did you mean 'when_any'?)"
    assert problem.line == line_of(text, "- when:")


def test_a_when_any_that_can_never_match_is_reported(tmp_path):
    # R1 is on the return visit, after the plan: when the plan is left it cannot have been chosen.
    text = GOOD.replace("  - when_any:\n    - W1", "  - when_any:\n    - R1")
    assert text != GOOD
    [problem] = problems_for(tmp_path, text)
    assert "when_any names 'R1' (stage 'return'), which can never have been chosen when 'plan' is left" in problem.message


def test_a_loop_names_the_stages_around_it(tmp_path):
    # The return visit's first option leads back to the plan, which leads to the return visit.
    text = GOOD.replace("    next: bad\n", "    next: plan\n", 1)
    assert text != GOOD
    [problem] = problems_for(tmp_path, text)
    assert "the stages form a loop (plan -> return -> plan): change this next of 'return'" in problem.message
    closing = text.index("next: plan", text.index("id: return"))
    assert problem.line == text[:closing].count("\n") + 1  # the line to change, not the stage's id


def test_an_option_both_unsafe_and_essential_is_refused(tmp_path):
    text = GOOD.replace("    yield: low\n    unsafe: true", "    yield: essential\n    unsafe: true")
    assert text != GOOD
    problems = problems_for(tmp_path, text)
    assert any("option 'X3' is both unsafe and essential" in p.message for p in problems)


def test_ext_content_needs_a_note_for_the_reviewing_clinician(tmp_path):
    text = GOOD.replace("    reveals: Ten days.", "    reveals: Ten days.\n    ext: true")
    [problem] = problems_for(tmp_path, text)
    assert problem.message.startswith("ext_notes: missing")
    assert read_case(write(tmp_path, text + "ext_notes:\n- Onset question beyond the source.\n")).case.ext_notes


def test_a_copied_case_that_keeps_another_cases_id_is_caught_by_its_file_name(tmp_path):
    # Copying C90 to start C15 and forgetting the id would replace C90 on load.
    write(tmp_path, GOOD, "C15-my-new-case.yaml")
    good, problems = read_library([tmp_path])
    [problem] = problems
    assert problem.message.startswith("id C90 does not match the file name: name the file C90-mini.yaml")
    assert problem.line == line_of(GOOD, "id: C90")
    write(tmp_path, GOOD, "C15-my-new-case.yaml").rename(tmp_path / "C90-mini.yaml")
    assert read_library([tmp_path]) == ([read_case(tmp_path / "C90-mini.yaml")], [])


def test_a_yml_file_in_a_folder_is_checked_too(tmp_path):
    write(tmp_path, GOOD.replace("next: exam", "next: exma"), "C90-mini.yml")
    good, [problem] = read_library([tmp_path])
    assert problem.path.endswith("C90-mini.yml") and "'exma'" in problem.message


def test_markup_that_will_not_show_as_written_is_a_warning_not_an_error(tmp_path):
    text = (
        GOOD.replace("    label: Fever?", "    label: Fever, <em>sweats</em>?")
        .replace("    reveals: Yes, fevers.", "    reveals: Yes, <u>fevers</u> and **chills**.")
        .replace("    reveals: Ten days.", "    reveals: Ten <em>days</em>.")  # allowed inline markup: no warning
    )
    case = read_case(write(tmp_path, text))  # it still loads
    assert [(w.line, w.message) for w in case.warnings] == [
        (line_of(text, "label: Fever, <em>"), "label: <em> will show as typed: this field is plain text"),
        (line_of(text, "<u>fevers</u>"), "reveals: <u> will be removed when shown (allowed: b, br, em, i, strong, sub, sup)"),
        (line_of(text, "<u>fevers</u>"), "reveals: Markdown (**bold**) is not rendered; use <strong> in rich text"),
    ]
    assert read_case(write(tmp_path, GOOD)).warnings == ()



@pytest.mark.parametrize(
    "old, new, expected",
    [
        ("  next: exam\n", "  next: Exam stage\n", "stage 'history', next: 'Exam stage' is not a valid id: use letters, digits"),
        ("  next: exam\n", "  next: 3\n", "stage 'history', next: write a stage id (next: exam) or a list of rules"),
        ("    reveals: Ten days.", "    reveals: No", "stage 'history', option 'H1', reveals: YAML reads a bare yes, no, on, off, true or false as false"),
        ("    yield: low\n", "    yield: vital\n", "option 'L1', yield: 'vital' is not one of 'essential', 'useful' or 'low'"),
        ("id: C90", "id: c90", "id: 'c90' is not a case code: a capital C and two or three digits"),
        ("  good: true", "  good: maybe", "stage 'good', good: write true or false"),
        ("  age: 40", "  age: forty", "patient, age: should be a whole number"),
        ("  - wf-history", "  - wf_history", "screens item 1: 'wf_history' is not a guidance id"),
        ("  good: true", "  good: true\n  options: []", "stage 'good': 'options' does not belong here: an outcome ends the case"),
        ("    label: Onset?", "    label: '[Optional] onset?", "a quote opened on line"),
        ("    label: Onset?", '    label: "Onset?', '(inside double quotes, write a double quote as \\")'),
        ("    label: Onset?", "    label: [Optional] onset?", "text that starts with [ or { is read as a list: put the whole text in quotes"),
        ("    label: Onset?", "    label: *Onset*?", "text that starts with a character YAML reserves"),
    ],
)
def test_schema_and_syntax_errors_are_worded_for_authors(tmp_path, old, new, expected):
    text = GOOD.replace(old, new, 1)
    assert text != GOOD
    messages = [p.message for p in problems_for(tmp_path, text)]
    assert len(messages) == 1 and expected in messages[0], messages
    assert not any(jargon in messages[0] for jargon in ("constrained-str", "list[Transition]", "Input should", "<block end>", "pattern '"))


def test_text_cut_short_by_a_hash_is_a_warning(tmp_path):
    text = GOOD.replace("    label: Onset?", "    label: Onset? #1 question")
    [warning] = read_case(write(tmp_path, text)).warnings
    assert warning.line == line_of(text, "#1 question") and "is a YAML comment and is dropped" in warning.message


def test_a_wrong_stage_kind_is_reported_on_its_kind_line(tmp_path):
    text = GOOD.replace("  kind: exam\n", "  kind: exams\n", 1)
    [problem] = problems_for(tmp_path, text)
    assert "kind 'exams' is not one of" in problem.message
    assert problem.line == line_of(text, "kind: exams")


def test_options_written_as_a_word_asks_for_a_list_of_options_not_a_list_of_that_word(tmp_path):
    start = GOOD.index("  options:\n  - id: X10")
    end = GOOD.index("- id: workup")
    text = GOOD[:start] + "  options: none\n" + GOOD[end:]
    [problem] = problems_for(tmp_path, text)
    assert problem.message == "stage 'exam', options: write a list of options, each starting with '- id:' on its own line (see docs/case-format.md)"
    assert "[none]" not in problem.message
    assert problem.line == line_of(text, "options: none")


def test_a_wrong_assessment_must_name_the_pitfall_it_falls_into(tmp_path):
    text = GOOD.replace("    triggers:\n    - pf-non-specific\n", "", 1)
    assert text != GOOD
    [problem] = problems_for(tmp_path, text)
    assert "assessment option 'B' is graded poor but triggers no pitfall" in problem.message
    assert problem.line == line_of(text, "- id: B")


@pytest.mark.parametrize(
    "rules, dead, why",
    [
        # A default first: the conditional rule after it is never read.
        ("  - goto: good\n  - when_any:\n    - W1\n    goto: return\n", 2, "rule 1 has no when_any and always applies"),
        # Every option of the second rule already sends the learner by the first.
        ("  - when_any:\n    - W1\n    - W2\n    goto: return\n  - when_any:\n    - W1\n    goto: good\n  - goto: good\n", 2, "every option it names already matches an earlier rule"),
    ],
)
def test_a_rule_the_engine_never_reaches_is_reported(tmp_path, rules, dead, why):
    """The engine takes the first rule that matches: a rule behind a default, or behind
    rules that already match all its options, is dead, and its stage may never be reached."""
    conditional = "  - when_any:\n    - W1\n    goto: return\n  - goto: good\n"
    assert conditional in GOOD
    text = GOOD.replace(conditional, rules)
    first = text[: text.index(rules)].count("\n") + 1
    dead_line = [first + i for i, line in enumerate(rules.splitlines()) if line.startswith("  - ")][dead - 1]
    problem = next(p for p in problems_for(tmp_path, text) if "can never apply" in p.message)
    assert problem.line == dead_line
    assert f"next rule {dead} " in problem.message and why in problem.message


def test_a_misspelt_field_in_the_guidance_catalogue_is_matched_against_its_own_fields(tmp_path):
    """Not against a case file's: 'sources' once drew "did you mean 'scores'?"."""
    entry = yaml.safe_dump({"guidance": [{**next(iter(load_catalogue().values())).model_dump(mode="json", exclude_none=True), "sectoin": "x"}]})
    path = write(tmp_path, entry, "guidance.yaml")
    with pytest.raises(CaseFileError) as exc:
        load_catalogue(path)
    [problem] = exc.value.problems
    assert "unknown field 'sectoin' (did you mean 'section'?)" in problem.message


@pytest.mark.parametrize(
    "field, value, expected",
    [
        ("ref", "CON (Overlap); XYZ", "ref cites unknown section code(s) XYZ"),
        ("section", "Pros and cons", 'section should be the heading of the ref\'s first code'),
    ],
)
def test_a_guidance_source_must_name_real_sections_of_the_document(tmp_path, field, value, expected):
    """The debrief cites every section a ref names, so each code must be a heading of
    the seed document, and `section` the first of them."""
    entry = next(iter(load_catalogue().values())).model_dump(mode="json", exclude_none=True)
    text = yaml.safe_dump({"guidance": [{**entry, field: value}]}, sort_keys=False)
    with pytest.raises(CaseFileError) as exc:
        load_catalogue(write(tmp_path, text, "guidance.yaml"))
    [problem] = exc.value.problems
    assert expected in problem.message and problem.line == line_of(text, f"{field}:")


def test_every_section_a_ref_names_is_cited_in_order_once():
    from cases.format import cite_sections, ref_sections

    sections = ref_sections('CON (Overlap); ALT (Spasm vs cramp); IND; CON ("x")')
    assert sections == ("Contraindications / when it is NOT ideal", "Alternatives / comparisons", "Indications (When orthopedic clinicians use it)")
    assert cite_sections(sections[:1]) == "section “Contraindications / when it is NOT ideal”"
    assert cite_sections(sections) == "sections “Contraindications / when it is NOT ideal”, “Alternatives / comparisons” and “Indications (When orthopedic clinicians use it)”"


# A conditional rule spans lines (`- when_any:`, its ids, `goto:`); the line reported must
# be the one holding the wrong reference, not the rule's first line.
@pytest.mark.parametrize(
    "old, new, needle, message",
    [
        ("    goto: return\n", "    goto: retrun\n", "goto: retrun", "next stage 'retrun' does not exist"),
        ("  - when_any:\n    - W1\n", "  - when_any:\n    - W99\n", "- W99", "when_any names unknown option 'W99'"),
        ("  - when_any:\n    - W1\n", "  - when_any:\n    - R1\n", "- R1", "when_any names 'R1' (stage 'return')"),
        ("  - goto: good\n  options:\n", "  - when_any: [P2]\n    goto: good\n  options:\n", "when_any: [P2]", "the last rule of a conditional next"),
        ("    next: bad\n", "    next: bda\n", "next: bda", "next stage 'bda' does not exist"),
        ("start: history\n", "start: histroy\n", "start: histroy", "start stage 'histroy' does not exist"),
    ],
)
def test_a_wrong_reference_is_reported_on_its_own_line(tmp_path, old, new, needle, message):
    text = GOOD.replace(old, new, 1)
    assert text != GOOD
    problem = next(p for p in problems_for(tmp_path, text) if message in p.message)
    assert problem.line == line_of(text, needle)


def test_a_bad_goto_in_a_copy_of_c01_names_the_goto_line(tmp_path):
    """As the audit found it: the `goto:` is one line below `- when_any: [P2]`."""
    text = (LIBRARY_DIR / "C01-lumbar-strain-lift.yaml").read_text()
    changed = text.replace("goto: review-after-rest", "goto: review-after-bed", 1)
    assert changed != text
    [problem] = problems_for(tmp_path, changed)
    assert problem.line == line_of(changed, "goto: review-after-bed")
