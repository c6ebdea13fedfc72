"""One process-wide audit hook (PEP 578), dispatching a few events to the plugin's checks.

Audit events are raised by CPython's C code itself, so a check here also sees what
Python-level patches miss: ``_socket.socket().connect``, a ``socket.connect`` bound
before the plugin loaded, ``os.putenv`` of a thread that outlived its invocation,
``ctypes`` looking up ``connect``. An audit hook can never be removed, so the hook
only dispatches to callbacks registered here; each callback checks its own "active"
state and returns at once when it has nothing to do.
"""

from __future__ import annotations

import sys
import threading
from typing import Any, Callable, Dict, List, Tuple

Callback = Callable[[str, Tuple[Any, ...]], None]

_CALLBACKS: Dict[str, List[Callback]] = {}
_LOCK = threading.Lock()
_INSTALLED: List[bool] = []


def _hook(event: str, args: Tuple[Any, ...]) -> None:
    callbacks = _CALLBACKS.get(event)  # one dict lookup for every other event of the process
    if callbacks:
        for callback in callbacks:
            callback(event, args)


def on(events: Tuple[str, ...], callback: Callback) -> None:
    """Call ``callback(event, args)`` for each of ``events`` (idempotent per callback)."""
    with _LOCK:
        for event in events:
            listeners = _CALLBACKS.setdefault(event, [])
            if callback not in listeners:
                listeners.append(callback)
        if not _INSTALLED:
            sys.addaudithook(_hook)
            _INSTALLED.append(True)
