"""Ines's cohort with Alice in it, which every assignment test starts from."""

import pytest

from tests.factories import TaughtCohortFactory, enrol


@pytest.fixture
def cohort(library, ines, alice):
    cohort = TaughtCohortFactory(name="Spring block", created_by=ines)
    enrol(cohort, alice)
    return cohort
