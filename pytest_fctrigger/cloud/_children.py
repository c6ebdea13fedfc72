"""The network guard for child processes (``subprocess``, ``os.system``, multiprocessing ``spawn``).

A guard lives in one process; children inherit the C environment, not the patches. While
a guard is active the *C-level* environment (``os.putenv`` only: ``os.environ`` and
so the handler's own Python view are unchanged) gives every child that inherits it:

* ``http_proxy``/``https_proxy``/``all_proxy`` (both casings) pointing at a loopback port
  that refuses connections, and ``no_proxy`` for loopback: curl, wget and most HTTP
  clients send everything that is not local to the refusing proxy, and a proxy client
  never resolves the target's name itself;
* ``PYTHONPATH`` starting with a directory whose ``sitecustomize`` enters a
  ``NetworkGuard`` in the child (Python children: ``subprocess`` of ``sys.executable``,
  multiprocessing ``spawn`` and ``forkserver`` workers), then runs the
  ``sitecustomize`` it shadows, if any.

Not covered (listed on the isolation docs page): children given an explicit ``env=``
built from ``os.environ`` (the Python view does not carry these variables), programs
that ignore proxy variables (``nc``, ``ssh``, raw sockets in C), Python started with
``-I``/``-S``/``-E``.
"""

from __future__ import annotations

import atexit
import os
import socket
from typing import Any, Dict, FrozenSet, List, Optional

SITE_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "_child_site")
ALLOW_VARIABLE = "FCTRIGGER_CHILD_GUARD_ALLOW"
ON_VARIABLE = "FCTRIGGER_CHILD_GUARD"
_PROXY_NAMES = ("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY")
_NO_PROXY = "localhost,127.0.0.1,::1,.localhost"

# every name ``enter`` sets in the C environment (str and bytes: the audit events of
# os.putenv/os.unsetenv carry either)
_MANAGED = _PROXY_NAMES + ("no_proxy", "NO_PROXY", "PYTHONPATH", ON_VARIABLE, ALLOW_VARIABLE)
MANAGED_NAMES: FrozenSet[Any] = frozenset(_MANAGED) | frozenset(os.fsencode(name) for name in _MANAGED)

_REFUSER: List[socket.socket] = []  # bound, never listening: connections to it are refused
_SAVED: Dict[str, Optional[str]] = {}


def _refusing_proxy() -> str:
    if not _REFUSER:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", 0))  # no listen(): the kernel answers every SYN with RST
        _REFUSER.append(sock)
        # kept for the whole process (children may start any time); closed at exit, so the
        # interpreter does not report an unclosed socket (a ResourceWarning under -W error)
        atexit.register(sock.close)
    return f"http://127.0.0.1:{_REFUSER[0].getsockname()[1]}"


def _python_view(name: str) -> Optional[str]:
    """``os.environ.get(name)``, read from its store on CPython/POSIX: most of these names
    are absent, and ``os.environ.get`` pays for a KeyError each time (a guard is entered
    around every invocation without a cloud and in every process instance)."""
    data = getattr(os.environ, "_data", None)
    if isinstance(data, dict) and os.name == "posix":
        value = data.get(os.fsencode(name))
        return None if value is None else os.fsdecode(value)
    return os.environ.get(name)


def enter(state: Any) -> None:
    """Point the C environment of future children at the guard (first guard in)."""
    proxy = _refusing_proxy()
    values = dict.fromkeys(_PROXY_NAMES, proxy)
    values["no_proxy"] = values["NO_PROXY"] = _NO_PROXY
    path = _python_view("PYTHONPATH")
    values["PYTHONPATH"] = SITE_DIR + (os.pathsep + path if path else "")
    values[ON_VARIABLE] = "1"
    allowed = sorted(
        f"{h}:{p}" if p is not None else str(h)
        for guard in state.active
        for h, p in guard._allowed
        if h  # the guards entered so far (the Redis host of fc_cloud, ...)
    )
    values[ALLOW_VARIABLE] = ",".join(allowed)
    for name, value in values.items():
        if name not in _SAVED:
            _SAVED[name] = _python_view(name)
        os.putenv(name, value)


def exit() -> None:
    """Make the C environment agree with ``os.environ`` again (last guard out)."""
    for name in list(_SAVED):
        _SAVED.pop(name)
        value = _python_view(name)  # what Python's view holds now (it may have changed)
        if value is None:
            os.unsetenv(name)
        else:
            os.putenv(name, value)
