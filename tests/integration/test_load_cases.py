"""Loading is all or nothing; versions are immutable and keyed by content."""

import shutil
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from cases.lint import LIBRARY_DIR
from cases.models import Case, CaseVersion, ImmutableError
from tests.factories import AttemptFactory, play

C01 = LIBRARY_DIR / "C01-lumbar-strain-lift.yaml"


@pytest.fixture
def folder(tmp_path):
    shutil.copy(C01, tmp_path / C01.name)
    return tmp_path


def test_an_unchanged_file_makes_no_new_version(library):
    before = CaseVersion.objects.count()
    out = StringIO()
    call_command("load_cases", stdout=out)
    assert CaseVersion.objects.count() == before
    assert "0 new, 0 with a new version" in out.getvalue()


def test_a_changed_file_makes_a_new_version_and_old_attempts_keep_theirs(library, folder):
    attempt = AttemptFactory(code="C01")
    play(attempt, ["H1", "history:next"])
    old = attempt.version
    path = folder / C01.name
    path.write_text(path.read_text().replace("Urgent care", "Urgent care centre"))
    call_command("load_cases", str(folder), stdout=StringIO())
    case = Case.objects.get(code="C01")
    assert case.current_version != old
    assert case.current_version.number == old.number + 1
    attempt.refresh_from_db()
    assert attempt.version == old
    assert attempt.state().stage_id == "exam"


def test_comments_and_key_order_do_not_make_a_new_version(library, folder):
    path = folder / C01.name
    path.write_text("# a new comment\n" + path.read_text())
    before = CaseVersion.objects.count()
    call_command("load_cases", str(folder), stdout=StringIO())
    assert CaseVersion.objects.count() == before


def test_one_bad_file_loads_nothing_and_names_file_and_line(library, folder):
    path = folder / C01.name
    path.write_text(path.read_text().replace("Urgent care", "Urgent care centre"))
    bad = folder / "C99-bad.yaml"
    bad.write_text(C01.read_text().replace("id: C01", "id: C99").replace("slug: lumbar-strain-lift", "slug: bad").replace("next: exam", "next: nowhere"))
    before = CaseVersion.objects.count()
    err = StringIO()
    with pytest.raises(CommandError, match="Nothing was loaded"):
        call_command("load_cases", str(folder), stdout=StringIO(), stderr=err)
    assert CaseVersion.objects.count() == before
    assert not Case.objects.filter(code="C99").exists()
    assert f"{bad}:" in err.getvalue() and "nowhere" in err.getvalue()


def test_lint_cases_exits_non_zero_with_located_errors(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: C01\ntitle: [\n")
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("lint_cases", str(bad), stdout=StringIO(), stderr=err)
    assert f"{bad}:2:" in err.getvalue() or f"{bad}:3:" in err.getvalue()


def test_case_versions_cannot_be_edited_or_deleted(library):
    version = Case.objects.get(code="C01").current_version
    version.data = {}
    with pytest.raises(ImmutableError):
        version.save()
    with pytest.raises(ImmutableError):
        version.delete()


def test_playbooks_of_a_listing_load_uncompiled_versions_in_one_query(library, monkeypatch, django_assert_num_queries):
    import cases.models

    monkeypatch.setattr(cases.models, "_PLAYBOOKS", {})  # a worker that has compiled nothing yet
    versions = [c.current_version for c in Case.objects.published().with_current_version()]
    with django_assert_num_queries(1):
        books = cases.models.playbooks(versions)
    assert [b.case.id for b in books] == [v.case.code for v in versions]
    with django_assert_num_queries(0):  # warm: nothing to load
        cases.models.playbooks(versions)


def test_the_load_report_names_each_case_that_changed_and_a_return_to_an_earlier_version(library, folder):
    path = folder / C01.name
    original = path.read_text()
    title = Case.objects.get(code="C01").title
    path.write_text(original.replace("Urgent care", "Urgent care centre"))
    out = StringIO()
    call_command("load_cases", str(folder), stdout=out)
    assert f"C01 {title}: version 2 from {C01.name}" in out.getvalue()

    # Loading the old file again makes no third version, but C01 is no longer what it was a moment ago.
    path.write_text(original)
    out = StringIO()
    call_command("load_cases", str(folder), stdout=out)
    assert f"C01 {title}: back to version 1 (the file matches it) from {C01.name}" in out.getvalue()
    assert "1 back to an earlier version, 0 unchanged." in out.getvalue()
    assert Case.objects.get(code="C01").current_version.number == 1


def test_lint_cases_counts_a_file_that_clashes_with_another_as_a_file_with_problems(tmp_path):
    text = C01.read_text()
    (tmp_path / C01.name).write_text(text)
    (tmp_path / "C01-second-copy.yaml").write_text(text.replace("slug: lumbar-strain-lift", "slug: second-copy"))
    err = StringIO()
    with pytest.raises(CommandError, match=r"^1 problem\(s\) in 1 file\(s\); 1 other file\(s\) are fine\.$"):
        call_command("lint_cases", str(tmp_path), stdout=StringIO(), stderr=err)
    copy = tmp_path / "C01-second-copy.yaml"
    id_line = text.splitlines().index("id: C01") + 1
    assert f"{copy}:{id_line}: case id 'C01' is also used by {tmp_path / C01.name}" in err.getvalue()


def test_lint_and_load_print_markup_warnings_and_still_succeed(library, folder):
    path = folder / C01.name
    path.write_text(path.read_text().replace("label: When did it start, and what were you doing?", "label: When did it <em>start</em>?"))
    for command in ("lint_cases", "load_cases"):
        err = StringIO()
        call_command(command, str(folder), stdout=StringIO(), stderr=err)
        assert f"warning: {path}:" in err.getvalue() and "label: <em> will show as typed" in err.getvalue(), command


def test_load_cases_refuses_a_library_file_that_breaks_the_library_rules(library, tmp_path, monkeypatch):
    """The audit's cases: lint and load said OK to a vignette with no name and to a
    second case about a patient another case already has (here, C01 in the database)."""
    monkeypatch.setattr("cases.lint.LIBRARY_DIR", tmp_path.resolve())  # these files are the library
    copy = C01.read_text().replace("id: C01", "id: C77").replace("slug: lumbar-strain-lift", "slug: copy-77")
    for name, text, said in [
        ("C78-nameless.yaml", copy.replace("id: C77", "id: C78").replace("Mr Daniel Okafor, 34, picks", "He picks"), "open with the patient's name and age"),
        ("C77-copy.yaml", copy, "'Daniel Okafor' is already used by case C01 in the database"),
    ]:
        for old in tmp_path.glob("*.yaml"):
            old.unlink()
        (tmp_path / name).write_text(text)
        err = StringIO()
        with pytest.raises(CommandError, match="Nothing was loaded"):
            call_command("load_cases", str(tmp_path), stdout=StringIO(), stderr=err)
        assert f"{name}:" in err.getvalue() and said in err.getvalue()
    assert not Case.objects.filter(code__in=["C77", "C78"]).exists()
