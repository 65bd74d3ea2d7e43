"""Attempt.choose when another request stores a choice between this request's
read of the attempt's choices and its own insert (two tabs, a double click).

tests/integration/test_concurrency.py races real threads, where who loses is up
to the scheduler; here the competing choice is stored at exactly that moment, so
each way out of the race is checked every run."""

import pytest
from django.db import IntegrityError

from tests.factories import AttemptFactory, play
from trainer.engine import InvalidChoice
from trainer.models import Attempt, Choice


def racing(attempt: Attempt, *competing: str) -> Attempt:
    """A second copy of `attempt` whose first read of the choices happens just
    before another request stores `competing[0]`, its second read just before
    another stores `competing[1]`, and so on."""
    loser = Attempt.objects.get(pk=attempt.pk)
    read = loser.choice_ids
    reads = []

    def choice_ids():
        before = read()
        if len(reads) < len(competing):
            Attempt.objects.get(pk=attempt.pk).choose(competing[len(reads)])
        reads.append(before)
        return before

    loser.choice_ids = choice_ids
    loser.reads = reads
    return loser


def stored(attempt: Attempt) -> list[tuple[int, str]]:
    return list(Choice.objects.filter(attempt=attempt).order_by("seq").values_list("seq", "option_id"))


@pytest.fixture
def attempt(library):
    attempt = AttemptFactory(code="C01")
    play(attempt, ["H1"])
    return attempt


def test_a_choice_that_lost_the_race_is_stored_after_the_winner(attempt):
    loser = racing(attempt, "H3")
    state, new = loser.choose("H4")
    assert new and state.chosen == ("H1", "H3", "H4")
    assert stored(attempt) == [(0, "H1"), (1, "H3"), (2, "H4")]
    assert loser.reads == [["H1"], ["H1", "H3"]]  # it read again after the refused insert


def test_a_choice_that_loses_every_race_is_stored_after_all_the_winners(attempt):
    # Eight other questions posted at once: this request's insert is refused eight
    # times in a row. A fixed five tries made the request a 500.
    competing = ["H3", "H4", "H5", "H6", "H7", "H8", "H2", "H13"]
    loser = racing(attempt, *competing)
    state, new = loser.choose("H9")
    assert new and state.chosen == ("H1", *competing, "H9")
    assert stored(attempt) == list(enumerate(["H1", *competing, "H9"]))
    assert len(loser.reads) == len(competing) + 1  # one read per refused insert, then the stored one


def test_an_insert_refused_with_no_choice_stored_meanwhile_is_not_retried(attempt, monkeypatch):
    """Retrying is for a lost race only: a refusal that no newly stored choice
    explains would be refused again, so it is raised after one look, not retried."""
    loser = racing(attempt)  # no competitor: only counts the reads

    def refuse(**fields):
        raise IntegrityError("refused for another reason")

    monkeypatch.setattr(Choice.objects, "create", refuse)
    with pytest.raises(IntegrityError):
        loser.choose("H3")
    assert loser.reads == [["H1"], ["H1"]]
    assert stored(attempt) == [(0, "H1")]


def test_the_same_choice_from_two_requests_is_stored_once(attempt):
    loser = racing(attempt, "H3")
    state, new = loser.choose("H3")
    assert not new and state.chosen == ("H1", "H3")
    assert stored(attempt) == [(0, "H1"), (1, "H3")]


def test_a_choice_the_winner_made_unavailable_is_refused_and_not_stored(attempt):
    play(attempt, ["history:next", "X2", "exam:next"])
    loser = racing(attempt, "W1")  # the other tab committed to a work-up decision
    with pytest.raises(InvalidChoice):
        loser.choose("W2")
    assert [option for _, option in stored(attempt)] == ["H1", "history:next", "X2", "exam:next", "W1"]


def test_the_last_choice_and_the_scores_are_stored_together(attempt):
    book = attempt.version.playbook
    rest = [c for c in book.best_choices if c != "H1"]
    play(attempt, rest[:-1])
    loser = racing(attempt, rest[-1])  # the winner finishes the case
    state, new = loser.choose(rest[-1])
    assert not new and state.finished
    attempt.refresh_from_db()
    assert attempt.is_finished and attempt.score_total == book.debrief(state.chosen).total
    assert attempt.findings.exists()
