"""Each person's shown name folded for search and A-Z order (trainer/names.py): SQLite's
lower() and LIKE fold ASCII only, so "émile" found no "Émile" and "Émile" sorted after
every ASCII name. Saving a user keeps the key up to date from now on; this stores it for
the accounts already there. Going back drops the table."""

from django.conf import settings
from django.db import migrations, models


def fill(apps, schema_editor):
    # The project's own key, not a copy: a key written here must match the ones saves write.
    from trainer.names import name_key

    User = apps.get_model(*settings.AUTH_USER_MODEL.split("."))
    ShownName = apps.get_model("trainer", "ShownName")
    users = User.objects.only("username", "first_name", "last_name")
    ShownName.objects.bulk_create((ShownName(user_id=u.pk, key=name_key(u)) for u in users.iterator()), batch_size=500)


class Migration(migrations.Migration):

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("trainer", "0003_unscored_dangerous_is_unsafe"),
    ]

    operations = [
        migrations.CreateModel(
            name="ShownName",
            fields=[
                ("user", models.OneToOneField(on_delete=models.deletion.CASCADE, primary_key=True, related_name="shown_name", serialize=False, to=settings.AUTH_USER_MODEL)),
                ("key", models.TextField()),
            ],
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
