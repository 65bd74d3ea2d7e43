"""What the test_classroom_dashboard_* files share: the matrix's rows, a page's <h1>
as text, and a CSV export's rows (checked to be a UTF-8 attachment). Their `room`
fixture (a cohort with C01 assigned and played) is in conftest.py."""

import csv
import io
import re


def rows_of(page: str) -> list[str]:
    body = page[page.index("<tbody>", page.index('id="matrix"')):]
    return [r.split("</th>")[0] for r in body.split('<th scope="row"')[1:]]


def _h1(page: str) -> str:
    return re.sub(r"<[^>]+>", "", re.search(r"<h1[^>]*>(.*?)</h1>", page, re.S).group(1)).strip()


def _csv(response) -> list[list[str]]:
    assert response["Content-Type"].startswith("text/csv") and "attachment" in response["Content-Disposition"]
    body = response.getvalue()  # read once: a streamed export's content is consumed as it is read
    assert body.startswith("\ufeff".encode())  # Excel reads it as UTF-8
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
