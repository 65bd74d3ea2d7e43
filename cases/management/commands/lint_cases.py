from django.core.management.base import BaseCommand, CommandError

from cases.lint import read_library


class Command(BaseCommand):
    help = "Check case files (schema and graph). Default: the whole library. Exit status 1 on any error."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="*", help="case files or folders")

    def handle(self, *args, paths, **options):
        good, problems = read_library(paths)
        for problem in problems:
            self.stderr.write(str(problem))
        if problems:
            raise CommandError(f"{len(problems)} problem(s) in case files; nothing is wrong with the {len(good)} other file(s).")
        self.stdout.write(self.style.SUCCESS(f"{len(good)} case file(s) OK."))
