"""The engine's rules, without a database."""

import pytest

from cases.lint import load_catalogue
from trainer.engine import InvalidChoice, Playbook, advance_id
from trainer.scoring import SAFETY_CAP
from tests.unit.cases_fixture import mini_case

BEST = ["H7", "H5", "H1", "history:next", "X10", "exam:next", "W7", "A", "P1"]


@pytest.fixture(scope="module")
def book():
    return Playbook(mini_case(), load_catalogue())


def test_a_new_attempt_starts_at_history_with_every_question_and_no_way_forward(book):
    state = book.replay([])
    assert state.stage_id == "history"
    assert state.available == ("H7", "H5", "H1", "L1")
    assert not state.can_advance
    assert not state.finished


def test_a_question_reveals_its_answer_and_unlocks_moving_on(book):
    state = book.replay(["H7"])
    assert state.transcript[-1].text == "Yes, fevers."
    assert "H7" not in state.available
    assert advance_id("history") in state.available


def test_moving_on_before_asking_anything_is_rejected_with_a_reason(book):
    with pytest.raises(InvalidChoice, match="at least one"):
        book.replay(["history:next"])


def test_the_same_question_twice_is_rejected(book):
    with pytest.raises(InvalidChoice, match="already"):
        book.replay(["H7", "H7"])


def test_an_option_of_a_later_stage_is_not_available_yet(book):
    with pytest.raises(InvalidChoice, match="not available"):
        book.replay(["H7", "W7"])


def test_an_unknown_option_is_named_as_such(book):
    with pytest.raises(InvalidChoice, match="no such option"):
        book.replay(["<script>"])


def test_nothing_can_be_chosen_after_the_outcome(book):
    state = book.replay(BEST)
    assert state.finished and state.available == ()
    with pytest.raises(InvalidChoice, match="finished"):
        book.replay([*BEST, "R1"])


def test_the_best_path_is_derived_from_yields_and_grades(book):
    assert list(book.best_choices) == BEST


def test_the_best_path_scores_full_marks_and_is_safe(book):
    report = book.debrief(BEST)
    assert report.total == 100
    assert not report.unsafe
    assert report.outcome.id == "good"
    assert report.band == "excellent"
    assert {f.guidance_id: f.status for f in report.findings} == {"rf-infection": "elicited", "rf-sensory": "screened"}


def test_a_poor_plan_after_the_right_work_up_is_not_called_excellent(book):
    report = book.debrief([*BEST[:-1], "P2"])
    assert report.total >= 85 and not report.unsafe  # the rubric's points alone would say excellent
    assert report.band == "good"


def test_a_path_whose_patient_comes_back_worse_needs_work_whatever_its_points():
    import copy

    from tests.unit.cases_fixture import MINI

    data = copy.deepcopy(MINI)
    workup = next(s for s in data["stages"] if s["id"] == "workup")
    next(o for o in workup["options"] if o["id"] == "W1")["grade"] = "poor"  # wrong, but not unsafe
    report = Playbook(mini_case(stages=data["stages"]), load_catalogue()).debrief([*BEST[:-3], "W1", "A", "P1", "R1"])
    assert not report.unsafe and report.total >= 70 and report.outcome.id == "bad"
    assert report.band == "needs work"


def test_a_dangerous_choice_at_the_unscored_return_visit_trips_the_safety_gate_but_earns_nothing():
    import copy

    from tests.unit.cases_fixture import MINI

    data = copy.deepcopy(MINI)
    workup = next(s for s in data["stages"] if s["id"] == "workup")
    next(o for o in workup["options"] if o["id"] == "W1")["grade"] = "poor"  # the way to the return visit is safe
    book = Playbook(mini_case(stages=data["stages"]), load_catalogue())
    late_but_right = book.debrief([*BEST[:-3], "W1", "A", "P1", "R1"])
    rest_more = book.debrief([*BEST[:-3], "W1", "A", "P1", "R2"])
    assert not late_but_right.unsafe
    assert rest_more.unsafe and rest_more.band == "unsafe"
    assert rest_more.safety_reasons == ("Dangerous decision at Return visit: Rest more.",)
    assert rest_more.raw_total == late_but_right.raw_total > SAFETY_CAP  # the return visit scores no points
    assert rest_more.total == SAFETY_CAP
    # The red flag was found at the first visit and then acted against: not praise.
    assert [f.guidance_id for f in rest_more.unheeded_findings] == ["rf-infection"]
    assert late_but_right.unheeded_findings == ()


def test_a_wrong_workup_leads_to_the_return_visit_and_bad_outcome(book):
    state = book.replay(["H7", "history:next", "X10", "exam:next", "W1", "A", "P1"])
    assert state.stage_id == "return"
    state = book.replay([*state.chosen, "R1"])
    assert state.finished and state.stage_id == "bad"
    assert state.transcript[-1].text == "Returns with weakness."


def test_a_dangerous_decision_caps_the_score_and_marks_the_attempt_unsafe(book):
    report = book.debrief(["H7", "H5", "H1", "history:next", "X10", "exam:next", "W1", "A", "P1", "R1"])
    assert report.unsafe
    assert report.raw_total > SAFETY_CAP
    assert report.total == SAFETY_CAP
    assert any("Dangerous decision" in r for r in report.safety_reasons)
    assert "pf-misattribution" in report.triggered


