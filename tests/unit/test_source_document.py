"""The copy of the source document in docs/source/ is what every debrief cites: each
section heading a guidance item's citation names (cases.format.SECTION_HEADINGS) must be a
heading of it, word for word, or a learner sent to a section would not find it."""

from pathlib import Path

from cases.format import SECTION_HEADINGS
from cases.lint import load_catalogue

SOURCE = Path(__file__).resolve().parents[2] / "docs" / "source" / "muscle-spasm-overview.txt"


def test_every_cited_section_is_a_heading_of_the_source_document():
    lines = {line.strip() for line in SOURCE.read_text(encoding="utf-8").splitlines()}
    assert [h for h in SECTION_HEADINGS.values() if h not in lines] == []


def test_every_guidance_item_cites_a_section_of_it():
    headings = set(SECTION_HEADINGS.values())
    assert {entry.id for entry in load_catalogue().values() if entry.section not in headings} == set()
