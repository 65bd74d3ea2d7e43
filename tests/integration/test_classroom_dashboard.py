"""The instructor dashboard: matrix (search, sort, pages), per-assignment plots and
distributions, item analysis, drill-down, CSV exports, and a query count that
does not grow with the cohort."""

import csv
import io
import random
import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases.lint import LIBRARY_DIR
from tests.factories import AssignmentFactory, AttemptFactory, ChoiceFactory, TaughtCohortFactory, UserFactory, enrol, play_assigned
from trainer import classroom, cohort_stats
from trainer.management.commands.seed_demo import demo_path
from trainer.models import Assignment, AttemptFinding

C01_FILE = LIBRARY_DIR / "C01-lumbar-strain-lift.yaml"


@pytest.fixture
def room(library, ines):
    """Alice and Bob play C01's best path, Carol rushes it, Dan never starts."""
    cohort = TaughtCohortFactory(name="Spring block", created_by=ines)
    users = {n: UserFactory(username=n) for n in ("alice", "bob", "carol", "dan")}
    enrol(cohort, *users.values())
    assignment = AssignmentFactory(cohort=cohort, code="C01")
    book = assignment.case.current_version.playbook
    paths = {"alice": list(book.best_choices), "bob": list(book.best_choices), "carol": demo_path(book, "rushed", random.Random(3))}
    attempts = {n: play_assigned(users[n], assignment, p) for n, p in paths.items()}
    return {"cohort": cohort, "assignment": assignment, "users": users, "paths": paths, "attempts": attempts, "book": book}


def rows_of(page: str) -> list[str]:
    body = page[page.index("<tbody>", page.index('id="matrix"')):]
    return [r.split("</th>")[0] for r in body.split('<th scope="row"')[1:]]


# -- the matrix --------------------------------------------------------------------


def test_matrix_shows_status_score_safety_and_lateness(room, ines_client):
    cohort = room["cohort"]
    late = AssignmentFactory(cohort=cohort, code="C02", opens_at=timezone.now() - timedelta(days=3), due_at=timezone.now() - timedelta(hours=1))
    play_assigned(room["users"]["alice"], late)
    play_assigned(room["users"]["bob"], late, ["H1"])  # still in progress
    page = ines_client.get(reverse("cohort_dashboard", args=[cohort.pk])).content.decode()
    rows = dict(zip(["alice", "bob", "carol", "dan"], page[page.index("<tbody>", page.index('id="matrix"')):].split("<tr>")[1:]))
    carol = room["attempts"]["carol"]
    assert f"<strong>{room['attempts']['alice'].score_total}</strong>" in rows["alice"]
    assert ">late</span>" in rows["alice"]
    assert "In progress" in rows["bob"] and "overdue" in rows["bob"]
    assert f"<strong>{carol.score_total}</strong>" in rows["carol"]
    assert (">unsafe</span>" in rows["carol"]) == carol.unsafe
    assert rows["dan"].count("Not started") == 2
    # The per-assignment summary above the matrix.
    assert "3 / 4 done" in page and "2 / 4 done" not in page


def test_search_filters_and_htmx_gets_only_the_fragment(room, ines_client):
    url = reverse("cohort_dashboard", args=[room["cohort"].pk])
    page = ines_client.get(url, {"q": "ALI"}).content.decode()
    assert rows_of(page) and all("alice" in r for r in rows_of(page)) and len(rows_of(page)) == 1
    fragment = ines_client.get(url, {"q": "car"}, headers={"HX-Request": "true"}).content.decode()
    assert fragment.lstrip().startswith('<div id="matrix">') and "<html" not in fragment
    assert "carol" in fragment and "alice" not in fragment
    # Back to a pushed URL: htmx 4 restores history with a request for the whole page.
    restore = ines_client.get(url, {"q": "car"}, headers={"HX-Request": "true", "HX-History-Restore-Request": "true"})
    assert "<html" in restore.content.decode() and "HX-Request" in restore["Vary"]
    empty = ines_client.get(url, {"q": "zzz"}).content.decode()
    assert "No student matches “zzz”" in empty
    # The search box works without JavaScript and enhances with htmx.
    assert f'<form method="get" action="{url}"' in page and 'hx-trigger="input changed delay:300ms, search"' in page