def test_a_present_red_flag_left_unelicited_is_missed_and_unsafe(book):
    report = book.debrief(["H1", "history:next", "X10", "exam:next", "W7", "A", "P1"])
    findings = {f.guidance_id: f for f in report.findings}
    assert findings["rf-infection"].status == "missed"
    assert findings["rf-sensory"].status == "not_screened"
    assert findings["rf-infection"].statement  # statement and section come from the catalogue
    assert findings["rf-infection"].section.startswith("Contraindications")
    assert report.unsafe
    assert report.score("redflags") == 0
    assert set(report.missed_red_flags) == {"rf-infection", "rf-sensory"}
    # Sentences a learner reads name the item by its title, not its id.
    title = findings["rf-infection"].title
    assert title and f"not elicited: {title}." in " ".join(report.safety_reasons)
    assert "rf-" not in " ".join([*report.safety_reasons, *report.dimensions[0].notes])


def test_an_unsafe_manoeuvre_trips_the_safety_gate(book):
    report = book.debrief(["H7", "H5", "H1", "history:next", "X10", "X3", "exam:next", "W7", "A", "P1"])
    assert report.unsafe
    assert any("Unsafe manoeuvre" in r for r in report.safety_reasons)


def test_an_unsafe_manoeuvre_is_not_called_merely_low_yield(book):
    """C05's neck rotation after a crash was listed as something that "would not change
    management": the efficiency note points to the safety verdict instead."""
    report = book.debrief(["H7", "H5", "L1", "history:next", "X10", "X3", "exam:next", "W7", "A", "P1"])
    efficiency = next(d for d in report.dimensions if d.key == "efficiency")
    assert efficiency.notes == (
        "“Migraine?” would not change management.",
        "“Forced ROM” was unsafe here (see the safety verdict).",
    )
    assert "Unsafe manoeuvre: Forced ROM." in report.safety_reasons  # the verdict the note points to
    assert [o.id for o in report.low_yield_chosen] == ["L1"]  # the debrief's list of low-yield choices
    # It still costs what a low-yield pick costs (rubric D5): L1 -2, X3 -2, H1 (essential) skipped -1.
    assert efficiency.score == 10 - 2 - 2 - 1


def test_efficiency_loses_two_per_low_yield_item_and_one_per_missed_essential(book):
    report = book.debrief(["H7", "H5", "L1", "history:next", "X10", "exam:next", "W7", "A", "P1"])
    # L1 is low yield (-2); H1 is essential and screens no red flag (-1).
    assert report.score("efficiency") == 10 - 2 - 1
    assert [o.id for o in report.missed_essentials] == ["H1"]


def test_a_wrong_assessment_scores_zero_and_names_its_pitfall(book):
    report = book.debrief(["H7", "H5", "H1", "history:next", "X10", "exam:next", "W7", "B", "P1"])
    assert report.score("assessment") == 0
    assert "pf-non-specific" in report.triggered
    review = next(d for d in report.decisions if d.dimension == "assessment")
    assert review.chosen.id == "B" and [b.id for b in review.best] == ["A"]


def test_partial_workup_earns_partial_credit(book):
    report = book.debrief(["H7", "H5", "H1", "history:next", "X10", "exam:next", "W2", "A", "P1"])
    assert report.score("workup") == 12


# -- mistakes and cautions: one `triggers` field, told apart by the choice carrying it


def _book_with_triggers(**triggers) -> Playbook:
    import copy

    from tests.unit.cases_fixture import MINI

    data = copy.deepcopy(MINI)
    options = {o["id"]: o for s in data["stages"] for o in s.get("options", [])}
    for option_id, ids in triggers.items():
        options[option_id]["triggers"] = [*options[option_id].get("triggers", []), *ids]
    return Playbook(mini_case(stages=data["stages"]), load_catalogue())


@pytest.fixture(scope="module")
def cautious_book():
    """Triggers on right and wrong choices alike: the essential vitals carry
    pf-exam-distortion, the low-yield question pf-non-specific (as does the poor
    assessment B already), the acceptable X-ray tp-imaging-selective."""
    return _book_with_triggers(X10=["pf-exam-distortion"], L1=["pf-non-specific"], W2=["tp-imaging-selective"])


def test_a_trigger_on_a_right_choice_is_a_caution_not_a_pitfall_fallen_into(cautious_book):
    report = cautious_book.debrief(BEST)
    assert report.triggered == ()
    [caution] = report.caution_findings
    assert (caution.guidance_id, caution.because) == ("pf-exam-distortion", ("Vitals",))
    assert caution.statement and caution.section  # cited like any finding
    assert report.total >= 85 and not report.unsafe  # a caution costs nothing


def test_a_trigger_on_an_acceptable_decision_is_a_caution(cautious_book):
    report = cautious_book.debrief(["H7", "H5", "H1", "history:next", "X10", "exam:next", "W2", "A", "P1"])
    assert {f.guidance_id for f in report.caution_findings} == {"pf-exam-distortion", "tp-imaging-selective"}


def test_a_trigger_on_a_low_yield_pick_is_a_pitfall_fallen_into(cautious_book):
    report = cautious_book.debrief(["H7", "H5", "H1", "L1", "history:next", "X10", "exam:next", "W7", "A", "P1"])
    assert report.triggered == ("pf-non-specific",)


def test_a_pitfall_fallen_into_outweighs_the_same_caution():
    """pf-non-specific carried by the essential onset question and fallen into by
    the low-yield question and the poor assessment: one finding, a mistake, naming
    the wrong choices; never also a caution."""
    book = _book_with_triggers(H1=["pf-non-specific"], L1=["pf-non-specific"])
    report = book.debrief(["H7", "H5", "H1", "L1", "history:next", "X10", "exam:next", "W7", "B", "P1"])
    [fallen] = report.triggered_findings
    assert fallen.guidance_id == "pf-non-specific" and fallen.because == ("Migraine?", "Strain")
    assert report.caution_findings == ()
    assert book.debrief(BEST).caution_findings[0].guidance_id == "pf-non-specific"
