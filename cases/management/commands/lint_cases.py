from cases.lint import read_library
from cases.management.commands._case_files import CaseFilesCommand


class Command(CaseFilesCommand):
    help = "Check case files (schema and graph). Default: the whole library. Exit status 1 on any error."

    def handle(self, *args, paths, **options):
        good, problems = read_library(paths)
        if problems:
            self.fail(problems, f"{len(problems)} problem(s) in case files; nothing is wrong with the {len(good)} other file(s).")
        self.stdout.write(self.style.SUCCESS(f"{len(good)} case file(s) OK."))
