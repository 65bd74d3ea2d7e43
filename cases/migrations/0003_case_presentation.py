from django.db import migrations, models


def fill_from_current_version(apps, schema_editor):
    # Rows loaded before presentations existed get the neutral heading the case
    # format falls back to (cases.format.Case.learner_title), so no page shows
    # an empty heading before load_cases runs again. Spelled out here because a
    # migration must not depend on code that may change later.
    Case = apps.get_model("cases", "Case")
    for case in Case.objects.filter(presentation="", current_version__isnull=False).select_related("current_version"):
        data = case.current_version.data  # validated when it was loaded: setting and patient are there
        person = {"F": "woman", "M": "man"}.get(data["patient"]["sex"], "patient")
        neutral = f"{data['setting']}: a {data['patient']['age']}-year-old {person}"
        case.presentation = (data.get("presentation") or neutral)[:100]
        case.save(update_fields=["presentation"])


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0002_guidance_title"),
    ]

    operations = [
        migrations.AddField(
            model_name="case",
            name="presentation",
            field=models.CharField(default="", max_length=100),
        ),
        migrations.RunPython(fill_from_current_version, migrations.RunPython.noop),
    ]
