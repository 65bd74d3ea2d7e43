from django.core.management.base import CommandError

from cases.lint import CaseFileError
from cases.management.commands._case_files import CaseFilesCommand
from cases.report import format_usage, library_usage, unused_ids


class Command(CaseFilesCommand):
    help = (
        "For every guidance id (by kind), list the cases that exercise it. "
        "Exit status 1 if the case files have problems or any id is used by no case."
    )

    def handle(self, *args, paths, **options):
        try:
            usage = library_usage(paths)
        except CaseFileError as exc:
            self.fail(exc.problems, "The case files have problems (see above); run lint_cases.")
        for line in format_usage(usage):
            self.stdout.write(line)
        unused = unused_ids(usage)
        if unused:
            raise CommandError(f"{len(unused)} guidance id(s) used by no case: {', '.join(unused)}")
