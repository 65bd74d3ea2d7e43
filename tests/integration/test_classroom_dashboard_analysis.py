"""What the instructor dashboard makes of learners' choices (persona ines): one
assignment's plots, decision distributions and item analysis (across versions of
the case), and what the whole cohort misses."""

import io
import random

from django.core.management import call_command
from django.urls import reverse

from cases.lint import LIBRARY_DIR
from tests.factories import AssignmentFactory, TaughtCohortFactory, UserFactory, enrol, play_assigned
from tests.integration.dashboard_helpers import _h1
from trainer import classroom, cohort_stats
from trainer.management.commands.seed_demo import demo_path
from trainer.models import AttemptFinding


C01_FILE = LIBRARY_DIR / "C01-lumbar-strain-lift.yaml"


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
    text = C01_FILE.read_text().replace("id: W2\n", "id: W2b\n").replace("when_any: [W2, W3, W4]", "when_any: [W2b, W3, W4]")
    assert "id: W2b\n" in text and "[W2b, W3, W4]" in text
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
    assert by_id["W2b"].n == 0 and not by_id["W2b"].label.endswith(cohort_stats.EARLIER)
    assert by_id["W1"].n == 1
    assert list(by_id).index("W2") > list(by_id).index("W2b")  # the current version's options first
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


def test_item_analysis_of_a_case_assigned_twice_opens(room, ines_client):
    # The form allows a case once per mode: practice, then assessed. The page looked the
    # case up through a join on its assignments, found it twice and answered 500.
    cohort, practice = room["cohort"], room["assignment"]
    AssignmentFactory(cohort=cohort, code="C01", mode="assessed", max_attempts=1, counts="first")
    response = ines_client.get(reverse("item_analysis", args=[cohort.pk, practice.case.slug]))
    assert response.status_code == 200
    assert "Across the 3 finished assigned attempts" in response.content.decode()
