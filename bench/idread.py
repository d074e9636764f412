"""Benchmark of issue 4: ID document reads through the real stacks.

1. A SAM read (find, select, text+photo, appended address) over a pty against the shipped
   simulator pacing its replies like a 115200-baud line; the baseline is the pure wire time of the
   same frames at 115200 8N1. ``sam_overhead_ms`` = median read time − wire time.
2. An eMRTD read (PACE, EF.COM, DG1, a 20 KB DG2, EF.SOD, passive authentication) through
   pyscard → a private pcscd → vsmartcard-vpcd → our emulator; the baseline is a raw replay of
   the very same APDUs (recorded responses, no crypto, no parsing) through the same stack.

Run: ``python bench/idread.py`` (as root: pcscd runs in a private mount namespace).
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

SAM_READS = 20
EMRTD_READS = 5


def bench_sam() -> float:
    """The median SAM read over a pty less the wire time of its frames: overhead in milliseconds."""
    from drivers.idcard.sam import frames
    from drivers.idcard.sam.reader import SamIdReader
    from drivers.idcard.simulated.sam_device import SimulatedSamDevice

    simulator = SimulatedSamDevice(baudrate=115200)
    reader = SamIdReader(port=simulator.start(), poll_interval_s=0.0)
    reader.open()
    simulator.present("resident_id")
    times = []
    try:
        for _ in range(SAM_READS):
            start = time.perf_counter()
            reader.read_document(5.0)
            times.append(time.perf_counter() - start)
    finally:
        reader.close()
        simulator.stop()
    record = frames.CardRecord(bytes(256), bytes(1024))
    wire_bytes = (4 * 10  # four commands of 10 bytes
                  + len(frames.encode_response(0x9F, bytes(4))) + len(frames.encode_response(0x90, bytes(8)))
                  + len(frames.encode_response(0x90, frames.join_read_payload(record, False)))
                  + len(frames.encode_response(0x91)))
    wire_s = wire_bytes * 10 / 115200
    median = statistics.median(times)
    print(f"SAM read over a pty at 115200 baud: median {median * 1000:.1f} ms over {SAM_READS} reads "
          f"({wire_bytes} bytes on the wire)")
    print(f"  baseline: wire time of the same frames at 115200 8N1 = {wire_s * 1000:.1f} ms")
    return (median - wire_s) * 1000


class _ReplayCard:
    """Answers recorded responses in order: the raw replay baseline."""

    def __init__(self, atr: bytes, responses: list[bytes]) -> None:
        self._atr, self._responses, self._index = atr, responses, 0

    def atr(self) -> bytes:
        """The recorded answer to reset."""
        return self._atr

    def reset(self) -> None:
        """Start the recording over."""
        self._index = 0

    def process(self, apdu: bytes) -> bytes:
        """The next recorded response, whatever the command."""
        response = self._responses[self._index % len(self._responses)]
        self._index += 1
        return response


def bench_emrtd() -> tuple[int, float, float]:
    """Read a simulated ePassport through pcscd; return the APDU count and the median seconds of a
    read and of a raw replay of the same APDUs."""
    from drivers.idcard.simulated.pcsc.pcscd import PrivatePcscd
    from drivers.idcard.simulated.pcsc.rig import PassportRig

    missing = PrivatePcscd.missing()
    if missing:
        raise SystemExit(f"{missing} is missing: run tools/setup-system.sh as root")
    rig = PassportRig(dg2_size=20 * 1024, dg11={}).start()
    from smartcard.CardConnection import CardConnection
    from smartcard.scard import SCARD_SHARE_EXCLUSIVE, SCARD_UNPOWER_CARD
    from smartcard.System import readers

    from drivers.idcard.emrtd.pcsc import PcscPassportReader

    card = rig.passport.card
    exchanges: list[tuple[bytes, bytes]] = []
    original = card.process

    def recording(apdu: bytes) -> bytes:
        response = original(apdu)
        exchanges.append((apdu, response))
        return response

    card.process = recording
    reader = PcscPassportReader(reader_name=rig.reader_name, poll_interval_s=0.02, allow_virtual_readers=True)
    reader.open()
    times, apdus = [], 0
    try:
        rig.insert()
        for _ in range(EMRTD_READS):
            exchanges.clear()
            reader.set_access_key(rig.passport.key)
            start = time.perf_counter()
            identity = reader.read_document(10.0)
            times.append(time.perf_counter() - start)
            apdus = reader.last_apdus
        assert identity.authenticated == "signature" and identity.photo_jpeg
        dg2 = len(rig.passport.files["DG2"])
        recorded = list(exchanges)
        rig.remove()
        rig.card.card = _ReplayCard(card.atr(), [r for _, r in recorded])
        rig.card.insert()
        time.sleep(0.5)
        replay_times = []
        for _ in range(EMRTD_READS):
            connection = next(r for r in readers() if rig.reader_name in str(r)).createConnection()
            deadline = time.monotonic() + 5
            while True:
                try:
                    connection.connect(protocol=CardConnection.T1_protocol, mode=SCARD_SHARE_EXCLUSIVE,
                                       disposition=SCARD_UNPOWER_CARD)
                    break
                except Exception:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.05)
            rig.card.card.reset()
            start = time.perf_counter()
            for apdu, _ in recorded:
                connection.transmit(list(apdu))
            replay_times.append(time.perf_counter() - start)
            connection.disconnect()
            connection.release()
    finally:
        reader.close()
        rig.stop()
    emrtd_s, replay_s = statistics.median(times), statistics.median(replay_times)
    print(f"eMRTD read (PACE-AES, COM, DG1, DG2 {dg2} bytes, SOD, passive authentication) through "
          f"pyscard → pcscd → vpcd → emulator: {apdus} APDUs, median {emrtd_s * 1000:.1f} ms over {EMRTD_READS} reads")
    print(f"  baseline: raw replay of the same {len(recorded)} APDUs through the same stack: "
          f"median {replay_s * 1000:.1f} ms")
    return apdus, emrtd_s, replay_s


def main() -> None:
    """Run the benchmark; the last line prints the figure and its baseline."""
    sam_overhead_ms = bench_sam()
    apdus, emrtd_s, replay_s = bench_emrtd()
    print(f"sam_overhead_ms={sam_overhead_ms:.1f} emrtd_apdus={apdus} emrtd_s={emrtd_s:.3f} "
          f"replay_s={replay_s:.3f} ratio={emrtd_s / replay_s:.2f}")


if __name__ == "__main__":
    main()
