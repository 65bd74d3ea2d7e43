"""The whole case library: lint, shape, and for every case the best path and the
main wrong path of the blueprint (shared/content-blueprint.md §2), played through
the real model (Attempt.choose), as the views do."""

from dataclasses import dataclass
from io import StringIO

import re

import pytest
from django.core.management import call_command
from django.urls import reverse

from cases.lint import library_files, read_library

from cases.format import DecisionStage, Dimension, OutcomeStage, PickStage, Transition
from trainer.scoring import TOP_BAND
from trainer.models import AttemptFinding
from tests.factories import AttemptFactory, play

CODES = [f"C{n:02d}" for n in range(1, 15)]
BENIGN = ["C01", "C02", "C06", "C12", "C13"]


@dataclass(frozen=True)
class WrongPath:
    """The ✗ path of one case, and what its debrief must say (blueprint §2/§3)."""

    choices: tuple[str, ...]
    outcome: str  # the bad outcome stage it ends in
    unsafe: bool
    missed: frozenset[str] = frozenset()  # present red flags left unelicited
    triggered: frozenset[str] = frozenset()  # pitfalls / teaching points the debrief must list
    outcome_cites: frozenset[str] = frozenset()  # ids the ✗ outcome names in the blueprint
    unsafe_manoeuvre: bool = False


def _path(history, exam, *decisions):
    return (*history, "history:next", *exam, "exam:next", *decisions)


