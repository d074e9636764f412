"""Every simulated part of the printer family, in one place: the word is "simulated".

* :mod:`.printers` — the ``simulated`` receipt and document backends, writing what they print
  to files.
* :mod:`.escpos_device` — an ESC/POS printer device (:class:`SimulatedEscposDevice`): parses the bytes,
  answers ``DLE EOT``, runs out of paper on request; the far end of the simulated receipt
  backend and of the one below.
* :mod:`.network_device` — that device on a TCP port (:class:`SimulatedNetworkPrinter`), the far end of
  the real ``network`` backend (``python -m drivers.printer.simulated.network_device``).

Nothing is imported here: each module loads when it is used.
"""
