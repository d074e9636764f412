"""The ``sam_simulated`` backend: the real ``sam`` backend talking to :mod:`.sam_device` on a pty.

For ``make demo`` and staff training: every byte goes through the real serial transport, frame
codec and text decoder, while documents are placed from the demo controls.
"""

from __future__ import annotations

from ..base import id_reader_backends
from ..sam.reader import SamIdReader
from .sam_device import SAM_DOCUMENTS, SimulatedSamDevice
from .samples import SAMPLE_DOCUMENTS


@id_reader_backends.register("sam_simulated")
class SimulatedSamIdReader(SamIdReader):
    """A :class:`SamIdReader` whose far end is a :class:`SimulatedSamDevice` it starts in :meth:`open`."""

    def __init__(self, documents: list[str] | None = None, poll_interval_s: float = 0.1,
                 wlt_decoder: str | None = None) -> None:
        self.simulator = SimulatedSamDevice(documents if documents is not None else list(SAM_DOCUMENTS))
        # The simulator's "find card" answers for a card left lying there, as a
        # presence-capable reader does.
        super().__init__(port="(simulator pty)", poll_interval_s=poll_interval_s, wlt_decoder=wlt_decoder,
                         presence_by_find=True)

    def open(self) -> None:
        """Start the simulator, then open the pty like a serial port (owner thread)."""
        self.port = self._transport.port = self.simulator.start()
        super().open()

    def close(self) -> None:
        """Close the port and stop the simulator (owner thread)."""
        super().close()
        self.simulator.stop()

    def is_usable(self) -> bool:
        """Always True: ptys exist on every POSIX system (any thread)."""
        return True

    def available_documents(self) -> list[tuple[str, str]]:
        """(key, label) of the cards the simulator offers (any thread)."""
        return [(key, SAMPLE_DOCUMENTS[key][0]) for key in self.simulator.documents]

    def present(self, key: str) -> None:
        """Place a card on the simulated reader (any thread)."""
        self.simulator.present(key)

    def remove(self) -> None:
        """Take the card off (any thread)."""
        self.simulator.remove()

    @property
    def fault_kinds(self) -> tuple[str, ...]:
        """What :meth:`script_fault` accepts (any thread)."""
        return self.simulator.faults.kinds

    def script_fault(self, kind: str, count: int = 1) -> None:
        """Script a simulator fault (any thread); see :mod:`.simulator`."""
        self.simulator.script_fault(kind, count)
