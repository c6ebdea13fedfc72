"""The simulated Log Service (SLS): projects, logstores, shards, log groups, cursors.

Model (what the handlers observe through ``aliyun-log-python-sdk``):

* A shard is an append-only sequence of *slots*. A slot is one LogGroup (one
  ``append`` call or one ``PutLogs`` request) or, after a simulated storage-system
  upgrade, an empty slot: the cursor moves although no data was written (Function
  Compute docs, "SLS触发器概述": "当存储系统升级时，即使没有新数据写入，也可能发生Cursor变化").
* A cursor is the position of a slot: ``base64(decimal string)``, exactly the shape of
  the doc samples (``MTUyOTQ4MDIwOTY1NTk3ODQ2Mw==`` decodes to
  ``1529480209655978463``; the range of one LogGroup is two consecutive numbers).
  Each shard's numbers start at its own base (its creation time in nanoseconds plus a
  per-shard offset), so a cursor of one shard is out of range in every other shard.
* Every slot records the simulated time the service received it; ``GetCursor`` with
  a unix time and the ETL job's ``cursorTime`` use it.

Errors are ``SlsApiError`` (HTTP status, SLS error code, message); the HTTP layer
turns them into the JSON body that the SDK raises as ``LogException``. Codes and
messages follow the SLS API reference error tables (PullLogs, GetCursor,
ListShards, PutLogs); see ``docs/cloud/sls.md``.
"""

from __future__ import annotations

import bisect
import datetime as _dt
import hashlib
from typing import Any, Dict, Iterable, List, Mapping, NamedTuple, Optional, Sequence, Tuple

from ...errors import FCTriggerError
from ...events.sls import decode_sls_cursor, encode_sls_cursor

# A shard's cursor numbers are spaced this far apart from the next shard's (ns-like
# units), so no realistic number of log groups makes two shards' ranges overlap.
_SHARD_SPACING = 10**11
_HASH_SPACE = 1 << 128

# The PullLogs "count" bounds (number of LogGroups per call).
MAX_PULL_COUNT = 1000


# --------------------------------------------------------------------------- cursors
# One codec for events and the store (events/sls.py): base64 of a decimal position.
encode_cursor = encode_sls_cursor


def decode_cursor(cursor: str) -> int:
    """The position of a cursor; ``ValueError`` (``ConfigError``) when it is not one.

    Missing ``=`` padding is accepted: the API reference shows cursors both ways.
    """
    if not isinstance(cursor, str) or not cursor:
        raise ValueError(f"cursor must be a non-empty string, got {cursor!r}")
    return decode_sls_cursor(cursor + "=" * (-len(cursor) % 4))


# --------------------------------------------------------------------------- errors
class SlsApiError(Exception):
    """An error answer of the SLS API: ``status``, ``code`` (errorCode), ``message``."""

    def __init__(self, status: int, code: str, message: str):
        self.status = status
        self.code = code
        self.message = message
        super().__init__(f"{status} {code}: {message}")


def _hint(text: str) -> str:
    return f" (pytest-fctrigger: {text})"


def project_not_exist(project: str, hint: str = "") -> SlsApiError:
    return SlsApiError(404, "ProjectNotExist", f"The Project does not exist : {project}" + hint)


def logstore_not_exist(logstore: str, hint: str = "") -> SlsApiError:
    return SlsApiError(404, "LogStoreNotExist", f"logstore {logstore} does not exist" + hint)


def shard_not_exist(shard: Any, hint: str = "") -> SlsApiError:
    return SlsApiError(400, "ShardNotExist", f"Shard {shard} does not exist" + hint)


def invalid_cursor(hint: str = "") -> SlsApiError:
    return SlsApiError(400, "InvalidCursor", "this cursor is invalid" + hint)


def malformed_cursor(cursor: str) -> SlsApiError:
    return SlsApiError(400, "ParameterInvalid", f"Invalid cursor {cursor}.")


# --------------------------------------------------------------------------- values
def _as_epoch(value: Any, what: str) -> float:
    if isinstance(value, _dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=_dt.timezone.utc)
        return value.timestamp()
    if isinstance(value, str) and value.strip().isdigit():
        return float(value.strip())
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise FCTriggerError(f"{what} must be a unix time (int/float seconds) or a datetime, got {value!r}")
    return float(value)


