"""What the case-file commands share: optional paths, and located problems on stderr."""

from collections.abc import Iterable

from django.core.management.base import BaseCommand, CommandError

from cases.lint import Problem


class CaseFilesCommand(BaseCommand):
    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="*", help="case files or folders (default: the whole library)")

    def fail(self, problems: Iterable[Problem], message: str) -> None:
        """Print each problem as file:line: message, then exit non-zero."""
        for problem in problems:
            self.stderr.write(str(problem))
        raise CommandError(message)