def test_sorting_by_name_score_and_progress(room, ines_client):
    url = reverse("cohort_dashboard", args=[room["cohort"].pk])
    a = room["assignment"]
    names = lambda params: [n for r in rows_of(ines_client.get(url, params).content.decode()) for n in ("alice", "bob", "carol", "dan") if f">{n}<" in r]
    assert names({}) == ["alice", "bob", "carol", "dan"]
    assert names({"sort": "-name"}) == ["dan", "carol", "bob", "alice"]
    by_score = names({"sort": f"-a{a.pk}"})
    assert by_score[:2] == ["alice", "bob"] and by_score[2:] == ["carol", "dan"]  # no score sorts last
    assert names({"sort": f"a{a.pk}"}) == ["carol", "alice", "bob", "dan"]
    assert names({"sort": "-progress"})[-1] == "dan"
    assert names({"sort": "progress"})[0] == "dan"  # nothing done is fewest done, not unknown
    page = ines_client.get(url, {"sort": f"-a{a.pk}"}).content.decode()
    assert 'aria-sort="descending"' in page
    assert names({"sort": "a999999"}) == ["alice", "bob", "carol", "dan"]  # unknown sort falls back to names


def test_a_sort_that_only_looks_like_a_score_column_falls_back_to_names(room, ines_client):
    """str.isdigit() accepts "²", which int() refuses, and int() refuses more than
    4,300 digits: each was a 500 instead of the default order."""
    url = reverse("cohort_dashboard", args=[room["cohort"].pk])
    pk = room["assignment"].pk
    for odd in ["a²", "-a²", f"a{pk}²", "a" + "9" * 5000, "-a" + "1" * 5000]:
        response = ines_client.get(url, {"sort": odd})
        assert response.status_code == 200, (odd[:12], response.status_code)
        names = [n for r in rows_of(response.content.decode()) for n in ("alice", "bob", "carol", "dan") if f">{n}<" in r]
        expected = ["dan", "carol", "bob", "alice"] if odd.startswith("-") else ["alice", "bob", "carol", "dan"]
        assert names == expected, odd[:12]


def test_search_and_the_name_sort_go_by_the_name_shown(room, ines_client):
    """The matrix shows full names where learners gave one; sorting by username put
    "Zoe Adams" (alice) first, and "Zoe Adams" itself found no one."""
    User = get_user_model()
    User.objects.filter(username="alice").update(first_name="Zoe", last_name="Adams")
    User.objects.filter(username="dan").update(first_name="Ann", last_name="Young")
    url = reverse("cohort_dashboard", args=[room["cohort"].pk])
    shown = lambda params: [re.search(r'<a class="person"[^>]*>([^<]*)</a>', r)[1] for r in rows_of(ines_client.get(url, params).content.decode())]
    assert shown({}) == ["Ann Young", "bob", "carol", "Zoe Adams"]
    assert shown({"sort": "-name"}) == ["Zoe Adams", "carol", "bob", "Ann Young"]
    assert shown({"q": "zoe adams"}) == ["Zoe Adams"]
    assert shown({"q": "alice"}) == ["Zoe Adams"]  # the username still finds them
    roster = ines_client.get(reverse("cohort_roster", args=[room["cohort"].pk])).content.decode()
    assert roster.index("Ann Young") < roster.index(">bob<") < roster.index(">carol<") < roster.index("Zoe Adams")
    matrix = _csv(ines_client.get(reverse("export_matrix", args=[room["cohort"].pk])))
    assert [r[0] for r in matrix[1:]] == ["dan", "bob", "carol", "alice"]  # in the dashboard's order
    attempts = _csv(ines_client.get(reverse("export_attempts", args=[room["cohort"].pk])))
    assert [r[0] for r in attempts[1:]] == ["bob", "carol", "alice"]  # dan has no attempt


