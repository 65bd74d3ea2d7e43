"""Case content in the database: cases, their immutable versions, the guidance catalogue."""

from __future__ import annotations

from functools import lru_cache

from django.db import models

from cases.format import Case as CaseModel
from cases.format import GuidanceEntry, cite_ref
from trainer.engine import Playbook


class GuidanceItem(models.Model):
    class Kind(models.TextChoices):
        RED_FLAG = "red_flag", "Red flag"
        PITFALL = "pitfall", "Pitfall"
        TEACHING_POINT = "teaching_point", "Teaching point"
        WORKFLOW = "workflow", "Workflow"

    id = models.CharField(primary_key=True, max_length=64)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    title = models.CharField(max_length=60, default="")
    statement = models.TextField()
    section = models.CharField(max_length=200)
    ref = models.CharField(max_length=200)
    ext = models.BooleanField(default=False)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position"]

    def __str__(self) -> str:
        return self.id

    @property
    def source(self) -> str:
        return cite_ref(self.ref)

    def as_entry(self) -> GuidanceEntry:
        return GuidanceEntry(
            id=self.id, kind=self.kind, title=self.title or self.id,  # a row from before titles: load_cases fills it
            statement=self.statement, section=self.section, ref=self.ref, ext=self.ext,
        )


class CaseQuerySet(models.QuerySet):
    def published(self) -> CaseQuerySet:
        return self.filter(current_version__isnull=False, retired=False)

    def with_current_version(self) -> CaseQuerySet:
        """Join the current version without its case file (see CaseVersion.playbook)."""
        return self.select_related("current_version").defer("current_version__data")


class Case(models.Model):
    """A case's identity; its content lives in CaseVersion rows."""

    code = models.CharField(max_length=8, unique=True)  # C01
    slug = models.SlugField(max_length=80, unique=True)
    title = models.CharField(max_length=200)  # names the diagnosis: instructors and the debrief
    presentation = models.CharField(max_length=100, default="")  # what learners see before the debrief
    region = models.CharField(max_length=40, db_index=True)
    type = models.CharField(max_length=20, db_index=True)
    difficulty = models.CharField(max_length=20, db_index=True)
    current_version = models.ForeignKey(
        "CaseVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    retired = models.BooleanField(default=False)

    objects = CaseQuerySet.as_manager()

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def learner_label(self) -> str:
        """How learners' pages and messages name the case (never by its title)."""
        return f"{self.code} · {self.presentation}"


class ImmutableError(Exception):
    pass


class CaseVersion(models.Model):
    """An immutable snapshot of a case file. Attempts point at the version they
    started on, so editing a case never rewrites an old debrief."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    content_hash = models.CharField(max_length=64)
    data = models.JSONField()
    source_path = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["case", "number"]
        constraints = [
            models.UniqueConstraint(fields=["case", "content_hash"], name="unique_case_content"),
            models.UniqueConstraint(fields=["case", "number"], name="unique_case_version_number"),
        ]

    def __str__(self) -> str:
        return f"{self.case.code} v{self.number}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ImmutableError("Case versions are immutable; load a changed file to make a new version.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableError("Case versions are immutable and cannot be deleted.")

    @property
    def content(self) -> CaseModel:
        return self.playbook.case

    @property
    def playbook(self) -> Playbook:
        # Queries defer `data` (a whole case file, decoded from JSON on every fetch):
        # it is loaded, one query, only when this process has not compiled the version.
        book = _PLAYBOOKS.get(self.content_hash)
        return book if book is not None else compiled_playbook(self.content_hash, self.data)


def playbooks(versions: list[CaseVersion]) -> list[Playbook]:
    """The playbooks of versions fetched without `data`, for pages listing many
    cases: the versions this process has not compiled yet are loaded in one query,
    not one each."""
    missing = [v.pk for v in versions if v.content_hash not in _PLAYBOOKS]
    for content_hash, data in CaseVersion.objects.filter(pk__in=missing).values_list("content_hash", "data"):
        compiled_playbook(content_hash, data)
    return [v.playbook for v in versions]


_PLAYBOOKS: dict[str, Playbook] = {}


def compiled_playbook(content_hash: str, data: dict) -> Playbook:
    """One compiled Playbook per content hash per process: versions never change,
    so validation and indexing happen once, not on every request."""
    book = _PLAYBOOKS.get(content_hash)
    if book is None:
        book = Playbook(CaseModel.model_validate(data), guidance_catalogue())
        _PLAYBOOKS[content_hash] = book
    return book


@lru_cache(maxsize=1)
def guidance_catalogue() -> dict[str, GuidanceEntry]:
    from cases.lint import load_catalogue

    return load_catalogue()
