"""Identity documents: the :class:`Identity` record, GB 11643 numbers and ID reader backends.

Backends in :data:`id_reader_backends`: ``simulated`` (:class:`SimulatedIdReader`, in-process),
``sam`` (GA 467 SAM readers over serial, :mod:`.sam.reader`), ``sam_simulated`` (the same backend
talking to a simulated SAM device on a pty), ``pcsc`` (ICAO 9303 eMRTDs over PC/SC,
:mod:`.emrtd.pcsc`) and ``multi`` (several readers behind one, :mod:`.multi`). Real backends are
announced lazily so importing this package stays cheap. Everything simulated lives in
:mod:`.simulated`; optional abilities are the protocols of :mod:`.base`.
"""

from __future__ import annotations

from . import gb11643
from .base import (
    AccessKeyReader,
    AccessKeyRejected,
    AccessKeyRequired,
    DemoDocuments,
    DocumentRemoved,
    IdReader,
    id_reader_backends,
)
from .identity import DocumentType, Identity, Sex
from .simulated.reader import SimulatedIdReader

id_reader_backends.register_lazy("sam", "drivers.idcard.sam.reader:SamIdReader")
id_reader_backends.register_lazy("sam_simulated", "drivers.idcard.simulated.sam_reader:SimulatedSamIdReader")
id_reader_backends.register_lazy("pcsc", "drivers.idcard.emrtd.pcsc:PcscPassportReader")
id_reader_backends.register_lazy("multi", "drivers.idcard.multi:MultiIdReader")

__all__ = [
    "AccessKeyReader",
    "AccessKeyRejected",
    "AccessKeyRequired",
    "DemoDocuments",
    "DocumentRemoved",
    "DocumentType",
    "IdReader",
    "Identity",
    "Sex",
    "SimulatedIdReader",
    "gb11643",
    "id_reader_backends",
]