def test_two_learners_with_one_name_are_told_apart_by_username(room, ines_client):
    """Learners choose their own names at sign-up: a second "Alice Able" looked exactly
    like the first in the matrix and on the attempt review."""
    User = get_user_model()
    User.objects.filter(username__in=["alice", "bob"]).update(first_name="Alice", last_name="Able")
    cohort = room["cohort"]
    url = reverse("cohort_dashboard", args=[cohort.pk])
    text = lambda html: re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()
    assert [text(r.split(">", 1)[1]) for r in rows_of(ines_client.get(url).content.decode())] == [
        "Alice Able alice", "Alice Able bob", "carol", "dan"  # a username alone is not repeated
    ]
    # Search and sort still go by name and username.
    assert [text(r.split(">", 1)[1]) for r in rows_of(ines_client.get(url, {"q": "bob"}).content.decode())] == ["Alice Able bob"]
    assert len(rows_of(ines_client.get(url, {"q": "alice able", "sort": "-name"}).content.decode())) == 2
    review = ines_client.get(reverse("cohort_attempt", args=[cohort.pk, room["attempts"]["bob"].pk])).content.decode()
    heading = re.sub(r"<[^>]+>", "", review[review.index("<h1") : review.index("</h1>")].split(">", 1)[1])
    assert heading.startswith("Alice Able (bob):")


def test_the_dashboard_address_names_only_what_is_in_use(room, ines_client):
    """Clearing the search left `?q=&sort=name` in the address."""
    url = reverse("cohort_dashboard", args=[room["cohort"].pk])
    cleared = ines_client.get(url, {"q": "", "sort": "name"})
    assert cleared.status_code == 302 and cleared["Location"] == url
    assert ines_client.get(url, {"q": " car ", "sort": "-name"})["Location"] == f"{url}?q=car&sort=-name"
    fragment = ines_client.get(url, {"q": "", "sort": "name"}, headers={"HX-Request": "true"})
    assert fragment.status_code == 200 and fragment["HX-Push-Url"] == url
    page = ines_client.get(url).content.decode()
    assert f'href="{url}?sort=-name"' in page  # the name header's link: the default order needs no parameter


def test_a_search_keeps_the_sort_and_a_sort_keeps_the_search(room, ines_client):
    # The audit found a search after a sort sent sort=name: the hidden sort field sat
    # outside the #matrix fragment that sorting replaces, so it never changed.
    url = reverse("cohort_dashboard", args=[room["cohort"].pk])
    sort = f"-a{room['assignment'].pk}"
    fragment = ines_client.get(url, {"sort": sort, "q": "a"}, headers={"HX-Request": "true"}).content.decode()
    field = re.search(r'<input[^>]*id="matrix-sort"[^>]*>', fragment).group(0)
    # It travels in the fragment, and belongs to the search form (the no-JS GET sends it too).
    assert f'name="sort" value="{sort}"' in field and 'form="matrix-search"' in field
    page = ines_client.get(url).content.decode()
    assert '<form method="get"' in page and 'id="matrix-search"' in page
    search_box = re.search(r'<input[^>]*id="q"[^>]*>', page).group(0)
    assert "#matrix-sort" in re.search(r'hx-include="([^"]*)"', search_box).group(1)  # the live search sends it
    links = re.findall(r'<a id="sort-[^"]*" href="([^"]*)"', fragment)
    assert len(links) == 3 and all("q=a" in href for href in links)


def test_sort_headers_keep_their_ids_so_focus_returns_after_the_swap(room, ines_client):
    # htmx puts focus back on the element with the focused element's id after an
    # outerHTML swap; a header without an id left keyboard users on <body>.
    url = reverse("cohort_dashboard", args=[room["cohort"].pk])
    ids = lambda params: re.findall(r'<a id="(sort-[^"]*)"', ines_client.get(url, params, headers={"HX-Request": "true"}).content.decode())
    a = room["assignment"].pk
    assert ids({}) == ids({"sort": f"-a{a}"}) == ["sort-name", "sort-progress", f"sort-a{a}"]


def _h1(page: str) -> str:
    return re.sub(r"<[^>]+>", "", re.search(r"<h1[^>]*>(.*?)</h1>", page, re.S).group(1)).strip()


