from django.core.management.base import CommandError

from cases.lint import CaseFileError
from cases.loading import LoadedMeanwhile, load_library
from cases.management.commands._case_files import CaseFilesCommand


class Command(CaseFilesCommand):
    help = "Load case files into the database, all or nothing. Default: the whole library."

    def handle(self, *args, paths, **options):
        try:
            report = load_library(paths)
        except CaseFileError as exc:
            self.fail(exc.problems, "Nothing was loaded: fix the problems above and run again.")
        except LoadedMeanwhile as exc:  # two loads at once: one line, not a traceback
            raise CommandError(str(exc)) from exc
        for warning in report.warnings:
            self.stderr.write(f"warning: {warning}")
        for line in report.changes:
            self.stdout.write(f"  {line}")
        for case in report.missing:
            code = case.split()[0]
            self.stderr.write(
                f"warning: {case} is published, but no file in cases/library/ holds it; "
                f"if it was withdrawn on purpose, run: manage.py retire_case {code}"
            )
        restored = f"{len(report.restored)} back to an earlier version, " if report.restored else ""
        self.stdout.write(
            self.style.SUCCESS(
                f"Cases: {len(report.created)} new, {len(report.new_versions)} with a new version, "
                f"{restored}{len(report.unchanged)} unchanged."
            )
        )
