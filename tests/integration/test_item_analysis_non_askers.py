"""Item analysis (persona ines): the unsafe rate among non-askers shows its counts,
as the rate among askers does. "100%" alone read the same for 1 of 1 and 20 of 20:
an instructor could not tell a single learner from a pattern worth teaching."""

import re

from django.urls import reverse

from trainer import cohort_stats


def test_unsafe_when_not_asked_shows_how_many_of_how_many(room, ines_client):
    cohort, a = room["cohort"], room["assignment"]
    analysis = cohort_stats.item_analysis(cohort, a.case)
    skipped = [i for i in analysis.screening if i.asked < analysis.attempts]
    assert skipped, "some learner skipped a screening question"
    page = ines_client.get(reverse("item_analysis", args=[cohort.pk, a.case.slug])).content.decode()
    page = page[page.index('id="screen-h"') :].split("</section>")[0]  # the screening table, not the charts' tables
    rows = {re.sub(r"\s+", " ", m.group(1)): m.group(0) for m in re.finditer(r"<tr>\s*<th scope=\"row\"[^>]*>([^<]+)<.*?</tr>", page, re.S)}
    for item in skipped:
        not_asked = [n for n, p in room["paths"].items() if item.id not in p]
        unsafe = sum(room["attempts"][n].unsafe for n in not_asked)
        cells = re.findall(r"<td>(.*?)</td>", rows[item.label + " "], re.S)
        last = re.sub(r"<[^>]+>|\s+", " ", cells[-1]).split()
        assert last == [f"{round(100 * unsafe / len(not_asked))}%", f"({unsafe}/{len(not_asked)})"], item.id