@pytest.mark.parametrize(
    "view,heading",
    [("cohort_dashboard", "Dashboard"), ("cohort_misses", "What they miss"), ("cohort_roster", "Roster"),
     ("cohort_settings", "Settings"), ("assignment_create", "Assign a case")],
)
def test_each_cohort_page_names_itself_in_its_h1_under_the_cohort_name(room, ines_client, view, heading):
    # They all used to have the cohort's name as their H1.
    page = ines_client.get(reverse(view, args=[room["cohort"].pk])).content.decode()
    assert _h1(page) == heading
    assert re.search(r'<p class="[^"]*cohort-context">Spring block</p>\s*<h1', page)


def test_large_cohorts_are_paginated_keeping_search_and_sort(library, ines, ines_client):
    cohort = TaughtCohortFactory(created_by=ines)
    enrol(cohort, *[UserFactory(username=f"student{i:02d}") for i in range(30)])
    url = reverse("cohort_dashboard", args=[cohort.pk])
    first = ines_client.get(url, {"q": "student", "sort": "-name"}).content.decode()
    assert len(rows_of(first)) == 25 and "student29" in rows_of(first)[0]
    assert "1 / 2" in first and "page=2" in first and "q=student" in first and "sort=-name" in first
    second = ines_client.get(url, {"q": "student", "sort": "-name", "page": 2}).content.decode()
    assert len(rows_of(second)) == 5 and "student00" in rows_of(second)[-1]
    # A page past the end shows the last one, and the address says which.
    beyond = ines_client.get(url, {"q": "student", "sort": "-name", "page": 99})
    assert beyond.status_code == 302 and beyond["Location"] == f"{url}?q=student&sort=-name&page=2"
    # Clearing the search keeps the sort.
    assert f'href="{url}?sort=-name">clear search</a>' in second


def test_empty_cohort_says_what_to_do(ines, ines_client, db):
    cohort = TaughtCohortFactory(created_by=ines)
    page = ines_client.get(reverse("cohort_dashboard", args=[cohort.pk])).content.decode()
    assert "No case is assigned to this cohort yet" in page
    assert "No learner has joined yet" in page and cohort.join_code in page


# -- queries do not grow with the cohort ------------------------------------------------


def _cohort_of(size: int, ines):
    """A cohort with three assignments; each learner has a finished attempt with
    stored scores and findings on two, and an open attempt on the third."""
    cohort = TaughtCohortFactory(created_by=ines)
    assignments = [AssignmentFactory(cohort=cohort, code=c, counts=k) for c, k in (("C01", "best"), ("C02", "first"), ("C04", "last"))]
    now = timezone.now()
    for i in range(size):
        user = UserFactory(username=f"s{size}-{i:03d}")
        enrol(cohort, user)
        for a in assignments[:2]:
            for score in (40 + i % 50, 60 + i % 40):
                att = AttemptFactory(user=user, code=a.case.code, assignment=a, finished_at=now, score_total=score, unsafe=score < 50)
                AttemptFinding.objects.create(attempt=att, guidance_id="rf-systemic", status="missed")
                ChoiceFactory(attempt=att, seq=0, option_id="H1")
        AttemptFactory(user=user, code="C04", assignment=assignments[2])
    return cohort, assignments


@pytest.mark.parametrize("searched", [False, True])
@pytest.mark.parametrize("view", ["cohort_dashboard", "assignment_detail", "cohort_misses"])
def test_query_count_is_the_same_at_5_and_40_students(library, ines, ines_client, django_assert_max_num_queries, view, searched):
    counts = []
    for size in (5, 40):
        cohort, assignments = _cohort_of(size, ines)
        args = [cohort.pk, assignments[0].pk] if view == "assignment_detail" else [cohort.pk]
        params = {"q": "s", "sort": "-progress"} if searched else {"sort": f"-a{assignments[0].pk}"}
        with django_assert_max_num_queries(12):
            with CaptureQueriesContext(connection) as ctx:
                response = ines_client.get(reverse(view, args=args), params)
        assert response.status_code == 200
        counts.append(len(ctx.captured_queries))
        if view == "cohort_dashboard":
            assert len(rows_of(response.content.decode())) == min(size, 25)
            assert f"{size} / {size} done" in response.content.decode()
    assert counts[0] == counts[1], counts


# -- one assignment ---------------------------------------------------------------------


