"""Simulated Log Service (SLS) behind ``aliyun-log-python-sdk``, and the ETL job of ``log`` triggers.

``fc_cloud.sls`` is an ``SlsService``::

    store = fc_cloud.sls.logstore("proj", "access-log", shards=3)
    store.append(0, [{"status": "200", "path": "/"}])        # one LogGroup on shard 0
    store.append_fake(1, 500, kind="access")                 # Faker nginx access logs
    job = fc_cloud.sls.job(handler, trigger)                 # trigger: a 'log' TriggerSpec
    job.run(20)                                              # 20 trigger intervals
    assert job.failed_ranges == []

The handler's own ``LogClient.pull_logs(...)`` loop reads the simulated shards over
the real SDK (``responses`` intercepts ``http(s)://{project}.{endpoint}``: any region,
public or ``-intranet``). Checkpoints and job state live in the cursor store
(``cloud.redis``: fakeredis, or the real Redis of ``--fc-redis-url``).
"""

from __future__ import annotations

import importlib.util
from typing import TYPE_CHECKING, Any, Callable, Dict, Optional

from ..journal import Write
from .handlers import URL_PATTERN, SlsHttp
from .job import FailedRange, Invocation, SlsJob
from .store import Logstore, SlsApiError, SlsStore, decode_cursor, encode_cursor

if TYPE_CHECKING:  # cursor_store.py (and redis) load on first use of cursor_store
    from ..cursor_store import CursorStore

__all__ = [
    "SlsService",
    "SlsJob",
    "Invocation",
    "FailedRange",
    "Logstore",
    "SlsApiError",
    "encode_cursor",
    "decode_cursor",
]

SDK_NAME = "aliyun-log-python-sdk"


def _sdk_available() -> bool:
    try:
        return importlib.util.find_spec("aliyun.log") is not None
    except (ImportError, ValueError):
        return False


