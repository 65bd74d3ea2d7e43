"""Choosing in an attempt through HTTP (persona alice): the htmx answer and the
transcript lines it appends or replaces, the page without JavaScript, the options
offered, choices refused (unavailable, missing, tampered, after the end, from a tab
left behind), and an attempt resumed in a new session."""

import pytest
from django.urls import reverse

from tests.factories import AttemptFactory, play
from tests.integration.play_helpers import choose, choose_shown
from trainer.option_tokens import option_id_for


def reveals(attempt, option_id):
    book = attempt.version.playbook
    return next(o.reveals for s in book.case.stages for o in getattr(s, "options", []) if o.id == option_id)


def test_an_htmx_choice_returns_the_stage_panel_and_the_transcript(alice_client, attempt):
    response = choose_shown(alice_client, attempt, "H1", 0)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<section id="stage-panel"')
    assert "<html" not in html
    # The first answer replaces the "nothing asked yet" text.
    transcript = html.split('<hx-partial hx-target="#transcript" hx-swap="innerHTML">')[1]
    assert "felt a sudden grab" in transcript and 'id="tx-0"' in transcript
    assert list(attempt.choices.values_list("option_id", flat=True)) == ["H1"]


def test_an_answer_in_step_with_the_page_sends_only_the_new_lines(alice_client, attempt):
    choose_shown(alice_client, attempt, "H1", 0)
    html = choose_shown(alice_client, attempt, "H4", 1).content.decode()
    appended = html.split('<hx-partial hx-target="#tx-0" hx-swap="beforeend">')[1]
    assert reveals(attempt, "H4")[:40] in appended
    assert "felt a sudden grab" not in html  # the first answer is already on the page
    assert 'id="latest"' not in html  # the page's own #latest stays the only one
    choose_shown(alice_client, attempt, "history:next", 2)
    html = choose_shown(alice_client, attempt, "X2", 3).content.decode()
    group = html.split('<hx-partial hx-target="#transcript" hx-swap="beforeend">')[1]
    assert "Examination" in group and 'id="tx-1"' in group and reveals(attempt, "X2")[:40] in group
    assert reveals(attempt, "H4")[:40] not in html


@pytest.mark.parametrize("case", ["stale tab", "repeat", "error", "no field"])
def test_an_answer_out_of_step_with_the_page_replaces_the_whole_transcript(alice_client, attempt, case):
    for n, option in enumerate(["H1", "H4"]):
        choose_shown(alice_client, attempt, option, n)
    post = {
        "stale tab": lambda: choose_shown(alice_client, attempt, "H3", 0),  # a tab that missed H4
        "repeat": lambda: choose_shown(alice_client, attempt, "H4", 1),  # a double click's second request
        "error": lambda: choose_shown(alice_client, attempt, "W1", 2),
        "no field": lambda: choose(alice_client, attempt, "H3"),
    }[case]
    html = post().content.decode()
    transcript = html.split('<hx-partial hx-target="#transcript" hx-swap="innerHTML">')[1]
    assert "felt a sudden grab" in transcript and reveals(attempt, "H4")[:40] in transcript
    assert html.count("<hx-partial") == 1
    assert attempt.choices.count() == (3 if case in ("stale tab", "no field") else 2)


def test_without_javascript_a_choice_redirects_and_the_page_shows_it(alice_client, attempt):
    response = choose(alice_client, attempt, "H1", htmx=False)
    assert response.status_code == 302
    assert response["Location"] == reverse("attempt", args=[attempt.pk]) + "#answer"
    page = alice_client.get(response["Location"]).content.decode()
    # The answer in the transcript, and again in the stage panel above the options.
    transcript, panel = page.split("felt a sudden grab")[:2]
    assert 'id="latest"' in transcript.rsplit("<div", 1)[1]
    assert 'id="answer"' in panel.rsplit("<div", 1)[1] and page.index('id="answer"') < page.index("Move on")
    advance = choose(alice_client, attempt, "history:next", htmx=False)
    assert advance["Location"].endswith("#stage-h")
    assert 'id="answer"' not in alice_client.get(advance["Location"]).content.decode()  # a new stage


