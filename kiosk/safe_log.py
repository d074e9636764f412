"""Log-safe descriptions of exceptions: type and stack, never the message or local variables.

An exception's message can carry what the code was handling (a name, an ID number from a card,
a form answer), and the terminal's journal is what staff export to USB. So:

- code that logs an unexpected error calls :func:`log_exception` (or formats
  :func:`describe_exception` itself) instead of ``log.exception``;
- the terminal's log handlers format with :class:`RedactingFormatter` (:func:`install`), so an
  ``exc_info`` that still reaches them (a library's ``log.exception``, ``exc_info=True`` in a
  driver) is written as type and stack too.

Any thread.
"""

from __future__ import annotations

import logging
import sys
import traceback
from types import TracebackType
from typing import Any

#: The format of the terminal's log lines (the journal adds host and unit).
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def describe_exception(exc_type: type[BaseException], tb: TracebackType | None) -> str:
    """``module.Type`` and one ``File …, line …, in …`` (+ source line) per frame."""
    lines = [f"{exc_type.__module__}.{exc_type.__qualname__}"]
    for frame in traceback.extract_tb(tb):
        lines.append(f'  File "{frame.filename}", line {frame.lineno}, in {frame.name}')
        if frame.line:
            lines.append(f"    {frame.line.strip()}")
    return "\n".join(lines)


def log_exception(logger: logging.Logger, message: str, *args: Any, level: int = logging.ERROR) -> None:
    """``logger.exception`` without the exception's message: ``message % args``, then type and stack.

    Call it inside an ``except`` block (it describes the exception being handled). ``args`` must
    be log-safe themselves (receipt numbers, field ids, event names).
    """
    exc_type, _, tb = sys.exc_info()
    if exc_type is None:
        logger.log(level, message, *args)
        return
    logger.log(level, message + ": %s", *args, describe_exception(exc_type, tb))


class RedactingFormatter(logging.Formatter):
    """A formatter that writes a record's exception as :func:`describe_exception` does.

    With ``layout`` (a handler's own formatter), that formatter lays the line out and this one
    only redacts the exception: a handler keeps its format without this one reading it.
    """

    def __init__(self, fmt: str | None = None, datefmt: str | None = None, *,
                 layout: logging.Formatter | None = None) -> None:
        """``fmt``/``datefmt`` as for :class:`logging.Formatter`, or ``layout`` to lay out."""
        super().__init__(fmt, datefmt)
        self.layout = layout

    def formatException(self, ei: Any) -> str:
        """Type and stack of ``ei`` (an ``exc_info`` triple); the message stays out."""
        return describe_exception(ei[0], ei[2])

    def format(self, record: logging.LogRecord) -> str:
        """The record as text, never reusing an ``exc_text`` another handler cached with the message."""
        cached = record.exc_text
        record.exc_text = None
        try:
            if self.layout is None:
                return super().format(record)
            # A formatter uses an exc_text already set instead of formatting exc_info itself.
            if record.exc_info and record.exc_info[0] is not None:
                record.exc_text = self.formatException(record.exc_info)
            return self.layout.format(record)
        finally:
            record.exc_text = cached


def install(level: int = logging.INFO) -> None:
    """Configure the root logger for the terminal: ``LOG_FORMAT`` to stderr, exceptions redacted.

    Replaces the formatter of handlers already configured too (main thread, at start-up).
    """
    logging.basicConfig(level=level, format=LOG_FORMAT)
    for handler in logging.getLogger().handlers:
        layout = handler.formatter
        if isinstance(layout, RedactingFormatter):
            continue  # installed already
        handler.setFormatter(RedactingFormatter(LOG_FORMAT) if layout is None
                             else RedactingFormatter(layout=layout))
