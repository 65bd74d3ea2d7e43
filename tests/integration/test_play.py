"""The learner's case loop through HTTP: personas alice (learner), bob (another
learner) and anonymous."""

import pytest
from django.urls import reverse

from trainer.models import Attempt, AttemptFinding
from tests.factories import AttemptFactory, play

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def attempt(library, alice):
    return AttemptFactory(user=alice, code="C01")


def choose(client, attempt, option, htmx=True):
    return client.post(reverse("attempt_choose", args=[attempt.pk]), {"option": option}, **(HTMX if htmx else {}))


# -- library and starting ------------------------------------------------------


def test_anonymous_visitors_can_browse_the_library_but_not_play(anon_client, library):
    page = anon_client.get(reverse("library"))
    assert page.status_code == 200
    assert "Low back spasm after lifting, 34-year-old warehouse picker" in page.content.decode()
    start = anon_client.post(reverse("start_attempt", args=["C01"]))
    assert start.status_code == 302 and start["Location"].startswith(reverse("login"))
    assert not Attempt.objects.exists()


def test_the_library_filters_by_region_type_and_difficulty(alice_client, library):
    page = alice_client.get(reverse("library"), {"type": "benign"}).content.decode()
    assert "Low back spasm after lifting" in page
    assert "38-year-old man asking for pain relief" not in page  # C03, a red-flag case
    none = alice_client.get(reverse("library"), {"region": "no-such-region"}).content.decode()
    assert "No case matches these filters" in none and "0 cases" not in none  # one empty state, not two
    one = alice_client.get(reverse("library"), {"region": "knee"}).content.decode()
    assert "1 case matches your filters" in one


def test_the_library_address_names_only_the_filters_in_use(alice_client, library):
    """The form sends every select; "Any" left `region=&difficulty=` in the address."""
    url = reverse("library")
    tidy = alice_client.get(url, {"region": "", "type": "benign", "difficulty": "", "page": "1"})
    assert tidy.status_code == 302 and tidy["Location"] == f"{url}?type=benign"
    assert alice_client.get(url, {"region": ""})["Location"] == url
    assert alice_client.get(f"{url}?type=benign").status_code == 200  # no redirect loop
    fragment = alice_client.get(url, {"region": "", "type": "benign", "difficulty": ""}, **HTMX)
    assert fragment.status_code == 200 and fragment["HX-Push-Url"] == f"{url}?type=benign"
    assert "HX-Push-Url" not in alice_client.get(url, {"type": "benign"}, **HTMX)


def test_the_library_names_tags_in_words(alice_client, library):
    page = alice_client.get(reverse("library")).content.decode()
    assert '<option value="neuro-rehab">Neurology / rehabilitation</option>' in page
    assert '<option value="upper-limb">Upper limb</option>' in page
    assert '<option value="red-flag">Red flag</option>' in page and ">red-flag<" not in page
    assert ">Lumbar</span>" in page and ">Introductory</span>" in page  # the cards' badges


def test_the_library_filter_returns_only_the_results_fragment_to_htmx(alice_client, library):
    page = alice_client.get(reverse("library"), {"type": "benign"}, **HTMX).content.decode()
    assert page.lstrip().startswith('<div id="results">')
    assert "<nav" not in page.split('id="results"')[0]


def test_the_library_page_and_its_fragment_are_cached_apart(alice_client, library):
    """Both answer one URL (the filter pushes it), so a cache must key on HX-Request:
    without it, Back after a filter showed the bare fragment."""
    for headers in ({}, HTMX):
        assert "HX-Request" in alice_client.get(reverse("library"), {"type": "benign"}, **headers)["Vary"]


def test_htmx_history_restore_gets_the_whole_library_page(alice_client, library):
    restore = {**HTMX, "HTTP_HX_HISTORY_RESTORE_REQUEST": "true"}
    page = alice_client.get(reverse("library"), {"type": "benign"}, **restore).content.decode()
    assert "<nav" in page and 'id="results"' in page