def test_after_a_decision_the_page_lands_on_the_next_stage(alice_client, attempt):
    play(attempt, ["H1", "history:next", "X2", "exam:next"])
    response = choose(alice_client, attempt, "W1", htmx=False)
    assert response["Location"].endswith("#stage-h")
    html = choose(alice_client, attempt, "A").content.decode()  # htmx: focus goes to the new stage's heading
    heading = html[html.index('id="stage-h"') :].split(">", 1)[0]
    assert "data-autofocus" in heading and "Plan" in html[html.index('id="stage-h"') :].split("</h2>", 1)[0]


def test_a_double_click_stores_one_choice(alice_client, attempt):
    first = choose(alice_client, attempt, "H1")
    second = choose(alice_client, attempt, "H1")
    assert first.status_code == second.status_code == 200
    assert attempt.choices.count() == 1


def test_an_unavailable_option_is_rejected_with_a_message_and_nothing_stored(alice_client, attempt):
    response = choose(alice_client, attempt, "W1")
    assert response.status_code == 422
    assert "not available at this stage" in response.content.decode()
    assert "Nothing was recorded" in response.content.decode()
    assert attempt.choices.count() == 0


def test_a_decision_sent_without_a_choice_asks_for_one(alice_client, attempt):
    response = choose(alice_client, attempt, "", htmx=False)
    page = alice_client.get(response["Location"]).content.decode()
    assert "Choose an option first. Nothing was recorded." in page
    assert attempt.choices.count() == 0


def test_a_tampered_option_without_javascript_is_rejected_with_a_message(alice_client, attempt):
    response = choose(alice_client, attempt, "<script>alert(1)</script>", htmx=False)
    page = alice_client.get(response["Location"]).content.decode()
    assert "There is no such option in this case" in page
    assert "<script>alert(1)" not in page
    assert attempt.choices.count() == 0


def test_a_finished_attempt_rejects_further_choices(alice_client, attempt):
    play(attempt, attempt.version.playbook.best_choices)
    count = attempt.choices.count()
    response = choose(alice_client, attempt, "W2")
    assert response.status_code == 422
    assert "finished" in response.content.decode()
    assert attempt.choices.count() == count


def test_the_attempt_resumes_where_it_stood_in_a_new_session(alice, attempt):
    from django.test import Client

    first = Client()
    first.force_login(alice)
    for option in ("H1", "H4", "history:next", "X2"):
        assert choose(first, attempt, option).status_code == 200
    first.post(reverse("logout"))
    again = Client()
    again.force_login(alice)
    page = again.get(reverse("attempt", args=[attempt.pk])).content.decode()
    assert "No midline bony tenderness" in page  # the X2 finding
    assert "Examination" in page and "Move on to Work-up" in page


def test_questions_are_not_listed_in_the_authors_order_and_keep_their_places(alice_client, alice, library):
    """Authors put the essential red-flag questions first: that order was a cue."""
    import re

    authored = [o.id for o in library["C04"].current_version.playbook.stages["history"].options]

    def listed(attempt):
        page = alice_client.get(reverse("attempt", args=[attempt.pk])).content.decode()
        sent = [v for v in re.findall(r'name="option" value="([^"]+)"', page) if not v.endswith(":next")]
        return [option_id_for(attempt.pk, authored, v) for v in sent]

    attempts = [AttemptFactory(user=alice, code="C04") for _ in range(3)]
    orders = [listed(a) for a in attempts]
    assert all(sorted(o) == sorted(authored) for o in orders)
    assert any(o != authored for o in orders)
    first = attempts[0]
    assert listed(first) == orders[0]  # the same order on every load
    choose(alice_client, first, orders[0][3])
    assert listed(first) == orders[0][:3] + orders[0][4:]  # the others keep their places


