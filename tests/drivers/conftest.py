"""Far ends shared by the driver suites: a private cupsd (one per test module)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.drivers.far_ends import start_cupsd


@pytest.fixture(scope="module")
def cupsd() -> Iterator[Any]:
    """A private cupsd with the A4 (cups-pdf) and RECEIPT (raw, loopback printer) queues."""
    yield from start_cupsd()
