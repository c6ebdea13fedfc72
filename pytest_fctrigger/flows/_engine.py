"""The app on a virtual clock: writes become deliveries, deliveries become invocations.

Every write journaled by the test's ``fc_cloud`` (by the test, a handler, or a destination)
is matched against the enabled triggers of every function of the app (``_match``); each
match becomes a job on the clock, delivered by the rule ``semantics.DELIVERY`` gives its
trigger type. Handlers run through the public ``Invoker``. Causes are kept per job, so a
chain that reaches the same function through the same trigger again is reported as a
``SelfTriggerLoop`` naming every hop.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as _dt
import functools
import json
import logging
from collections import deque
from typing import Any, Callable, Deque, Dict, Iterator, List, Optional, Tuple

from ..errors import ConfigError
from . import semantics as S
from ._eventbridge import EventBridgeDelivery, _eb_options
from ._kafka import KafkaConnector, KafkaDelivery
from ._match import AppIndex, LoopReport, SelfTriggerLoop, describe_event
from ._records import DeadLetter, DestinationRecord, FlowInvocation, FlowRun, FlowRunaway, _Hop, _Job
from .clock import VirtualClock, duration
from .destinations import AsyncConfig, Destination, async_config_of, destination_payload, function_arn
from .kafka import ConnectorConfig, check_config
from .patterns import parse_pattern

INVOCATION_TYPES = ("Async", "Sync")


# --------------------------------------------------------------------------- the flow


def _route_text(cause: Optional[FlowInvocation], write: Any, spec: Any, trigger: Any) -> str:
    writer = f"function {cause.function!r}" if cause is not None else "the test"
    return f"{writer} wrote {write.describe()}, which fires function {spec.name!r} through {trigger.describe()}"


@contextlib.contextmanager
def _runtime_log_level() -> Iterator[None]:
    """The runtime's root logger level (INFO) for a whole run: each invocation then finds
    it in place (``Logger.setLevel`` clears the cache of every logger, twice per
    invocation otherwise); the test's level is back after the run."""
    root = logging.getLogger()
    level = root.level
    if level != logging.INFO:
        root.setLevel(logging.INFO)
    try:
        yield
    finally:
        if root.level != level:
            root.setLevel(level)


