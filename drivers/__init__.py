"""Hardware drivers of the kiosk: ID readers, cameras and printers.

One small, XFS4IoT-shaped device model (:mod:`drivers.common`) is shared by every family:
:mod:`drivers.idcard`, :mod:`drivers.camera` and :mod:`drivers.printer`. Each family has an
interface (an ABC), a :class:`~drivers.common.BackendRegistry` of backends selected by
configuration, and a simulated backend that ships with the product (demo mode, training, tests).

Threading: a driver object is not thread-safe. Each device has one owner thread
(:class:`~drivers.common.DeviceWorker`) and every call into the driver runs there, except where a
method's docstring says "any thread".

This package imports no other project package and no Qt.
"""
