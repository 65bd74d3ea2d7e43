from django.core.management.base import BaseCommand, CommandError

from cases.lint import CaseFileError
from cases.report import format_usage, library_usage, unused_ids


class Command(BaseCommand):
    help = (
        "For every guidance id (by kind), list the cases that exercise it. "
        "Exit status 1 if the case files have problems or any id is used by no case."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="*", help="case files or folders (default: the whole library)")

    def handle(self, *args, paths, **options):
        try:
            usage = library_usage(paths)
        except CaseFileError as exc:
            for problem in exc.problems:
                self.stderr.write(str(problem))
            raise CommandError("The case files have problems (see above); run lint_cases.") from None
        for line in format_usage(usage):
            self.stdout.write(line)
        unused = unused_ids(usage)
        if unused:
            raise CommandError(f"{len(unused)} guidance id(s) used by no case: {', '.join(unused)}")
