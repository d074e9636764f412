"""Fixtures shared across the test packages."""

from __future__ import annotations

import threading
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
    left = _pcsc_watchers()
    running.stop()
    if left:
        pytest.fail(f"still watching pcscd when it was stopped: {[t.name for t in left]}; close the "
                    "reader (and the core) before the daemon goes", pytrace=False)


def _pcsc_watchers() -> list[threading.Thread]:
    """Live threads that watch pcscd: the passport reader's watcher, or pyscard's card monitor."""
    return [t for t in threading.enumerate() if t.is_alive() and (
        t.name == "pcsc-watch" or "CardMonitoringThread" in type(t).__qualname__)]


@pytest.fixture
def pcsc_watchers():
    """The function listing live threads that watch pcscd (ours or pyscard's)."""
    return _pcsc_watchers
