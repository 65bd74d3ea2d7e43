"""Each chart's "Show the data as a table" names its chart to a screen reader.

An assignment page has a chart per finding list and per decision: eight controls
all called "Show the data as a table" in a screen reader's list of controls, with
nothing to say which chart each one opens."""

import re

from django.urls import reverse


def _summaries(page: str) -> list[str]:
    return [" ".join(re.sub(r"<[^>]+>", "", s).split()) for s in re.findall(r"<summary>(.*?)</summary>", page, re.S)]


def test_every_data_table_toggle_on_the_assignment_page_has_its_own_name(room, ines_client):
    cohort, a = room["cohort"], room["assignment"]
    page = ines_client.get(reverse("assignment_detail", args=[cohort.pk, a.pk])).content.decode()
    names = _summaries(page)
    assert len(names) >= 4
    assert len(set(names)) == len(names), names
    assert all(n.startswith("Show the data as a table") for n in names)
    assert "Show the data as a table: Counted scores" in names
