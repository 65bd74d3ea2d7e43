"""Stored findings learn the "caution" status.

Until now every id in a chosen option's `triggers` was stored as "triggered", also
when the option was a right one (pf-exam-distortion on C01's strength test), so the
cohort charts counted cautions as mistakes. The engine now tells them apart
(engine.Playbook.debrief); this recomputes the findings of finished attempts from
their event log. The engine is pure and the version's data immutable, so replaying
here gives exactly what the debrief shows.
"""

from django.db import migrations


def mark_cautions(apps, schema_editor):
    # Imported here, not at module level: only this step needs them.
    from cases.format import Case
    from cases.lint import load_catalogue
    from trainer.engine import Playbook

    Attempt = apps.get_model("trainer", "Attempt")
    AttemptFinding = apps.get_model("trainer", "AttemptFinding")
    CaseVersion = apps.get_model("cases", "CaseVersion")
    attempts = Attempt.objects.filter(finished_at__isnull=False, findings__status="triggered").distinct()
    if not attempts.exists():
        return
    catalogue = load_catalogue()
    books = {}
    for attempt in attempts.iterator():
        book = books.get(attempt.version_id)
        if book is None:
            data = CaseVersion.objects.get(pk=attempt.version_id).data
            book = books[attempt.version_id] = Playbook(Case.model_validate(data), catalogue)
        choices = list(attempt.choices.order_by("seq").values_list("option_id", flat=True))
        cautions = [f.guidance_id for f in book.debrief(choices).findings if f.status == "caution"]
        if cautions:
            AttemptFinding.objects.filter(attempt=attempt, status="triggered", guidance_id__in=cautions).update(
                status="caution"
            )


def unmark_cautions(apps, schema_editor):
    apps.get_model("trainer", "AttemptFinding").objects.filter(status="caution").update(status="triggered")


class Migration(migrations.Migration):
    dependencies = [
        ("trainer", "0001_initial"),
        ("cases", "0001_initial"),
    ]

    operations = [migrations.RunPython(mark_cautions, unmark_cautions)]
