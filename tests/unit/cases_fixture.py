"""A small hand-made case for engine tests: independent of the library's content."""

from cases.format import Case

MINI = {
    "id": "C90",
    "slug": "mini",
    "title": "Mini case",
    "presentation": "Back spasm in a 40-year-old",
    "setting": "Clinic",
    "patient": {"age": 40, "sex": "F"},
    "vignette": "Back spasm with fever.",
    "tags": {"region": "lumbar", "type": "red-flag", "difficulty": "introductory"},
    "objectives": ["Screen for red flags."],
    "red_flags": {"present": ["rf-infection"], "screen": ["rf-sensory"]},
    "start": "history",
    "stages": [
        {
            "id": "history",
            "kind": "history",
            "title": "History",
            "next": "exam",
            "options": [
                {"id": "H7", "label": "Fever?", "reveals": "Yes, fevers.", "yield": "essential", "screens": ["rf-infection"]},
                {"id": "H5", "label": "Numbness?", "reveals": "No.", "yield": "essential", "screens": ["rf-sensory"]},
                {"id": "H1", "label": "Onset?", "reveals": "Ten days.", "yield": "essential", "screens": ["wf-history"]},
                {"id": "L1", "label": "Migraine?", "reveals": "No.", "yield": "low"},
            ],
        },
        {
            "id": "exam",
            "kind": "exam",
            "title": "Exam",
            "next": "workup",
            "options": [
                {"id": "X10", "label": "Vitals", "reveals": "T 38.6", "yield": "essential", "screens": ["rf-systemic"]},
                {"id": "X3", "label": "Forced ROM", "reveals": "Agony.", "yield": "low", "unsafe": True},
            ],
        },
        {
            "id": "workup",
            "kind": "decision",
            "title": "Work-up",
            "scores": "workup",
            "next": "assessment",
            "options": [
                {"id": "W7", "label": "ED now", "grade": "best", "reason": "Infection risk.", "cites": ["wf-diagnostics"]},
                {"id": "W2", "label": "X-ray", "grade": "acceptable", "reason": "Partial.", "cites": ["wf-diagnostics"]},
                {"id": "W1", "label": "Rest", "grade": "dangerous", "reason": "Misses infection.",
                 "triggers": ["pf-misattribution"]},
            ],
        },
        {
            "id": "assessment",
            "kind": "decision",
            "title": "Assessment",
            "scores": "assessment",
            "next": "plan",
            "options": [
                {"id": "A", "label": "Infection", "grade": "best", "reason": "Fever."},
                {"id": "B", "label": "Strain", "grade": "poor", "reason": "No.", "triggers": ["pf-non-specific"]},
            ],
        },
        {
            "id": "plan",
            "kind": "decision",
            "title": "Plan",
            "scores": "plan",
            "next": [{"when_any": ["W1"], "goto": "return"}, {"goto": "good"}],
            "options": [
                {"id": "P1", "label": "Handover", "grade": "best", "reason": "Clear."},
                {"id": "P2", "label": "Nothing", "grade": "poor", "reason": "No plan."},
            ],
        },
        {
            "id": "return",
            "kind": "decision",
            "title": "Return visit",
            "options": [
                {"id": "R1", "label": "ED now", "grade": "best", "reason": "Late but right.", "next": "bad"},
                {"id": "R2", "label": "Rest more", "grade": "dangerous", "reason": "No.", "next": "bad"},
            ],
        },
        {"id": "good", "kind": "outcome", "title": "Treated", "good": True, "text": "Treated in time."},
        {"id": "bad", "kind": "outcome", "title": "Worse", "good": False, "text": "Returns with weakness."},
    ],
}


def mini_case(**changes) -> Case:
    return Case.model_validate({**MINI, **changes})
