"""The SLS cursor store: ETL-job checkpoints and job state in Redis.

One code path for both backends: an in-process ``fakeredis`` server (the default,
fresh per test) or a real Redis named by ``--fc-redis-url`` / ini ``fc_redis_url`` /
``FC_TEST_REDIS_URL``. Because the state lives in Redis, an ETL job re-created from
the same server continues from its checkpoints, as the real job does after a restart.

Keys (``{ns}`` is the namespace the ``fc_cloud`` fixture passes: run, xdist worker,
seed and test node id, so tests and parallel runs sharing one server never meet)::

    {ns}:keys                  SET   every key below (``clear()`` deletes exactly these)
    {ns}:job:{job}:checkpoints HASH  shard id -> cursor of the next range to deliver
    {ns}:job:{job}:state       HASH  simulated time ("now"), tick count, ...
    {ns}:job:{job}:failed      LIST  JSON records of ranges given up after maxRetryTime
    {ns}:epoch                 STRING a marker written with the first write of this process

The epoch marker is how a lost server is noticed: a Redis restarted without persistence
(``--save '' --appendonly no``, as CI starts it) or flushed comes back empty, and a job
re-created on it would start from its initial position and deliver every log again,
silently. This process remembers the marker it wrote for each (server, namespace); when
a read finds it gone, or a write had to create it again, the store raises
``CheckpointsLostError`` instead.

No ``SCAN``/``KEYS`` with patterns: node ids contain glob characters (``[`` ``]``).
Every key gets a TTL (one day by default) so a shared server does not fill up with
the state of interrupted runs.
"""

from __future__ import annotations

import json
import threading
import uuid
from typing import Any, Dict, Iterable, List, Optional, Tuple

from ..errors import ConfigError, FCTriggerError

DEFAULT_TTL_S = 24 * 3600

__all__ = ["CursorStore", "CheckpointsLostError", "make_redis", "reconnect", "DEFAULT_TTL_S"]


class CheckpointsLostError(FCTriggerError):
    """The Redis server lost the checkpoints this run wrote (restart without persistence, flush)."""


# (server, namespace) -> the epoch marker this process wrote there
_EPOCHS: Dict[Tuple[str, str], str] = {}
_EPOCHS_LOCK = threading.Lock()


def make_redis(url: Optional[str] = None) -> Any:
    """A Redis client: a fresh in-process fakeredis server when ``url`` is None (or
    ``fakeredis://``), else ``redis.Redis.from_url(url)``. Responses are decoded ``str``."""
    if url is None or str(url).startswith("fakeredis://"):
        import fakeredis

        return fakeredis.FakeRedis(server=fakeredis.FakeServer(), decode_responses=True)
    import redis

    try:
        return redis.Redis.from_url(str(url), decode_responses=True)
    except ValueError as exc:
        raise ConfigError(
            f"invalid Redis URL {url!r} for the SLS cursor store (--fc-redis-url / ini fc_redis_url / "
            f"FC_TEST_REDIS_URL): {exc}"
        ) from None


def reconnect(client: Any) -> Any:
    """A new client (new connections) to the same server as ``client``.

    Lets a test simulate a process restart: drop the job, reconnect, re-create it.
    """
    pool = client.connection_pool
    kwargs = pool.connection_kwargs
    server = kwargs.get("server")
    if server is not None:  # fakeredis: the same in-process server
        import fakeredis

        return fakeredis.FakeRedis(server=server, decode_responses=True)
    import redis

    keep = (
        "host",
        "port",
        "db",
        "username",
        "password",
        "path",
        "socket_timeout",
        "socket_connect_timeout",
        "ssl_ca_certs",
        "ssl_cert_reqs",
        "decode_responses",
    )
    fresh = redis.ConnectionPool(connection_class=pool.connection_class, **{k: kwargs[k] for k in keep if k in kwargs})
    return redis.Redis.from_pool(fresh)  # owns the pool: close() disconnects


def _text(value: Any) -> Any:
    return value.decode("utf-8") if isinstance(value, bytes) else value


