"""The terminal's core: the journey, its steps, and the runtime that wires them to the devices.

:class:`KioskCore` is the public face the UI drives; :class:`~kiosk.core.runtime.JourneyRuntime`
owns the journey thread and implements the steps' port (:class:`~kiosk.core.port.StepContext`);
the steps (identify, card watch, left document, face preview, storing, printing) see only that
port. The pure state machine is :mod:`kiosk.core.journey`; the screen model :mod:`kiosk.core.view`.
"""

from __future__ import annotations

from .kiosk_core import KioskCore

__all__ = ["KioskCore"]
