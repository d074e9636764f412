"""What a terminal and the platform both speak: sealed envelopes (``envelope``), signed requests
(``auth``), the batch wire format (``batch_wire``), signed documents (``documents``), key files
(``keys``), protocol constants and answers (``protocol``) and the error tree (``errors``).

Imports no other project package; both ``sync`` (the terminal's client) and ``central`` (the
platform) import it. ``docs/sync-protocol.md`` describes the protocol.
"""
