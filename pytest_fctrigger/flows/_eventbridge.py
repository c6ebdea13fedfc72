"""EventBridge delivery in a flow: sources (MNS queue messages, PutEvents on a bus, FC's
EventBridge destination), the rule's event pattern, push format (CloudEvents / RawData),
batch windows, retry strategy and dead-letter queue. A mixin of ``Flow``."""

from __future__ import annotations

import json
from typing import Any, Dict, List, Optional, Tuple

from ..errors import ConfigError
from . import semantics as S
from ._records import FlowInvocation, _Hop, _Job
from .patterns import matches as pattern_matches


class EventBridgeDelivery:
    # ``self`` is the Flow (annotated Any: mypy takes no subclass as a mixin's self type)
    def _queue_to_eventbridge(self: Any, write: Any, cause: Optional[FlowInvocation], path: Tuple[_Hop, ...]) -> None:
        queue = write.resource.get("queue")
        for spec, trigger in self._eb:
            if trigger.event_source_type != "MNS":
                continue
            params = {str(k).lower(): v for k, v in trigger.event_source_parameters.items()}
            if params.get("queuename") != queue:
                continue
            self._eb_accept(spec, trigger, write.event, cause, path, f"message sent to MNS queue {queue!r}")

    def _to_eventbridge(
        self: Any, event: Any, bus: str, cause: Optional[FlowInvocation], path: Tuple[_Hop, ...]
    ) -> None:
        for spec, trigger in self._eb:
            if trigger.event_source_type != "Default":
                continue
            self._eb_accept(
                spec, trigger, event, cause, path, f"event {getattr(event, 'data', {}).get('type')!r} on bus {bus!r}"
            )

    def _eb_accept(
        self: Any,
        spec: Any,
        trigger: Any,
        event: Any,
        cause: Optional[FlowInvocation],
        path: Tuple[_Hop, ...],
        what: str,
    ) -> None:
        cloud_event = event.data if hasattr(event, "data") else json.loads(event)
        pattern = self._eb_patterns.get(id(trigger))
        if pattern is not None and not pattern_matches(pattern, cloud_event):
            return
        writer = f"function {cause.function!r}" if cause is not None else "the test"
        hop = _Hop(
            spec.name, trigger.name, f"{writer}: {what} fires function {spec.name!r} through {trigger.describe()}"
        )
        new_path = self._extend(path, hop, event, trigger)
        opts = _eb_options(trigger)
        if opts["mode"] == "event-streaming":
            buf = self._eb_buffers.setdefault(id(trigger), [])
            buf.append((cloud_event, cause, new_path))
            if len(buf) >= opts["count"]:
                self._eb_flush(spec, trigger)
            elif len(buf) == 1 and opts["time"] > 0:
                gen = self._eb_generation.get(id(trigger), 0)
                flush = _Job("eb_flush", spec, trigger, None, cause, new_path, self.clock.now, extra={"gen": gen})
                self.clock.schedule(self.clock.now + opts["time"], flush)
            elif opts["time"] <= 0:
                self._eb_flush(spec, trigger)
            return
        body = cloud_event.get("data") if opts["schema"] == "RawData" else cloud_event
        self._eb_push(spec, trigger, _json_event(body), cause, new_path, [cloud_event])

    def _attempt_eb_flush(self: Any, job: _Job) -> None:
        if self._eb_generation.get(id(job.trigger), 0) == job.extra["gen"]:
            self._eb_flush(job.spec, job.trigger)

    def _eb_flush(self: Any, spec: Any, trigger: Any) -> None:
        buf = self._eb_buffers.pop(id(trigger), [])
        self._eb_generation[id(trigger)] = self._eb_generation.get(id(trigger), 0) + 1
        if not buf:
            return
        opts = _eb_options(trigger)
        events = [e for e, _, _ in buf]
        body = [e.get("data") for e in events] if opts["schema"] == "RawData" else events
        _, cause, path = buf[0]
        self._eb_push(spec, trigger, _json_event(body), cause, path, events)

    def _eb_push(
        self: Any,
        spec: Any,
        trigger: Any,
        event: Any,
        cause: Optional[FlowInvocation],
        path: Tuple[_Hop, ...],
        events: List[Any],
    ) -> None:
        job = _Job("eb", spec, trigger, event, cause, path, self.clock.now, via="eventbridge", extra={"events": events})
        if trigger.config.get("asyncInvocationType"):
            job.kind = "async"
            self._enqueue_async(job)
        else:
            self.clock.schedule(self.clock.now, job)

    def _attempt_eb(self: Any, job: _Job) -> None:
        opts = _eb_options(job.trigger)
        status = self._take_rejection(job.spec.name)
        inv = None if status is not None else self._invoke(job, "Sync")
        if inv is not None and inv.ok:
            return
        age = self.clock.now - job.enqueued
        retries = opts["retries"]
        delay = self._push_delay(opts["strategy"], job.push_retries + 1)
        if (
            delay is not None
            and job.push_retries < retries
            and (opts["max_age"] is None or age + delay <= opts["max_age"])
        ):
            job.push_retries += 1
            job.attempt += 1
            self.clock.schedule(self.clock.now + delay, job)
            return
        why = f"EventBridge {opts['strategy']}: " + (
            f"push refused with {status}" if inv is None else "the function failed"
        )
        dlq = opts["dlq"]
        if dlq:
            self._send_dlq(dlq, job)
        self._dead(job, why + ", retries exhausted", dlq, inv)

    def _send_dlq(self: Any, arn: str, job: _Job) -> None:
        from .destinations import parse_destination

        dest = parse_destination(arn, f"{job.trigger.describe()} deadLetterQueue")
        text = bytes(job.event).decode("utf-8")
        previous = (self._writer, self._writer_path)
        self._writer, self._writer_path = job.cause, job.path
        try:
            if dest.kind == "mns_queue":
                self.cloud.mns.queue(dest.name).send(text, encode_base64=False)
            elif dest.kind == "mns_topic":
                self.cloud.mns.topic(dest.name).publish(text)
        finally:
            self._writer, self._writer_path = previous


