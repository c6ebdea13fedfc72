"""The ONE place flows reach into the write-vs-trigger matching of ``pytest_fctrigger.loops``.

Trigger kinds are moving into ``pytest_fctrigger/kinds/``; when they do, only this module
changes. What flows needs: an index of the app's enabled triggers that answers "which
triggers does this write fire, and why", the event FC delivers for one match (an MNS
subscription's JSON format is rebuilt from the message), and the loop exception.
"""

from __future__ import annotations

from typing import Any, List

from ..loops import LoopDetector, LoopMatch, LoopReport, SelfTriggerLoop, TriggerIndex, Watched, describe_event

__all__ = ["AppIndex", "LoopMatch", "LoopReport", "SelfTriggerLoop", "describe_event"]


class AppIndex:
    """Every enabled trigger of every function of an app (every trigger with
    ``include_disabled``), indexed by where it listens."""

    def __init__(self, functions: List[Any], rng: Any, include_disabled: bool = False) -> None:
        watched = [
            Watched(t, f"function {spec.name!r}", False, spec, spec.name)
            for spec in functions
            for t in spec.triggers
            if t.enabled or include_disabled
        ]
        self._index = TriggerIndex(watched)
        # only for its event_for(): mode "allow" checks nothing
        self._events = LoopDetector((), mode="allow", rng=rng)

    def matches(self, write: Any) -> List[LoopMatch]:
        return self._index.matches(write)

    def event_for(self, match: LoopMatch) -> Any:
        return self._events.event_for(match)
