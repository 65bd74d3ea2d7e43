"""Generate bench/cases/C900-bench-long-visit.yaml: one synthetic case whose full
paths are about 60 choices long (a 34-question history, a 24-manoeuvre exam, three
decisions), so the benchmark can replay and render attempts of that size.

The library's real cases have 20-25 options; this file exists only for the bench
database (`python manage.py load_cases bench/cases/`). It is generated so its size
can be changed in one place, and committed so the bench does not depend on this
script's output being identical across PyYAML versions.

    python bench/make_case.py          # rewrite the file
    python bench/make_case.py --check  # exit 1 if the committed file is stale
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

OUT = Path(__file__).resolve().parent / "cases" / "C900-bench-long-visit.yaml"

RED_FLAGS = [
    "rf-systemic", "rf-infection", "rf-nonmechanical", "rf-neuro-progressive",
    "rf-sensory", "rf-bowel-bladder", "rf-trauma", "rf-inflammatory", "rf-generalized",
]
HISTORY_TOPICS = [
    ("When did it start, and what were you doing at the time?", "Three days ago, lifting a crate at work.", ["wf-history", "tp-time-course"]),
    ("Where exactly is the pain, and does it spread anywhere?", "Right low back, no spread to the legs.", ["tp-distribution"]),
    ("What does it feel like, and does it change with position?", "Tight and grabbing; it eases lying on my side.", ["rf-nonmechanical", "pf-cramp-confusion"]),
    ("Any weakness in your legs or feet?", "No, my legs feel normal.", ["rf-neuro-progressive"]),
    ("Any numbness or tingling, including the saddle area?", "No numbness anywhere.", ["rf-sensory"]),
    ("Any change in passing urine or opening your bowels?", "No, all normal.", ["rf-bowel-bladder"]),
    ("Any fever, sweats or recent infection?", "No fevers and no infections lately.", ["rf-systemic", "rf-infection"]),
    ("Any weight loss, night pain or history of cancer?", "No. My weight is steady and I sleep once comfortable.", ["rf-systemic", "rf-nonmechanical"]),
    ("Have you had a fall, a crash or any other injury?", "No fall, just the lift.", ["rf-trauma"]),
    ("Morning stiffness that lasts more than half an hour?", "Only since this started, and it is the same all day.", ["rf-inflammatory"]),
    ("Cramps or twitching in other muscles too?", "No, only my back.", ["rf-generalized", "pf-fasciculation-confusion"]),
    ("What have you tried so far, and did it help?", "Heat and paracetamol took the edge off.", ["tp-meds-not-automatic"]),
    ("How is your sleep, and what is your work like?", "Heavy lifting all shift; sleep is broken by turning.", ["tp-aftercare", "wf-plan"]),
    ("Have you had episodes like this before?", "Once, two years ago; it settled in a fortnight.", ["tp-recurrent-persistent"]),
    ("Any injecting drug use or immune problems?", "Never injected; no immune problems.", ["rf-infection"]),
    ("Any recent steroid use or bone thinning?", "No steroids, no bone problems.", ["rf-trauma"]),
    ("Does coughing or sneezing make it worse?", "A sneeze jolts it, but only in the back.", ["wf-history"]),
    ("Can you bend, sit and walk as usual?", "Sitting is fine; bending forward is what catches.", ["wf-rom"]),
]
LOW_TOPICS = [
    ("Is there a family history of migraine?", "Not that I know of."),
    ("Which football team do you support?", "The local one, for my sins."),
    ("Have you ever had your tonsils out?", "Yes, as a child."),
    ("Do you wear glasses for reading?", "Only for small print."),
]
EXAM_TOPICS = [
    ("Palpate the spine and paraspinal muscles", "Right paraspinals are tense and tender; no midline bony tenderness.", ["wf-exam", "tp-trigger-point"]),
    ("Observe range of motion, gait and function", "Flexion guarded to mid-shin; gait slow but normal.", ["wf-rom", "pf-exam-distortion"]),
    ("Test lower-limb strength", "5/5 throughout, some efforts limited by back pain.", ["wf-neuro-screen", "rf-neuro-progressive"]),
    ("Check sensation, including the saddle area", "Normal in both legs and the saddle area.", ["rf-sensory", "rf-bowel-bladder"]),
    ("Straight-leg raise", "Back pain only on either side; nothing below the knee.", ["wf-joint-tests", "pf-strain-confusion"]),
    ("Reflexes at knee and ankle", "Symmetrical and normal.", ["wf-neuro-screen"]),
    ("Vital signs", "Temperature 36.7 C, pulse 76, blood pressure 126/78.", ["rf-systemic"]),
    ("Inspect the skin over the back", "No rash, wound or swelling.", ["rf-infection"]),
    ("Percuss the spinous processes", "No focal bony tenderness.", ["rf-trauma"]),
    ("Sacroiliac provocation tests", "Negative on both sides.", ["wf-joint-tests", "rf-inflammatory"]),
    ("Hip range of motion", "Full and pain-free.", ["wf-joint-tests"]),
    ("Look for fasciculations and wasting", "None seen in the legs or back.", ["pf-fasciculation-confusion", "rf-generalized"]),
]
EXAM_LOW = [
    ("Compare tone under slow and fast stretch", "No velocity-dependent catch."),
    ("Check the cranial nerves", "Normal."),
]


def _pick_options(prefix: str, topics, low, total: int) -> list[dict]:
    """`total` options: the topics (essential first, then useful), padded with
    numbered variants, then the low-yield ones last."""
    opts: list[dict] = []
    n_ess = len(topics) * 2 // 3
    i = 0
    while len(opts) < total - len(low):
        label, reveal, screens = topics[i % len(topics)]
        round_ = i // len(topics)
        suffix = f" (follow-up {round_})" if round_ else ""
        opts.append(
            {
                "id": f"{prefix}{len(opts) + 1:02d}",
                "label": label + suffix,
                "reveals": (f'"{reveal}"' if prefix == "H" else reveal)
                + (" Asked again in more detail, the answer is the same and adds nothing new." if round_ else ""),
                "yield": "essential" if i < n_ess else "useful",
                "screens": screens,
            }
        )
        i += 1
    for label, reveal in low:
        opts.append({"id": f"{prefix}{len(opts) + 1:02d}", "label": label, "reveals": reveal, "yield": "low"})
    return opts


def build() -> dict:
    history = _pick_options("H", HISTORY_TOPICS, LOW_TOPICS, 34)
    exam = _pick_options("X", EXAM_TOPICS, EXAM_LOW, 23)
    exam.append(
        {"id": "X24", "label": "Forced passive flexion to end range", "reveals": "He cries out and the spasm worsens.",
         "yield": "low", "unsafe": True, "triggers": ["pf-exam-distortion"]}
    )
    return {
        "id": "C900",
        "slug": "bench-long-visit",
        "title": "Bench: long visit for back spasm (synthetic)",
        "presentation": "Bench: back spasm in a 41-year-old (synthetic)",
        "setting": "Urgent care (benchmark fixture)",
        "patient": {"age": 41, "sex": "F", "occupation": "warehouse supervisor"},
        "vignette": (
            "Synthetic case for the performance benchmark: a 41-year-old warehouse supervisor with three days of "
            "right-sided low back spasm after lifting. It has a long history and examination so that a complete "
            "attempt takes about sixty choices."
        ),
        "tags": {"region": "lumbar", "type": "benign", "difficulty": "advanced"},
        "objectives": ["Benchmark fixture: screen widely, examine fully, then decide."],
        "red_flags": {"present": [], "screen": RED_FLAGS},
        "start": "history",
        "stages": [
            {"id": "history", "kind": "history", "title": "History", "prompt": "Choose the questions you would ask.",
             "next": "exam", "options": history},
            {"id": "exam", "kind": "exam", "title": "Examination", "prompt": "Choose the manoeuvres you would perform.",
             "next": "workup", "options": exam},
            {"id": "workup", "kind": "decision", "title": "Work-up", "scores": "workup", "next": "assessment",
             "prompt": "No red flag has come up. What next?",
             "options": [
                 {"id": "W1", "label": "Conservative care with education and a review in 1-2 weeks", "grade": "best",
                  "reason": "No red flag: imaging is not automatically required.", "cites": ["tp-imaging-selective", "wf-followup"]},
                 {"id": "W2", "label": "Lumbar radiographs", "grade": "poor",
                  "reason": "Films would not change management here.", "triggers": ["tp-imaging-selective"]},
                 {"id": "W3", "label": "MRI of the lumbar spine", "grade": "poor",
                  "reason": "No neurologic or non-mechanical feature calls for MRI.", "triggers": ["tp-imaging-selective"]},
                 {"id": "W4", "label": "Emergency department today", "grade": "acceptable",
                  "reason": "Over-cautious but not harmful.", "cites": ["wf-diagnostics"]},
             ]},
            {"id": "assessment", "kind": "decision", "title": "Assessment", "scores": "assessment", "next": "plan",
             "prompt": "Commit to your working assessment.",
             "options": [
                 {"id": "A1", "label": "Protective paraspinal spasm with a lumbar strain", "grade": "best",
                  "reason": "Trigger, posture-dependent pain, guarding and a normal neuro screen fit.", "cites": ["tp-guarding"]},
                 {"id": "A2", "label": "Lumbar radiculopathy", "grade": "poor",
                  "reason": "No leg pain and a normal neurologic examination.", "triggers": ["pf-non-specific"]},
                 {"id": "A3", "label": '"Muscle spasm"', "grade": "poor",
                  "reason": "Spasm is a finding, not a diagnosis.", "triggers": ["tp-symptom-not-diagnosis"]},
             ]},
            {"id": "plan", "kind": "decision", "title": "Plan and follow-up", "scores": "plan", "next": "review-good",
             "prompt": "What do you agree with her?",
             "options": [
                 {"id": "P1", "label": "Explain the pain, modified duties, safety-net advice, review in 1-2 weeks",
                  "grade": "best", "reason": "Function goals and a review shape recovery.", "cites": ["tp-aftercare", "wf-plan"]},
                 {"id": "P2", "label": "Strict bed rest until pain-free, no review", "grade": "poor",
                  "reason": "Prolonged rest delays recovery.", "next": "review-slow"},
                 {"id": "P3", "label": "Full lifting tomorrow, come back if unbearable", "grade": "acceptable",
                  "reason": "Active, but no planned review.", "next": "review-slow"},
             ]},
            {"id": "review-good", "kind": "outcome", "title": "Review at 10 days", "good": True,
             "text": "She is clearly improving and back on modified duties."},
            {"id": "review-slow", "kind": "outcome", "title": "Review at 4 weeks", "good": False,
             "text": "Recovery has been slow and she is still off work."},
        ],
    }


HEADER = (
    "# GENERATED by bench/make_case.py: benchmark fixture, not teaching content.\n"
    "# Loaded only into the bench database (python manage.py load_cases bench/cases/).\n"
)


def render() -> str:
    return HEADER + yaml.safe_dump(build(), sort_keys=False, allow_unicode=True, width=120)


if __name__ == "__main__":
    text = render()
    if "--check" in sys.argv:
        sys.exit(0 if OUT.exists() and OUT.read_text() == text else 1)
    OUT.write_text(text)
    print(f"wrote {OUT} ({len(text)} bytes)")