def test_the_library_shows_the_learners_own_history_only(alice_client, alice, bob, library):
    mine = AttemptFactory(user=alice, code="C01")
    AttemptFactory(user=bob, code="C01")
    page = alice_client.get(reverse("library")).content.decode()
    assert reverse("attempt", args=[mine.pk]) in page
    assert page.count("In progress since") == 1


def test_starting_a_case_creates_an_attempt_on_its_current_version(alice_client, alice, library):
    response = alice_client.post(reverse("start_attempt", args=["C01"]))
    attempt = Attempt.objects.get(user=alice)
    assert response["Location"] == reverse("attempt", args=[attempt.pk])
    assert attempt.version == library["C01"].current_version


def test_starting_a_case_again_resumes_the_self_paced_attempt_under_way(alice_client, alice, library):
    """Half-played attempts piled up on the home page, one per click on Start."""
    start = reverse("start_attempt", args=["C01"])
    first = alice_client.post(start)
    attempt = Attempt.objects.get(user=alice)
    again = alice_client.post(start, follow=True)
    assert again.redirect_chain[0][0] == first["Location"] == reverse("attempt", args=[attempt.pk])
    assert Attempt.objects.filter(user=alice).count() == 1
    assert "in progress: carry on where you left off" in again.content.decode()
    library_page = alice_client.get(reverse("library"), {"region": "lumbar"}).content.decode()
    assert f'href="{reverse("attempt", args=[attempt.pk])}">Resume' in library_page
    assert library_page.count(f'href="{reverse("attempt", args=[attempt.pk])}"') == 1  # one way in, not two


BOOSTED = {"HTTP_HX_REQUEST": "true", "HTTP_HX_REQUEST_TYPE": "full"}  # what a boosted Start button sends


def test_a_boosted_start_answers_with_the_case_and_its_address(alice_client, alice, library, django_assert_max_num_queries):
    """With JavaScript, Start is one request: the attempt page comes back in the POST's
    answer and its address goes into the history (a class pressing Start at 9:00
    waited on a redirect and a second request, bench/README.md)."""
    library["C01"].current_version.playbook  # compiled, as in a server that has shown the case before
    # Fewer than a plain Start (10) and the page it redirects to (5) together: one session and user.
    with django_assert_max_num_queries(13):
        response = alice_client.post(reverse("start_attempt", args=["C01"]), **BOOSTED)
    attempt = Attempt.objects.get(user=alice)
    assert response.status_code == 200
    assert response["HX-Push-Url"] == reverse("attempt", args=[attempt.pk])
    page = response.content.decode()
    title = attempt.version.playbook.case.learner_title
    assert f"<title>{title} · " in page
    # Keyboard focus goes to the new page's heading, as a screen reader starts on a new page.
    assert f'<h1 class="h3" tabindex="-1" data-autofocus>{title}</h1>' in page
    assert f'hx-post="{reverse("attempt_choose", args=[attempt.pk])}"' in page
    # Reloaded or opened from its address, the page has no focus mark to move.
    assert "data-autofocus" not in alice_client.get(reverse("attempt", args=[attempt.pk])).content.decode()


def test_a_boosted_start_that_resumes_says_so_on_the_page_it_answers_with(alice_client, alice, library):
    start = reverse("start_attempt", args=["C01"])
    first = alice_client.post(start, **BOOSTED)
    again = alice_client.post(start, **BOOSTED)
    assert Attempt.objects.filter(user=alice).count() == 1
    assert again["HX-Push-Url"] == first["HX-Push-Url"]
    assert "in progress: carry on where you left off" in again.content.decode()


def test_every_start_button_is_boosted_and_still_works_as_a_plain_form(alice_client, alice, library):
    """The buttons that start a case (library card, debrief retry; the assignment
    buttons are checked with the classroom) post a plain form: without JavaScript the
    browser follows the redirect."""
    library_page = alice_client.get(reverse("library")).content.decode()
    start = reverse("start_attempt", args=["C01"])
    assert f'<form method="post" action="{start}" class="mt-auto" hx-boost="true" hx-disable="find button">' in library_page
    attempt = AttemptFactory(user=alice, code="C01")
    play(attempt, attempt.version.playbook.best_choices)
    debrief = alice_client.get(reverse("debrief", args=[attempt.pk])).content.decode()
    assert f'<form method="post" action="{start}" hx-boost="true" hx-disable="find button">' in debrief
    plain = alice_client.post(start)
    assert plain.status_code == 302 and plain["Location"].startswith("/attempts/")


