"""The clinical review page (/review/): instructors see every `ext` item of the
published cases and of the guidance catalogue; everyone else does not."""

import pytest
from django.urls import reverse
from django.utils.html import escape

from cases.models import Case, CaseVersion, GuidanceItem
from cases.report import ext_items
from tests.factories import UserFactory
from trainer.templatetags.case_text import case_html

URL = reverse("clinical_review")

pytestmark = pytest.mark.django_db


@pytest.fixture
def carol(db):
    """An instructor."""
    return UserFactory(username="carol", instructor=True)


@pytest.fixture
def carol_client(client, carol):
    client.force_login(carol)
    return client


def test_anonymous_is_sent_to_log_in(anon_client, library):
    response = anon_client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert "next=/review/" in response["Location"]


def test_a_learner_gets_404(alice_client, library):
    assert alice_client.get(URL).status_code == 404


def test_a_staff_user_who_is_not_an_instructor_gets_404(client, library):
    client.force_login(UserFactory(username="dave", is_staff=True))
    assert client.get(URL).status_code == 404


def test_post_is_not_allowed(carol_client, library):
    assert carol_client.post(URL).status_code == 405


def test_instructor_sees_every_ext_item_by_case(carol_client, library):
    response = carol_client.get(URL)
    assert response.status_code == 200
    assert [t.name for t in response.templates][0] == "cases/clinical_review.html"
    html = response.content.decode()
    assert "<h1" in html and "Clinical review" in html
    listed = 0
    for code, case in library.items():
        report = ext_items(case.current_version.content)
        if report.empty:
            continue
        assert f'id="case-{code}"' in html
        section = html.split(f'id="case-{code}"', 1)[1].split("<section", 1)[0]
        for item in report.items:
            assert f"<code>{item.item_id}</code>" in section, (code, item.item_id)
            assert escape(item.label) in section, (code, item.item_id)
            if item.text:
                assert case_html(item.text) in section, (code, item.item_id)  # rendered as learners see it
            listed += 1
        for note in report.notes:
            assert escape(note) in section, (code, note)
            listed += 1
    assert listed >= 14  # every case carries at least one ext item or note
    for item in GuidanceItem.objects.filter(ext=True):
        assert f"<code>{item.id}</code>" in html
        assert escape(item.statement) in html
        listed += 1
    assert f"{listed} items to review" in html


def test_cases_are_listed_in_order_with_headings(carol_client, library):
    html = carol_client.get(URL).content.decode()
    positions = [html.index(f'id="case-{code}-h"') for code in sorted(library) if f'id="case-{code}-h"' in html]
    assert positions == sorted(positions) and len(positions) >= 1
    assert html.count('<h2 id="case-') == len(positions)


def test_a_retired_case_is_not_listed(carol_client, library):
    Case.objects.filter(code="C01").update(retired=True)
    html = carol_client.get(URL).content.decode()
    assert 'id="case-C01"' not in html
    assert 'id="case-C03"' in html


def test_empty_state_when_nothing_needs_review(carol_client, library):
    Case.objects.update(retired=True)
    GuidanceItem.objects.update(ext=False)
    response = carol_client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Nothing to review" in html
    assert 'id="case-' not in html and 'id="guidance"' not in html


def test_no_inline_styles_or_scripts(carol_client, library):
    html = carol_client.get(URL).content.decode()
    assert "style=" not in html
    assert "<script>" not in html and "<script " not in html.replace('<script src="', "")


def test_case_text_markup_is_sanitised(carol_client, library):
    """Ext text is shown as learners see it: allowed inline markup kept, anything else removed."""
    case = library["C01"]
    data = dict(case.current_version.data)
    data["stages"] = [
        {**s, "text": "The <em>scan</em> report.<script>alert(1)</script>"} if s["id"] == "review-after-imaging" else s
        for s in data["stages"]
    ]
    version = CaseVersion.objects.create(case=case, number=99, content_hash="x" * 64, data=data)
    Case.objects.filter(pk=case.pk).update(current_version=version)
    html = carol_client.get(URL).content.decode()
    assert "The <em>scan</em> report." in html
    assert "alert(1)" not in html


def test_the_debrief_marks_decisions_and_outcomes_that_go_beyond_the_source(library, alice, alice_client):
    """The learner is told which of the case's own content awaits clinical sign-off, not only
    which guidance items do (case-format.md: 'Learners see an ext badge')."""
    from tests.factories import AttemptFactory, play

    badge = "ext<span class=\"visually-hidden\"> (beyond the source document)</span>"
    c14 = AttemptFactory(user=alice, code="C14")
    play(c14, c14.version.playbook.best_choices)  # its best work-up, assessment and plan are ext
    page = alice_client.get(reverse("debrief", args=[c14.pk])).content.decode()
    decisions = page[page.index('id="decisions-h"'):page.index('id="best-h"')]
    assert decisions.count(badge) == 3
    best = page[page.index('id="best-h"'):page.index('id="path-h"')]
    assert best.count(badge) == 4  # the same three decisions and the outcome they lead to
    path = page[page.index('id="path-h"'):]
    ext_picks = [e for e in c14.state().transcript if e.ext]
    assert ext_picks and path.count(badge) == len(ext_picks)  # each ext line of the learner's own path

    c01 = AttemptFactory(user=alice, code="C01")
    book = c01.version.playbook
    play(c01, ["W4" if c == "W1" else c for c in book.best_choices])  # an MRI nobody needed
    page = alice_client.get(reverse("debrief", args=[c01.pk])).content.decode()
    outcome = page[page.index('id="outcome-h"'):]
    assert outcome.index(badge) < outcome.index("</h2>")
    decisions = page[page.index('id="decisions-h"'):page.index('id="best-h"')]
    # W4's reason warns of incidental findings (ext); the best work-up W1, the assessment and the plan are within the source
    assert decisions.count(badge) == 1
    assert decisions.index(badge) < decisions.index("Incidental findings can mislead")