def _as_content(value: Any, where: str) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bytes):
        try:
            return value.decode("utf-8")
        except UnicodeDecodeError:
            raise FCTriggerError(f"{where}: SLS values are UTF-8 text, got undecodable bytes {value[:20]!r}") from None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    raise FCTriggerError(
        f"{where}: SLS log values are strings (numbers are converted), got {type(value).__name__} {value!r}"
    )


# --------------------------------------------------------------------------- slots
class Log(NamedTuple):
    """One log of a LogGroup."""

    time: int
    time_ns: Optional[int]
    contents: Tuple[Tuple[str, str], ...]  # (key, value) pairs, in order


class LogGroupSlot:
    """One stored LogGroup. ``raw`` is the group serialized by the SDK's own class."""

    __slots__ = ("logs", "topic", "source", "tags", "received", "_raw")

    def __init__(
        self,
        logs: Sequence[Log],
        topic: str,
        source: str,
        tags: Tuple[Tuple[str, str], ...],
        received: float,
        raw: Optional[bytes] = None,
    ):
        self.logs = logs
        self.topic = topic
        self.source = source
        self.tags = tags
        self.received = received
        self._raw = raw

    @property
    def raw(self) -> bytes:
        """``aliyun.log.proto.LogGroup`` bytes, built on first pull and kept."""
        if self._raw is None:
            from aliyun.log.proto import LogGroup

            group = LogGroup()
            if self.topic:
                group.Topic = self.topic
            if self.source:
                group.Source = self.source
            for log in self.logs:
                pb = group.Logs.add()
                pb.Time = log.time
                if log.time_ns is not None:
                    pb.Time_ns = log.time_ns
                for key, value in log.contents:
                    content = pb.Contents.add()
                    content.Key = key
                    content.Value = value
            for key, value in self.tags:
                tag = group.LogTags.add()
                tag.Key = key
                tag.Value = value
            self._raw = group.SerializeToString()
        return self._raw

    @classmethod
    def from_protobuf(cls, group: Any, raw: bytes, received: float) -> LogGroupSlot:
        """A slot from an ``aliyun.log.proto.LogGroup`` a handler sent (PutLogs)."""
        logs = [
            Log(pb.Time, pb.Time_ns if pb.HasField("Time_ns") else None, tuple((c.Key, c.Value) for c in pb.Contents))
            for pb in group.Logs
        ]
        tags = tuple((t.Key, t.Value) for t in group.LogTags)
        return cls(logs, group.Topic, group.Source, tags, received, raw)

    def to_dicts(self) -> List[Dict[str, Any]]:
        """The logs as SLS shows them in queries: contents plus the reserved fields."""
        out = []
        for log in self.logs:
            item: Dict[str, Any] = {"__time__": log.time}
            if log.time_ns is not None:
                item["__time_ns_part__"] = log.time_ns
            item["__topic__"] = self.topic
            item["__source__"] = self.source
            for key, value in self.tags:
                item[key if key.startswith("__tag__:") else f"__tag__:{key}"] = value
            item.update(log.contents)
            out.append(item)
        return out


