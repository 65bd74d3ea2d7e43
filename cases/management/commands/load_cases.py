from django.core.management.base import BaseCommand, CommandError

from cases.lint import CaseFileError
from cases.loading import load_library


class Command(BaseCommand):
    help = "Load case files into the database, all or nothing. Default: the whole library."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="*", help="case files or folders")

    def handle(self, *args, paths, **options):
        try:
            report = load_library(paths)
        except CaseFileError as exc:
            for problem in exc.problems:
                self.stderr.write(str(problem))
            raise CommandError("Nothing was loaded: fix the problems above and run again.") from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Cases: {len(report.created)} new, {len(report.new_versions)} with a new version, "
                f"{len(report.unchanged)} unchanged."
            )
        )
