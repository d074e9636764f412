"""A uvicorn worker process ends with the process that started it.

``kiosk-central serve --workers N`` runs a supervisor and N worker processes that share the
listening socket. Killed alone (``kill -9``, an OOM kill), the supervisor used to leave its
workers running, holding the port, so the restarted platform could not bind it. Each worker now
asks Linux to send it SIGTERM when its parent dies (``PR_SET_PDEATHSIG``), and exits at once if
the parent is already gone by then. The systemd unit (``deploy/kiosk-central.service``) also
stops and restarts the whole control group.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal

_PR_SET_PDEATHSIG = 1


def end_with_parent() -> bool:
    """In a uvicorn worker (a process started by ``multiprocessing``): ask for SIGTERM when the
    parent dies; True when set. In a single-process server, does nothing and returns False.
    Called on the worker's main thread while it loads the app."""
    parent = multiprocessing.parent_process()
    if parent is None:
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0) != 0:
            return False
    except (OSError, AttributeError):  # not Linux
        return False
    if os.getppid() != parent.pid:  # the parent died before the request took effect
        os.kill(os.getpid(), signal.SIGTERM)
    return True