def test_the_order_on_the_page_cannot_be_undone_from_public_values(alice_client, alice, library):
    """The shuffle was seeded with the attempt id (in the address) and the stage id (the
    same words in every case): a learner re-ran Python's Random with that seed, undid the
    permutation and had the authored order back, best decision first."""
    import random
    import re

    from django.test import override_settings

    authored = [o.id for o in library["C04"].current_version.playbook.stages["history"].options]

    def listed(client, attempt):
        page = client.get(reverse("attempt", args=[attempt.pk])).content.decode()
        sent = [v for v in re.findall(r'name="option" value="([^"]+)"', page) if not v.endswith(":next")]
        return [option_id_for(attempt.pk, authored, v) for v in sent]

    for attempt in [AttemptFactory(user=alice, code="C04") for _ in range(3)]:
        shown = listed(alice_client, attempt)
        positions = list(range(len(shown)))
        random.Random(f"{attempt.pk}:history").shuffle(positions)  # what the learner can compute
        undone = [None] * len(shown)
        for place, index in enumerate(positions):
            undone[index] = shown[place]
        assert undone != authored
        with override_settings(SECRET_KEY="another-secret-" * 4):
            assert listed(alice_client, attempt) != shown  # the secret is part of the order


def test_the_page_sends_no_authored_option_id_whose_pattern_would_give_the_answer(alice_client, alice, library):
    """The best assessment is A in every case, the best plan P1, the best return-visit
    decision R1: shuffled labels did not hide `value="A"` in the page source."""
    import re

    book = library["C06"].current_version.playbook
    path = ["H1", "history:next", "X2", "exam:next", "W1"]
    attempts = [AttemptFactory(user=alice, code="C06") for _ in range(2)]
    sent = []
    for attempt in attempts:
        play(attempt, path)
        page = alice_client.get(reverse("attempt", args=[attempt.pk])).content.decode()
        assert attempt.state().stage_id == "assessment"
        values = re.findall(r'name="option"[^>]*value="([^"]+)"', page)
        assert len(values) == len(book.stage_options["assessment"])
        assert not set(values) & set(book.option_stage), values  # no authored id at all
        assert not re.search(r'id="opt-[A-Z]"', page)
        sent.append(values)
    assert not set(sent[0]) & set(sent[1])  # a token stands for its option in one attempt only
    # The token the page offers records its option; another attempt's token is refused.
    first = attempts[0]
    token_for_a = next(v for v in sent[0] if option_id_for(first.pk, book.option_stage, v) == "A")
    stolen = next(v for v in sent[1] if option_id_for(attempts[1].pk, book.option_stage, v) == "A")
    assert choose(alice_client, first, stolen).status_code == 422
    assert choose(alice_client, first, token_for_a).status_code == 200
    assert first.choice_ids() == path + ["A"]


def test_an_authored_id_sent_instead_of_a_token_is_refused_and_reveals_nothing(alice_client, alice, library):
    """`option=A` is the best assessment in every case: accepted from the form, a learner
    had it without reading a single label (in an assessed attempt too). And the two
    refusals, "no such option" and "not available at this stage", told which ids exist."""
    import re

    attempt = AttemptFactory(user=alice, code="C06")
    play(attempt, ["H1", "history:next", "X2", "exam:next", "W1"])
    url = reverse("attempt_choose", args=[attempt.pk])
    answers = {}
    for raw in ("A", "P1", "ZZ9"):
        response = alice_client.post(url, {"option": raw}, HTTP_HX_REQUEST="true")
        assert response.status_code == 422
        answers[raw] = re.findall(r"[^<>]*Nothing was recorded\.", response.content.decode())
    assert answers["A"] == answers["P1"] == answers["ZZ9"] == ["There is no such option in this case. Nothing was recorded."]
    assert attempt.choice_ids() == ["H1", "history:next", "X2", "exam:next", "W1"]
    assert choose(alice_client, attempt, "A").status_code == 200  # its token is taken
    assert attempt.choice_ids()[-1] == "A"


def test_a_tab_left_behind_is_told_the_attempt_moved_on(alice_client, attempt):
    choose(alice_client, attempt, "H1")
    choose(alice_client, attempt, "history:next")  # another tab moved on to the examination
    response = choose(alice_client, attempt, "H3")  # this tab still shows the history
    assert response.status_code == 422
    assert "This attempt has moved past that stage (perhaps in another tab or window)" in response.content.decode()
    assert attempt.choice_ids() == ["H1", "history:next"]
