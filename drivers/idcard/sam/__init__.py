"""Chinese ID cards through GA 467 SAM readers: frames, transport, protocol, reader, simulator.

Importing this package is cheap; :mod:`.reader` (pyserial) loads when the ``sam`` backend is used.
"""
