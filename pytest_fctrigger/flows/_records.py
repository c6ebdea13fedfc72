"""What a flow records: invocations with their causes, dead letters, destination payloads,
the run they belong to, and the internal job and hop records the engine schedules."""

from __future__ import annotations

import dataclasses
import datetime as _dt
import json
from typing import Any, Callable, Dict, Iterator, List, Optional, Tuple, Union

from ..errors import FCTriggerError


class FlowRunaway(FCTriggerError):
    """More invocations than ``max_invocations`` in one ``run()`` / ``advance()``."""


# --------------------------------------------------------------------------- records
@dataclasses.dataclass(eq=False)
class FlowInvocation:
    """One execution of a handler in a flow (every retry and duplicate is its own)."""

    function: str
    trigger: Any  # the TriggerSpec that delivered the event; None for flow.invoke / a destination
    event: Any
    attempt: int
    result: Any = None  # the InvokeResult
    writes: List[Any] = dataclasses.field(default_factory=list)
    caused_by: Optional[FlowInvocation] = None
    invocation_type: str = "Async"
    time: float = 0.0  # virtual seconds since the epoch when it ran
    via: str = "trigger"  # "trigger" | "invoke" | "timer" | "destination" | "sls" | "kafka" | "eventbridge"
    duplicate: int = 0  # 0: the delivery itself; 1..N: the extra at-least-once copies
    number: int = 0

    @property
    def ok(self) -> bool:
        return self.result is not None and self.result.error is None

    @property
    def error(self) -> Optional[dict]:
        return None if self.result is None else self.result.error

    @property
    def when(self) -> _dt.datetime:
        return _dt.datetime.fromtimestamp(self.time, _dt.timezone.utc)

    def label(self) -> str:
        how = f"{self.trigger.type} trigger {self.trigger.name!r}" if self.trigger is not None else self.via
        text = f"{self.function} <- {how}"
        if self.attempt > 1:
            text += f" (attempt {self.attempt})"
        if self.duplicate:
            text += f" (duplicate {self.duplicate})"
        return text

    def __repr__(self) -> str:
        state = "ok" if self.ok else f"error {(self.error or {}).get('errorType')!r}"
        return f"<FlowInvocation #{self.number} {self.label()} {state}>"


@dataclasses.dataclass
class DeadLetter:
    """An event FC (or EventBridge, MNS, the Kafka connector) gave up on."""

    function: str
    trigger: Any
    event: Any
    reason: str
    attempts: int
    sent_to: Optional[str] = None  # the onFailure destination or dead-letter queue ARN, if any
    last: Optional[FlowInvocation] = None


@dataclasses.dataclass
class DestinationRecord:
    """What FC sent to an ``onSuccess`` / ``onFailure`` destination."""

    condition: str  # "onSuccess" | "onFailure"
    destination: str  # the ARN
    kind: str  # mns_queue | mns_topic | function | eventbridge | rocketmq
    payload: bytes
    invocation: Optional[FlowInvocation]

    def json(self) -> Any:
        return json.loads(self.payload)


class FlowRun:
    """What one ``run()`` / ``advance()`` / ``invoke()`` delivered."""

    def __init__(self, start: float) -> None:
        self.start = start
        self.end = start
        self.invocations: List[FlowInvocation] = []
        self.dead_letters: List[DeadLetter] = []
        self.destinations: List[DestinationRecord] = []

    @property
    def failed(self) -> List[FlowInvocation]:
        return [i for i in self.invocations if not i.ok]

    def of(self, function: str) -> List[FlowInvocation]:
        return [i for i in self.invocations if i.function == function]

    def tree(self) -> str:
        from .render import tree

        return tree(self)

    def to_mermaid(self) -> str:
        from .render import to_mermaid

        return to_mermaid(self)

    def __len__(self) -> int:
        return len(self.invocations)

    def __iter__(self) -> Iterator[FlowInvocation]:
        return iter(self.invocations)

    def __repr__(self) -> str:
        return (
            f"<FlowRun {len(self.invocations)} invocation(s), {len(self.failed)} failed, "
            f"{len(self.dead_letters)} dead letter(s), {len(self.destinations)} destination(s)>"
        )


class _Hop:
    """One hop of a delivery path: ``function`` fired through ``trigger``.

    ``text`` ("write X fires function 'f' through ...") is read only when a loop is
    reported, so a hop may carry a function that makes it on first read: describing the
    write and the trigger for every delivery was a quarter of routing a write.
    """

    __slots__ = ("function", "trigger", "_text")

    def __init__(self, function: str, trigger: str, text: Union[str, Callable[[], str]]) -> None:
        self.function = function
        self.trigger = trigger  # trigger name, or "destination:onSuccess" etc.
        self._text = text

    @property
    def text(self) -> str:
        text = self._text
        if not isinstance(text, str):
            text = self._text = text()
        return text

    def __repr__(self) -> str:
        return f"_Hop({self.function!r}, {self.trigger!r}, {self.text!r})"


@dataclasses.dataclass(eq=False)
class _Job:
    kind: str  # async | mns | tablestore | sync | eb | eb_flush | kafka_flush | kafka
    spec: Any
    trigger: Any
    event: Any
    cause: Optional[FlowInvocation]
    path: Tuple[_Hop, ...]
    enqueued: float
    via: str = "trigger"
    attempt: int = 1
    push_retries: int = 0  # MNS / EventBridge / Kafka push retries so far
    throttled: int = 0
    duplicate: int = 0
    partition: Any = None
    extra: Dict[str, Any] = dataclasses.field(default_factory=dict)