# --------------------------------------------------------------------------- shards
class Shard:
    """One readwrite shard: its hash-key range and its slots."""

    def __init__(self, shard_id: int, base: int, create_time: int, begin_key: int, end_key: int):
        self.shard_id = shard_id
        self.base = base
        self.create_time = create_time
        self.begin_key = begin_key  # inclusive, 128-bit hash space
        self.end_key = end_key  # exclusive
        self._slots: List[Optional[LogGroupSlot]] = []
        self._received: List[float] = []

    # --- positions and cursors --------------------------------------------------
    @property
    def begin(self) -> int:
        return self.base

    @property
    def end(self) -> int:
        """Position of the next slot to be written (no data there yet)."""
        return self.base + len(self._slots)

    def cursor(self, position: int) -> str:
        return encode_cursor(position)

    def position(self, cursor: str, *, param: str = "cursor") -> int:
        """The position of ``cursor`` in this shard or the error SLS answers."""
        try:
            position = decode_cursor(cursor)
        except ValueError:
            raise malformed_cursor(cursor) from None
        if not self.begin <= position <= self.end:
            raise invalid_cursor(
                _hint(
                    f"{param} {cursor} is not a position of shard {self.shard_id}; its cursors run from "
                    f"{self.cursor(self.begin)} to {self.cursor(self.end)} (a cursor of another shard?)"
                )
            )
        return position

    def position_at(self, unix_time: float) -> int:
        """GetCursor by time: the first slot received at or after ``unix_time``."""
        return self.base + bisect.bisect_left(self._received, unix_time)

    def position_after(self, unix_time: float) -> int:
        """The first slot received strictly after ``unix_time``."""
        return self.base + bisect.bisect_right(self._received, unix_time)

    def received_at(self, position: int) -> Optional[float]:
        index = position - self.base
        if 0 <= index < len(self._received):
            return self._received[index]
        return None

    # --- writes -------------------------------------------------------------------
    def add(self, slot: Optional[LogGroupSlot], received: float) -> int:
        """Append a slot (``None`` = empty slot) and return its position."""
        if self._received and received < self._received[-1]:
            received = self._received[-1]  # the service clock never runs backwards
        self._slots.append(slot)
        self._received.append(received)
        return self.base + len(self._slots) - 1

    # --- reads --------------------------------------------------------------------
    def read(self, start: int, stop: int, max_groups: int) -> Tuple[List[LogGroupSlot], int]:
        """Up to ``max_groups`` groups in ``[start, stop)`` and the position after them.

        Empty slots are skipped without counting, so a range holding only empty slots
        answers no data and moves the cursor to its end.
        """
        groups: List[LogGroupSlot] = []
        index = start - self.base
        last = min(stop, self.end) - self.base
        while index < last and len(groups) < max_groups:
            slot = self._slots[index]
            if slot is not None:
                groups.append(slot)
            index += 1
        return groups, self.base + index

    def slots(self, start: Optional[int] = None, stop: Optional[int] = None) -> List[Optional[LogGroupSlot]]:
        lo = (start if start is not None else self.begin) - self.base
        hi = (stop if stop is not None else self.end) - self.base
        return self._slots[max(lo, 0) : max(hi, 0)]

    def describe(self) -> Dict[str, Any]:
        """The ListShards entry."""
        return {
            "shardID": self.shard_id,
            "status": "readwrite",
            "inclusiveBeginKey": f"{self.begin_key:032x}",
            "exclusiveEndKey": f"{self.end_key:032x}" if self.end_key < _HASH_SPACE else "f" * 32,
            "createTime": self.create_time,
        }