# Red-flag cases: the learner skips every question and manoeuvre that would elicit
# the present red flags, then takes the conservative/"muscle relaxant" route.
# Benign cases: a full screen, then the over-investigation (C12: the blueprint's ✗
# is treating the strain as a cramp). C08: "spasm pills" for spasticity.
WRONG = {
    "C01": WrongPath(
        _path(["H1", "H3", "H4", "H5", "H6", "H7", "H8"], ["X2", "X3", "X4", "X9", "X6"], "W4", "A", "P1"),
        outcome="review-after-imaging",
        unsafe=False,
        triggered=frozenset({"tp-imaging-selective"}),
        outcome_cites=frozenset({"tp-imaging-selective"}),
    ),
    "C02": WrongPath(
        _path(["H1", "H2", "H4", "H5", "H7", "H11"], ["X2", "X3", "X4", "X6"], "W2", "A", "P1"),
        outcome="review-after-imaging",
        unsafe=False,
        triggered=frozenset({"tp-imaging-selective"}),
        outcome_cites=frozenset({"tp-imaging-selective"}),
    ),
    "C03": WrongPath(
        # Not X1: the injection marks it shows are his infection risk (rf-infection), elicited once seen.
        _path(["H1", "H11", "L1"], ["X2", "X3"], "W1", "B", "P3", "R3"),
        outcome="outcome-bad",
        unsafe=True,
        missed=frozenset({"rf-systemic", "rf-infection", "rf-nonmechanical"}),
        triggered=frozenset({"pf-misattribution", "pf-overemphasis"}),
        outcome_cites=frozenset({"pf-misattribution", "pf-overemphasis"}),
    ),
    "C04": WrongPath(
        _path(["H12", "H2", "H7", "H8", "H11"], ["X2", "X5", "X9"], "W9", "B", "P3", "R3"),
        outcome="outcome-bad",
        unsafe=True,
        missed=frozenset({"rf-bowel-bladder", "rf-sensory", "rf-neuro-progressive"}),
        triggered=frozenset({"pf-misattribution", "pf-overemphasis", "tp-meds-not-automatic"}),
        outcome_cites=frozenset({"pf-overemphasis"}),
    ),
    "C05": WrongPath(
        _path(["H1", "H2", "H10"], ["X3", "X1"], "W1", "B", "P5", "R3"),
        outcome="outcome-bad",
        unsafe=True,
        # The tingling in both arms the unsafe X3 provokes is rf-sensory seen: not missed, still unsafe.
        missed=frozenset({"rf-trauma"}),
        triggered=frozenset({"pf-misattribution", "pf-overemphasis"}),
        outcome_cites=frozenset({"rf-trauma", "pf-misattribution"}),
        unsafe_manoeuvre=True,
    ),
    "C06": WrongPath(
        _path(["H3", "H1", "H12", "H7", "H4"], ["X9", "X2"], "W4", "A", "P1"),
        outcome="review-after-scan",
        unsafe=False,
        triggered=frozenset({"tp-imaging-selective"}),
        outcome_cites=frozenset({"tp-imaging-selective"}),
    ),
    "C07": WrongPath(
        _path(["H3", "H4", "H5", "H7"], ["X10", "X4", "X5", "X8"], "W1", "B", "P3", "R3"),
        outcome="outcome-delayed",
        unsafe=True,
        missed=frozenset({"rf-generalized"}),
        triggered=frozenset({"pf-cramp-confusion", "pf-misattribution"}),
        outcome_cites=frozenset({"rf-generalized"}),
    ),
    "C08": WrongPath(
        _path(["H3", "H4", "H1", "H10"], ["X4", "X3", "X1"], "W9", "B", "P2", "R2"),
        outcome="outcome-contracture",
        unsafe=False,  # no red flag is present: a poor plan, not a safety failure
        triggered=frozenset({"pf-terminology", "tp-meds-not-automatic", "pf-spasticity-confusion"}),
        outcome_cites=frozenset({"pf-terminology", "tp-meds-not-automatic"}),
    ),
    "C09": WrongPath(
        _path(["H3", "H5", "H12", "H6", "H10"], ["X8", "X5", "X6", "X7"], "W1", "B", "P3", "R3"),
        outcome="outcome-aspiration",
        unsafe=True,
        missed=frozenset({"rf-neuro-progressive", "rf-systemic"}),
        triggered=frozenset({"pf-fasciculation-confusion", "pf-misattribution", "pf-overemphasis"}),
        outcome_cites=frozenset({"pf-overemphasis"}),
    ),
    "C10": WrongPath(
        _path(["H1", "H11", "H3", "H10", "H9"], ["X1", "X9", "X3", "X2"], "W1", "B", "P5", "R2"),
        outcome="outcome-bad",
        unsafe=True,
        missed=frozenset({"rf-systemic", "rf-infection"}),
        triggered=frozenset({"pf-misattribution", "pf-overemphasis"}),
        outcome_cites=frozenset({"pf-misattribution", "pf-non-specific"}),
    ),
    "C11": WrongPath(
        # Not X3: pain no position eases, which it shows, is rf-nonmechanical seen.
        _path(["H1", "H4", "H5", "H6", "H11"], ["X2", "X4", "X5", "X6"], "W1", "B", "P3", "R3"),
        outcome="outcome-bad",
        unsafe=True,
        missed=frozenset({"rf-nonmechanical", "rf-systemic"}),
        triggered=frozenset({"pf-misattribution", "pf-overemphasis"}),
        outcome_cites=frozenset({"pf-misattribution", "pf-overemphasis"}),
    ),
    "C12": WrongPath(
        _path(["H1", "H3", "H2", "H5", "H11"], ["X2", "X9", "X1"], "W6", "B", "P3"),
        outcome="outcome-reinjury",
        unsafe=False,
        triggered=frozenset({"pf-cramp-confusion", "pf-strain-confusion"}),
        outcome_cites=frozenset({"pf-strain-confusion"}),
    ),
    "C13": WrongPath(
        _path(["H1", "H3", "H4", "H5", "H6", "H7", "H8", "H13"], ["X3", "X2", "X4", "X6", "X9"], "W4", "A", "P1"),
        outcome="outcome-after-mri",
        unsafe=False,
        triggered=frozenset({"tp-imaging-selective"}),
        outcome_cites=frozenset({"tp-imaging-selective"}),
    ),
    "C14": WrongPath(
        _path(["H1", "H2", "H7", "H4", "H10"], ["X3", "X9", "X2"], "W1", "C", "P3", "R2"),
        outcome="outcome-bad",
        unsafe=True,
        missed=frozenset({"rf-inflammatory", "rf-nonmechanical"}),
        triggered=frozenset({"pf-misattribution", "pf-non-specific"}),
        outcome_cites=frozenset({"pf-non-specific"}),
    ),
}

