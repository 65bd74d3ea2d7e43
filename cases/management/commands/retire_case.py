from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from cases.models import Case
from trainer.models import Assignment, Attempt


class Command(BaseCommand):
    help = (
        "Withdraw cases from learners (the library, new assignments, new attempts), or publish them "
        "again with --restore. Attempts already made stay readable; work under way can be finished."
    )

    def add_arguments(self, parser):
        parser.add_argument("codes", nargs="+", metavar="CODE", help="case codes, e.g. C05")
        parser.add_argument("--restore", action="store_true", help="publish the cases again")

    def handle(self, *args, codes, restore, **options):
        codes = list(dict.fromkeys(code.strip().upper() for code in codes))  # c05 typed by hand is C05
        with transaction.atomic():
            cases = {c.code: c for c in Case.objects.select_for_update().filter(code__in=codes)}
            # All or nothing, as load_cases: a typo must not leave half the list changed.
            unknown = [code for code in codes if code not in cases]
            if unknown:
                known = ", ".join(Case.objects.values_list("code", flat=True)) or "none: run load_cases"
                raise CommandError(f"No case with code {', '.join(unknown)}; nothing was changed. Cases: {known}.")
            for code in codes:
                self.stdout.write(self._restore(cases[code]) if restore else self._retire(cases[code]))

    def _retire(self, case: Case) -> str:
        if case.retired:
            return f"{case}: already retired."
        Case.objects.filter(pk=case.pk).update(retired=True)
        attempts = Attempt.objects.filter(case=case)
        learners = attempts.values("user").distinct().count()
        open_ = attempts.filter(finished_at__isnull=True).count()
        assignments = Assignment.objects.filter(case=case)
        live = assignments.filter(cohort__archived=False).count()
        return (
            f"{case}: retired. It leaves the library and the cases an instructor can assign; no new attempt "
            f"starts on it. {learners} learner(s) have attempts on it ({open_} in progress: they can be finished) "
            f"and {assignments.count()} assignment(s) use it ({live} in cohorts not archived): those attempts "
            f"and debriefs stay readable. Publish it again with: manage.py retire_case --restore {case.code}"
        )

    def _restore(self, case: Case) -> str:
        if not case.retired:
            return f"{case}: already published."
        Case.objects.filter(pk=case.pk).update(retired=False)
        version = f"version {case.current_version.number}" if case.current_version else "no version yet: run load_cases"
        return f"{case}: published again ({version})."
