"""Fixtures several integration test files share (tests/conftest.py has the case
library and the personas)."""

import pytest

from tests.factories import AttemptFactory


@pytest.fixture
def attempt(library, alice):
    return AttemptFactory(user=alice, code="C01")
