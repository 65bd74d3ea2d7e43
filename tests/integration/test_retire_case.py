"""Withdrawing a case (retire_case) and what load_cases says and keeps about it."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from cases.lint import LIBRARY_DIR
from cases.models import Case
from tests.factories import AssignmentFactory, AttemptFactory, TaughtCohortFactory, UserFactory, enrol, play
from tests.integration.play_helpers import as_sent

C01 = LIBRARY_DIR / "C01-lumbar-strain-lift.yaml"


def retire(*args) -> str:
    out = StringIO()
    call_command("retire_case", *args, stdout=out)
    return out.getvalue()


def test_retire_case_withdraws_and_restore_publishes_again(library):
    alice, bob = UserFactory(), UserFactory()
    play(AttemptFactory(user=alice, code="C05"), ["H1"])
    AttemptFactory(user=alice, code="C05")
    AttemptFactory(user=bob, code="C05")
    AssignmentFactory(code="C05")
    said = retire("c05")
    assert "C05 " in said and "retired" in said
    assert "2 learner(s) have attempts on it (3 in progress" in said and "1 assignment(s) use it" in said
    assert not Case.objects.published().filter(code="C05").exists()
    assert "already retired" in retire("C05")
    assert "published again (version 1)" in retire("--restore", "C05")
    assert Case.objects.published().filter(code="C05").exists()


def test_an_unknown_code_changes_nothing(library):
    with pytest.raises(CommandError, match="No case with code C99; nothing was changed"):
        retire("C05", "C99")
    assert not Case.objects.filter(retired=True).exists()


def test_loading_keeps_a_retired_case_retired_and_says_how_to_publish_it(library):
    retire("C05")
    out = StringIO()
    call_command("load_cases", stdout=out, stderr=StringIO())
    assert Case.objects.get(code="C05").retired
    assert "C05" in out.getvalue() and "retire_case --restore C05" in out.getvalue()


def test_load_cases_names_a_published_case_with_no_file_left_but_does_not_retire_it(library, tmp_path):
    copy = C01.read_text().replace("id: C01", "id: C77").replace("slug: lumbar-strain-lift", "slug: copy-77")
    (tmp_path / "C77-copy.yaml").write_text(copy.replace("Mr Daniel Okafor", "Mr Daniel Okoro"))  # a patient of its own
    err = StringIO()
    call_command("load_cases", str(tmp_path), stdout=StringIO(), stderr=err)
    assert err.getvalue() == ""  # a folder outside the library says nothing about the library
    call_command("load_cases", stdout=StringIO(), stderr=err)
    assert "warning: C77 Acute lumbar strain after lifting is published, but no file in cases/library/ holds it" in err.getvalue()
    assert "manage.py retire_case C77" in err.getvalue()
    assert "C01 " not in err.getvalue()
    assert Case.objects.published().filter(code="C77").exists()


def _finished_and_open(alice):
    done = AttemptFactory(user=alice, code="C05")
    play(done, done.version.playbook.best_choices)
    under_way = AttemptFactory(user=alice, code="C05")
    play(under_way, ["H1"])
    retire("C05")
    return done, under_way


def test_a_learner_finishes_and_reads_work_on_a_retired_case_but_starts_none(library, alice, alice_client):
    done, under_way = _finished_and_open(alice)
    assert "C05" not in alice_client.get("/cases/").content.decode()
    assert alice_client.get(f"/attempts/{under_way.pk}/").status_code == 200
    assert alice_client.post(f"/attempts/{under_way.pk}/choose/", {"option": as_sent(under_way, "H2")}).status_code == 302
    assert under_way.choice_ids() == ["H1", "H2"]
    debrief = alice_client.get(f"/attempts/{done.pk}/debrief/").content.decode()
    assert 'id="withdrawn"' in debrief and "/cases/C05/start/" not in debrief
    started = alice_client.post("/cases/C05/start/", follow=True)
    assert started.redirect_chain[-1][0] == "/cases/" and "has been withdrawn" in started.content.decode()
    assert Case.objects.get(code="C05").attempts.count() == 2
    assert str(done.pk) in alice_client.get("/attempts/?case=C05").content.decode()


def test_an_assignment_on_a_retired_case_offers_resume_but_no_start(library, alice, alice_client, ines, ines_client):
    cohort = TaughtCohortFactory(created_by=ines)
    enrol(cohort, alice)
    assignment = AssignmentFactory(cohort=cohort, code="C05")
    retire("C05")
    home = alice_client.get("/").content.decode()
    assert "withdrawn: no new attempt can start" in home and f"/assignments/{assignment.pk}/start/" not in home
    dashboard = ines_client.get(f"/cohorts/{cohort.pk}/").content.decode()
    assert "withdrawn" in dashboard
    assert 'id="withdrawn"' in ines_client.get(f"/cohorts/{cohort.pk}/assignments/{assignment.pk}/").content.decode()
    retire("--restore", "C05")
    alice_client.post(f"/assignments/{assignment.pk}/start/")
    retire("C05")
    home = alice_client.get("/").content.decode()
    assert "Resume" in home and "withdrawn: you can finish the attempt under way, but no new one can start" in home


def test_the_classroom_rules_refuse_new_work_on_a_retired_case_without_a_request(library, alice, ines):
    """The rule lives in trainer.classroom (start_case, can_try_again), not in the views."""
    from trainer import classroom

    cohort = TaughtCohortFactory(created_by=ines)
    enrol(cohort, alice)
    assignment = AssignmentFactory(cohort=cohort, code="C05", max_attempts=3)
    first, _ = classroom.start_assignment(alice, assignment)
    play(first, first.version.playbook.best_choices)
    assert classroom.can_try_again(alice, assignment)
    retire("C05")
    assignment.refresh_from_db()
    case = Case.objects.get(code="C05")
    assert not classroom.can_try_again(alice, assignment)
    with pytest.raises(classroom.CaseWithdrawn, match="has been withdrawn"):
        classroom.start_case(alice, case)
    with pytest.raises(classroom.ClassroomError, match="withdrawn"):
        classroom.start_assignment(alice, assignment)
