"""Case text may carry a little inline markup (emphasis, line breaks, sub/superscript).
Authors' files are reviewed, but case files can also arrive by upload, so the
markup goes through nh3 (an allow-list sanitiser) rather than |safe."""

from functools import lru_cache

import nh3
from django import template
from django.utils.safestring import mark_safe

from cases.format import INLINE_TAGS

register = template.Library()

ALLOWED_TAGS = set(INLINE_TAGS)


@lru_cache(maxsize=8192)
def _clean(text: str) -> str:
    # Case text is immutable per case version: sanitise each distinct string once
    # per process, not on every render of every transcript line.
    return nh3.clean(text, tags=ALLOWED_TAGS, attributes={})


@register.filter
def case_html(text: str) -> str:
    return mark_safe(_clean(text or ""))


# Case tags are slugs (`neuro-rehab`, `upper-limb`); people read words.
TAG_LABELS = {"red-flag": "Red flag", "neuro-rehab": "Neurology / rehabilitation"}


@register.filter
def tag_label(value: str) -> str:
    return TAG_LABELS.get(value) or value.replace("-", " ").capitalize()
