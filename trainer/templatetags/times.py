"""Times a learner plans by (when an exercise opens, is due, shows its debrief), written
with their time zone as the rest of the site writes them: "30 Nov 2026, 21:32 UTC"."""

from datetime import datetime

from django import template

from trainer import classroom

register = template.Library()


@register.filter
def when(dt: datetime | None) -> str:
    # The site's one format (classroom.when, also in its messages): without the zone a
    # learner elsewhere misread the due times on home and the library.
    return classroom.when(dt) if dt else ""