def _server_id(client: Any) -> str:
    kwargs = getattr(getattr(client, "connection_pool", None), "connection_kwargs", {}) or {}
    server = kwargs.get("server")
    if server is not None:  # fakeredis: one in-process server object
        return f"fakeredis:{id(server)}"
    return describe_client(client)


def describe_client(client: Any) -> str:
    kwargs = getattr(getattr(client, "connection_pool", None), "connection_kwargs", {}) or {}
    if kwargs.get("server") is not None:
        return "the in-process fakeredis server"
    if kwargs.get("path"):
        return f"redis at unix:{kwargs['path']}"
    return f"redis at {kwargs.get('host', '?')}:{kwargs.get('port', '?')}/{kwargs.get('db', 0)}"


class CursorStore:
    """Checkpoints and job state of ETL jobs, under one namespace of one Redis."""

    def __init__(self, client: Any, namespace: str, *, ttl: Optional[int] = DEFAULT_TTL_S):
        if not namespace or not isinstance(namespace, str):
            raise FCTriggerError(f"cursor store namespace must be a non-empty string, got {namespace!r}")
        self.client = client
        self.namespace = namespace
        self.ttl = ttl

    def __repr__(self) -> str:
        return f"<CursorStore {self.namespace!r} on {describe_client(self.client)}>"

    # --- keys -----------------------------------------------------------------------
    def key(self, job: str, kind: str) -> str:
        return f"{self.namespace}:job:{job}:{kind}"

    @property
    def _index(self) -> str:
        return f"{self.namespace}:keys"

    def _run(self, what: str, fn):
        import redis

        detail: Exception
        try:
            return fn()
        except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError) as exc:
            problem = f"cannot reach {describe_client(self.client)}"
            detail = exc
        except redis.exceptions.RedisError as exc:  # e.g. "DB index is out of range" from the URL's /db
            problem = f"got an error from {describe_client(self.client)}"
            detail = exc
        raise FCTriggerError(
            f"the SLS cursor store {problem} while trying to {what}: "
            f"{detail} (the URL comes from --fc-redis-url / ini fc_redis_url / FC_TEST_REDIS_URL)"
        )

    @property
    def _epoch_key(self) -> str:
        return f"{self.namespace}:epoch"

    @property
    def _epoch_id(self) -> Tuple[str, str]:
        return (_server_id(self.client), self.namespace)

    def _lost(self, how: str) -> CheckpointsLostError:
        return CheckpointsLostError(
            f"the SLS cursor store lost its checkpoints: {describe_client(self.client)} {how} for namespace "
            f"{self.namespace!r}, which this run wrote. The server was restarted without persistence or "
            "flushed; continuing would re-deliver every log from the job's start position. Run Redis with "
            "persistence (appendonly yes or save) or do not restart it during a run; to start over on "
            "purpose, call clear() on the store first."
        )

    def _write(self, what: str, job: str, ops) -> None:
        """Apply ``ops(pipe)`` atomically (MULTI/EXEC), registering and expiring the keys."""
        keys = [self.key(job, k) for k in ("checkpoints", "state", "failed")]
        with _EPOCHS_LOCK:
            known = self._epoch_id in _EPOCHS
            token = _EPOCHS.setdefault(self._epoch_id, uuid.uuid4().hex)

        def go():
            pipe = self.client.pipeline(transaction=True)
            pipe.set(self._epoch_key, token, nx=True)  # first in the transaction: its reply is [0]
            ops(pipe)
            pipe.sadd(self._index, *keys)
            if self.ttl:
                for k in keys + [self._index, self._epoch_key]:
                    pipe.expire(k, self.ttl)
            return pipe.execute()

        replies = self._run(what, go)
        if known and replies and replies[0]:  # the marker this run wrote was gone: created again
            raise self._lost("had no epoch marker when a checkpoint was written")

    def _check_epoch(self, marker: Any) -> None:
        if marker is None and self._epoch_id in _EPOCHS:
            raise self._lost("no longer has the epoch marker")

    def _read(self, what: str, read):
        """``read(pipe)`` queued after the epoch check, in one round trip."""

        def go():
            pipe = self.client.pipeline(transaction=False)
            pipe.get(self._epoch_key)
            read(pipe)
            return pipe.execute()

        marker, value = self._run(what, go)
        self._check_epoch(marker)
        return value

    def ping(self) -> None:
        """Fail early, with the server named, when the configured Redis is unreachable."""
        self._run("connect", self.client.ping)

    # --- checkpoints ----------------------------------------------------------------
    def checkpoint(self, job: str, shard: int) -> Optional[str]:
        return _text(self._read("read a checkpoint", lambda p: p.hget(self.key(job, "checkpoints"), str(shard))))

    def checkpoints(self, job: str) -> Dict[int, str]:
        raw = self._read("read checkpoints", lambda p: p.hgetall(self.key(job, "checkpoints")))
        return {int(_text(k)): _text(v) for k, v in raw.items()}

    def set_checkpoint(self, job: str, shard: int, cursor: str, **state: Any) -> None:
        """Advance one shard's checkpoint (and update job state) in one transaction."""

        def ops(pipe):
            pipe.hset(self.key(job, "checkpoints"), str(shard), cursor)
            if state:
                pipe.hset(self.key(job, "state"), mapping={k: _encode(v) for k, v in state.items()})

        self._write("write a checkpoint", job, ops)

    def init_checkpoints(self, job: str, cursors: Dict[int, str]) -> Dict[int, str]:
        """Set the checkpoints of shards that have none yet; return every checkpoint."""
        key = self.key(job, "checkpoints")

        def ops(pipe):
            for shard, cursor in cursors.items():
                pipe.hsetnx(key, str(shard), cursor)

        if cursors:
            self._write("initialise checkpoints", job, ops)
        return self.checkpoints(job)

    # --- job state ------------------------------------------------------------------
    def state(self, job: str) -> Dict[str, Any]:
        raw = self._run("read job state", lambda: self.client.hgetall(self.key(job, "state")))
        return {_text(k): json.loads(_text(v)) for k, v in raw.items()}

    def update_state(self, job: str, **fields: Any) -> None:
        if fields:
            self._write(
                "write job state",
                job,
                lambda pipe: pipe.hset(self.key(job, "state"), mapping={k: _encode(v) for k, v in fields.items()}),
            )

    # --- failed ranges ----------------------------------------------------------------
    def add_failed(self, job: str, record: Dict[str, Any], *, shard: int, next_cursor: str, **state: Any) -> None:
        """Record a range given up and move the shard's checkpoint past it, atomically."""

        def ops(pipe):
            pipe.rpush(self.key(job, "failed"), json.dumps(record, sort_keys=True))
            pipe.hset(self.key(job, "checkpoints"), str(shard), next_cursor)
            if state:
                pipe.hset(self.key(job, "state"), mapping={k: _encode(v) for k, v in state.items()})

        self._write("record a failed range", job, ops)

    def failed(self, job: str) -> List[Dict[str, Any]]:
        raw = self._run("read failed ranges", lambda: self.client.lrange(self.key(job, "failed"), 0, -1))
        return [json.loads(_text(item)) for item in raw]

    # --- housekeeping -----------------------------------------------------------------
    def jobs(self) -> List[str]:
        """Names of the jobs that have state in this namespace."""
        keys = self._run("list jobs", lambda: self.client.smembers(self._index))
        prefix = f"{self.namespace}:job:"
        names = {_text(k)[len(prefix) :].rsplit(":", 1)[0] for k in keys if _text(k).startswith(prefix)}
        return sorted(names)

    def clear(self) -> int:
        """Delete every key of this namespace (and nothing else); return how many existed."""

        def go():
            keys: Iterable[Any] = self.client.smembers(self._index)
            names = [_text(k) for k in keys] + [self._index]
            count = self.client.delete(*names)
            self.client.delete(self._epoch_key)  # (not counted: the marker is not state)
            return count

        count = int(self._run("clear the namespace", go))
        with _EPOCHS_LOCK:
            _EPOCHS.pop(self._epoch_id, None)  # starting over on purpose: a fresh marker next write
        return count


def _encode(value: Any) -> str:
    return json.dumps(value)
