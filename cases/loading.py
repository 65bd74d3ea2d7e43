"""Load checked case files into the database: all or nothing."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from django.db import IntegrityError, transaction
from django.db.models import Max

from cases.library_rules import patient_name
from cases.lint import LIBRARY_DIR, CaseFile, CaseFileError, Problem, load_catalogue, read_library
from cases.models import Case, CaseVersion, GuidanceItem


class LoadedMeanwhile(Exception):
    """Another load (a second `load_cases`, run at the same time) stored something for
    this case between this load's reads and its writes: a version with the same number
    or content, or a new case with the same slug. Nothing of this load was kept."""

    def __init__(self, code: str, error: IntegrityError):
        detail = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        super().__init__(
            f"Case {code}: another load changed it in the database while this one ran ({detail}). "
            "Nothing was loaded: run load_cases again."
        )


@dataclass
class LoadReport:
    created: list[str] = field(default_factory=list)
    new_versions: list[str] = field(default_factory=list)
    restored: list[str] = field(default_factory=list)  # the file matches an older version, current again
    unchanged: list[str] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)  # one line per case that changed, for the author
    warnings: list[Problem] = field(default_factory=list)  # markup that will not show as written
    still_retired: list[str] = field(default_factory=list)  # loaded, but withdrawn: retire_case --restore publishes
    missing: list[str] = field(default_factory=list)  # "C15 Title": published, with no file left in the library folder


def load_library(paths: Sequence[str | Path] = ()) -> LoadReport:
    """Check every file first; write only if all are clean, in one transaction."""
    good, problems = read_library(paths)
    if problems:
        raise CaseFileError(problems)
    # read_library compares slugs among the files given; a case already in the
    # database may hold one too (the unique key would fail halfway, as a traceback).
    owners = dict(Case.objects.filter(slug__in=[cf.case.slug for cf in good]).values_list("slug", "code"))
    clashes = [
        Problem(str(cf.path), cf.line("slug"), f"slug '{cf.case.slug}' is already used by case {owners[cf.case.slug]} in the database")
        for cf in good
        if owners.get(cf.case.slug, cf.case.id) != cf.case.id
    ] + _name_clashes(good)
    if clashes:
        raise CaseFileError(clashes)
    catalogue = load_catalogue()
    report = LoadReport(warnings=[w for cf in good for w in cf.warnings])
    with transaction.atomic():
        for position, entry in enumerate(catalogue.values()):
            GuidanceItem.objects.update_or_create(
                id=entry.id,
                defaults=dict(
                    kind=entry.kind.value,
                    title=entry.title,
                    statement=entry.statement,
                    section=entry.section,
                    ref=entry.ref,
                    ext=entry.ext,
                    position=position,
                ),
            )
        for cf in good:
            try:
                _load_case(cf, report)
            except IntegrityError as exc:
                # Raised inside the transaction: everything this load wrote is rolled back.
                raise LoadedMeanwhile(cf.case.id, exc) from exc
    if not paths or any(Path(p).resolve() == LIBRARY_DIR for p in paths):
        report.missing = _published_without_a_file({cf.case.id for cf in good})
    return report


def _load_case(cf: CaseFile, report: LoadReport) -> None:
    """One checked file into the database, inside load_library's transaction.

    Two loads at once queue rather than race: on PostgreSQL the second waits at the
    guidance rows the first updated (update_or_create locks them) until the first
    commits, then reads what it stored; on SQLite its transaction cannot begin
    (IMMEDIATE) until the first's ends. The checks above run before the transaction,
    though, so a second load can still meet a row the first stored after them (a new
    case with the same slug), and any other writer meets the unique keys: the
    IntegrityError that follows is LoadedMeanwhile, not a traceback."""
    c = cf.case
    listing = dict(
        slug=c.slug, title=c.title, presentation=c.learner_title, region=c.tags.region, type=c.tags.type, difficulty=c.tags.difficulty
    )
    case, created = Case.objects.get_or_create(code=c.id, defaults=listing)
    version = case.versions.filter(content_hash=cf.content_hash).first()
    was = case.current_version_id
    if version is None:
        number = (case.versions.aggregate(n=Max("number"))["n"] or 0) + 1
        version = CaseVersion.objects.create(
            case=case, number=number, content_hash=cf.content_hash, data=cf.data, source_path=cf.path.name
        )
        (report.created if created else report.new_versions).append(c.id)
        report.changes.append(f"{c.id} {c.title}: {'new case' if created else f'version {number}'} from {cf.path.name}")
    elif version.pk != was:
        report.restored.append(c.id)
        report.changes.append(f"{c.id} {c.title}: back to version {version.number} (the file matches it) from {cf.path.name}")
    else:
        report.unchanged.append(c.id)
    if not created and case.title != c.title:
        report.changes.append(f"{c.id}: title was '{case.title}', now '{c.title}'")
    # Withdrawing is retire_case's decision, and only it undoes one: a file left in
    # the folder (or put back) must not publish again a case taken out on purpose.
    Case.objects.filter(pk=case.pk).update(**listing, current_version=version)
    if case.retired:
        report.still_retired.append(c.id)
        report.changes.append(f"{c.id} {c.title}: retired, so learners still do not see it (publish it again: manage.py retire_case --restore {c.id})")


def _name_clashes(good: list[CaseFile]) -> list[Problem]:
    """read_library compares patients' names among the files given; a case already in
    the database may tell its story about the same patient."""
    library = [cf for cf in good if cf.library]
    if not library:
        return []
    others = Case.objects.exclude(code__in=[cf.case.id for cf in good]).filter(current_version__isnull=False)
    names: dict[str | None, str] = {}
    for case in others.select_related("current_version"):
        names.setdefault(patient_name(case.current_version.content.vignette), case.code)
    names.pop(None, None)
    return [
        Problem(str(cf.path), cf.line("vignette"), f"the patient's name '{name}' is already used by case {names[name]} in the database")
        for cf in library
        if (name := patient_name(cf.case.vignette)) in names
    ]


def _published_without_a_file(codes: set[str]) -> list[str]:
    """Published cases that none of the library folder's files (just read: `codes`, their
    ids) holds. Only named, never retired here: a partial checkout (or a file being
    renamed) would withdraw cases silently."""
    return [f"{code} {title}" for code, title in Case.objects.published().exclude(code__in=codes).values_list("code", "title")]
