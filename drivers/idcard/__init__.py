"""Identity documents: the :class:`Identity` record, GB 11643 numbers and ID reader backends.

Backends in :data:`id_reader_backends`: ``simulated`` (:class:`SimulatedIdReader`). SAM serial
readers for Chinese cards and PC/SC ePassport readers will register here too.
"""

from __future__ import annotations

from . import gb11643
from .base import IdReader, id_reader_backends
from .identity import DocumentType, Identity, Sex
from .simulated import SimulatedIdReader

__all__ = [
    "DocumentType",
    "IdReader",
    "Identity",
    "Sex",
    "SimulatedIdReader",
    "gb11643",
    "id_reader_backends",
]
