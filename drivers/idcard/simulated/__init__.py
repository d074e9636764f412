"""Every simulated part of the ID reader family, in one place: the word is "simulated".

* :mod:`.reader` — the ``simulated`` backend (:class:`SimulatedIdReader`, in-process).
* :mod:`.samples` — the fictional sample documents every simulated part offers.
* :mod:`.sam_device` — a GA 467 SAM reader device on a pty (the far end the real ``sam``
  backend talks to); :mod:`.sam_reader` — the ``sam_simulated`` backend, the real ``sam``
  backend wired to that device.
* :mod:`.pcsc` — TEST AND DEMO ONLY: a private pcscd, vsmartcard-vpcd and our eMRTD chip, the
  far end of the real ``pcsc`` backend; never installed on a terminal.

Nothing is imported here: each module loads when it is used.
"""