# Benign cases: the imaging (or, for C06, the scan) the blueprint calls over-investigation.
OVER_INVESTIGATION = {"C01": "W4", "C02": "W2", "C06": "W4", "C12": "W4", "C13": "W4"}

pytestmark = pytest.mark.django_db


# The strength or range-of-motion test each of these cases needs carries the caution
# that pain and guarding distort it (pf-exam-distortion).
BEST_PATH_CAUTIONS = {code: {"pf-exam-distortion"} for code in ("C01", "C03", "C10", "C13")}


def _assert_stored(attempt, report):
    """The Attempt row and its AttemptFinding rows say what the debrief says."""
    attempt.refresh_from_db()
    assert attempt.is_finished
    assert attempt.score_total == report.total
    for dim in report.dimensions:
        assert getattr(attempt, f"score_{dim.key}") == dim.score
    assert attempt.unsafe is report.unsafe
    assert attempt.outcome_good is bool(report.outcome and report.outcome.good)
    stored = set(AttemptFinding.objects.filter(attempt=attempt).values_list("guidance_id", "status"))
    assert stored == {(f.guidance_id, f.status) for f in report.findings}


def test_the_table_covers_every_case():
    files, problems = read_library()
    assert not problems
    assert sorted(WRONG) == sorted(cf.case.id for cf in files) == CODES
    assert set(OVER_INVESTIGATION) == set(BENIGN) == {cf.case.id for cf in files if cf.case.tags.type == "benign"}


def test_lint_cases_is_clean_on_the_whole_library():
    out = StringIO()
    call_command("lint_cases", stdout=out, stderr=out)
    assert "14 case file(s) OK." in out.getvalue()


@pytest.mark.parametrize("folder", ["bench/cases", "tests/e2e/cases"])
def test_the_case_files_of_the_bench_and_the_browser_tests_pass_the_linter_too(folder):
    """A new lint rule broke `make bench` (its long case no longer loaded) and no test said so."""
    from django.conf import settings

    out = StringIO()
    call_command("lint_cases", str(settings.BASE_DIR / folder), stdout=out, stderr=out)
    assert "OK" in out.getvalue()
    # Not teaching content: the library's own rules (no patient's name, say) are left out, and lint says so.
    assert "outside cases/library/: checked without the library's own rules" in out.getvalue()


def test_the_library_has_the_fourteen_blueprint_cases(library):
    assert sorted(library) == CODES
    types = {code: case.type for code, case in library.items()}
    assert sorted(c for c, t in types.items() if t == "benign") == BENIGN


def test_every_file_starts_with_the_editor_schema_line():
    files = library_files()
    assert len(files) == 14
    for path in files:
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert first == "# yaml-language-server: $schema=../schema.json", path.name


def test_each_case_names_a_different_patient(library):
    """The vignette opens with the patient's name ("Mr Daniel Okafor, 34, ..."); no
    two cases may share one, or learners mix the stories up."""
    names = {}
    for code, case in library.items():
        match = re.match(r"(?:(?:Mr|Mrs|Ms|Miss|Dr) )?([A-Z][a-z]+(?: [A-Z][A-Za-z'-]+)+), \d+", case.current_version.content.vignette)
        assert match, f"{code}: the vignette does not open with the patient's name and age"
        names.setdefault(match.group(1), []).append(code)
    assert {n: c for n, c in names.items() if len(c) > 1} == {}
    assert len(names) == 14


