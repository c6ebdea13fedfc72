"""The Log Service ETL job behind an FC ``log`` trigger.

What FC documents (Function Compute docs: "SLS触发器概述" / SLS trigger overview, and
"Formats of event for different triggers", Log Service trigger):
the job's timer fires every ``jobConfig.triggerInterval`` seconds ([3, 600], default
60); for every shard with data written since the last run it invokes the function
with a ``<shard_id, begin_cursor, end_cursor>`` range (no new data -> no invocation);
``jobConfig.maxRetryTime`` ([0, 100], default 3) bounds the retries of one
invocation; ``taskId`` "is the identifier for a deterministic function invocation";
``cursorTime`` is the arrival time of the range's last log; ``parameter`` is the
trigger's ``functionParameter``. When the storage system upgrades, every shard is
triggered once more with a range holding no data.

What the simulation adds, because the docs are silent:

* Retries happen within the same tick, with the same range and the same ``taskId``.
  After ``1 + maxRetryTime`` failed attempts the range is recorded in
  ``failed_ranges`` and the checkpoint moves past it, so the next range still
  arrives and nothing is dropped silently.
* The job starts at the shard's ``begin`` cursor (``start='end'`` or a unix time
  start later), so logs appended before the job is created are delivered.
* Checkpoints, simulated time and failed ranges live in the cursor store (Redis):
  a job re-created with the same trigger continues where the previous one stopped.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import uuid
from typing import Any, Callable, Dict, List, Optional, Union

from ...errors import ConfigError, FCTriggerError
from .store import Logstore, stable_hex

# Function Compute docs, "配置SLS触发器" (Configure an SLS trigger): 触发间隔 [3,600] 默认 60; 重试次数 [0,100] 默认 3
INTERVAL_RANGE = (3, 600)
DEFAULT_INTERVAL = 60
RETRY_RANGE = (0, 100)
DEFAULT_MAX_RETRY = 3


@dataclasses.dataclass
class Invocation:
    """One delivery of a cursor range to the function (retries are separate entries)."""

    tick: int
    shard_id: int
    begin_cursor: str
    end_cursor: str
    attempt: int  # 1 for the first delivery, 2.. for retries
    task_id: str
    cursor_time: int
    event: Any  # the FCEvent delivered
    result: Any  # the InvokeResult

    @property
    def ok(self) -> bool:
        return getattr(self.result, "error", None) is None

    @property
    def error(self) -> Optional[Dict[str, Any]]:
        return getattr(self.result, "error", None)


@dataclasses.dataclass(frozen=True)
class FailedRange:
    """A range given up after ``1 + maxRetryTime`` failed invocations."""

    shard_id: int
    begin_cursor: str
    end_cursor: str
    attempts: int
    task_id: str
    tick: int
    error: Optional[Dict[str, Any]]

    @classmethod
    def from_record(cls, record: Dict[str, Any]) -> FailedRange:
        return cls(
            record["shard_id"],
            record["begin_cursor"],
            record["end_cursor"],
            record["attempts"],
            record["task_id"],
            record["tick"],
            record.get("error"),
        )


def coerce_log_trigger(trigger: Any) -> Any:
    """A ``TriggerSpec`` of type ``log`` from a spec or from its config mapping."""
    from ...triggers.model import TriggerSpec

    if isinstance(trigger, TriggerSpec):
        spec = trigger
    elif isinstance(trigger, dict):
        spec = TriggerSpec.from_marker("log", **trigger)
    else:
        raise FCTriggerError(f"an SLS job needs a log TriggerSpec or its config dict, got {type(trigger).__name__}")
    if spec.type != "log":
        raise FCTriggerError(f"an SLS job runs a 'log' trigger, got {spec.describe()}")
    return spec


def _bounded_int(spec: Any, key: str, default: int, bounds: tuple) -> int:
    job_config = spec.config.get("jobConfig") or {}
    if not isinstance(job_config, dict):
        raise _config_error(spec, f"jobConfig must be a mapping, got {job_config!r}")
    value = job_config.get(key, default)
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not bounds[0] <= value <= bounds[1]:
        raise _config_error(spec, f"jobConfig.{key} must be an integer in [{bounds[0]}, {bounds[1]}], got {value!r}")
    return value


def _config_error(spec: Any, message: str) -> ConfigError:
    file, line = spec.location if spec.location else (None, None)
    return ConfigError(f"{spec.describe()}: {message}", file, line)


def _function_parameter(spec: Any) -> Any:
    value = spec.config.get("functionParameter", {})
    if value is None:
        return {}
    if isinstance(value, str):  # the console stores it as a JSON string
        try:
            return json.loads(value) if value.strip() else {}
        except ValueError as exc:
            raise _config_error(spec, f"functionParameter must be JSON, got {value!r} ({exc})") from None
    return value


def task_id_for(job_name: str, shard_id: int, begin: str, end: str) -> str:
    """The deterministic ``taskId`` of a range (a UUID, as in the doc's sample)."""
    digest = hashlib.sha256(f"{job_name}|{shard_id}|{begin}|{end}".encode()).digest()
    return str(uuid.UUID(bytes=digest[:16], version=4))


class SlsJob:
    """``fc_cloud.sls.job(target, trigger)``: the ETL job of one ``log`` trigger."""

    def __init__(
        self,
        service: Any,
        target: Any,
        trigger: Any,
        *,
        store: Any,
        invoker: Optional[Callable[..., Any]] = None,
        start: Any = "begin",
    ):
        self.trigger = coerce_log_trigger(trigger)
        spec = self.trigger
        if not spec.project or not spec.logstore:
            raise _config_error(
                spec,
                "needs the source project (sourceArn acs:log:<region>:<account>:project/<name> or "
                "project=) and sourceConfig.logstore (or logstore=)",
            )
        self.interval = _bounded_int(spec, "triggerInterval", DEFAULT_INTERVAL, INTERVAL_RANGE)
        self.max_retry = _bounded_int(spec, "maxRetryTime", DEFAULT_MAX_RETRY, RETRY_RANGE)
        self.parameter = _function_parameter(spec)
        self._service = service
        self._cloud = service.cloud
        self.logstore: Logstore = self._source_logstore(service, spec)
        self.target = target
        self.store = store
        self.name = stable_hex(
            "sls-etl-job", self.logstore.region, self.logstore.project, self.logstore.name, spec.name
        )
        self._invoker = invoker
        self._rng = self._cloud.rng.child(f"sls:job:{self.name}")
        self.invocations: List[Invocation] = []
        store.ping()
        state = store.state(self.name)
        if "now" not in state:
            store.update_state(self.name, now=service.now, ticks=0)
        store.init_checkpoints(
            self.name,
            {shard.shard_id: shard.cursor(self.logstore.position_for(shard, start)) for shard in self.logstore.shards},
        )

    def __repr__(self) -> str:
        return (
            f"<SlsJob {self.name[:12]} {self.logstore.project}/{self.logstore.name} "
            f"every {self.interval}s, maxRetryTime {self.max_retry}, tick {self.ticks}>"
        )

    @staticmethod
    def _source_logstore(service: Any, spec: Any) -> Logstore:
        proj = service.store.projects.get(spec.project)
        store = proj.logstores.get(spec.logstore) if proj else None
        if store is None:
            raise FCTriggerError(
                f"{spec.describe()} reads logstore {spec.project}/{spec.logstore}, which the simulated SLS "
                f"does not have; create it first: fc_cloud.sls.logstore({spec.project!r}, {spec.logstore!r}, shards=N)"
            )
        return store

    # --- persisted state ---------------------------------------------------------------
    @property
    def now(self) -> float:
        """The job's simulated unix time (the time of its last tick)."""
        return float(self.store.state(self.name)["now"])

    @property
    def ticks(self) -> int:
        return int(self.store.state(self.name).get("ticks", 0))

    @property
    def checkpoints(self) -> Dict[int, str]:
        """Shard id -> cursor where the next range starts."""
        return self.store.checkpoints(self.name)

    @property
    def failed_ranges(self) -> List[FailedRange]:
        """Ranges given up after ``maxRetryTime`` retries, oldest first."""
        return [FailedRange.from_record(r) for r in self.store.failed(self.name)]

    # --- running ------------------------------------------------------------------------
    def _invoke(self) -> Callable[..., Any]:
        if self._invoker is None:
            from ...invoke import Invoker

            self._invoker = Invoker(rng=self._cloud.rng, cloud=self._cloud, triggers=[self.trigger])
        return self._invoker

    def _event(self, shard_id: int, begin: str, end: str, task_id: str, cursor_time: int) -> Any:
        from ...events import sls_event

        region = self.logstore.region
        return sls_event(
            project=self.logstore.project,
            logstore=self.logstore.name,
            shard_id=shard_id,
            begin_cursor=begin,
            end_cursor=end,
            parameter=self.parameter,
            endpoint=f"http://{region}-intranet.log.aliyuncs.com",
            region=region,
            job_name=self.name,
            task_id=task_id,
            cursor_time=cursor_time,
            rng=self._rng,
        )

    def tick(self, *, storage_upgrade: bool = False) -> List[Invocation]:
        """Advance one ``triggerInterval`` and deliver every shard's new range.

        ``storage_upgrade=True`` then moves every shard's cursor without data and
        delivers that empty range too: the docs' extra empty trigger per shard.
        Returns the invocations of this tick (retries included).
        """
        with self._cloud.activate():
            state = self.store.state(self.name)
            tick = int(state.get("ticks", 0)) + 1
            now = float(state["now"]) + self.interval
            self.store.update_state(self.name, now=now, ticks=tick)
            self._service.store.advance_to(now)
            done = self._deliver_new(tick, now)
            if storage_upgrade:
                self.logstore.storage_upgrade()
                done += self._deliver_new(tick, now)
            return done

    def _deliver_new(self, tick: int, now: float) -> List[Invocation]:
        done: List[Invocation] = []
        checkpoints = self.store.checkpoints(self.name)
        for shard in self.logstore.shards:
            begin_pos = shard.position(checkpoints[shard.shard_id])
            end_pos = shard.position_after(now)
            if end_pos > begin_pos:
                done += self._deliver(tick, shard, begin_pos, end_pos)
        return done

    def _deliver(self, tick: int, shard: Any, begin_pos: int, end_pos: int) -> List[Invocation]:
        begin, end = shard.cursor(begin_pos), shard.cursor(end_pos)
        task_id = task_id_for(self.name, shard.shard_id, begin, end)
        cursor_time = int(shard.received_at(end_pos - 1))
        event = self._event(shard.shard_id, begin, end, task_id, cursor_time)
        invoke = self._invoke()
        attempts: List[Invocation] = []
        for attempt in range(1, self.max_retry + 2):
            result = invoke(self.target, event, catch=True)
            inv = Invocation(tick, shard.shard_id, begin, end, attempt, task_id, cursor_time, event, result)
            attempts.append(inv)
            self.invocations.append(inv)
            if inv.ok:
                self.store.set_checkpoint(self.name, shard.shard_id, end)
                return attempts
        record = {
            "shard_id": shard.shard_id,
            "begin_cursor": begin,
            "end_cursor": end,
            "attempts": len(attempts),
            "task_id": task_id,
            "tick": tick,
            "error": attempts[-1].error,
        }
        self.store.add_failed(self.name, record, shard=shard.shard_id, next_cursor=end)
        return attempts

    def run(self, ticks: int, **tick_kwargs: Any) -> List[Invocation]:
        """``ticks`` consecutive ticks; all their invocations."""
        if isinstance(ticks, bool) or not isinstance(ticks, int) or ticks < 0:
            raise FCTriggerError(f"run(ticks) needs a non-negative int, got {ticks!r}")
        done: List[Invocation] = []
        for _ in range(ticks):
            done += self.tick(**tick_kwargs)
        return done

    def run_until(
        self, until: Union[None, int, Callable[[SlsJob], bool]] = None, *, max_ticks: int = 1000
    ) -> List[Invocation]:
        """Tick until ``until(job)`` is true (checked after each tick), ``until`` ticks
        have run (an int), or, by default, until a tick has nothing to deliver."""
        if isinstance(until, bool):  # neither a number of ticks nor a predicate
            raise TypeError(
                f"run_until: until must be a number of ticks, a predicate on the job or None, not {until!r}"
            )
        if isinstance(until, int):
            return self.run(until)
        done: List[Invocation] = []
        for _ in range(max_ticks):
            batch = self.tick()
            done += batch
            if until(self) if until is not None else not batch:
                return done
        raise FCTriggerError(
            f"SLS job on {self.logstore.project}/{self.logstore.name} did not reach its stop condition "
            f"within {max_ticks} ticks ({max_ticks * self.interval} simulated seconds)"
        )
