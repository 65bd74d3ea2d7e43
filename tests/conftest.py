"""Shared fixtures: the case library in the test database, personas, browser setup."""

import os
import shutil

import pytest
from django.test import Client

from cases.loading import load_library
from cases.models import Case
from tests.factories import UserFactory

# CHROMIUM_PATH: a Chromium somewhere else (also how the guard below is tested).
CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
# In CI a browser test that cannot run is a failure, never a skip.
REQUIRE_BROWSER = os.environ.get("REQUIRE_BROWSER", "") == "1" or os.environ.get("CI", "") == "true"

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # live_server + sync Playwright


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        load_library()


@pytest.fixture
def library(db):
    """The whole case library, loaded (again, if a transactional test flushed it)."""
    if not Case.objects.exists():
        load_library()
    return {c.code: c for c in Case.objects.published().select_related("current_version")}


def _client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def alice(db):
    """A learner."""
    return UserFactory(username="alice")


@pytest.fixture
def bob(db):
    """Another learner: must never see Alice's work."""
    return UserFactory(username="bob")


@pytest.fixture
def ines(db):
    """An instructor (in the Instructors group)."""
    return UserFactory(username="ines", instructor=True)


@pytest.fixture
def ines_client(ines):
    return _client_for(ines)


@pytest.fixture
def alice_client(alice):
    return _client_for(alice)


@pytest.fixture
def bob_client(bob):
    return _client_for(bob)


@pytest.fixture
def anon_client():
    return Client()


def pytest_collection_modifyitems(config, items):
    if os.path.exists(CHROMIUM):
        return
    browser_tests = [item for item in items if item.get_closest_marker("browser")]
    if browser_tests and REQUIRE_BROWSER:
        # A usage error stops the run with a non-zero exit. (An xfail that never runs
        # would be reported as "xfailed" and exit 0: CI would pass without a browser.)
        raise pytest.UsageError(
            f"REQUIRE_BROWSER=1 (or CI=true) but Chromium is missing at {CHROMIUM}: "
            f"{len(browser_tests)} browser tests cannot run. Install it (apt-get install chromium)."
        )
    for item in browser_tests:
        item.add_marker(pytest.mark.skip(reason=f"Chromium not installed ({CHROMIUM}); CI runs these"))


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
        ],
    }


TRANSACTION_CONTROL = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT", "BEGIN", "COMMIT")


@pytest.fixture
def assert_max_queries(django_assert_max_num_queries):
    """Like django_assert_max_num_queries, but transaction control does not count:
    the test's own wrapping transaction turns the view's BEGIN/COMMIT into
    SAVEPOINT/RELEASE, which are not queries a budget is about."""
    from contextlib import contextmanager

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    @contextmanager
    def check(limit: int):
        with CaptureQueriesContext(connection) as ctx:
            yield ctx
        real = [q["sql"] for q in ctx.captured_queries if not q["sql"].upper().startswith(TRANSACTION_CONTROL)]
        assert len(real) <= limit, f"{len(real)} queries, budget {limit}:\n" + "\n".join(real)

    return check
