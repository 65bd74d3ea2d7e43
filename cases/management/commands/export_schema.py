import json

from django.core.management.base import BaseCommand

from cases.format import json_schema
from cases.lint import CASES_DIR, load_catalogue


class Command(BaseCommand):
    help = "Write cases/schema.json (JSON Schema of the case format) for editors."

    def handle(self, *args, **options):
        path = CASES_DIR / "schema.json"
        path.write_text(json.dumps(json_schema(list(load_catalogue())), indent=2, sort_keys=True) + "\n")
        self.stdout.write(f"Wrote {path}")
