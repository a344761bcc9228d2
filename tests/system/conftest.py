"""One whole system for the fault drills (each puts back what it stopped), so the boot is paid once;
the journey has one of its own (tests/system/test_journey.py)."""

from __future__ import annotations

import pytest

from tests.system.stack import started_stack


@pytest.fixture(scope="package")
def stack(tmp_path_factory):
    with started_stack(tmp_path_factory.mktemp("stack")) as running:
        yield running
