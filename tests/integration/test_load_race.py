"""`load_cases` run twice at once: the second load meets, in the unique keys, a row the
first stored after the second had read the database (a version with the same number, a
new case with the same slug). It rolled back whole, as it should, but the operator saw
an IntegrityError's traceback; it is one line naming the case and saying to run again.

The version race is set up deterministically (a competing version stored between the
load's read and its insert, as test_choice_race does for choices); the slug race runs two
real loads in threads with their own connections. SQLite and PostgreSQL."""

from __future__ import annotations

import threading
import time
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from cases import loading
from cases.lint import LIBRARY_DIR
from cases.models import Case, CaseVersion
from tests.integration.race_helpers import PATIENCE, Run, others_wait_for_a_lock
from tests.integration.test_concurrency import sqlite_file_database  # noqa: F401 (fixture)

C01 = LIBRARY_DIR / "C01-lumbar-strain-lift.yaml"
C02 = LIBRARY_DIR / "C02-neck-trapezius.yaml"


def edited(folder: Path, source: Path, old: str, new: str, name: str = "") -> Path:
    path = folder / (name or source.name)
    text = source.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    return path


@pytest.mark.django_db
def test_a_version_stored_meanwhile_is_a_one_line_error_and_nothing_is_loaded(library, tmp_path, monkeypatch):
    edited(tmp_path, C01, "Urgent care", "Urgent care centre")  # loaded first, stored before C02 fails
    edited(tmp_path, C02, "title: Neck/trapezius spasm", "title: Neck and trapezius spasm")
    before = {code: (case.current_version_id, case.title) for code, case in Case.objects.in_bulk(field_name="code").items()}
    versions = CaseVersion.objects.count()
    create = CaseVersion.objects.create

    def another_load_first(**fields):
        """The other load's insert lands between this load's read of C02's versions and its own."""
        if fields["case"].code == "C02":
            create(**{**fields, "content_hash": "0" * 64, "source_path": "the other load"})
        return create(**fields)

    monkeypatch.setattr(CaseVersion.objects, "create", another_load_first)
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("load_cases", str(tmp_path), stdout=out, stderr=err)
    message = str(raised.value)
    assert message.startswith("Case C02: another load changed it in the database while this one ran (")
    assert message.endswith("Nothing was loaded: run load_cases again.")
    assert "\n" not in message
    assert out.getvalue() == err.getvalue() == ""
    # Nothing half-loaded: not C01's new version either, stored before C02 failed.
    assert CaseVersion.objects.count() == versions
    assert {code: (case.current_version_id, case.title) for code, case in Case.objects.in_bulk(field_name="code").items()} == before
    # Run again (the other load is done): it loads.
    monkeypatch.undo()
    call_command("load_cases", str(tmp_path), stdout=StringIO())
    assert Case.objects.get(code="C01").current_version.number == 2
    assert Case.objects.get(code="C02").title == "Neck and trapezius spasm, no red flags"


@pytest.mark.django_db(transaction=True)
def test_two_loads_at_once_of_new_cases_with_one_slug(library, tmp_path, monkeypatch, sqlite_file_database):  # noqa: F811
    """Real loads in two threads: each checks the slug against the database before its
    transaction, the second's check passes while the first's new case is not committed,
    and the unique key refuses the second's insert. Before, its traceback."""
    folders = {}
    for code in ("C15", "C16"):
        folders[code] = tmp_path / code
        folders[code].mkdir()
        path = edited(folders[code], C01, "\nid: C01", f"\nid: {code}", name=f"{code}-one-slug.yaml")
        path.write_text(path.read_text().replace("\nslug: lumbar-strain-lift", "\nslug: one-slug", 1))
    first_stored, release, second_checked = threading.Event(), threading.Event(), threading.Event()
    create, catalogue = CaseVersion.objects.create, loading.load_catalogue

    def pause_after_storing(**fields):
        version = create(**fields)
        if fields["case"].code == "C15":  # the first load, inside its transaction
            first_stored.set()
            assert release.wait(PATIENCE)
        return version

    def checked_then_catalogue():  # load_library's checks are done when it reads the catalogue
        if first_stored.is_set():
            second_checked.set()
        return catalogue()

    monkeypatch.setattr(CaseVersion.objects, "create", pause_after_storing)
    monkeypatch.setattr(loading, "load_catalogue", checked_then_catalogue)
    first = Run(lambda: call_command("load_cases", str(folders["C15"]), stdout=StringIO()))
    first.start()
    assert first_stored.wait(PATIENCE)
    second = Run(lambda: call_command("load_cases", str(folders["C16"]), stdout=StringIO(), stderr=StringIO()))
    second.start()
    assert second_checked.wait(PATIENCE)
    # On PostgreSQL the second then waits for the guidance rows the first holds (on
    # SQLite, to begin its transaction): either way it reads again after the commit.
    deadline = time.monotonic() + PATIENCE
    while not others_wait_for_a_lock():
        assert time.monotonic() < deadline, "the second load neither failed nor waited for a lock"
        time.sleep(0.01)
    release.set()
    first.join(PATIENCE), second.join(PATIENCE)
    assert not first.is_alive() and not second.is_alive()
    assert first.result is None
    assert isinstance(second.result, CommandError), second.result
    assert str(second.result).startswith("Case C16: another load changed it in the database while this one ran")
    assert Case.objects.get(slug="one-slug").code == "C15"
    assert not Case.objects.filter(code="C16").exists()
    # Run again: the slug check now names the clash, file and line.
    err = StringIO()
    with pytest.raises(CommandError, match="Nothing was loaded: fix the problems above"):
        call_command("load_cases", str(folders["C16"]), stdout=StringIO(), stderr=err)
    assert "slug 'one-slug' is already used by case C15 in the database" in err.getvalue()
