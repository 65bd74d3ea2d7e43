"""Random walks over every library case: never crash, always end, scores in range."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cases.lint import load_catalogue, read_library
from trainer.engine import InvalidChoice, Playbook
from trainer.scoring import WEIGHTS

LIBRARY = read_library()[0]


@pytest.mark.parametrize("case_file", LIBRARY, ids=lambda cf: cf.case.id)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_random_walks_end_with_scores_in_range(case_file, data):
    book = Playbook(case_file.case, load_catalogue())
    choices: list[str] = []
    state = book.replay(choices)
    for _ in range(500):
        if state.finished:
            break
        choice = data.draw(st.sampled_from(state.available))
        choices.append(choice)
        state = book.replay(choices)
    assert state.finished, "every walk must reach an outcome"
    report = book.debrief(choices)
    assert 0 <= report.total <= 100
    for dim in report.dimensions:
        assert 0 <= dim.score <= dim.max == WEIGHTS[dim.key]
    if report.unsafe:
        assert report.total <= 40
    assert report.outcome is not None


@pytest.mark.parametrize("case_file", LIBRARY, ids=lambda cf: cf.case.id)
@settings(max_examples=30, deadline=None)
@given(junk=st.lists(st.text(max_size=12), max_size=5))
def test_arbitrary_choices_are_rejected_not_crashed(case_file, junk):
    book = Playbook(case_file.case, load_catalogue())
    try:
        state = book.replay(junk)
    except InvalidChoice:
        return
    assert set(state.chosen) == set(junk)