@pytest.mark.parametrize("code", CODES)
def test_case_shape(library, code):
    case = library[code].current_version.content
    stages = {s.id: s for s in case.stages}
    history = [s for s in case.stages if isinstance(s, PickStage) and s.kind == "history"]
    exam = [s for s in case.stages if isinstance(s, PickStage) and s.kind == "exam"]
    assert sum(len(s.options) for s in history) >= 8
    assert sum(len(s.options) for s in exam) >= 6
    decisions = [s for s in case.stages if isinstance(s, DecisionStage)]
    assert any(s.scores is Dimension.workup for s in decisions)
    assessments = [s for s in decisions if s.scores is Dimension.assessment]
    assert assessments and all(4 <= len(s.options) <= 6 for s in assessments)

    # A consequence branch: some path from the start reaches an outcome marked good: false.
    def targets(nxt):
        if nxt is None:
            return []
        return [nxt] if isinstance(nxt, str) else [rule.goto for rule in nxt if isinstance(rule, Transition)]

    seen, todo = set(), [case.start]
    while todo:
        sid = todo.pop()
        if sid in seen:
            continue
        seen.add(sid)
        stage = stages[sid]
        todo.extend(targets(getattr(stage, "next", None)))
        for opt in getattr(stage, "options", []):
            todo.extend(targets(getattr(opt, "next", None)))
    reachable_outcomes = [stages[s] for s in seen if isinstance(stages[s], OutcomeStage)]
    assert any(o.good for o in reachable_outcomes)
    assert any(not o.good for o in reachable_outcomes)


@pytest.mark.parametrize("code", CODES)
def test_best_path_is_safe_top_band_and_good(library, code):
    attempt = AttemptFactory(code=code)
    best = attempt.version.playbook.best_choices
    assert best, f"{code} has no best path"
    state = play(attempt, best)
    assert state.finished
    report = attempt.debrief()
    assert not report.unsafe, report.safety_reasons
    assert report.total >= TOP_BAND
    assert report.outcome is not None and report.outcome.good
    assert not report.missed_red_flags
    # The best path falls into no pitfall; what its manoeuvres trigger are cautions.
    assert report.triggered == ()
    assert {f.guidance_id for f in report.caution_findings} == BEST_PATH_CAUTIONS.get(code, set())
    _assert_stored(attempt, report)


@pytest.mark.parametrize("code", CODES)
def test_main_wrong_path(library, code):
    wrong = WRONG[code]
    attempt = AttemptFactory(code=code)
    state = play(attempt, wrong.choices)
    assert state.finished
    report = attempt.debrief()

    assert report.outcome is not None and report.outcome.id == wrong.outcome
    assert report.outcome.good is False
    assert wrong.outcome_cites <= set(report.outcome.cites)
    assert report.unsafe is wrong.unsafe, report.safety_reasons
    if wrong.unsafe:
        assert report.total <= 40  # the safety cap
    assert report.score("workup") < 25

    missed = {f.guidance_id for f in report.findings if f.status == "missed"}
    assert missed == wrong.missed
    assert wrong.triggered <= set(report.triggered)
    # Every finding carries its guidance statement and seed section for the debrief.
    for finding in report.findings:
        assert finding.statement and finding.section, finding.guidance_id
    if wrong.unsafe_manoeuvre:
        assert any(r.startswith("Unsafe manoeuvre") for r in report.safety_reasons)
    _assert_stored(attempt, report)


@pytest.mark.parametrize("code", BENIGN)
def test_over_investigation_of_a_benign_case_is_visible(library, code):
    """Full screen, best assessment and plan, but imaging nobody needed."""
    book = library[code].current_version.playbook
    choices = []
    for cid in book.best_choices:
        stage = book.stages.get(book.option_stage.get(cid, ""))
        is_workup = isinstance(stage, DecisionStage) and stage.scores is Dimension.workup
        choices.append(OVER_INVESTIGATION[code] if is_workup else cid)
    attempt = AttemptFactory(code=code)
    play(attempt, choices)
    report = attempt.debrief()
    assert not report.unsafe
    assert "tp-imaging-selective" in report.triggered
    assert report.score("workup") < 25
    assert report.total < TOP_BAND
    _assert_stored(attempt, report)



