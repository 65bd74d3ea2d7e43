"""A dangerous choice at an unscored decision (a return visit) now trips the safety gate.

Until now the gate read only scored decisions, so in C07, C09 and C14 a learner who
imaged the wrong target, then reassured the patient who came back worse, finished
"Safe" beside a red "dangerous" badge. The engine now marks such an attempt unsafe and
caps its total (engine.Playbook.debrief); this replays the finished attempts whose
stored verdict the change can alter (safe, with a dangerous choice at an unscored
decision) and stores the verdict and total the debrief now shows. As in 0002, the
engine is pure and each version's data immutable, so the replay is the debrief.

Going back leaves the new verdicts: the earlier rule cannot be replayed by this code.
"""

from django.db import migrations


def rescore(apps, schema_editor):
    # Imported here, not at module level: only this step needs them.
    from cases.format import Case, Dimension, Grade
    from cases.lint import load_catalogue
    from trainer.engine import Playbook

    Attempt = apps.get_model("trainer", "Attempt")
    CaseVersion = apps.get_model("cases", "CaseVersion")
    catalogue = None
    for version in CaseVersion.objects.iterator():
        case = Case.model_validate(version.data)
        unscored_dangerous = [
            opt.id
            for stage in case.stages
            if stage.kind == "decision" and stage.scores is Dimension.none
            for opt in stage.options
            if opt.grade is Grade.dangerous
        ]
        if not unscored_dangerous:
            continue
        affected = Attempt.objects.filter(
            version=version, finished_at__isnull=False, unsafe=False, choices__option_id__in=unscored_dangerous
        ).distinct()
        book = None
        for attempt in affected.iterator():
            catalogue = catalogue or load_catalogue()
            book = book or Playbook(case, catalogue)
            choices = list(attempt.choices.order_by("seq").values_list("option_id", flat=True))
            report = book.debrief(choices)
            attempt.unsafe = report.unsafe
            attempt.score_total = report.total
            attempt.save(update_fields=["unsafe", "score_total"])


class Migration(migrations.Migration):
    dependencies = [
        ("trainer", "0002_findings_caution"),
        ("cases", "0001_initial"),
    ]

    operations = [migrations.RunPython(rescore, migrations.RunPython.noop)]
