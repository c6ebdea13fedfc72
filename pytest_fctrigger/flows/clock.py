"""The flow's virtual clock and its queue of things due at a time.

Nothing in a flow sleeps: retries, batch windows, timers and SLS ticks are entries due at
an instant; the clock jumps from one to the next. Ties keep the order they were scheduled
in (a sequence number), so the same seed gives the same order every run.
"""

from __future__ import annotations

import datetime as _dt
import heapq
from typing import Any, List, Optional, Tuple

from ..errors import ConfigError

UTC = _dt.timezone.utc
# A fixed start keeps every run identical; tests move it with flow.clock.set(...).
DEFAULT_START = _dt.datetime(2024, 1, 1, tzinfo=UTC)


class VirtualClock:
    """Seconds since the epoch as a float; ``datetime`` gives the aware UTC instant."""

    def __init__(self, start: Optional[_dt.datetime] = None) -> None:
        self._now = _to_seconds(start or DEFAULT_START, "start")
        self._queue: List[Tuple[float, int, Any]] = []
        self._seq = 0
        self.generation = 0  # bumped by set(): recurring schedules restart from the new time

    @property
    def now(self) -> float:
        return self._now

    @property
    def datetime(self) -> _dt.datetime:
        return _dt.datetime.fromtimestamp(self._now, UTC)

    def set(self, when: Any) -> None:
        """Move the clock to ``when`` (aware or naive-as-UTC datetime, or ISO text) while
        nothing is scheduled; moving it back would reorder what is due."""
        if self._queue:
            raise ConfigError("flow.clock.set() needs an empty schedule: deliveries are pending; call flow.run() first")
        self._now = _to_seconds(when, "flow.clock.set()")
        self.generation += 1

    def schedule(self, due: float, item: Any) -> None:
        self._seq += 1
        heapq.heappush(self._queue, (max(due, self._now), self._seq, item))

    def next_due(self) -> Optional[float]:
        return self._queue[0][0] if self._queue else None

    def pop(self) -> Tuple[float, Any]:
        due, _, item = heapq.heappop(self._queue)
        if due > self._now:
            self._now = due
        return due, item

    def move_to(self, when: float) -> None:
        if when > self._now:
            self._now = when

    def __len__(self) -> int:
        return len(self._queue)

    def pending(self) -> List[Any]:
        return [item for _, _, item in sorted(self._queue)]


def _to_seconds(value: Any, what: str) -> float:
    if isinstance(value, str):
        try:
            value = _dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise ConfigError(f"{what}: {value!r} is not an ISO 8601 time like '2024-03-31T00:30:00Z'") from None
    if not isinstance(value, _dt.datetime):
        raise ConfigError(f"{what}: expected a datetime or ISO 8601 text, got {type(value).__name__}")
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.timestamp()


def duration(seconds: float = 0, minutes: float = 0, hours: float = 0) -> float:
    total = 0.0
    for name, value, factor in (("seconds", seconds, 1), ("minutes", minutes, 60), ("hours", hours, 3600)):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0 or value != value:
            raise ConfigError(f"flow.advance({name}=...) takes a number >= 0, got {value!r}")
        total += float(value) * factor
    return total