# --------------------------------------------------------------------------- logstores
class Logstore:
    """A simulated logstore: ``append`` log groups, read them back, get cursors."""

    def __init__(self, service: SlsStore, project: Project, name: str, shard_count: int):
        self._service = service
        self.project = project.name
        self.region = project.region
        self.name = name
        created = service.now
        rng = service.rng.child(f"sls:{project.name}:{name}")
        self.create_time = int(created)
        width = _HASH_SPACE // shard_count
        self.shards: List[Shard] = []
        for shard_id in range(shard_count):
            base = int(created * 1e9) + shard_id * _SHARD_SPACING + rng.randint(0, 10**9 - 1)
            begin_key = shard_id * width
            end_key = _HASH_SPACE if shard_id == shard_count - 1 else (shard_id + 1) * width
            self.shards.append(Shard(shard_id, base, self.create_time, begin_key, end_key))
        self._fake_rng = rng

    def __repr__(self) -> str:
        return f"<Logstore {self.project}/{self.name} region={self.region} shards={len(self.shards)}>"

    # --- lookup -------------------------------------------------------------------
    def shard(self, shard_id: Any) -> Shard:
        """The shard or a plugin error naming the valid ids (test-side API)."""
        if isinstance(shard_id, bool) or not isinstance(shard_id, int) or not 0 <= shard_id < len(self.shards):
            raise FCTriggerError(
                f"logstore {self.project}/{self.name} has shards 0..{len(self.shards) - 1}; got shard {shard_id!r}"
            )
        return self.shards[shard_id]

    def api_shard(self, shard_text: str) -> Shard:
        """The shard named in a request path, or the error SLS answers."""
        try:
            shard_id = int(shard_text)
        except ValueError:
            raise SlsApiError(400, "ParameterInvalid", "invalid shard id.") from None
        if not 0 <= shard_id < len(self.shards):
            raise shard_not_exist(
                shard_id, _hint(f"logstore {self.project}/{self.name} has shards 0..{len(self.shards) - 1}")
            )
        return self.shards[shard_id]

    def shard_for_hash(self, hash_key: str) -> Shard:
        """The shard whose [inclusiveBeginKey, exclusiveEndKey) holds a 128-bit hex key."""
        try:
            value = int(hash_key, 16)
        except (TypeError, ValueError):
            raise SlsApiError(400, "ParameterInvalid", f"invalid hash key {hash_key}") from None
        value = min(value, _HASH_SPACE - 1)
        for shard in self.shards:
            if shard.begin_key <= value < shard.end_key:
                return shard
        return self.shards[-1]

    # --- writes -------------------------------------------------------------------
    def append(
        self,
        shard: int,
        logs: Iterable[Mapping[str, Any]],
        *,
        topic: str = "",
        source: Optional[str] = None,
        tags: Optional[Mapping[str, str]] = None,
    ) -> Tuple[str, str]:
        """Append one LogGroup to ``shard`` and return its cursor range ``(begin, end)``.

        ``logs`` is a list of dicts of strings; ``__time__`` (unix seconds, float or
        datetime) sets the log time, otherwise the service's simulated now is used.
        Numbers are converted to strings, anything else is refused.
        """
        target = self.shard(shard)
        where = f"logstore {self.project}/{self.name} append"
        now = self._service.now
        parsed: List[Log] = []
        for index, log in enumerate(logs):
            if not isinstance(log, Mapping):
                raise FCTriggerError(f"{where}: log #{index} must be a dict of strings, got {type(log).__name__}")
            when = log.get("__time__", now)
            seconds = _as_epoch(when, f"{where}: log #{index} __time__")
            whole = int(seconds)
            nanos = int(round((seconds - whole) * 1e9)) if seconds != whole else None
            contents = tuple(
                (str(key), _as_content(value, f"{where}: log #{index} field {key!r}"))
                for key, value in log.items()
                if key != "__time__"
            )
            parsed.append(Log(whole, nanos, contents))
        if not parsed:
            raise FCTriggerError(f"{where}: a LogGroup needs at least one log")
        group_tags = tuple((str(k), _as_content(v, f"{where}: tag {k!r}")) for k, v in (tags or {}).items())
        slot = LogGroupSlot(
            parsed, str(topic or ""), source if source is not None else self._default_source(), group_tags, now
        )
        position = target.add(slot, now)
        return target.cursor(position), target.cursor(position + 1)

    def _default_source(self) -> str:
        return self._fake_rng.private_ipv4()

    def append_fake(
        self, shard: int, count: int = 100, *, kind: str = "access", group_size: int = 100, topic: Optional[str] = None
    ) -> List[Dict[str, str]]:
        """Append ``count`` Faker-generated logs (``kind`` 'access' or 'app') in groups of ``group_size``."""
        logs = self.fake_logs(count, kind=kind)
        for start in range(0, len(logs), max(1, group_size)):
            self.append(shard, logs[start : start + group_size], topic=topic if topic is not None else kind)
        return logs

    def fake_logs(self, count: int, *, kind: str = "access") -> List[Dict[str, str]]:
        """``count`` realistic logs: nginx-style access logs or application logs (seeded)."""
        from .fake import fake_logs

        return fake_logs(self._fake_rng, count, kind=kind, now=self._service.now)

    def storage_upgrade(self, shards: Optional[Iterable[int]] = None) -> None:
        """Move every (or the given) shard's cursor without writing data: the docs'
        "empty trigger when the storage system upgrades"."""
        targets = [self.shard(s) for s in shards] if shards is not None else self.shards
        for target in targets:
            target.add(None, self._service.now)

    # --- reads --------------------------------------------------------------------
    def get_cursor(self, shard: int, start: Any = "begin") -> str:
        """``'begin'``, ``'end'`` or a unix time / datetime, like ``LogClient.get_cursor``."""
        return self.shard(shard).cursor(self.position_for(self.shard(shard), start))

    def position_for(self, shard: Shard, start: Any) -> int:
        if start == "begin":
            return shard.begin
        if start == "end":
            return shard.end
        return shard.position_at(_as_epoch(start, "get_cursor start time"))

    def logs(self, shard: Optional[int] = None) -> List[Dict[str, Any]]:
        """Every stored log (of one shard, or all shards in shard order) as dicts."""
        shards = [self.shard(shard)] if shard is not None else self.shards
        return [item for s in shards for slot in s.slots() if slot is not None for item in slot.to_dicts()]

    def group_count(self, shard: Optional[int] = None) -> int:
        shards = [self.shard(shard)] if shard is not None else self.shards
        return sum(1 for s in shards for slot in s.slots() if slot is not None)


