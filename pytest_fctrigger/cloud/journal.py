"""The write journal: every write a handler makes to a simulated service.

Services append a ``Write`` for each successful mutating call; ``fc_invoke`` reads the
writes made during one invocation (``InvokeResult.writes``) and the loop detector
matches them against the function's triggers. Each write carries the event FC would
deliver for it, so a loop can be re-delivered to the handler (``--fc-loop-depth``).

``Write`` and ``DeferredEvent`` are defined in ``_write.py`` and loaded on first use
(importable from here as always): every ``fc_cloud`` activation creates a ``Journal``,
and building the ``Write`` dataclass was most of what this module cost it, while a test
that writes nothing never needs the class.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any, Callable, Iterator, List

if TYPE_CHECKING:
    from ._write import DeferredEvent, Write

__all__ = ["DeferredEvent", "Journal", "Write"]


class Journal:
    """Thread-safe, append-only list of writes with positional marks."""

    def __init__(self) -> None:
        self._writes: List[Write] = []
        self._lock = threading.Lock()
        self._listeners: List[Callable[[Write], None]] = []

    def record(self, write: Write) -> Write:
        # every service's writes pass here: code whose invocation ended cannot write
        # (imported here, not with the journal: every fc_cloud activation imports this module)
        from .._outliving import refuse_if_outlived

        refuse_if_outlived(f"the write {write.describe()}")
        with self._lock:
            self._writes.append(write)
            listeners = list(self._listeners)
        for listener in listeners:
            listener(write)
        return write

    def mark(self) -> int:
        """Position to pass to ``since`` later."""
        with self._lock:
            return len(self._writes)

    def since(self, mark: int) -> List[Write]:
        with self._lock:
            return list(self._writes[mark:])

    def subscribe(self, listener: Callable[[Write], None]) -> Callable[[], None]:
        with self._lock:
            self._listeners.append(listener)

        def unsubscribe() -> None:
            with self._lock:
                if listener in self._listeners:
                    self._listeners.remove(listener)

        return unsubscribe

    def __iter__(self) -> Iterator[Write]:
        return iter(self.since(0))

    def __len__(self) -> int:
        return len(self._writes)

    def clear(self) -> None:
        with self._lock:
            self._writes.clear()


def __getattr__(name: str) -> Any:
    # PEP 562: ``Write`` and ``DeferredEvent`` on first access (see the module docstring)
    if name in ("Write", "DeferredEvent"):
        from . import _write

        value = getattr(_write, name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
