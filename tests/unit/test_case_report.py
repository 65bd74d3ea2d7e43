"""cases/report.py and `manage.py case_report`: guidance usage across the library,
and the content beyond the source (ext) that a clinician must sign off. No database."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from cases.format import Case, GuidanceEntry, GuidanceKind
from cases.lint import LIBRARY_DIR, CaseFileError, load_catalogue, read_library
from cases.report import ext_guidance, ext_items, format_usage, guidance_usage, library_usage, unused_ids, usage_by_kind
from trainer.engine import Playbook


@pytest.fixture(scope="module")
def library_cases() -> dict[str, Case]:
    good, problems = read_library()
    assert not problems, problems
    return {cf.case.id: cf.case for cf in good}


def books(cases, catalogue=None):
    catalogue = catalogue or load_catalogue()
    return [Playbook(case, catalogue) for case in cases]


def test_the_library_uses_every_guidance_id():
    usage = library_usage()
    assert [u.entry.id for u in usage] == list(load_catalogue())
    assert unused_ids(usage) == []


def test_usage_lists_the_cases_that_exercise_an_id(library_cases):
    usage = {u.entry.id: u.cases for u in guidance_usage(books(library_cases.values()), load_catalogue())}
    # Blueprint coverage check: the "put under" request is C13's alone; C04 has bladder symptoms.
    assert "C13" in usage["tp-no-anesthesia"]
    assert "C04" in usage["rf-bowel-bladder"]
    assert "C01" not in usage["tp-no-anesthesia"]


def test_an_unused_id_is_reported_with_a_subset_of_cases(library_cases):
    usage = guidance_usage(books([library_cases["C01"]]), load_catalogue())
    unused = unused_ids(usage)
    assert "tp-no-anesthesia" in unused  # only C13 exercises it
    assert "rf-generalized" in unused  # C01 never screens for it
    assert "rf-sensory" not in unused and "tp-imaging-selective" not in unused


def test_an_id_no_case_cites_is_reported():
    catalogue = dict(load_catalogue())
    catalogue["tp-never-cited"] = GuidanceEntry(
        id="tp-never-cited", kind=GuidanceKind.teaching_point, title="Never cited", statement="Not used.", section="INT", ref="INT"
    )
    good, _ = read_library()
    usage = guidance_usage(books((cf.case for cf in good), catalogue), catalogue)
    assert unused_ids(usage) == ["tp-never-cited"]
    lines = format_usage(usage)
    assert any("tp-never-cited" in line and "UNUSED" in line for line in lines)
    assert lines[-1] == f"{len(catalogue) - 1} of {len(catalogue)} guidance ids are exercised by at least one case."


def test_usage_is_grouped_by_kind_in_catalogue_order():
    usage = library_usage()
    groups = usage_by_kind(usage)
    assert [kind for kind, _ in groups] == list(GuidanceKind)
    for kind, rows in groups:
        assert rows and all(u.entry.kind is kind for u in rows)
    lines = format_usage(usage)
    assert lines[0].startswith("Red flags (")
    assert sum(1 for line in lines if line.startswith("  ")) == len(usage)


def test_case_report_command_prints_every_id_with_its_cases():
    out = StringIO()
    call_command("case_report", stdout=out)
    text = out.getvalue()
    for heading in ("Red flags", "Pitfalls", "Teaching points", "Workflow"):
        assert heading in text
    for gid in load_catalogue():
        assert gid in text
    assert "UNUSED" not in text
    line = next(line for line in text.splitlines() if line.strip().startswith("tp-no-anesthesia"))
    assert "C13" in line


def test_case_report_command_fails_listing_unused_ids():
    out = StringIO()
    with pytest.raises(CommandError) as exc:
        call_command("case_report", str(LIBRARY_DIR / "C01-lumbar-strain-lift.yaml"), stdout=out)
    assert "tp-no-anesthesia" in str(exc.value)
    assert "rf-sensory" not in str(exc.value)
    assert "UNUSED" in out.getvalue()


def test_case_report_command_refuses_a_broken_library(tmp_path):
    bad = tmp_path / "C99-broken.yaml"
    bad.write_text("id: C99\nslug: broken\n")
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("case_report", str(bad), stdout=StringIO(), stderr=err)
    assert "C99-broken.yaml" in err.getvalue()
    with pytest.raises(CaseFileError):
        library_usage([bad])


# -- ext items -------------------------------------------------------------------


def test_ext_items_of_c01(library_cases):
    report = ext_items(library_cases["C01"])
    assert report.case_id == "C01"
    assert [(i.kind, i.item_id) for i in report.items] == [
        ("option", "X6"),  # anal tone and a bladder scan
        ("decision option", "W3"),  # incidental findings; CT kept for a fracture after trauma
        ("decision option", "W4"),  # incidental findings
        ("outcome", "review-after-imaging"),
    ]
    assert "bladder scan" in report.items[0].text  # the finding shown to learners
    assert report.items[-1].text.startswith("The report describes age-typical wear in his spine")
    assert report.notes == tuple(library_cases["C01"].ext_notes) and report.notes
    assert not report.empty


def test_ext_items_finds_stages_options_and_decision_options(library_cases):
    data = library_cases["C01"].model_dump(mode="json", by_alias=True)
    data["ext_notes"] = []
    for stage in data["stages"]:
        stage["ext"] = stage["id"] == "exam"
        for opt in stage.get("options", []):
            opt["ext"] = opt["id"] in ("X9", "W7")
    report = ext_items(Case.model_validate(data))
    assert [(i.kind, i.stage_id, i.item_id) for i in report.items] == [
        ("stage", "exam", "exam"),
        ("option", "exam", "X9"),
        ("decision option", "workup", "W7"),
    ]
    x9 = report.items[1]
    assert x9.label == "Straight-leg raise" and "back pain only" in x9.text  # the finding shown to learners
    assert report.items[2].text == "Nothing in the history or exam calls for same-day escalation."  # the reason


def test_a_case_without_ext_content_is_empty(library_cases):
    data = library_cases["C01"].model_dump(mode="json", by_alias=True)
    data["ext_notes"] = []
    for stage in data["stages"]:
        stage["ext"] = False
        for opt in stage.get("options", []):
            opt["ext"] = False
    assert ext_items(Case.model_validate(data)).empty


def test_every_library_case_with_ext_content_is_reported(library_cases):
    for case in library_cases.values():
        report = ext_items(case)
        marked = sum(s.ext for s in case.stages) + sum(o.ext for s in case.stages for o in getattr(s, "options", []))
        assert len(report.items) == marked, case.id


def test_ext_guidance_keeps_only_ext_entries():
    entries = list(load_catalogue().values())
    ext = ext_guidance(entries)
    assert ext and all(e.ext for e in ext)
    assert len(ext) == sum(e.ext for e in entries)