class Project:
    def __init__(self, name: str, region: str):
        self.name = name
        self.region = region
        self.logstores: Dict[str, Logstore] = {}


# --------------------------------------------------------------------------- service
class SlsStore:
    """Every simulated project of one test, and the service's simulated clock."""

    def __init__(self, rng: Any):
        self.rng = rng
        self.projects: Dict[str, Project] = {}
        self._now = rng.base_time.timestamp()

    # --- clock --------------------------------------------------------------------
    @property
    def now(self) -> float:
        """The service's simulated unix time (receive time of the next write)."""
        return self._now

    def advance(self, seconds: float) -> float:
        if seconds < 0:
            raise FCTriggerError(f"the SLS clock cannot go backwards (advance by {seconds})")
        self._now += seconds
        return self._now

    def advance_to(self, unix_time: float) -> float:
        self._now = max(self._now, unix_time)
        return self._now

    # --- resources ----------------------------------------------------------------
    def logstore(
        self, project: str, logstore: str, *, shards: Optional[int] = None, region: Optional[str] = None
    ) -> Logstore:
        """Get or create ``project/logstore`` (created with ``shards`` shards, default 2)."""
        for what, name in (("project", project), ("logstore", logstore)):
            if not isinstance(name, str) or not name:
                raise FCTriggerError(f"SLS {what} name must be a non-empty string, got {name!r}")
        proj = self.projects.get(project)
        if proj is None:
            proj = self.projects[project] = Project(project, region or self.rng.region)
        elif region is not None and region != proj.region:
            raise FCTriggerError(
                f"SLS project {project!r} already exists in region {proj.region}; "
                f"project names are unique, it cannot also be created in {region}"
            )
        store = proj.logstores.get(logstore)
        if store is None:
            count = 2 if shards is None else shards
            if isinstance(count, bool) or not isinstance(count, int) or count < 1:
                raise FCTriggerError(f"logstore {project}/{logstore}: shards must be a positive int, got {shards!r}")
            store = proj.logstores[logstore] = Logstore(self, proj, logstore, count)
        elif shards is not None and shards != len(store.shards):
            raise FCTriggerError(
                f"logstore {project}/{logstore} already exists with {len(store.shards)} shards, not {shards}"
            )
        return store

    def api_project(self, project: str, region: Optional[str]) -> Project:
        """The project a request names, or ProjectNotExist (also for the wrong region)."""
        proj = self.projects.get(project)
        if proj is None:
            known = ", ".join(sorted(self.projects)) or "none"
            raise project_not_exist(
                project, _hint(f"simulated projects: {known}; create it with fc_cloud.sls.logstore({project!r}, ...)")
            )
        if region is not None and region != proj.region:
            raise project_not_exist(
                project,
                _hint(
                    f"project {project!r} is simulated in region {proj.region}, the request went to an "
                    f"endpoint of {region}"
                ),
            )
        return proj

    def api_logstore(self, project: str, logstore: str, region: Optional[str]) -> Logstore:
        proj = self.api_project(project, region)
        store = proj.logstores.get(logstore)
        if store is None:
            known = ", ".join(sorted(proj.logstores)) or "none"
            raise logstore_not_exist(logstore, _hint(f"logstores of project {project!r}: {known}"))
        return store


def stable_hex(*parts: Any, length: int = 40) -> str:
    """A deterministic hex id (e.g. the ETL jobName) from its ingredients."""
    digest = hashlib.sha256("\x1f".join(str(p) for p in parts).encode("utf-8")).hexdigest()
    return digest[:length]
