from cases import lint
from cases.lint import read_library
from cases.management.commands._case_files import CaseFilesCommand


class Command(CaseFilesCommand):
    help = "Check case files (schema and graph). Default: the whole library. Exit status 1 on any error."

    def handle(self, *args, paths, **options):
        good, problems = read_library(paths)
        for warning in (w for cf in good for w in cf.warnings):
            self.stderr.write(f"warning: {warning}")
        if problems and not good and all(p.path == str(lint.GUIDANCE_FILE) for p in problems):
            # Every case file names guidance ids, so none was read: "0 other file(s) are fine" said otherwise.
            self.fail(problems, "The guidance catalogue has problems (see above); no case file was checked.")
        if problems:
            # A file can read cleanly and still clash with another (a shared id): count it as a file with problems.
            with_problems = {p.path for p in problems}
            fine = sum(str(cf.path) not in with_problems for cf in good)
            self.fail(problems, f"{len(problems)} problem(s) in {len(with_problems)} file(s); {fine} other file(s) are fine.")
        self.stdout.write(self.style.SUCCESS(f"{len(good)} case file(s) OK."))
        if outside := sum(not cf.library for cf in good):
            # An author drafting elsewhere should not take OK to mean the library will take the file.
            self.stdout.write(f"{outside} of them outside cases/library/: checked without the library's own rules (docs/case-format.md, \"Adding a case to the library\").")