def _endings(book, choices):
    """Every path from `choices` through the remaining decisions to an outcome: (path, outcome)."""
    state = book.replay(choices)
    if state.finished:
        return [(tuple(choices), book.stages[state.stage_id])]
    return [end for option in state.available for end in _endings(book, [*choices, option])]


def _plan_stages(book, endings, start):
    """The ids of the plan decisions met on `endings` after the first `start` choices."""
    met = (book.stages[book.replay(path[:i]).stage_id] for path, _ in endings for i in range(start, len(path)))
    return {stage.id for stage in met if getattr(stage, "scores", None) == Dimension.plan}


RED_FLAG_CASES = sorted(set(CODES) - set(BENIGN) - {"C08"})  # C08 (spasticity) has no dangerous work-up


@pytest.mark.parametrize("code", RED_FLAG_CASES)
def test_a_dangerous_work_up_always_brings_the_patient_back_worse(library, code):
    """The brief: wrong decisions have consequences the learner sees. No later choice
    (a plan, a return visit) turns a dangerous work-up into the good outcome, and after
    one the plan options are written for that path, not for the one with a referral
    (C04 offered "hand over to the receiving team" after "conservative care")."""
    book = library[code].current_version.playbook
    best = book.best_choices
    to_workup = list(best[: best.index("exam:next") + 1])
    workup = book.stages[book.replay(to_workup).stage_id]
    assert isinstance(workup, DecisionStage) and workup.scores == Dimension.workup
    best_plans = _plan_stages(book, _endings(book, [*to_workup, best[len(to_workup)]]), len(to_workup))
    dangerous = [o for o in workup.options if o.grade == "dangerous"]
    assert dangerous
    for option in dangerous:
        endings = _endings(book, [*to_workup, option.id])
        assert all(not outcome.good for _, outcome in endings), [(p[-3:], o.id) for p, o in endings if o.good]
        plans = _plan_stages(book, endings, len(to_workup))
        assert plans and not plans & best_plans, (option.id, plans)


def test_red_flags_found_then_ignored_are_named_as_such(library, alice_client, alice):
    """Asking everything, then sending the C04 patient home, read "Red flags you
    missed: None: you screened every red flag" and nothing else about them."""
    attempt = AttemptFactory(user=alice, code="C04")
    book = attempt.version.playbook
    best = list(book.best_choices)
    to_workup = best[: best.index("exam:next") + 1]
    play(attempt, [*to_workup, "W1", "A", "P6", "R1"])
    report = attempt.debrief()
    assert report.unsafe and not report.missed_findings
    assert {f.guidance_id for f in report.unheeded_findings} == {"rf-bowel-bladder", "rf-sensory", "rf-neuro-progressive"}
    page = alice_client.get(reverse("debrief", args=[attempt.pk])).content.decode()
    assert "Red flags you found but did not act on" in page and "you screened every red flag" not in page
    # The "missed" heading is not left empty above them (a verification run found it bare).
    missed = page[page.index('id="missed-h"') : page.index('id="unheeded-h"')]
    assert "None missed: you found every red flag this case called for, but did not act on some (below)." in missed
    # The best path acts on them: no such section.
    good = AttemptFactory(user=alice, code="C04")
    play(good, best)
    assert good.debrief().unheeded_findings == ()
    assert "found but did not act on" not in alice_client.get(reverse("debrief", args=[good.pk])).content.decode()


def _scored_choices(library):
    """(code, stage, best label length, longest other label length) per decision stage."""
    for code, case in sorted(library.items()):
        for stage in case.current_version.content.stages:
            if isinstance(stage, DecisionStage):
                best = [len(o.label) for o in stage.options if o.grade.value == "best"]
                others = [len(o.label) for o in stage.options if o.grade.value != "best"]
                if best and others:
                    yield code, stage, max(best), max(others)


