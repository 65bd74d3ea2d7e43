"""WSGI entry point for the benchmark: trainer.wsgi.application under bench.settings
(the app's settings with bench/urls.py, which adds /__bench__/bare)."""

import os

os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"

from trainer.wsgi import application  # noqa: E402

__all__ = ["application"]
