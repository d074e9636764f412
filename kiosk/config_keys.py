"""How the configuration's keys are declared: each with its default, its documentation and its
checks (:func:`key`), sections as nested tables (:func:`section`), and the common checks."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import field
from typing import Any

Check = Callable[[Any], str | None]


def key(default: Any, description: str, *checks: Check) -> Any:
    """Declare one configuration key: its default, its documentation and its checks."""
    if isinstance(default, dict):
        return field(default_factory=lambda: dict(default), metadata={"description": description, "checks": checks})
    return field(default=default, metadata={"description": description, "checks": checks})


def section(cls: type, description: str) -> Any:
    """Declare a nested section (a table in TOML)."""
    return field(default_factory=cls, metadata={"description": description, "checks": ()})


def between(low: float, high: float | None = None, *, exclusive_low: bool = False) -> Check:
    """The value must lie in [low, high] (or (low, high] with ``exclusive_low``)."""
    def check(value: float) -> str | None:
        if exclusive_low and value <= low:
            return f"must be greater than {low:g}"
        if not exclusive_low and value < low:
            return f"must be at least {low:g}"
        if high is not None and value > high:
            return f"must be at most {high:g}"
        return None
    return check


def matches(pattern: str, explanation: str) -> Check:
    """The string must match ``pattern`` completely."""
    compiled = re.compile(pattern)
    return lambda value: None if compiled.fullmatch(value) else explanation
