"""``Write``: one mutating SDK call that reached a simulated service, and ``DeferredEvent``
(see ``journal.py``).

Its own module so that creating a ``Journal`` (every ``fc_cloud`` activation) does not
build this dataclass; ``pytest_fctrigger.cloud.journal.Write`` (and
``pytest_fctrigger.cloud.Write``) load it on first use and stay its public names.
"""

from __future__ import annotations

import dataclasses
import reprlib
from typing import Any, Callable, Dict, Optional

__all__ = ["DeferredEvent", "Write"]

# the default of ``Write.attributes``: a fresh dict per write (the field's default_factory)
_NO_ATTRIBUTES: Any = object()


class DeferredEvent:
    """A write's event whose content is already fixed but not yet encoded.

    ``build()`` returns the event and must not depend on when it is called (draw
    every random value before wrapping it). ``Write.event`` calls it on first read
    and keeps the result, so writes nobody inspects never pay for the encoding.
    """

    __slots__ = ("build",)

    def __init__(self, build: Callable[[], Any]) -> None:
        self.build = build


class _EventField:
    """``Write.event``: a plain attribute, except that a ``DeferredEvent`` is built on first read."""

    def __get__(self, write: Any, owner: Any = None) -> Any:
        if write is None:  # the class attribute: what dataclasses takes for the default
            return None
        value = write.__dict__["_event"]
        if type(value) is DeferredEvent:
            # two threads reading at once may both build: equal events, either one is kept
            value = value.build()
            write.__dict__["_event"] = value
        return value

    def __set__(self, write: Any, value: Any) -> None:
        write.__dict__["_event"] = value


# The field names, in order: __init__, __eq__ and __repr__ below follow them exactly as the
# dataclass-generated ones did.
_FIELDS = ("service", "api", "resource", "region", "event_name", "event", "attributes", "sdk")


# A dataclass (``dataclasses.fields``/``replace``/``asdict`` keep working), whose __init__,
# __eq__ and __repr__ are written out: generating them (dataclasses compiles source text
# for each) was ~5M instructions of every session's first fc_cloud activation, a third of
# what fc_cloud added to the smallest SDK's import (benchmarks/bench_cloud_activation.py).
@dataclasses.dataclass(init=False, repr=False, eq=False)
class Write:
    """One mutating SDK call that reached a simulated service."""

    service: str  # "oss" | "mns" | "tablestore" | "sls"; AWS writes (boto3 on moto): "s3", "sqs", ...
    api: str  # the service API name, e.g. "PutObject", "PublishMessage", "PutRow"
    resource: Dict[str, Any]  # oss: bucket, key; mns: topic|queue; tablestore: instance, table; sls: project, logstore
    region: Optional[str] = None
    event_name: Optional[str] = None  # the trigger-side event name, e.g. "ObjectCreated:PutObject"
    # the FCEvent FC would deliver for this write (None when none); a service may pass a
    # DeferredEvent, read back as the event it builds
    event: Any = _EventField()
    attributes: Dict[str, Any] = dataclasses.field(default_factory=dict)  # e.g. MNS message tag
    sdk: Optional[str] = None  # which SDK made the call, e.g. "oss2", "alibabacloud_oss_v2"

    def __init__(
        self,
        service: str,
        api: str,
        resource: Dict[str, Any],
        region: Optional[str] = None,
        event_name: Optional[str] = None,
        event: Any = None,
        attributes: Optional[Dict[str, Any]] = _NO_ATTRIBUTES,
        sdk: Optional[str] = None,
    ) -> None:
        self.service = service
        self.api = api
        self.resource = resource
        self.region = region
        self.event_name = event_name
        self.event = event
        self.attributes = {} if attributes is _NO_ATTRIBUTES else attributes  # type: ignore[assignment]
        self.sdk = sdk

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return tuple(getattr(self, f) for f in _FIELDS) == tuple(getattr(other, f) for f in _FIELDS)

    __hash__ = None  # type: ignore[assignment]  # mutable, as the generated __eq__ made it

    @reprlib.recursive_repr()
    def __repr__(self) -> str:
        inner = ", ".join(f"{f}={getattr(self, f)!r}" for f in _FIELDS)
        return f"{self.__class__.__qualname__}({inner})"

    @property
    def cloud(self) -> str:
        """``"alibaba"``, or ``"aws"`` for a write a handler made to AWS (served by moto)."""
        return self.attributes.get("cloud", "alibaba")

    def describe(self) -> str:
        r = self.resource
        if self.attributes.get("cloud") == "aws":
            return f"{self.api} {_describe_aws(self.service, r)} (AWS)"
        if self.service == "oss":
            target = f"oss://{r.get('bucket')}/{r.get('key')}"
        elif self.service == "mns":
            target = f"topic {r['topic']!r}" if r.get("topic") else f"queue {r.get('queue')!r}"
            tag = self.attributes.get("tag")
            if tag:
                target += f" with tag {tag!r}"
        elif self.service == "tablestore":
            target = f"table {r.get('instance')}/{r.get('table')}"
        elif self.service == "sls":
            target = f"logstore {r.get('project')}/{r.get('logstore')}"
        else:
            target = repr(r)
        return f"{self.api} {target}"


def _describe_aws(service: str, r: Dict[str, Any]) -> str:
    if service == "s3" and r.get("bucket"):
        return f"s3://{r['bucket']}/{r['key']}" if r.get("key") is not None else f"s3://{r['bucket']}"
    if service == "sqs" and r.get("queue"):
        return f"queue {r['queue']!r}"
    if service == "sns" and r.get("topic"):
        return f"topic {r['topic']!r}"
    if service == "dynamodb" and r.get("table"):
        return f"table {r['table']!r}"
    return f"{service} {r!r}"