def test_starting_needs_post(alice_client, library):
    response = alice_client.get(reverse("start_attempt", args=["C01"]))
    assert response.status_code == 405 and response["Allow"] == "POST"
    assert "This address is an action, not a page" in response.content.decode()  # not the browser's blank error


# -- choices ------------------------------------------------------------------


def reveals(attempt, option_id):
    book = attempt.version.playbook
    return next(o.reveals for s in book.case.stages for o in getattr(s, "options", []) if o.id == option_id)


def choose_shown(client, attempt, option, shown):
    return client.post(reverse("attempt_choose", args=[attempt.pk]), {"option": option, "shown": shown}, **HTMX)


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


def test_another_persons_attempt_is_a_404_for_every_view(bob_client, attempt):
    assert bob_client.get(reverse("attempt", args=[attempt.pk])).status_code == 404
    assert choose(bob_client, attempt, "H1").status_code == 404
    assert bob_client.get(reverse("debrief", args=[attempt.pk])).status_code == 404
    assert attempt.choices.count() == 0


def test_anonymous_is_sent_to_log_in_for_an_attempt(anon_client, attempt):
    response = anon_client.get(reverse("attempt", args=[attempt.pk]))
    assert response.status_code == 302 and reverse("login") in response["Location"]


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


# -- debrief ------------------------------------------------------------------


