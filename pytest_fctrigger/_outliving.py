"""Code that outlived its invocation: threads a handler left running when its call ended.

FC freezes or kills an instance when an invocation ends; in one process a thread the
handler started (or an abandoned timed-out worker) keeps running into later tests.
Such threads are registered here when their invocation ends; from then on their writes
to the simulated cloud, their changes to the process environment and their network
attempts are refused with ``OutlivedInvocationError`` raised in that code (the test
that started it got an ``FCOutlivedWarning`` when its call ended).
"""

from __future__ import annotations

import threading
import weakref
from typing import Any, Tuple

from .errors import FCTriggerError

__all__ = ["OutlivedInvocationError", "FCOutlivedWarning", "expire", "refuse_if_outlived", "outlived"]


class OutlivedInvocationError(FCTriggerError):
    """Code whose invocation has ended tried to act on the process or the simulated cloud."""


class FCOutlivedWarning(UserWarning):
    """A handler left threads running after its invocation ended."""


_EXPIRED: weakref.WeakKeyDictionary[threading.Thread, str] = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()


def expire(thread: threading.Thread, label: str) -> None:
    with _LOCK:
        _EXPIRED[thread] = label
    _ensure_hook()


def outlived() -> str:
    """The invocation label when the calling thread outlived its invocation, else ''."""
    if not _EXPIRED:
        return ""
    return _EXPIRED.get(threading.current_thread(), "")


def refuse_if_outlived(what: str) -> None:
    label = outlived()
    if label:
        raise OutlivedInvocationError(
            f"{what} refused: this code belongs to the invocation of {label}, which has ended "
            "(FC freezes an instance between invocations; a thread or a timed-out handler cannot act "
            "after its invocation). Join your threads before the handler returns."
        )


def _on_event(event: str, args: Tuple[Any, ...]) -> None:
    if _EXPIRED and outlived():
        if event.startswith("os."):
            refuse_if_outlived(f"changing the environment ({event} {args[0]!r})")
        else:
            refuse_if_outlived(f"network access ({event})")


_HOOKED: list = []


def _ensure_hook() -> None:
    if _HOOKED:
        return
    from . import _audit

    _audit.on(
        (
            "os.putenv",
            "os.unsetenv",
            "socket.connect",
            "socket.getaddrinfo",
            "socket.gethostbyname",
            "socket.gethostbyaddr",
            "socket.sendto",
            "socket.sendmsg",
        ),
        _on_event,
    )
    _HOOKED.append(True)
