"""docs/case-format.md says what the code does: its C01 example and its snippets from
other cases route as the real files do, its links land on its headings, and its
red-flag rounding is the scorer's."""

import re
from pathlib import Path

import yaml

from cases.lint import LIBRARY_DIR, load_catalogue
from trainer.engine import Playbook
from tests.unit.cases_fixture import mini_case

DOC = (Path(__file__).resolve().parents[2] / "docs" / "case-format.md").read_text(encoding="utf-8")


def test_the_abridged_c01_example_routes_and_grades_as_the_real_file():
    """An author copies the example: its plan rule sent W3 (CT) to the good outcome,
    where C01 sends it to the review after imaging. Wording may be abridged; routing may not."""
    block = re.search(r"## A complete example \(C01, abridged\)\n\n```yaml\n(.*?)```", DOC, re.S).group(1)
    example = yaml.safe_load(block)
    real = yaml.safe_load((LIBRARY_DIR / "C01-lumbar-strain-lift.yaml").read_text(encoding="utf-8"))
    stages = {s["id"]: s for s in real["stages"]}
    assert example["start"] == real["start"] and example["red_flags"] == real["red_flags"]
    for stage in example["stages"]:
        twin = stages[stage["id"]]
        assert [stage.get(k) for k in ("kind", "next", "scores", "good")] == [twin.get(k) for k in ("kind", "next", "scores", "good")], stage["id"]
        options = {o["id"]: o for o in twin.get("options", [])}
        for option in stage.get("options", []):
            for key in ("grade", "yield", "screens", "triggers", "next"):
                assert option.get(key) == options[option["id"]].get(key), (option["id"], key)


def test_the_red_flag_rounding_the_docs_state_is_the_scorers():
    """Python's round() takes a half to the even neighbour: 1 of 2 red flags covered is 12."""
    stated = re.findall(r"(\d) of (\d) covered gives (\d+)", DOC)
    assert ("1", "2", "12") in stated and "half to the even" in DOC
    # The mini case lists two red flags; H7 screens one of them.
    book = Playbook(mini_case(), load_catalogue())
    report = book.debrief(["H7", "history:next", "X10", "exam:next", "W7", "A", "P1"])
    assert report.score("redflags") == 12


def test_a_snippet_quoted_from_a_case_routes_as_that_case_does():
    """"In C04:" quoted a rule from before C04 offered every work-up option: three of the
    options that send her home were missing from it."""
    snippets = re.findall(r"In (C\d\d)[^\n]*:\n\n```yaml\n(.*?)```", DOC, re.S)
    assert snippets
    for code, block in snippets:
        real_file = next(LIBRARY_DIR.glob(f"{code}-*.yaml"))
        real = {s["id"]: s for s in yaml.safe_load(real_file.read_text(encoding="utf-8"))["stages"]}
        for stage in yaml.safe_load(block):
            assert stage["next"] == real[stage["id"]]["next"], (code, stage["id"])


def test_every_link_within_the_guide_lands_on_one_of_its_headings():
    """GitHub makes a heading's anchor by lower-casing it, dropping punctuation and turning
    spaces into hyphens: "Editor checking with `cases/schema.json`" is #editor-checking-with-casesschemajson."""
    anchors = {re.sub(r"[^\w\- ]", "", h.strip().lower()).replace(" ", "-") for h in re.findall(r"^#+ (.+)$", DOC, re.M)}
    links = re.findall(r"\]\(#([^)]+)\)", DOC)
    assert links
    assert sorted(set(links) - anchors) == []
