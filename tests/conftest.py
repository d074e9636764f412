"""Fixtures shared across the test packages."""

from __future__ import annotations

from typing import Iterator

import pytest


@pytest.fixture(scope="module")
def rig() -> Iterator[object]:
    """A private pcscd with vsmartcard-vpcd and our emulated passport: the real PC/SC stack.

    Missing system parts fail the test rather than skip it: a suite that skips the real-parts
    tests is a failure (tools/setup-system.sh installs them).
    """
    from drivers.idcard.emulator.pcscd import PrivatePcscd
    from drivers.idcard.emulator.rig import PassportRig

    missing = PrivatePcscd.missing()
    if missing:
        pytest.fail(f"{missing} is missing: run tools/setup-system.sh as root")
    running = PassportRig().start()
    yield running
    running.stop()
