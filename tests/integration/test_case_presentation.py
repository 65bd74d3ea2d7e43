"""Learners see a case's presentation, not its title, until the debrief: the
title names the diagnosis the case asks them to find ("Back spasm with urinary
retention and saddle numbness")."""

import copy
import html
import importlib
import json

from django.apps import apps
from django.urls import reverse

from cases.format import json_schema
from cases.lint import CASES_DIR, load_catalogue
from cases.models import Case, CaseVersion
from tests.factories import AssignmentFactory, AttemptFactory, TaughtCohortFactory, enrol, play
from trainer.models import Attempt

migration = importlib.import_module("cases.migrations.0003_case_presentation")


def page(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return html.unescape(response.content.decode())


def test_every_library_case_has_its_own_presentation_that_is_not_its_title(library):
    presentations = [c.presentation for c in library.values()]
    assert all(presentations) and len(set(presentations)) == len(presentations)
    for case in library.values():
        assert case.presentation.casefold() != case.title.casefold(), case.code


def test_the_library_shows_presentations_and_no_titles_slugs_or_type_badges(library, alice_client):
    text = page(alice_client, reverse("library"))
    for case in library.values():
        assert case.presentation in text, case.code
        assert case.title not in text, case.code
        # Slugs name the diagnosis too ("cauda-equina"): not even the Start form's address carries one.
        assert case.slug not in text, case.code
    cards = text[text.index('id="results"'):]
    assert "Red flag" not in cards and "Benign" not in cards  # the type stays a filter only


def test_the_attempt_page_home_and_guidance_hide_the_title_until_the_debrief(library, alice, alice_client):
    c04 = library["C04"]
    assignment = AssignmentFactory(code="C04", cohort=TaughtCohortFactory())
    enrol(assignment.cohort, alice)
    home = page(alice_client, reverse("home"))
    assert c04.presentation in home and c04.title not in home and c04.slug not in home

    response = alice_client.post(reverse("start_attempt", args=[c04.code]), follow=True)
    text = html.unescape(response.content.decode())
    assert f"<h1 class=\"h3\">{c04.presentation}</h1>" in text
    assert c04.title not in text and c04.slug not in text
    assert c04.title not in page(alice_client, reverse("guidance"))

    attempt = Attempt.objects.get(user=alice, case=c04)
    play(attempt, attempt.version.playbook.best_choices)
    debrief = page(alice_client, reverse("debrief", args=[attempt.pk]))
    assert f"Debrief: {c04.title}" in debrief and f"Presented as: {c04.presentation}" in debrief


def test_instructors_see_titles_on_the_guidance_page_and_dashboard(library, client):
    from tests.factories import UserFactory

    ines = UserFactory(username="ines", instructor=True)
    assignment = AssignmentFactory(code="C04", cohort=TaughtCohortFactory(created_by=ines))
    client.force_login(ines)
    assert "C04 " + library["C04"].title in page(client, reverse("guidance"))
    assert library["C04"].title in page(client, reverse("cohort_dashboard", args=[assignment.cohort.pk]))


def test_a_version_stored_before_presentations_plays_under_a_neutral_heading(library, alice, alice_client):
    c01 = library["C01"]
    old = copy.deepcopy(c01.current_version.data)
    del old["presentation"]
    version = CaseVersion.objects.create(case=c01, number=99, content_hash="0" * 64, data=old)
    attempt = AttemptFactory(user=alice, code="C01", version=version)
    text = page(alice_client, reverse("attempt", args=[attempt.pk]))
    assert '<h1 class="h3">Urgent care: a 34-year-old man</h1>' in text


def test_the_migration_gives_rows_loaded_before_it_a_neutral_presentation(library):
    Case.objects.filter(code="C01").update(presentation="")
    migration.fill_from_current_version(apps, None)
    # The current version has a presentation: the migration takes it.
    assert Case.objects.get(code="C01").presentation == library["C01"].presentation

    c02 = library["C02"]
    old = copy.deepcopy(c02.current_version.data)
    del old["presentation"]
    version = CaseVersion.objects.create(case=c02, number=99, content_hash="1" * 64, data=old)
    Case.objects.filter(pk=c02.pk).update(presentation="", current_version=version)
    migration.fill_from_current_version(apps, None)
    assert Case.objects.get(pk=c02.pk).presentation == "Primary care: a 41-year-old woman"


def test_the_json_schema_editors_use_matches_the_case_format():
    # An author's editor checks files against cases/schema.json; run `manage.py export_schema` after a format change.
    stored = json.loads((CASES_DIR / "schema.json").read_text())
    assert stored == json.loads(json.dumps(json_schema(list(load_catalogue()))))


def test_the_editor_schema_completes_guidance_ids_and_explains_fields():
    # An editor offers the catalogue's ids instead of accepting any rf-/pf- shaped string,
    # and shows each field's meaning on hover.
    schema = json.loads((CASES_DIR / "schema.json").read_text())
    option = schema["$defs"]["Option"]["properties"]
    assert option["screens"]["items"]["enum"] == sorted(load_catalogue())
    assert "rf-generalised" not in option["screens"]["items"]["enum"] and "rf-generalized" in option["screens"]["items"]["enum"]
    assert "default" in option["yield"]["description"] and "answer or the finding" in option["reveals"]["description"]
    assert "no diagnosis" in schema["properties"]["presentation"]["description"]
