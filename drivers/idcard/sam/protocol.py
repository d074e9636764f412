"""One command/response exchange with a SAM reader: framing, resync, timeouts and retries.

The :class:`SamProtocol` owns no device state; :class:`~drivers.idcard.sam.reader.SamIdReader`
decides what to ask. Runs on the reader's owner thread.
"""

from __future__ import annotations

import logging
import time

from ...common import ProtocolError
from . import frames
from .transport import ReadTimeout, SerialTransport

log = logging.getLogger(__name__)


class SamProtocol:
    """Sends command frames and returns decoded :class:`~.frames.Response` objects.

    A garbled reply (bad checksum, impossible length, truncated frame) is retried up to
    ``retries`` times after discarding the input, because a reader answers the repeated command
    again; a silent reader raises :class:`DeviceTimeout` after the command's timeout.
    """

    def __init__(self, transport: SerialTransport, retries: int = 2) -> None:
        self.transport = transport
        self.retries = retries
        #: Frames exchanged since creation (for diagnostics and the benchmark).
        self.exchanges = 0

    def exchange(self, command: tuple[int, int], timeout_s: float, data: bytes = b"") -> frames.Response:
        """Send ``command`` and return the reader's reply (status not yet checked).

        A silent reader is given one more ``timeout_s`` for a late reply before the command is
        sent again, so a slow reader's late answer is never mistaken for the next command's.
        """
        frame = frames.encode_command(command, data)
        last: Exception | None = None
        for attempt in range(self.retries + 1):
            # Stale bytes (a late reply to an abandoned command) must not answer this one.
            self.transport.discard_input()
            if attempt:
                log.debug("SAM command %02X%02X retry %d", command[0], command[1], attempt)
            self.transport.write(frame)
            self.exchanges += 1
            try:
                return self._read_response(time.monotonic() + timeout_s)
            except ProtocolError as exc:
                last = exc
            except ReadTimeout as exc:
                last = exc
                if exc.received:
                    continue  # a truncated frame: ask again
                try:
                    return self._read_response(time.monotonic() + timeout_s)
                except ReadTimeout as late:
                    last = late
                    if not late.received:
                        break  # silent twice: the reader is gone or hung
                except ProtocolError as garbled:
                    last = garbled
        assert last is not None
        raise last

    def _read_response(self, deadline: float) -> frames.Response:
        header = bytearray(self.transport.read_exact(7, deadline))
        # Resynchronise on the preamble: line noise or a late reply to an earlier command.
        while header[:5] != frames.PREAMBLE:
            index = frames.find_preamble(header[1:])
            keep = header[1 + index:] if index >= 0 else header[-4:]
            header = bytearray(keep) + self.transport.read_exact(7 - len(keep), deadline)
            if index < 0 and header[:5] != frames.PREAMBLE and time.monotonic() >= deadline:
                raise ProtocolError("no frame preamble from the reader")
        length = frames.frame_length(bytes(header))
        rest = self.transport.read_exact(length, deadline)
        return frames.decode_response(bytes(header) + rest)