class Flow(EventBridgeDelivery, KafkaDelivery):
    """``fc_flow(app_or_path, *, vars=None, duplicates=0, max_invocations=1000, include_disabled=False)``."""

    def __init__(
        self,
        app: Any,
        cloud: Any,
        *,
        invoker: Any = None,
        duplicates: int = 0,
        max_invocations: int = 1000,
        include_disabled: bool = False,
        tablestore_expiry: float = S.TABLESTORE_STREAM_EXPIRY_S,
        start: Any = None,
    ) -> None:
        if isinstance(duplicates, bool) or not isinstance(duplicates, int) or duplicates < 0:
            raise ConfigError(f"fc_flow(duplicates=...) takes an integer >= 0, got {duplicates!r}")
        if isinstance(max_invocations, bool) or not isinstance(max_invocations, int) or max_invocations < 1:
            raise ConfigError(f"fc_flow(max_invocations=...) takes an integer >= 1, got {max_invocations!r}")
        if not isinstance(include_disabled, bool):
            raise ConfigError(f"fc_flow(include_disabled=...) takes True or False, got {include_disabled!r}")
        # a trigger with enable: false fires nothing in FC; include_disabled=True runs it on purpose
        self.include_disabled = include_disabled
        self.app = app
        self.cloud = cloud
        self.duplicates = duplicates
        self.max_invocations = max_invocations
        self.tablestore_expiry = float(tablestore_expiry)
        self.clock = VirtualClock(start)
        self._rng = cloud.rng.child("flows")
        if invoker is None:
            from ..invoke import Invoker

            # loops are the flow's business (across functions, with causes): the Invoker's off
            invoker = Invoker(rng=cloud.rng.child("flows:invoke"), cloud=cloud, loop_mode="allow")
        self._invoker = invoker
        self.functions: Dict[str, Any] = dict(app.functions)
        self._async: Dict[str, AsyncConfig] = {name: async_config_of(spec) for name, spec in self.functions.items()}
        self._index = AppIndex(list(self.functions.values()), self._rng.child("events"), include_disabled)
        self._eb = [
            (spec, t)
            for spec in self.functions.values()
            for t in spec.triggers
            if t.type == "eventbridge" and self._fires(t)
        ]
        self._eb_patterns = {
            id(t): parse_pattern(t.event_rule_pattern) if t.event_rule_pattern else None for _, t in self._eb
        }
        for _, t in self._eb:
            _eb_options(t)  # a bad runOptions is an error now, not at the first delivery
        from ..triggers.cron import schedule_of

        for spec in self.functions.values():
            for t in spec.triggers:
                if t.type == "timer" and self._fires(t):
                    schedule_of(t)  # likewise a bad cronExpression
        self._eb_buffers: Dict[int, List[Tuple[Any, Optional[FlowInvocation], Tuple[_Hop, ...]]]] = {}
        self._eb_generation: Dict[int, int] = {}
        self._inbox: List[Tuple[Any, Optional[FlowInvocation], Tuple[_Hop, ...]]] = []
        self._writer: Optional[FlowInvocation] = None
        self._writer_path: Tuple[_Hop, ...] = ()
        self._partitions: Dict[Any, Deque[_Job]] = {}
        self._rejections: Dict[str, List[int]] = {}
        self._timers: Optional[List[Tuple[float, Any, Any, Iterator[_dt.datetime]]]] = None
        self._sls: Optional[List[Dict[str, Any]]] = None
        self._generation = -1
        self._connectors: List[KafkaConnector] = []
        self._count = 0
        self._number = 0
        self.history: List[FlowInvocation] = []
        self._run: Optional[FlowRun] = None
        self._unsubscribe = cloud.journal.subscribe(self._on_write)

    def close(self) -> None:
        self._unsubscribe()

    # ----------------------------------------------------------------- public API
    def run(self) -> FlowRun:
        """Deliver everything pending (moving the clock through retry delays and batch
        windows) until nothing is left; timers and SLS jobs wait for ``advance()``."""
        return self._drive(None)

    def advance(self, seconds: float = 0, minutes: float = 0, hours: float = 0) -> FlowRun:
        """Move the clock: timers fire by their cron, retries and windows come due, SLS jobs tick."""
        return self._drive(self.clock.now + duration(seconds, minutes, hours))

    def invoke(self, function: str, event: Any, *, invocation_type: str = "Async") -> FlowRun:
        """``InvokeFunction``: ``Sync`` runs now (never retried); ``Async`` queues the event
        with the function's async config (run it with ``run()``)."""
        spec = self._function(function)
        if invocation_type not in INVOCATION_TYPES:
            raise ConfigError(f"flow.invoke(invocation_type=...) is 'Async' or 'Sync', got {invocation_type!r}")
        with _runtime_log_level():
            return self._invoke_now(spec, event, invocation_type)

    def _invoke_now(self, spec: Any, event: Any, invocation_type: str) -> FlowRun:
        start = self.clock.now
        run = self._run = FlowRun(start)
        self._count = 0
        try:
            path = (_Hop(spec.name, "invoke", f"flow.invoke({spec.name!r}, {invocation_type})"),)
            job = _Job(
                "async" if invocation_type == "Async" else "sync", spec, None, event, None, path, start, via="invoke"
            )
            if invocation_type == "Sync":
                self._attempt(job)
            else:
                self._enqueue_async(job)
            self._drain_inbox()
        finally:
            self._run = None
        run.end = self.clock.now
        return run

    def reject(self, function: str, *, status: int = 429, times: int = 1) -> None:
        """FC answers the next ``times`` deliveries to ``function`` with HTTP ``status``
        (429 throttled, 5XX unavailable, other 4XX refused) before running the handler:
        what the pushing service then does is its retry rule (MNS NotifyStrategy, Kafka
        connector retries, EventBridge retry strategy, FC's throttle backoff)."""
        self._function(function)
        if isinstance(status, bool) or not isinstance(status, int) or not 400 <= status <= 599:
            raise ConfigError(f"flow.reject(status=...) is an HTTP error status 400..599, got {status!r}")
        if isinstance(times, bool) or not isinstance(times, int) or times < 1:
            raise ConfigError(f"flow.reject(times=...) takes an integer >= 1, got {times!r}")
        self._rejections.setdefault(function, []).extend([status] * times)

    def put_event(
        self, *, source: str, type: str, data: Any = None, subject: Optional[str] = None, bus: str = "default"
    ) -> Any:
        """Put a CloudEvent on an EventBridge bus (PutEvents); rules of the app's
        ``eventbridge`` triggers with the Default source filter it by their event pattern."""
        from ..events import eventbridge_event

        event = eventbridge_event(
            source=source, type=type, data=data, subject=subject, event_bus=bus, rng=self._rng.child("put_event")
        )
        self._to_eventbridge(event, bus, None, ())
        return event

    def kafka_connector(
        self,
        function: str,
        *,
        topic: str,
        batch_size: int = S.KAFKA_BATCH_SIZE,
        send_mode: str = "async",
        retries: int = S.KAFKA_RETRIES_DEFAULT,
    ) -> KafkaConnector:
        """An ApsaraMQ for Kafka FC Sink Connector from ``topic`` to ``function``; ``send()``
        messages to it, ``run()`` delivers them in batches."""
        spec = self._function(function)
        cfg = ConnectorConfig(
            function=spec.name, topic=topic, batch_size=batch_size, send_mode=send_mode, retries=retries
        )
        check_config(cfg)
        connector = KafkaConnector(self, spec, cfg)
        self._connectors.append(connector)
        return connector

    def _fires(self, trigger: Any) -> bool:
        return bool(trigger.enabled or self.include_disabled)

    @property
    def pending(self) -> int:
        return len(self.clock) + len(self._inbox)

    # ----------------------------------------------------------------- the loop
    def _drive(self, until: Optional[float]) -> FlowRun:
        with _runtime_log_level():
            return self._drive_at_runtime_level(until)

    def _drive_at_runtime_level(self, until: Optional[float]) -> FlowRun:
        run = self._run = FlowRun(self.clock.now)
        self._count = 0
        try:
            self._start_schedules()
            while True:
                self._drain_inbox()
                due = self.clock.next_due()
                recurring = self._next_recurring() if until is not None else None
                candidates = [t for t in (due, recurring) if t is not None]
                if not candidates:
                    break
                nxt = min(candidates)
                if until is not None and nxt > until:
                    break
                if recurring is not None and recurring == nxt and (due is None or recurring < due):
                    self.clock.move_to(recurring)
                    self._fire_recurring(recurring)
                    continue
                _, job = self.clock.pop()
                self._attempt(job)
            if until is not None:
                self.clock.move_to(until)
        finally:
            self._run = None
        run.end = self.clock.now
        return run

    def _function(self, name: str) -> Any:
        if not isinstance(name, str) or name not in self.functions:
            try:
                return self.app.function(name)
            except (KeyError, TypeError):
                raise ConfigError(
                    f"the app declares no function {name!r}; functions: {', '.join(sorted(self.functions)) or 'none'}"
                ) from None
        return self.functions[name]

    # ----------------------------------------------------------------- writes -> jobs
    def _on_write(self, write: Any) -> None:
        self._inbox.append((write, self._writer, self._writer_path))

    def _drain_inbox(self) -> None:
        while self._inbox:
            write, cause, path = self._inbox.pop(0)
            self._route(write, cause, path)

    def _route(self, write: Any, cause: Optional[FlowInvocation], path: Tuple[_Hop, ...]) -> None:
        for match in self._index.matches(write):
            spec, trigger = match.watched.spec, match.watched.trigger
            rule = S.delivery_of(trigger.type)
            if not rule.fired_by_writes:
                continue  # SLS: the ETL job reads the logstore on its ticks
            event = self._index.event_for(match)
            if event is None:
                continue
            hop = _Hop(spec.name, trigger.name, functools.partial(_route_text, cause, write, spec, trigger))
            new_path = self._extend(path, hop, event, trigger)
            job = _Job("async", spec, trigger, event, cause, new_path, self.clock.now)
            if rule.retry == "mns_notify":
                job.kind = "mns"
                self._enqueue_async(job)
            elif rule.retry == "stream_until_expiry":
                job.kind = "tablestore"
                pk = write.resource.get("primary_key") or [("", None)]
                job.partition = (
                    spec.name,
                    trigger.name,
                    str(write.resource.get("instance")).lower(),
                    write.resource.get("table"),
                    repr(pk[0][1]),
                )
                self._enqueue_partition(job)
            elif rule.invocation == "Async":
                self._enqueue_async(job)
            else:
                job.kind = "sync"
                self.clock.schedule(self.clock.now, job)
        if write.service == "mns" and write.resource.get("queue") and self._eb:
            self._queue_to_eventbridge(write, cause, path)

    def _extend(self, path: Tuple[_Hop, ...], hop: _Hop, event: Any, trigger: Any) -> Tuple[_Hop, ...]:
        for i, earlier in enumerate(path):
            if earlier.function == hop.function and earlier.trigger == hop.trigger:
                self._loop(path[i:] + (hop,), event, trigger)
        return path + (hop,)

    def _loop(self, hops: Tuple[_Hop, ...], event: Any, trigger: Any) -> None:
        names = [h.function for h in hops]
        cycle = " -> ".join(repr(n) for n in names)
        lines = [
            f"Self-trigger loop across functions: {cycle}."
            if len(set(names)) > 1
            else f"Self-trigger loop: function {names[0]!r} writes what fires its own trigger {hops[0].trigger!r}.",
            "Each hop writes what fires the next, so in FC every invocation starts another one:",
        ]
        for n, h in enumerate(hops, 1):
            lines.append(f"  hop {n}: {h.text}" + (" again" if n == len(hops) else ""))
        lines.append(
            "Fix: break the cycle at any one hop: write outside the trigger's filter (another prefix, "
            'suffix, tag, topic or table). FC does not stop such loops (OSS trigger: "You must prevent '
            'recursive invocations"; Tablestore trigger notes).'
        )
        message = "\n".join(lines)
        report = LoopReport(
            handler=f"function {names[-2] if len(names) > 1 else names[0]!r}",
            origin=trigger,
            event=event,
            matches=[],
            depth=0,
            loop=True,
            converged=None,
            path=[],
            cycle=[repr(n) for n in names],
            hops=[],
            message=message,
            chain=" -> ".join(h.text for h in hops),
        )
        raise SelfTriggerLoop(report)

    def _enqueue_async(self, job: _Job) -> None:
        self.clock.schedule(self.clock.now, job)
        if job.via in ("trigger", "timer", "invoke", "eventbridge", "kafka") and job.kind in ("async", "mns"):
            for k in range(1, self.duplicates + 1):  # at-least-once: the same event again
                self.clock.schedule(self.clock.now, dataclasses.replace(job, duplicate=k, extra=dict(job.extra)))

    def _enqueue_partition(self, job: _Job) -> None:
        queue = self._partitions.setdefault(job.partition, deque())
        queue.append(job)
        if len(queue) == 1:
            self.clock.schedule(self.clock.now, job)

    # ----------------------------------------------------------------- one attempt
    def _take_rejection(self, function: str) -> Optional[int]:
        pending = self._rejections.get(function)
        if pending:
            return pending.pop(0)
        return None

    def _attempt(self, job: _Job) -> None:
        handler = getattr(self, "_attempt_" + job.kind)
        handler(job)

    def _attempt_async(self, job: _Job) -> None:
        cfg = self._async[job.spec.name]
        age = self.clock.now - job.enqueued
        if cfg.max_event_age is not None and age > cfg.max_event_age:
            self._give_up(job, f"older than maxAsyncEventAgeInSeconds {cfg.max_event_age}", cfg, None)
            return
        status = self._take_rejection(job.spec.name)
        if status is not None:
            if status == 429 and age < S.FC_THROTTLE_RETRY_WINDOW_S:
                job.throttled += 1  # not an attempt: FC retries throttled async invocations with backoff
                self.clock.schedule(self.clock.now + S.fc_async_retry_delay(job.throttled), job)
            else:
                self._give_up(job, f"FC answered {status} (not retried)", cfg, None)
            return
        inv = self._invoke(job, "Async")
        if inv.ok:
            self._destination(cfg.on_success, "onSuccess", job, inv)
            return
        if job.attempt <= cfg.max_retries:
            job.attempt += 1
            self.clock.schedule(self.clock.now + S.fc_async_retry_delay(job.attempt - 1), job)
        else:
            self._give_up(
                job, f"failed {job.attempt} time(s): maxAsyncRetryAttempts {cfg.max_retries} exhausted", cfg, inv
            )

    def _attempt_mns(self, job: _Job) -> None:
        # the topic pushes to FC; refused, it retries by the subscription's NotifyStrategy
        status = self._take_rejection(job.spec.name)
        if status is None:
            job.kind = "async"  # accepted: FC's async queue takes over
            self._attempt_async(job)
            return
        strategy = job.trigger.notify_strategy
        delay = self._push_delay(strategy, job.push_retries + 1)
        if delay is None:
            self._dead(job, f"MNS {strategy}: push refused with {status}, retries exhausted", None, None)
            return
        job.push_retries += 1
        self.clock.schedule(self.clock.now + delay, job)

    def _push_delay(self, strategy: str, retry: int) -> Optional[float]:
        if strategy == "EXPONENTIAL_DECAY_RETRY":
            if retry > len(S.EXPONENTIAL_DECAY_INTERVALS_S):
                return None
            return float(S.EXPONENTIAL_DECAY_INTERVALS_S[retry - 1])
        if retry > S.BACKOFF_RETRIES:
            return None
        low, high = S.BACKOFF_INTERVAL_S
        return float(self._rng.randint(low, high))

    def _attempt_sync(self, job: _Job) -> None:
        status = self._take_rejection(job.spec.name)
        if status is not None:
            self._dead(job, f"FC answered {status}; synchronous invocations are not retried", None, None)
            return
        self._invoke(job, "Sync")  # FC never retries a synchronous invocation

    def _attempt_tablestore(self, job: _Job) -> None:
        queue = self._partitions[job.partition]
        status = self._take_rejection(job.spec.name)
        inv = None if status is not None else self._invoke(job, "Sync")
        if inv is not None and inv.ok:
            queue.popleft()
        elif self.clock.now - job.enqueued >= self.tablestore_expiry:
            queue.popleft()
            self._dead(job, f"stream data expired after {self.tablestore_expiry:g} s of retries", None, inv)
        else:
            # the record is re-delivered; records after it in its partition wait
            delay = min(S.TABLESTORE_RETRY_FIRST_S * 2 ** (job.attempt - 1), S.TABLESTORE_RETRY_MAX_S)
            job.attempt += 1
            self.clock.schedule(self.clock.now + delay, job)
            return
        if queue:
            nxt = queue[0]
            self.clock.schedule(self.clock.now, nxt)
        else:
            del self._partitions[job.partition]

    # ----------------------------------------------------------------- invoking
    def _invoke(self, job: _Job, invocation_type: str) -> FlowInvocation:
        self._count += 1
        if self._count > self.max_invocations:
            self._runaway(job)
        self._number += 1
        inv = FlowInvocation(
            function=job.spec.name,
            trigger=job.trigger,
            event=job.event,
            attempt=job.attempt,
            caused_by=job.cause,
            invocation_type=invocation_type,
            time=self.clock.now,
            via=job.via,
            duplicate=job.duplicate,
            number=self._number,
        )
        previous = (self._writer, self._writer_path)
        self._writer, self._writer_path = inv, job.path
        try:
            inv.result = self._invoker.run(job.spec, job.event, catch=True, context_overrides=self._context(job))
        finally:
            self._writer, self._writer_path = previous
        inv.writes = list(inv.result.writes)
        self.history.append(inv)
        if self._run is not None:
            self._run.invocations.append(inv)
        return inv

    @staticmethod
    def _context(job: _Job) -> Dict[str, Any]:
        from ..context import runtime_shape

        if runtime_shape(job.spec.runtime) == "fc2":
            return {"retry_count": job.attempt - 1}
        return {}

    def _runaway(self, job: _Job) -> None:
        counts: Dict[str, int] = {}
        for inv in self._run.invocations if self._run is not None else []:
            counts[inv.function] = counts.get(inv.function, 0) + 1
        top = ", ".join(f"{name!r} {n}" for name, n in sorted(counts.items(), key=lambda kv: -kv[1])[:5])
        raise FlowRunaway(
            f"the flow ran {self.max_invocations} invocations in one run/advance and still has work "
            f"(next: function {job.spec.name!r}, {job.kind} delivery, attempt {job.attempt}); invocations so far: "
            f"{top}. A handler that keeps failing on a Tablestore stream or a chain that keeps writing runs "
            "without end in FC too; fix the handler, or raise fc_flow(..., max_invocations=N) if this much is expected."
        )

    # ----------------------------------------------------------------- giving up, destinations
    def _give_up(self, job: _Job, reason: str, cfg: AsyncConfig, inv: Optional[FlowInvocation]) -> None:
        sent = self._destination(cfg.on_failure, "onFailure", job, inv, reason=reason)
        self._dead(job, reason, sent, inv)

    def _dead(self, job: _Job, reason: str, sent_to: Optional[str], inv: Optional[FlowInvocation]) -> None:
        if self._run is not None:
            self._run.dead_letters.append(
                DeadLetter(
                    job.spec.name,
                    job.trigger,
                    job.event,
                    reason,
                    job.attempt if inv is not None else job.attempt - 1,
                    sent_to,
                    inv,
                )
            )

    def _destination(
        self,
        dest: Optional[Destination],
        condition: str,
        job: _Job,
        inv: Optional[FlowInvocation],
        reason: str = "",
    ) -> Optional[str]:
        if dest is None:
            return None
        region, account = self.cloud.rng.region, self.cloud.rng.account_id
        error = inv.error if inv is not None else None
        payload = destination_payload(
            request_id=inv.result.request_id if inv is not None else "",
            function_arn=function_arn(job.spec, region, account),
            condition="" if condition == "onSuccess" else (error or {}).get("errorType") or reason,
            invoke_count=job.attempt,
            request_payload=job.event,
            response_payload=inv.result.payload if inv is not None else b"",
            function_error="" if error is None else "UnhandledInvocationError",
            when=self.clock.datetime,
        )
        record = DestinationRecord(condition, dest.arn, dest.kind, payload, inv)
        if self._run is not None:
            self._run.destinations.append(record)
        hop = _Hop(
            dest.name or dest.arn,
            f"destination:{condition}",
            f"function {job.spec.name!r} sent its {condition} context to {dest.arn}",
        )
        previous = (self._writer, self._writer_path)
        self._writer, self._writer_path = inv, job.path + (hop,)
        try:
            text = payload.decode("utf-8")
            if dest.kind == "mns_queue":
                self.cloud.mns.queue(dest.name).send(text, encode_base64=False)
            elif dest.kind == "mns_topic":
                self.cloud.mns.topic(dest.name).publish(text)
            elif dest.kind == "function":
                target = self._function(dest.name)
                path = self._extend(job.path, _Hop(target.name, f"destination:{condition}", hop.text), payload, None)
                self._enqueue_async(_Job("async", target, None, payload, inv, path, self.clock.now, via="destination"))
            elif dest.kind == "eventbridge":
                from ..events import eventbridge_event

                # the CloudEvent type FC puts on the bus is not on the destinations page:
                # flows names it after the condition
                event = eventbridge_event(
                    source="acs.fc",
                    type=f"fc:Function:AsyncInvoke:{condition}",
                    data=json.loads(payload),
                    subject=function_arn(job.spec, region, account),
                    event_bus=dest.name,
                    rng=self._rng.child("destination"),
                )
                self._to_eventbridge(event, dest.name, inv, job.path + (hop,))
            # rocketmq: no simulated ApsaraMQ for RocketMQ; the record above is what FC sent
        finally:
            self._writer, self._writer_path = previous
        return dest.arn

    # ----------------------------------------------------------------- timers and SLS jobs
    def _start_schedules(self) -> None:
        if self._timers is not None and self._generation == self.clock.generation:
            return
        self._generation = self.clock.generation
        from ..triggers.cron import schedule_of

        self._timers = []
        self._sls = []
        for spec in self.functions.values():
            for t in spec.triggers:
                if not self._fires(t):
                    continue
                if t.type == "timer":
                    fires = schedule_of(t).iter_fires(self.clock.datetime)
                    first = next(fires)
                    self._timers.append((first.timestamp(), spec, t, fires))
                elif t.type == "log":
                    self._sls.append(
                        {"spec": spec, "trigger": t, "next": self.clock.now + t.trigger_interval, "job": None}
                    )

    def _next_recurring(self) -> Optional[float]:
        times = [t[0] for t in self._timers or []] + [s["next"] for s in self._sls or []]
        return min(times) if times else None

    def _fire_recurring(self, when: float) -> None:
        from ..events import timer_event

        for i, (at, spec, trigger, fires) in enumerate(list(self._timers or [])):
            if at == when:
                event = timer_event(
                    trigger_name=trigger.name,
                    payload=trigger.payload if trigger.payload is not None else "",
                    trigger_time=_dt.datetime.fromtimestamp(at, _dt.timezone.utc),
                    rng=self._rng.child(f"timer:{spec.name}:{trigger.name}"),
                )
                hop = _Hop(spec.name, trigger.name, f"timer {trigger.name!r} fired for function {spec.name!r}")
                self._enqueue_async(_Job("async", spec, trigger, event, None, (hop,), at, via="timer"))
                assert self._timers is not None
                self._timers[i] = (next(fires).timestamp(), spec, trigger, fires)
        for entry in self._sls or []:
            if entry["next"] == when:
                entry["next"] = when + entry["trigger"].trigger_interval
                self._sls_tick(entry)

    def _sls_tick(self, entry: Dict[str, Any]) -> None:
        spec, trigger = entry["spec"], entry["trigger"]
        if entry["job"] is None:
            project = self.cloud.sls.store.projects.get(trigger.project)
            if project is None or trigger.logstore not in project.logstores:
                return  # nothing to read yet
            entry["job"] = self.cloud.sls.job(spec, trigger, invoker=self._sls_invoker(spec, trigger))
        entry["job"].tick()

    def _sls_invoker(self, spec: Any, trigger: Any) -> Callable[..., Any]:
        attempts: Dict[int, int] = {}

        def invoke(target: Any, event: Any, context: Any = None, **kwargs: Any) -> Any:
            attempts[id(event)] = attempts.get(id(event), 0) + 1
            hop = _Hop(spec.name, trigger.name, f"SLS job of {trigger.describe()} ran function {spec.name!r}")
            job = _Job(
                "sync", spec, trigger, event, None, (hop,), self.clock.now, via="sls", attempt=attempts[id(event)]
            )
            return self._invoke(job, "Sync").result

        return invoke


__all__ = [
    "DeadLetter",
    "DestinationRecord",
    "Flow",
    "FlowInvocation",
    "FlowRun",
    "FlowRunaway",
    "KafkaConnector",
    "describe_event",
]