@pytest.mark.parametrize("code", CODES)
def test_every_work_up_option_of_the_blueprint_can_be_chosen_on_its_own(library, code):
    """Blueprint §0: W1-W9 are "all offered in every case". A case that offered four or five
    (C05: one with advanced imaging, the best) told the learner where to look. A single option
    is `W<n>` or a variant of it (`W6-MR`); `W7-W4-W5` is a combination, not W4 on its own."""
    case = library[code].current_version.content
    [workup] = [s for s in case.stages if isinstance(s, DecisionStage) and s.scores is Dimension.workup]
    singles = {m.group(1) for o in workup.options if (m := re.fullmatch(r"(W[1-9])(?:-(?!W)\w+)?", o.id))}
    assert singles == {f"W{n}" for n in range(1, 10)}, f"{code} lacks {sorted({f'W{n}' for n in range(1, 10)} - singles)}"
    # In W order in the file, so an author finds each one (the attempt page shuffles them per attempt).
    numbers = [int(re.match(r"W(\d)", o.id).group(1)) for o in workup.options if o.id.startswith("W")]
    assert numbers == sorted(numbers)


def test_the_best_option_is_not_given_away_by_its_length(library):
    """Every option is shown before the choice. When the best one was the only long,
    careful label (2 to 6 times the others in 55 of 59 stages), a learner could pick
    it without thinking; docs/case-format.md, "Options that do not give themselves away".
    In plan stages it still was in 13 of 23 after the first rewrite (chance: about 8)."""
    rows = list(_scored_choices(library))
    too_long = [f"{code} {stage.id}: {best} vs {other}" for code, stage, best, other in rows if best > 1.2 * other]
    assert too_long == []
    # Per kind of decision: plan stages (three options) kept the tell after the first rewrite.
    for dimension in ("workup", "assessment", "plan"):
        kind = [(best, other) for _, stage, best, other in rows if stage.scores.value == dimension]
        longest = sum(best > other for best, other in kind)
        assert longest <= len(kind) // 2, f"{dimension}: the best option is the longest label in {longest} of {len(kind)} stages"


def test_no_prompt_tells_the_learner_the_screen_was_clear(library):
    """"No red flag has come up" appeared only in benign cases, before the work-up,
    whether or not the learner had screened anything."""
    said = [
        (code, stage.id)
        for code, case in library.items()
        for stage in case.current_version.content.stages
        if "red flag" in (getattr(stage, "prompt", "") or "").lower()
    ]
    assert said == []


@pytest.mark.parametrize("code", ["C01", "C02"])
def test_rest_until_pain_free_has_its_own_ending_in_the_benign_back_and_neck_cases(library, code):
    """The bed-rest (C01) and soft-collar (C02) plans ended in the best plan's story ("Ten days
    later he is clearly improving"), which presupposed a review the learner had not booked."""
    book = library[code].current_version.playbook
    best = list(book.best_choices)
    assert "P1" in best
    rested = book.replay([("P2" if c == "P1" else c) for c in best])
    assert rested.finished and rested.stage_id == "review-after-rest"
    assert not book.stages["review-after-rest"].good
    assert book.replay(best).stage_id == "review-good"


# Found by a clinical content audit: choices the rubric calls critical (under-investigation
# with a red flag present; moving a spine that is not cleared) that were graded poor, so a
# path through them scored "excellent" or "good" and, for C05, ended well.
CRITICAL_BY_RUBRIC = [("C05", "P2"), ("C09", "W6")]


@pytest.mark.parametrize("code, option_id", CRITICAL_BY_RUBRIC)
def test_a_critical_choice_after_an_otherwise_best_path_is_unsafe_and_ends_badly(library, code, option_id):
    book = library[code].current_version.playbook
    best = list(book.best_choices)
    stage_id = book.option_stage[option_id]
    at = next(i for i, cid in enumerate(best) if book.option_stage.get(cid) == stage_id)
    endings = _endings(book, [*best[:at], option_id])
    assert endings
    for path, outcome in endings:
        report = book.debrief(list(path))
        assert report.unsafe and report.band == "unsafe", path
        assert not outcome.good, path