def test_assignment_page_plots_and_counts(room, ines_client):
    cohort, a = room["cohort"], room["assignment"]
    page = ines_client.get(reverse("assignment_detail", args=[cohort.pk, a.pk])).content.decode()
    assert page.count('role="img"') >= 4 and "<title" in page and "<desc" in page
    assert "style=" not in page and "<script>" not in page
    assert "Show the data as a table" in page
    # Score distribution: the counted score of each finisher, in its band.
    bins = cohort_stats.score_histogram(a)
    assert sum(bins) == 3
    for name in ("alice", "carol"):
        score = room["attempts"][name].score_total
        assert bins[min(score // 10, 9)] >= 1
    # Missed red flags come from the stored findings, and link to the guidance.
    missed, _ = cohort_stats.finding_counts(a)
    stored = set(AttemptFinding.objects.filter(attempt__assignment=a, status__in=classroom.MISSED, guidance__kind="red_flag").values_list("guidance_id", flat=True))
    assert {f.guidance_id for f in missed} == stored
    for f in missed:
        assert f'href="/guidance/#{f.guidance_id}"' in page
        assert f.title in page and f.title != f.guidance_id  # bars are named by title, not id
    # Decision distribution: each option's learners, from the Choice rows.
    stages = {s.id: s for s in cohort_stats.decision_distribution(a)}
    for stage_id, stage in stages.items():
        for option in stage.options:
            expected = sum(option.id in path for path in room["paths"].values())
            assert option.n == expected, (stage_id, option.id)
    workup = stages["workup"]
    best = next(o for o in workup.options if o.grade == "best")
    assert best.n >= 2 and f"{best.n} ({round(100 * best.n / 3)}%)" in page


def test_each_decision_is_shared_out_among_the_learners_who_reached_it(room, ines_client):
    # On C04, Alice and Bob take the best path, Carol rushes (and meets the return visit
    # the best path never does), and Dan stops in the history: 4 started, 3 reached the
    # work-up, only Carol the return visit. Shares "of 4 who started" would read as if a
    # quarter had skipped the work-up, and "of 3" as if two had skipped the return visit.
    cohort, users = room["cohort"], room["users"]
    a = AssignmentFactory(cohort=cohort, code="C04")
    book = a.case.current_version.playbook
    paths = {"alice": list(book.best_choices), "bob": list(book.best_choices), "carol": demo_path(book, "rushed", random.Random(3))}
    for name, path in paths.items():
        play_assigned(users[name], a, path)
    play_assigned(users["dan"], a, book.best_choices[:1])
    stages = {s.id: s for s in cohort_stats.decision_distribution(a)}
    assert stages["workup"].reached == 3
    for stage in stages.values():
        assert stage.reached == sum(any(o.id in p for o in stage.options) for p in paths.values()), stage.id
    wrong_turns = [s for s in stages.values() if 0 < s.reached < 3]
    assert "return-visit" in {s.id for s in wrong_turns}
    page = ines_client.get(reverse("assignment_detail", args=[cohort.pk, a.pk])).content.decode()
    best = next(o for o in stages["workup"].options if o.grade == "best")
    assert f"{best.n} ({round(100 * best.n / 3)}%)" in page
    assert "(of 3 who reached this decision)" in page
    for stage in wrong_turns:
        assert f"(of {stage.reached} who reached this decision)" in page


def test_assignment_page_before_anyone_starts(ines, ines_client, library):
    cohort = TaughtCohortFactory(created_by=ines)
    a = AssignmentFactory(cohort=cohort, code="C04")
    page = ines_client.get(reverse("assignment_detail", args=[cohort.pk, a.pk])).content.decode()
    assert "No learner has finished this exercise yet." in page
    assert "No learner has started this exercise yet." in page


def test_item_analysis_counts_questions_and_relates_screening_to_safety(room, ines_client):
    cohort, a = room["cohort"], room["assignment"]
    analysis = cohort_stats.item_analysis(cohort, a.case)
    assert analysis.attempts == 3
    assert analysis.unsafe == sum(att.unsafe for att in room["attempts"].values())
    for item in analysis.items:
        assert item.asked == sum(item.id in p for p in room["paths"].values()), item.id
    assert analysis.screening, "C01 has red-flag screening questions"
    for item in analysis.screening:
        askers = [n for n, p in room["paths"].items() if item.id in p]
        unsafe_askers = sum(room["attempts"][n].unsafe for n in askers)
        assert item.unsafe_askers == unsafe_askers
    page = ines_client.get(reverse("item_analysis", args=[cohort.pk, a.case.slug])).content.decode()
    assert _h1(page) == f"Item analysis: C01 · {a.case.title}"
    assert "Red-flag screening and the safety verdict" in page and "Unsafe when not asked" in page
    assert analysis.screening[0].label in page
    gid, title = analysis.screening[0].red_flags[0]
    assert f'#{gid}">{title}</a>' in page  # named by title, not by the catalogue id
    # A case this cohort was never assigned has no item analysis here.
    assert ines_client.get(reverse("item_analysis", args=[cohort.pk, "cauda-equina"])).status_code == 404


def test_choices_on_an_option_a_newer_case_version_dropped_still_count(library, ines, ines_client, tmp_path):
    # Term starts on C01 v1; the author then replaces radiographs (W2) with a new
    # option and rewords H2. Attempts keep their version; the charts must show
    # every choice learners made, whichever version they played.
    cohort = TaughtCohortFactory(created_by=ines)
    early, late = UserFactory(username="early"), UserFactory(username="late")
    enrol(cohort, early, late)
    a = AssignmentFactory(cohort=cohort, code="C01")
    book = a.case.current_version.playbook
    on_v1 = [c if c != "W1" else "W2" for c in book.best_choices]
    assert "H2" in on_v1
    play_assigned(early, a, on_v1)
    text = C01_FILE.read_text().replace("id: W2", "id: W3").replace("when_any: [W2, W4]", "when_any: [W3, W4]")
    text = text.replace("id: H2\n", "id: H2b\n")
    (tmp_path / C01_FILE.name).write_text(text)
    call_command("load_cases", str(tmp_path), stdout=io.StringIO())
    a.case.refresh_from_db()
    assert a.case.current_version.number == 2
    late_path = play_assigned(late, a).choice_ids()  # the best path of v2: W1, H2b
    assert "W1" in late_path and "H2b" in late_path

    workup = {s.id: s for s in cohort_stats.decision_distribution(a)}["workup"]
    by_id = {o.id: o for o in workup.options}
    assert by_id["W2"].n == 1 and by_id["W2"].label == "Lumbar spine radiographs" + cohort_stats.EARLIER
    assert by_id["W3"].n == 0 and not by_id["W3"].label.endswith(cohort_stats.EARLIER)
    assert by_id["W1"].n == 1
    assert list(by_id).index("W2") > list(by_id).index("W3")  # the current version's options first
    items = {i.id: i for i in cohort_stats.item_analysis(cohort, a.case).items}
    assert items["H2"].asked == 1 and items["H2"].label.endswith(cohort_stats.EARLIER)
    assert items["H2b"].asked == 1 and items["H2b"].label == items["H2"].label.removesuffix(cohort_stats.EARLIER)
    page = ines_client.get(reverse("assignment_detail", args=[cohort.pk, a.pk])).content.decode()
    assert "Lumbar spine radiographs (earlier version of the case)" in page


# -- the whole cohort's misses ----------------------------------------------------------


def test_what_the_cohort_misses_adds_up_the_counted_attempts_of_every_assignment(room, ines_client):
    cohort, users = room["cohort"], room["users"]
    c04 = AssignmentFactory(cohort=cohort, code="C04")
    c04_book = c04.case.current_version.playbook
    rushed = {n: play_assigned(users[n], c04, demo_path(c04_book, "rushed", random.Random(i))) for i, n in enumerate(("alice", "dan"))}
    play_assigned(users["alice"], c04)  # a retry: C04 counts the best attempt, this one
    counted = [*room["attempts"].values(), rushed["dan"], classroom.counted_attempts().get(user=users["alice"], assignment=c04)]

    found = cohort_stats.cohort_findings(cohort)
    assert found.attempts == len(counted) == 5
    stored = AttemptFinding.objects.filter(attempt__in=counted)
    missed = stored.filter(status__in=classroom.MISSED, guidance__kind="red_flag")
    triggered = stored.filter(status="triggered")  # pitfalls and teaching points gone against
    cautions = set(stored.filter(status="caution").values_list("guidance_id", flat=True))
    assert cautions and not cautions & {f.guidance_id for f in found.triggered}, "a caution is no mistake"
    assert {f.guidance_id: f.n for f in found.missed} == {
        g: missed.filter(guidance_id=g).values("attempt").distinct().count() for g in missed.values_list("guidance_id", flat=True)
    }
    assert {f.guidance_id: f.n for f in found.triggered} == {
        g: triggered.filter(guidance_id=g).count() for g in triggered.values_list("guidance_id", flat=True)
    }
    assert found.missed and [f.n for f in found.missed] == sorted((f.n for f in found.missed), reverse=True)
    # Per assignment, the counts split and add up again (rushing C04 misses its red flags).
    assert any(found.per_assignment(f, [room["assignment"], c04])[1] for f in found.missed)
    for findings, rows in ((found.missed, missed), (found.triggered, triggered)):
        for f in findings:
            split = found.per_assignment(f, [room["assignment"], c04])
            assert sum(split) == f.n
            assert split[1] == rows.filter(guidance_id=f.guidance_id, attempt__assignment=c04).values("attempt").distinct().count()

    page = ines_client.get(reverse("cohort_misses", args=[cohort.pk])).content.decode()
    top = found.missed[0]
    assert f'href="/guidance/#{top.guidance_id}"' in page and top.statement in page
    assert "5 counted attempts" in page
    assert page.count('role="img"') == 2
    # Counts without shares of every attempt: C01's attempts could not miss C04's flags.
    assert f"{top.title}: {top.n}" in page and f"{top.title}: {top.n} (" not in page
    # The same case assigned twice stays apart: each column names its mode and due date.
    assert f"practice · due {c04.due_at:%-d %b}" in page


def test_what_the_cohort_misses_before_anyone_finishes(ines, ines_client, library):
    cohort = TaughtCohortFactory(created_by=ines)
    AssignmentFactory(cohort=cohort, code="C01")
    page = ines_client.get(reverse("cohort_misses", args=[cohort.pk])).content.decode()
    assert "No learner has finished an assigned exercise yet" in page
    assert "No red flag missed in a counted attempt yet." in page


# -- one student ------------------------------------------------------------------------


def test_drill_down_lists_every_attempt_with_debrief_and_path(room, ines_client):
    cohort, alice = room["cohort"], room["users"]["alice"]
    second = play_assigned(alice, room["assignment"], ["H1"])  # in progress
    page = ines_client.get(reverse("cohort_student", args=[cohort.pk, alice.pk])).content.decode()
    first = room["attempts"]["alice"]
    for att in (first, second):
        assert reverse("cohort_attempt", args=[cohort.pk, att.pk]) in page
    assert "In progress" in page and ">counts</span>" in page
    first_label = room["book"].stages["history"].options[0].label
    assert first_label in page  # the path timeline
    review = ines_client.get(reverse("cohort_attempt", args=[cohort.pk, first.pk])).content.decode()
    assert f"{first.score_total}<span" in review and "Score by dimension" in review and 'class="timeline' in review


def test_the_drill_down_counts_choices_without_move_on_and_marks_low_yield_picks(room, ines_client):
    cohort, dan = room["cohort"], room["users"]["dan"]
    book = room["book"]
    low = next(o for o in book.stages["history"].options if o.yield_.value == "low")
    play_assigned(dan, room["assignment"], ["H1", low.id, "history:next", "X2"])  # 4 clicks, 3 choices
    page = ines_client.get(reverse("cohort_student", args=[cohort.pk, dan.pk])).content.decode()
    assert "Path (3 choices)" in page
    line = page[page.index(low.label):]
    assert line.index('<span class="badge text-bg-warning">low yield</span>') < line.index("</li>")


def test_the_instructors_review_of_an_unsafe_attempt_reads_as_theirs(room, ines_client):
    cohort = room["cohort"]
    c04 = AssignmentFactory(cohort=cohort, code="C04")
    rushed = play_assigned(room["users"]["dan"], c04, demo_path(c04.case.current_version.playbook, "rushed", random.Random(1)))
    assert rushed.unsafe
    review = ines_client.get(reverse("cohort_attempt", args=[cohort.pk, rushed.pk])).content.decode()
    assert review.count(">Unsafe</span>") == 1  # the band says "unsafe" too: one badge, not two
    assert "Their choice:" in review and "Your choice:" not in review


def test_drill_down_hides_self_paced_practice(room, ines_client):
    alice = room["users"]["alice"]
    private = AttemptFactory(user=alice, code="C02")
    page = ines_client.get(reverse("cohort_student", args=[room["cohort"].pk, alice.pk])).content.decode()
    assert reverse("cohort_attempt", args=[room["cohort"].pk, private.pk]) not in page
    assert ines_client.get(reverse("cohort_attempt", args=[room["cohort"].pk, private.pk])).status_code == 404


# -- CSV --------------------------------------------------------------------------------


def _csv(response) -> list[list[str]]:
    assert response["Content-Type"].startswith("text/csv") and "attachment" in response["Content-Disposition"]
    assert response.content.startswith("\ufeff".encode())  # Excel reads it as UTF-8
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_matrix_csv(room, ines_client):
    rows = _csv(ines_client.get(reverse("export_matrix", args=[room["cohort"].pk])))
    tag = f"C01 practice due {timezone.localtime(room['assignment'].due_at):%Y-%m-%d}"
    assert rows[0] == ["student", "name", f"{tag} status", f"{tag} score", f"{tag} unsafe", f"{tag} late", f"{tag} attempts"]
    by_name = {r[0]: r for r in rows[1:]}
    assert set(by_name) == {"alice", "bob", "carol", "dan"}
    carol = room["attempts"]["carol"]
    assert by_name["carol"][2:] == ["done", str(carol.score_total), "yes" if carol.unsafe else "no", "no", "1"]
    assert by_name["dan"][2:] == ["not started", "", "", "", "0"]


def test_attempts_csv_has_one_row_per_attempt_with_every_dimension(room, ines_client):
    play_assigned(room["users"]["bob"], room["assignment"], ["H1"])  # an open attempt too
    rows = _csv(ines_client.get(reverse("export_attempts", args=[room["cohort"].pk])))
    head = rows[0]
    assert head[:9] == ["student", "name", "case", "version", "assignment", "mode", "started", "finished", "late"]
    assert head[-4:] == ["unsafe", "counted", "missed red flags", "pitfalls fallen into"]
    assert len([h for h in head if h.startswith("score ")]) == 6
    assert len(rows) == 1 + 4
    carol = room["attempts"]["carol"]
    line = next(r for r in rows[1:] if r[0] == "carol")
    assert line[2:4] == ["C01", str(carol.version.number)] and line[9] == str(carol.score_total)
    dims = [str(getattr(carol, f"score_{d}")) for d in cohort_stats.DIMENSIONS]
    assert line[10:15] == dims
    missed = sorted(AttemptFinding.objects.filter(attempt=carol, status__in=classroom.MISSED).values_list("guidance_id", flat=True))
    assert line[-2] == " ".join(missed)
    fallen = sorted(AttemptFinding.objects.filter(attempt=carol, status="triggered").values_list("guidance_id", flat=True))
    assert line[-1] == " ".join(fallen)  # cautions are not mistakes: never in this column
    open_row = [r for r in rows[1:] if r[0] == "bob" and r[7] == ""]
    assert len(open_row) == 1 and open_row[0][-3] == "no"


def test_csv_cells_cannot_become_spreadsheet_formulas(library, ines, ines_client):
    cohort = TaughtCohortFactory(created_by=ines)
    sneaky = UserFactory(username="=cmd")
    enrol(cohort, sneaky)
    play_assigned(sneaky, AssignmentFactory(cohort=cohort))
    for name in ("export_matrix", "export_attempts"):
        rows = _csv(ines_client.get(reverse(name, args=[cohort.pk])))
        assert rows[1][0] == "'=cmd"


def test_assignment_mode_is_in_the_export(room, ines_client):
    Assignment.objects.filter(pk=room["assignment"].pk).update(mode="assessed")
    rows = _csv(ines_client.get(reverse("export_attempts", args=[room["cohort"].pk])))
    assert {r[5] for r in rows[1:]} == {"assessed"}
