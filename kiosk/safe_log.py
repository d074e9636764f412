"""Log-safe descriptions of exceptions: type and stack, never the message or local variables.

An exception's message can carry what the code was handling (a name, an ID number from a card,
a form answer), so code that logs unexpected errors on a terminal uses :func:`describe_exception`
instead of ``log.exception``. Any thread.
"""

from __future__ import annotations

import traceback
from types import TracebackType


def describe_exception(exc_type: type[BaseException], tb: TracebackType | None) -> str:
    """``module.Type`` and one ``File …, line …, in …`` (+ source line) per frame."""
    lines = [f"{exc_type.__module__}.{exc_type.__qualname__}"]
    for frame in traceback.extract_tb(tb):
        lines.append(f'  File "{frame.filename}", line {frame.lineno}, in {frame.name}')
        if frame.line:
            lines.append(f"    {frame.line.strip()}")
    return "\n".join(lines)
