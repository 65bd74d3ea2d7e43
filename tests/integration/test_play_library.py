"""The case library and starting a case through HTTP: personas alice (learner), bob
(another learner) and anonymous. Browsing, filtering, starting, resuming the
self-paced attempt under way, boosted Start buttons, and assigned work started from
the library."""

from django.urls import reverse

from trainer.models import Attempt
from tests.factories import AttemptFactory, play
from tests.integration.play_helpers import HTMX


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
    assert "Block B" in card and "this counts for the exercise" in card
    start = alice_client.post(reverse("start_attempt", args=["C01"]), follow=True)
    assert "is assigned to you in Block B: this attempt counts for it" in start.content.decode()
    attempt = Attempt.objects.get(user=alice)
    assert attempt.assignment == assignment
    play(attempt, attempt.version.playbook.best_choices)
    # Done: the next start from the library is self-paced practice.
    alice_client.post(reverse("start_attempt", args=["C01"]))
    assert Attempt.objects.filter(user=alice, assignment__isnull=True).count() == 1
    card = alice_client.get(reverse("library"), {"region": "lumbar", "difficulty": "introductory"}).content.decode()
    assert "this counts for the exercise" not in card


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
