"""Throttle counts (trainer/throttle.py) in the database, shared by every worker process:
in each process's own cache, N gunicorn workers allowed N times each limit. Nothing to
carry over: the cached counts lasted 15 minutes at most. Going back drops the table."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("trainer", "0004_shown_name"),
    ]

    operations = [
        migrations.CreateModel(
            name="ThrottleCount",
            fields=[
                ("key", models.CharField(max_length=200, primary_key=True, serialize=False)),
                ("count", models.PositiveIntegerField()),
                ("window_ends", models.DateTimeField(db_index=True)),
            ],
        ),
    ]
