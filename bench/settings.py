"""Bench-only settings: the app's settings plus a URLconf with a constant view.

Selected with DJANGO_SETTINGS_MODULE=bench.settings by bench/run.py and bench/wsgi.py;
the app's own settings module is untouched. Everything else (DEBUG, the database,
persistent connections, static storage) still comes from the environment exactly
as in production.
"""

import os

from trainer.settings import *  # noqa: F401,F403
from trainer.settings import BASE_DIR

ROOT_URLCONF = "bench.urls"
# collectstatic for the bench goes under bench/.data, not the project's staticfiles/.
STATIC_ROOT = BASE_DIR / "bench" / ".data" / "static"
# An experiment for the owner's decision on issue 6, never the default: e.g.
# BENCH_SESSION_ENGINE=django.contrib.sessions.backends.signed_cookies (bench/README.md).
SESSION_ENGINE = os.environ.get("BENCH_SESSION_ENGINE") or "django.contrib.sessions.backends.db"  # Django's default, as the app uses