class SlsService:
    """The simulated SLS of one ``Cloud``: logstores, the HTTP API, ETL jobs."""

    def __init__(self, cloud: Any):
        self.cloud = cloud
        self.store = SlsStore(cloud.rng.child("sls"))
        self._http = SlsHttp(self.store, self._record_put)
        self._cursor_store: Optional[CursorStore] = None

    def install(self, router: Any, stack: Any) -> None:
        """Serve the SLS endpoints of every region to the SDK, installed or vendored
        (nothing is imported: the route is consulted only when a request is sent)."""
        router.add("sls", URL_PATTERN, self._http)

    # --- logstores -----------------------------------------------------------------
    def logstore(
        self, project: str, logstore: str, *, shards: Optional[int] = None, region: Optional[str] = None
    ) -> Logstore:
        """Get or create ``project/logstore`` (``shards`` shards, default 2; region of the test)."""
        return self.store.logstore(project, logstore, shards=shards, region=region)

    def get_cursor(self, project: str, logstore: str, shard: int, start: Any = "begin") -> str:
        """A cursor of an existing logstore: ``'begin'``, ``'end'`` or a unix time."""
        proj = self.store.projects.get(project)
        store = proj.logstores.get(logstore) if proj else None
        if store is None:
            from ...errors import FCTriggerError

            raise FCTriggerError(f"the simulated SLS has no logstore {project}/{logstore}")
        return store.get_cursor(shard, start)

    def trigger_range(self, project: Any, logstore: Any) -> Optional[Dict[str, Any]]:
        """The ``sls_event`` fields of the range a ``log`` trigger would deliver now for an
        existing logstore (``None`` when it does not exist): its first shard holding data
        (else shard 0), from the shard's first cursor to its end cursor, as real cursors of
        this logstore that ``pull_logs`` accepts. ``fc_matrix`` ``log`` cases use it."""
        proj = self.store.projects.get(project) if isinstance(project, str) else None
        store = proj.logstores.get(logstore) if proj is not None and isinstance(logstore, str) else None
        if store is None:
            return None
        shard = next((s for s in store.shards if s.end > s.begin), store.shards[0])
        last = shard.received_at(shard.end - 1) if shard.end > shard.begin else None
        return {
            "shard_id": shard.shard_id,
            "begin_cursor": shard.cursor(shard.begin),
            "end_cursor": shard.cursor(shard.end),
            "cursor_time": int(last if last is not None else self.store.now),
            "endpoint": self.endpoint(store.region),
            "region": store.region,
        }

    @property
    def now(self) -> float:
        """The simulated service time (unix seconds): receive time of the next write."""
        return self.store.now

    def advance(self, seconds: float) -> float:
        """Move the simulated service clock forward."""
        return self.store.advance(seconds)

    def endpoint(self, region: Optional[str] = None, *, intranet: bool = True) -> str:
        """The endpoint FC puts in events (``http://{region}-intranet.log.aliyuncs.com``)."""
        region = region or self.cloud.rng.region
        return f"http://{region}{'-intranet' if intranet else ''}.log.aliyuncs.com"

    def client(self, region: Optional[str] = None, *, intranet: bool = True) -> Any:
        """An SDK ``LogClient`` with the test's fake STS credentials, for test-side calls."""
        from aliyun.log import LogClient

        from ..._credentials import fake_credentials

        creds = fake_credentials(self.cloud.rng.child("sls:client"))
        return LogClient(
            self.endpoint(region, intranet=intranet),
            creds.access_key_id,
            creds.access_key_secret,
            creds.security_token,
            source="127.0.0.1",
        )

    # --- the ETL job ---------------------------------------------------------------
    @property
    def cursor_store(self) -> CursorStore:
        """The ``CursorStore`` of this cloud (its namespace is cleared on first use, so
        a re-run of the same test against a real Redis starts from scratch)."""
        if self._cursor_store is None:
            from ..cursor_store import CursorStore

            store = CursorStore(self.cloud.redis, self.cloud.namespace)
            store.clear()
            self._cursor_store = store
        return self._cursor_store

    def job(
        self,
        target: Any,
        trigger: Any,
        *,
        start: Any = "begin",
        invoker: Optional[Callable[..., Any]] = None,
        redis: Any = None,
    ) -> SlsJob:
        """The ETL job that drives ``target`` from a ``log`` trigger.

        Creating it again for the same trigger resumes from the stored checkpoints
        (pass ``redis=`` a new client to the same server to simulate a restart).
        ``invoker`` replaces the default ``Invoker(rng=, cloud=, triggers=[trigger])``.
        """
        store = self.cursor_store
        if redis is not None:
            from ..cursor_store import CursorStore

            store = CursorStore(redis, self.cloud.namespace, ttl=store.ttl)
        return SlsJob(self, target, trigger, store=store, invoker=invoker, start=start)

    def run_job(
        self, target: Any, trigger: Any, *, until: Any = None, max_ticks: int = 1000, **job_kwargs: Any
    ) -> SlsJob:
        """Create the job and tick it until ``until`` (default: until a tick delivers nothing)."""
        job = self.job(target, trigger, **job_kwargs)
        job.run_until(until, max_ticks=max_ticks)
        return job

    # --- journal ---------------------------------------------------------------------
    def _record_put(
        self, logstore: Logstore, shard: Any, position: int, slot: Any, region: Optional[str], request: Any
    ) -> None:
        begin, end = shard.cursor(position), shard.cursor(position + 1)
        from ...events import sls_event

        # the range FC would deliver for this write (loops re-deliver it with --fc-loop-depth)
        event = sls_event(
            project=logstore.project,
            logstore=logstore.name,
            shard_id=shard.shard_id,
            begin_cursor=begin,
            end_cursor=end,
            endpoint=self.endpoint(logstore.region),
            region=logstore.region,
            cursor_time=int(slot.received),
            rng=self.cloud.rng.child(f"sls:put:{logstore.project}:{logstore.name}:{position}"),
        )
        self.cloud.journal.record(
            Write(
                service="sls",
                api="PutLogs",
                resource={"project": logstore.project, "logstore": logstore.name},
                region=region or logstore.region,
                event=event,
                attributes={
                    "shard": shard.shard_id,
                    "logs": len(slot.logs),
                    "topic": slot.topic,
                    "begin_cursor": begin,
                    "end_cursor": end,
                },
                sdk=SDK_NAME,
            )
        )
