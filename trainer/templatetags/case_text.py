"""Case text may carry a little inline markup (emphasis, line breaks, sub/superscript).
Authors' files are reviewed, but case files can also arrive by upload, so the
markup goes through nh3 (an allow-list sanitiser) rather than |safe."""

import nh3
from django import template
from django.utils.safestring import mark_safe

register = template.Library()

ALLOWED_TAGS = {"em", "strong", "i", "b", "br", "sub", "sup"}


@register.filter
def case_html(text: str) -> str:
    return mark_safe(nh3.clean(text or "", tags=ALLOWED_TAGS, attributes={}))
