"""An assignment's decision charts count learners in SQL: the query returns a row per
option and per stage however many learners chose, where it returned every (option,
learner) pair for Python to count (a row per learner and decision: thousands for a
cohort of 1,000)."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases.format import DecisionStage
from tests.factories import AssignmentFactory, AttemptFactory, ChoiceFactory, TaughtCohortFactory, UserFactory, enrol
from trainer import cohort_stats


def _rows_read(ines, learners: int) -> tuple[int, list]:
    cohort = TaughtCohortFactory(created_by=ines)
    assignment = AssignmentFactory(cohort=cohort, code="C01")
    decisions = [s for s in assignment.case.current_version.playbook.case.stages if isinstance(s, DecisionStage)]
    for i in range(learners):
        user = UserFactory(username=f"d{learners}-{i:02d}")
        enrol(cohort, user)
        attempt = AttemptFactory(user=user, code="C01", assignment=assignment, finished_at=timezone.now())
        for seq, stage in enumerate(decisions):
            ChoiceFactory(attempt=attempt, seq=seq, option_id=stage.options[i % len(stage.options)].id)
    with CaptureQueriesContext(connection) as ctx:
        stages = cohort_stats.decision_distribution(assignment)
    sql = [q["sql"] for q in ctx.captured_queries if 'FROM "trainer_choice"' in q["sql"]]
    assert len(sql) == 1
    with connection.cursor() as cursor:  # the same statement again, to count what it returns
        cursor.execute(sql[0])
        return len(cursor.fetchall()), stages


def test_decision_query_rows_do_not_grow_with_learners(library, ines):
    few, few_stages = _rows_read(ines, 16)  # enough that every option is chosen
    many, many_stages = _rows_read(ines, 40)
    assert few == many, (few, many)
    first = many_stages[0]
    assert first.reached == 40 and sum(o.n for o in first.options) == 40
    assert few_stages[0].reached == 16