def _eb_options(trigger: Any) -> Dict[str, Any]:
    cfg = trigger.config
    run = cfg.get("runOptions") or {}
    window = run.get("batchWindow") or {}
    retry = run.get("retryStrategy") or {}
    dlq = run.get("deadLetterQueue") or {}
    strategy = str(retry.get("PushRetryStrategy") or "BACKOFF_RETRY").upper()
    if strategy not in S.NOTIFY_STRATEGIES:
        raise ConfigError(
            f"{trigger.describe()}: runOptions.retryStrategy.PushRetryStrategy must be one of "
            f"{', '.join(S.NOTIFY_STRATEGIES)}, got {strategy!r}"
        )
    default_retries = S.BACKOFF_RETRIES if strategy == "BACKOFF_RETRY" else len(S.EXPONENTIAL_DECAY_INTERVALS_S)
    retries = retry.get("MaximumRetryAttempts")
    count = window.get("CountBasedWindow")
    seconds = window.get("TimeBasedWindow")
    for name, value in (
        ("batchWindow.CountBasedWindow", count),
        ("batchWindow.TimeBasedWindow", seconds),
        ("retryStrategy.MaximumRetryAttempts", retries),
    ):
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
            raise ConfigError(f"{trigger.describe()}: runOptions.{name} must be an integer >= 0, got {value!r}")
    return {
        "mode": trigger.delivery_mode,
        "schema": trigger.event_schema,
        "count": max(1, count or 1),
        "time": seconds or 0,
        "strategy": strategy,
        "retries": default_retries if retries is None else retries,
        "max_age": retry.get("MaximumEventAgeInSeconds"),
        "dlq": dlq.get("Arn") or dlq.get("arn"),
    }


def _json_event(body: Any) -> bytes:
    return json.dumps(body, ensure_ascii=False).encode("utf-8")