def test_the_debrief_waits_for_the_end_of_the_case(alice_client, attempt):
    response = alice_client.get(reverse("debrief", args=[attempt.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("attempt", args=[attempt.pk])


def test_a_finished_attempt_stores_its_scores_for_dashboards(attempt):
    path = ["H1", "history:next", "X2", "exam:next", "W4", "E", "P2"]
    play(attempt, path)
    attempt.refresh_from_db()
    report = attempt.debrief()
    assert attempt.finished_at is not None
    assert attempt.score_total == report.total
    assert attempt.score_workup == 5
    assert attempt.unsafe is False and attempt.outcome_good is False
    stored = set(AttemptFinding.objects.filter(attempt=attempt).values_list("guidance_id", "status"))
    assert ("rf-systemic", "not_screened") in stored
    assert ("tp-imaging-selective", "triggered") in stored


def test_the_debrief_names_missed_red_flags_and_pitfalls_with_their_sources(alice_client, attempt):
    play(attempt, ["H1", "history:next", "X2", "exam:next", "W4", "E", "P2"])
    page = alice_client.get(reverse("debrief", args=[attempt.pk])).content.decode()
    assert "Red flags you missed" in page
    assert "rf-bowel-bladder" in page
    assert '#rf-bowel-bladder">New bladder or bowel disturbance</a>' in page  # named by its title
    assert "Muscle Spasm Procedure overview (How it is applied)" in page  # its seed section
    assert "pf-non-specific" in page and "tp-imaging-selective" in page
    # An item drawn from two sections cites both, not only the first.
    assert "Source document, sections “Contraindications / when it is NOT ideal” and “Pros and cons”" in page
    assert "Review after imaging" in page  # the consequence the learner sees
    assert "Conservative care" in page  # what the best path would have done
    # A decision's reason cites guidance by title (W4's reason cites tp-imaging-selective).
    assert '#tp-imaging-selective">Imaging is selective, not automatic</a>' in page
    assert ">tp-imaging-selective</a>" not in page
    assert "Try this case again" in page


def _section(page: str, heading_id: str) -> str:
    start = page.index(f'id="{heading_id}"')
    return page[start : page.index("</section>", start)]


def test_the_debrief_tells_pitfalls_fallen_into_from_cautions_a_right_choice_carries(alice_client, attempt):
    """C01's strength test (essential) carries pf-exam-distortion; ordering an X-ray
    (poor) falls into tp-imaging-selective, the vague assessment into pf-non-specific."""
    play(attempt, ["H1", "history:next", "X2", "X4", "exam:next", "W4", "E", "P2"])
    page = alice_client.get(reverse("debrief", args=[attempt.pk])).content.decode()
    fallen, cautions = _section(page, "pitfalls-h"), _section(page, "cautions-h")
    assert "Pitfalls you fell into" in fallen and "tp-imaging-selective" in fallen and "pf-non-specific" in fallen
    assert "pf-exam-distortion" not in fallen
    assert "Cautions to keep in mind" in cautions and "pf-exam-distortion" in cautions
    assert "Test lower-limb strength" in cautions  # the choice that carries it


def test_a_best_path_debrief_names_no_pitfall_fallen_into(alice_client, attempt):
    play(attempt, attempt.version.playbook.best_choices)
    page = alice_client.get(reverse("debrief", args=[attempt.pk])).content.decode()
    assert "None: no choice of yours fell into a pitfall" in _section(page, "pitfalls-h")
    assert "pf-exam-distortion" in _section(page, "cautions-h")


def test_retry_starts_a_new_attempt(alice_client, alice, attempt):
    play(attempt, attempt.version.playbook.best_choices)
    alice_client.post(reverse("start_attempt", args=["C01"]))
    assert Attempt.objects.filter(user=alice).count() == 2
    assert Attempt.objects.filter(user=alice, finished_at__isnull=True).count() == 1


# -- query budgets (bench/README.md) --------------------------------------------


def test_a_choice_post_stays_within_its_query_budget(alice_client, attempt, assert_max_queries):
    choose(alice_client, attempt, "H1")
    with assert_max_queries(5):
        assert choose(alice_client, attempt, "H4").status_code == 200


def test_the_attempt_page_stays_within_its_query_budget(alice_client, attempt, django_assert_max_num_queries):
    play(attempt, ["H1", "H4", "history:next"])
    with django_assert_max_num_queries(6):
        assert alice_client.get(reverse("attempt", args=[attempt.pk])).status_code == 200


def test_the_debrief_stays_within_its_query_budget(alice_client, attempt, django_assert_max_num_queries):
    play(attempt, attempt.version.playbook.best_choices)
    with django_assert_max_num_queries(8):
        assert alice_client.get(reverse("debrief", args=[attempt.pk])).status_code == 200


def test_the_consequence_of_a_wrong_turn_stays_in_the_transcript_and_the_debrief(alice_client, alice, library):
    """The return visit's story (the patient back, worse) was only the stage's prompt,
    gone from the page once the learner decided."""
    import random

    from trainer.management.commands.seed_demo import demo_path

    attempt = AttemptFactory(user=alice, code="C04")
    state = play(attempt, demo_path(attempt.version.playbook, "rushed", random.Random(1)))
    assert "return-visit" in {e.stage_id for e in state.transcript}
    story = "wet herself overnight"
    page = alice_client.get(reverse("attempt", args=[attempt.pk])).content.decode()
    transcript = page[page.index('id="transcript"') : page.index('id="stage-panel"')]
    assert story in transcript and "What happened" in transcript
    debrief = alice_client.get(reverse("debrief", args=[attempt.pk])).content.decode()
    assert story in debrief[debrief.index('id="path-h"') :]


def test_the_self_paced_attempt_to_resume_is_one_rule_in_sql_and_in_python(alice, library):
    """start_attempt resumes classroom.open_practice; the library's Resume button uses
    is_open_practice on attempts it already loaded: they must pick the same one."""
    from tests.factories import AssignmentFactory, TaughtCohortFactory, UserFactory, enrol
    from trainer import classroom

    case = library["C01"]
    cohort = TaughtCohortFactory(created_by=UserFactory())
    enrol(cohort, alice)
    assigned = classroom.start_assignment(alice, AssignmentFactory(cohort=cohort, code="C01"))[0]
    classroom.set_archived(cohort, True)  # assigned work in an archived cohort is not self-paced practice
    assert classroom.open_practice(alice, case) is None and not classroom.is_open_practice(assigned)
    finished = AttemptFactory(user=alice, code="C01")
    play(finished, finished.version.playbook.best_choices)
    practice = AttemptFactory(user=alice, code="C01")
    loaded = Attempt.objects.filter(user=alice, case=case)
    assert [a for a in loaded if classroom.is_open_practice(a)] == [practice] == [classroom.open_practice(alice, case)]


def test_starting_an_assigned_practice_case_from_the_library_counts_for_the_assignment(alice_client, alice, library):
    """It used to start self-paced work: a 96 in the library, "Not started" on the home
    page and the instructor's dashboard."""
    from trainer.models import Assignment
    from tests.factories import AssignmentFactory, TaughtCohortFactory, enrol

    cohort = TaughtCohortFactory(name="Block B")
    enrol(cohort, alice)
    assignment = AssignmentFactory(cohort=cohort, code="C01", mode=Assignment.Mode.PRACTICE)
    card = alice_client.get(reverse("library"), {"region": "lumbar", "difficulty": "introductory"}).content.decode()
    assert "Block B" in card and "this counts for the assignment" in card
    start = alice_client.post(reverse("start_attempt", args=["C01"]), follow=True)
    assert "is assigned to you in Block B: this attempt counts for it" in start.content.decode()
    attempt = Attempt.objects.get(user=alice)
    assert attempt.assignment == assignment
    play(attempt, attempt.version.playbook.best_choices)
    # Done: the next start from the library is self-paced practice.
    alice_client.post(reverse("start_attempt", args=["C01"]))
    assert Attempt.objects.filter(user=alice, assignment__isnull=True).count() == 1
    card = alice_client.get(reverse("library"), {"region": "lumbar", "difficulty": "introductory"}).content.decode()
    assert "this counts for the assignment" not in card


@pytest.mark.parametrize("name", ["home", "library"])
def test_learner_pages_are_never_served_from_the_browser_cache(alice_client, library, name):
    """Back from another page showed a cached attempt page offering choices already made."""
    assert "no-store" in alice_client.get(reverse(name))["Cache-Control"]


def test_the_attempt_page_is_never_served_from_the_browser_cache(alice_client, attempt):
    assert "no-store" in alice_client.get(reverse("attempt", args=[attempt.pk]))["Cache-Control"]


def test_questions_are_not_listed_in_the_authors_order_and_keep_their_places(alice_client, alice, library):
    """Authors put the essential red-flag questions first: that order was a cue."""
    import re

    def listed(attempt):
        page = alice_client.get(reverse("attempt", args=[attempt.pk])).content.decode()
        return [v for v in re.findall(r'name="option" value="([^"]+)"', page) if not v.endswith(":next")]

    authored = [o.id for o in library["C04"].current_version.playbook.stages["history"].options]
    attempts = [AttemptFactory(user=alice, code="C04") for _ in range(3)]
    orders = [listed(a) for a in attempts]
    assert all(sorted(o) == sorted(authored) for o in orders)
    assert any(o != authored for o in orders)
    first = attempts[0]
    assert listed(first) == orders[0]  # the same order on every load
    choose(alice_client, first, orders[0][3])
    assert listed(first) == orders[0][:3] + orders[0][4:]  # the others keep their places


def test_the_debrief_path_marks_low_yield_picks(alice, alice_client, library):
    attempt = AttemptFactory(user=alice, code="C01")
    best = attempt.version.playbook.best_choices
    play(attempt, [best[0], "L1", *best[1:]])  # L1: a question that would not change management
    page = alice_client.get(reverse("debrief", args=[attempt.pk])).content.decode()
    path = page[page.index('id="path-h"'):]
    l1 = next(o.label for o in attempt.version.playbook.stages["history"].options if o.id == "L1")
    assert path[path.index(l1):].index("low yield</span>") < path[path.index(l1):].index("</li>")
    assert path.count("low yield</span>") == 1  # and nowhere else


def test_a_tab_left_behind_is_told_the_attempt_moved_on(alice_client, attempt):
    choose(alice_client, attempt, "H1")
    choose(alice_client, attempt, "history:next")  # another tab moved on to the examination
    response = choose(alice_client, attempt, "H3")  # this tab still shows the history
    assert response.status_code == 422
    assert "This attempt has moved past that stage (perhaps in another tab or window)" in response.content.decode()
    assert attempt.choice_ids() == ["H1", "history:next"]


# -- content beyond the source (ext) ------------------------------------------------

EXT_BADGE = 'ext<span class="visually-hidden"> (beyond the source document)</span>'


def _transcript(page: str) -> str:
    return page[page.index('id="transcript"') : page.index('id="stage-panel"')]


def _dd_after(html: str, dt: str) -> str:
    """The <dd> that follows the <dt> reading `dt`."""
    start = html.index(f"<dt>{dt}</dt>")
    return html[start : html.index("</dd>", start)]


def test_the_attempt_page_marks_ext_content_once_shown_never_an_option_still_offered(alice_client, alice, library):
    """C04's saddle question (H5) goes beyond the source document: its answer is marked in
    the transcript and beside the options, but while it is offered nothing marks it (a
    badge there would hint at what to pick)."""
    attempt = AttemptFactory(user=alice, code="C04")
    offered = alice_client.get(reverse("attempt", args=[attempt.pk])).content.decode()
    assert 'value="H5"' in offered and EXT_BADGE not in offered
    choose_shown(alice_client, attempt, "H4", 0)  # a question within the source first: H5's line is appended
    html = choose_shown(alice_client, attempt, "H5", 1).content.decode()
    panel, appended = html.split('<hx-partial hx-target="#tx-0" hx-swap="beforeend">')
    assert appended.count(EXT_BADGE) == 1 and "like after a dental injection" in appended
    answer = panel[panel.index('id="answer"') : panel.index("</div>", panel.index('id="answer"'))]
    assert EXT_BADGE in answer
    assert EXT_BADGE not in panel[panel.index("<form") :]  # the questions still offered
    page = alice_client.get(reverse("attempt", args=[attempt.pk])).content.decode()
    transcript = _transcript(page)
    assert transcript.count(EXT_BADGE) == 1  # H5's line, not H4's
    assert transcript.index("like after a dental injection") < transcript.index(EXT_BADGE)


@pytest.mark.parametrize(
    "code, path, story_ext, choice_ext",
    [
        # C11's return visit (the patient back with cord compression) is ext; its options are not.
        ("C11", ["H8", "history:next", "X3", "exam:next", "W1", "B", "P6"], True, False),
        # C07's return visit is within the source; its best option (a same-day ECG) is ext.
        ("C07", ["H2", "history:next", "X10", "exam:next", "W1", "A", "P6"], False, True),
    ],
)
def test_a_return_visit_marks_its_story_and_the_choice_apart_as_they_arrive_and_on_reload(
    alice_client, alice, library, code, path, story_ext, choice_ext
):
    attempt = AttemptFactory(user=alice, code=code)
    play(attempt, path)
    book = attempt.version.playbook
    assert attempt.state().stage_id == "return-visit"
    page = alice_client.get(reverse("attempt", args=[attempt.pk])).content.decode()
    panel = page[page.index('id="stage-panel"') :]
    prompt = panel[: panel.index("<form")]
    assert (EXT_BADGE in prompt) is story_ext  # the stage's prompt, while it is the question
    assert EXT_BADGE not in panel[panel.index("<form") : panel.index("</form>")]  # R1 is not yet chosen
    html = choose_shown(alice_client, attempt, "R1", len(path)).content.decode()
    panel, groups = html.split('<hx-partial hx-target="#transcript" hx-swap="beforeend">')
    outcome_ext = book.stages[attempt.state().stage_id].ext
    assert outcome_ext and EXT_BADGE in panel  # the outcome, in the finished stage panel
    for fragment in (groups, _transcript(alice_client.get(reverse("attempt", args=[attempt.pk])).content.decode())):
        visit = fragment[fragment.index("<dt>What happened</dt>") :]
        assert (EXT_BADGE in _dd_after(visit, "What happened")) is story_ext
        assert (EXT_BADGE in _dd_after(visit, "You decided")) is choice_ext
        outcome = visit[visit.index("Outcome</dt>") :]
        assert EXT_BADGE in outcome[: outcome.index("</dd>")]


def test_the_debrief_marks_the_same_decisions_in_your_decisions_as_in_your_path(alice_client, alice, library):
    """C11's return visit is ext: the timeline marked the decision made there, the
    "Your decisions" card did not."""
    attempt = AttemptFactory(user=alice, code="C11")
    state = play(attempt, ["H8", "history:next", "X3", "exam:next", "W1", "B", "P6", "R2"])
    page = alice_client.get(reverse("debrief", args=[attempt.pk])).content.decode()
    cards = _section(page, "decisions-h").split('<div class="card mb-2">')[1:]
    timeline = page[page.index('id="path-h"') :].split("<li")[1:]
    decisions = [n for n, entry in enumerate(state.transcript) if entry.kind == "decision"]
    assert len(cards) == len(decisions) == 4
    # The heading and "You chose" (a "Best:" line below may carry its own badge).
    marked_cards = [EXT_BADGE in card[: card.index("</p>")] for card in cards]
    assert marked_cards == [EXT_BADGE in timeline[n] for n in decisions]
    assert marked_cards[-1] and "Return visit" in cards[-1]


def test_the_ext_badge_is_followed_by_punctuation_without_a_space(alice_client, alice, library):
    """It read "Best: … ext . Night pain…": the badge's file ended with a newline."""
    attempt = AttemptFactory(user=alice, code="C11")
    play(attempt, ["H8", "history:next", "X3", "exam:next", "W1", "B", "P6", "R1"])
    decisions = _section(alice_client.get(reverse("debrief", args=[attempt.pk])).content.decode(), "decisions-h")
    workup = decisions[: decisions.index("Assessment")]
    assert f"{EXT_BADGE}</span>. Night pain, weight loss" in workup  # W4-W5, the best work-up, is ext


def test_a_signed_in_persons_pages_are_not_kept_by_the_browser(alice_client, client, attempt, library):
    """On a shared computer, Back after logging out could show a debrief from the cache."""
    play(attempt, attempt.version.playbook.best_choices)
    for url in (reverse("debrief", args=[attempt.pk]), reverse("home"), reverse("my_attempts")):
        cache = alice_client.get(url)["Cache-Control"]
        assert "no-store" in cache and "private" in cache, url
    assert "no-store" not in client.get(reverse("guidance")).get("Cache-Control", "")  # public pages may be cached



def test_a_response_that_read_no_session_is_not_made_to_load_it(alice_client, django_assert_num_queries):
    """The rule above asks whether the view read the session: asking `request.user`
    loaded the session and user for every response (the bench's constant view, which
    reads neither, went from no query to two)."""
    from django.contrib.auth.middleware import AuthenticationMiddleware
    from django.contrib.sessions.backends.db import SessionStore
    from django.http import HttpResponse
    from django.test import RequestFactory

    from trainer.middleware import PrivatePagesMiddleware

    request = RequestFactory().get("/anything/")
    request.session = SessionStore(session_key=alice_client.session.session_key)  # a signed-in visitor's session, unread
    AuthenticationMiddleware(lambda r: None).process_request(request)  # request.user, lazy, as in the stack
    with django_assert_num_queries(0):
        response = PrivatePagesMiddleware(lambda r: HttpResponse("constant"))(request)
    assert not response.has_header("Cache-Control")


def test_starting_an_assigned_case_from_the_library_asks_the_assessed_rule_once(alice_client, alice, library):
    """Start from the library checks that no assessed exercise on the case comes first,
    then starts the pending practice assignment; that start used to ask the same
    question again (a query with two EXISTS on a request a whole class sends at once)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import AssignmentFactory, TaughtCohortFactory, enrol
    from trainer.models import Assignment

    cohort = TaughtCohortFactory(name="Block B")
    enrol(cohort, alice)
    assignment = AssignmentFactory(cohort=cohort, code="C01", mode=Assignment.Mode.PRACTICE)
    with CaptureQueriesContext(connection) as ctx:
        start = alice_client.post(reverse("start_attempt", args=["C01"]))
    assert start.status_code == 302 and Attempt.objects.get(user=alice).assignment == assignment
    asked = [q["sql"] for q in ctx.captured_queries if Assignment.Mode.ASSESSED.value in q["sql"]]
    assert len(asked) == 1, asked
