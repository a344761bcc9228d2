"""One whole system for the package: the journey and the fault drills run against the same processes
(each drill puts back what it stopped), so the boot is paid once per test run."""

from __future__ import annotations

import pytest

from tests.system.stack import Stack, fresh_database


@pytest.fixture(scope="package")
def stack(tmp_path_factory):
    folder = tmp_path_factory.mktemp("stack")
    with fresh_database(folder) as database_url:
        running = Stack(folder, database_url)
        try:
            running.boot()
            yield running
        finally:
            running.close()
