import json

from django.core.management.base import BaseCommand, CommandError

from cases import lint
from cases.format import json_schema


class Command(BaseCommand):
    help = "Write cases/schema.json (JSON Schema of the case format) for editors."

    def handle(self, *args, **options):
        path = lint.CASES_DIR / "schema.json"
        try:
            # The schema lists the catalogue's ids; read at call time, so a test can point it elsewhere.
            catalogue = lint.load_catalogue(lint.GUIDANCE_FILE)
        except lint.CaseFileError as exc:
            # A slip in cases/guidance.yaml was a traceback here, while lint_cases named its line.
            for problem in exc.problems:
                self.stderr.write(str(problem))
            raise CommandError(f"{path} was not written: fix the guidance catalogue (see above) and run again.") from None
        path.write_text(json.dumps(json_schema(list(catalogue)), indent=2, sort_keys=True) + "\n")
        self.stdout.write(f"Wrote {path}")
