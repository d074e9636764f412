"""No citizen data in the journal: every log path that can see session data writes an exception as
its type and stack, never its message (the journal is what staff export to USB)."""

from __future__ import annotations

import logging
import subprocess
import sys
import textwrap
from concurrent.futures import Future
from typing import Any

import pytest

from kiosk.events import EventHub
from kiosk.safe_log import RedactingFormatter

NAME = "欧阳明月"
ID_NUMBER = "11010519491231002X"


@pytest.fixture(scope="module")
def demo(offline_terminal):
    """Nothing here is about sync: the core runs without a central server."""
    return offline_terminal


def _leak() -> Exception:
    return ValueError(f"could not handle {NAME} {ID_NUMBER}")


def _journal(caplog: pytest.LogCaptureFixture) -> str:
    """What a journal handler would write: messages and any exception text, formatted."""
    handler_text = caplog.text
    formatter = logging.Formatter("%(message)s")
    return handler_text + "\n".join(formatter.format(record) for record in caplog.records)


def _assert_clean(journal: str) -> None:
    assert NAME not in journal and ID_NUMBER not in journal and "19491231" not in journal


def test_a_failing_event_handler_is_logged_as_type_and_stack(caplog: pytest.LogCaptureFixture) -> None:
    hub = EventHub()

    def broken(event: Any) -> None:
        raise _leak()

    hub.subscribe(broken)
    with caplog.at_level(logging.INFO):
        hub.publish("card_read", identity="…")
    journal = _journal(caplog)
    assert "event handler failed for card_read(identity)" in journal
    assert "builtins.ValueError" in journal and "in broken" in journal  # still a usable trace
    _assert_clean(journal)


def test_storing_printing_and_face_failures_keep_the_citizen_out_of_the_journal(
        core_driver: Any, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch) -> None:
    core = core_driver.core
    caplog.set_level(logging.INFO)
    def logged(text: str) -> bool:
        return any(text in r.getMessage() for r in caplog.records)

    # Face analysis fails on one frame, and the verification fails: both with the citizen's data.
    face = core._face
    on_frame, failed_frames = face.on_frame, []

    def analysis_fails_once(frame: Any, now: float) -> Any:
        if not failed_frames:
            failed_frames.append(frame)
            raise _leak()
        return on_frame(frame, now)

    def verification_fails(*args: Any) -> Future[Any]:
        future: Future[Any] = Future()
        future.set_exception(_leak())
        return future

    monkeypatch.setattr(face, "on_frame", analysis_fails_once)
    monkeypatch.setattr(face, "verify", verification_fails)
    core_driver.walk_to_form()
    core_driver.wait_for(lambda s: logged("face analysis failed") and logged("face verification failed"))

    # The store fails once (the citizen stays on the review), then the receipt printer.
    writer_submit, store_failures = core._runtime.writer.submit, []

    def store_fails_once(draft: Any) -> Future[Any]:
        if store_failures:
            return writer_submit(draft)
        store_failures.append(draft)
        future: Future[Any] = Future()
        future.set_exception(_leak())
        return future

    monkeypatch.setattr(core._runtime.writer, "submit", store_fails_once)
    printer = core.devices["receipt_printer"].driver

    def print_fails(receipt: Any) -> Any:
        raise _leak()

    monkeypatch.setattr(printer, "print_receipt", print_fails)
    from tests.kiosk.conftest import RESIDENCE_ANSWERS

    for field, value in RESIDENCE_ANSWERS.items():
        core.set_field_value(field, value)
    core.complete_form()
    core_driver.wait_screen("review")
    core.confirm_submission(True)
    core_driver.wait_for(lambda s: logged("submission could not be stored") and s.get("screen") == "review")
    core.confirm_submission(True)
    core_driver.wait_screen("done")
    core_driver.wait_for(lambda s: logged("not printed"))
    core_driver.finish()

    journal = _journal(caplog)
    for path in ("face analysis failed", "face verification failed", "submission could not be stored",
                 "not printed"):
        assert path in journal
    assert journal.count("builtins.ValueError") >= 4
    _assert_clean(journal)


def test_the_terminal_log_handler_redacts_exceptions_logged_anywhere() -> None:
    # Libraries and the sync worker (which may not import kiosk) still call log.exception; the
    # terminal's handler (kiosk.safe_log.install, called by `kiosk`) writes them without the message.
    script = textwrap.dedent(f"""
        import logging
        from kiosk import safe_log
        safe_log.install()
        try:
            raise KeyError({NAME!r} + " " + {ID_NUMBER!r})
        except KeyError:
            logging.getLogger("sync.worker").exception("sync pass failed")
            logging.getLogger("drivers").debug("probe failed", exc_info=True)
            logging.getLogger("drivers").warning("probe failed", exc_info=True)
    """)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60,
                            check=True)
    assert "sync pass failed" in result.stderr and "builtins.KeyError" in result.stderr
    assert result.stderr.count("builtins.KeyError") == 2
    _assert_clean(result.stderr)


def test_the_redacting_formatter_ignores_text_cached_by_another_handler() -> None:
    try:
        raise _leak()
    except ValueError:
        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed", (), sys.exc_info())
    assert NAME in logging.Formatter().format(record)  # caches the full text on the record
    _assert_clean(RedactingFormatter().format(record))


def test_a_handler_keeps_its_own_layout_and_gets_the_exception_redacted() -> None:
    layout = logging.Formatter("LAYOUT %(levelname)s %(message)s")
    formatter = RedactingFormatter(layout=layout)
    try:
        raise _leak()
    except ValueError:
        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed", (), sys.exc_info())
    text = formatter.format(record)
    assert text.startswith("LAYOUT ERROR failed") and "builtins.ValueError" in text
    _assert_clean(text)
    assert NAME in layout.format(record)  # the record itself was left as it came
