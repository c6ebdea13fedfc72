"""The SLS HTTP API as ``aliyun-log-python-sdk`` calls it, answered from ``store``.

The SDK sends every call with ``requests`` to ``http(s)://{project}.{endpoint}:{port}``
(``LogClient`` in aliyun-log-python-sdk's ``logclient.py``), so one ``HttpRouter`` route catches every
region and both the public and the ``-intranet`` endpoints. Simulated operations:

=================  =====================================================================
PullLogs           ``GET /logstores/{ls}/shards/{id}?type=log&cursor=&count=&end_cursor=``
GetCursor          ``GET /logstores/{ls}/shards/{id}?type=cursor&from=begin|end|<unix>``
GetCursorTime      ``GET /logstores/{ls}/shards/{id}?type=cursor_time&cursor=``
ListShards         ``GET /logstores/{ls}/shards``
ListLogStores      ``GET /logstores``
PutLogs            ``POST /logstores/{ls}/shards/lb`` or ``/shards/route?key=<hash>``
=================  =====================================================================

Anything else (GetLogs, GetHistograms, SPL pulls, management calls) is answered
``400 NotSimulated`` so the handler sees the SDK's own ``LogException`` at once. No
answer is ever a 5xx: the SDK retries those ten times with a one-second sleep.

Where the API reference and the SDK disagree, the SDK's wire behaviour wins: the
body is a protobuf ``LogGroupList`` built with the SDK's own ``aliyun.log.proto``
classes, lz4-block compressed without a size prefix when the request accepts lz4,
and ``x-log-bodyrawsize`` carries the uncompressed size the SDK decompresses with.
"""

from __future__ import annotations

import json
import re
import zlib
from typing import Any, Dict, Optional, Tuple, Union
from urllib.parse import parse_qs, unquote, urlsplit

from ...errors import NotSimulatedError
from .store import (
    MAX_PULL_COUNT,
    LogGroupSlot,
    Logstore,
    SlsApiError,
    SlsStore,
)

# {project}.{endpoint-label}.log.aliyuncs.com, the port optional (the SDK always adds one).
URL_PATTERN = re.compile(r"^https?://[A-Za-z0-9.-]+\.(?:log|sls)\.aliyuncs\.com(?::\d+)?(?:[/?]|$)")

# endpoint label suffixes that name a network, not a region (cn-hangzhou-intranet ...)
_NETWORK_SUFFIXES = ("-failover-intranet", "-intranet", "-internal", "-vpc", "-share", "-failover")

SIMULATED_OPERATIONS = ("PullLogs", "GetCursor", "GetCursorTime", "ListShards", "ListLogStores", "PutLogs")

Response = Tuple[int, Dict[str, str], bytes]


def region_of(endpoint_label: str) -> str:
    """``cn-hangzhou-intranet`` -> ``cn-hangzhou``."""
    for suffix in _NETWORK_SUFFIXES:
        if endpoint_label.endswith(suffix):
            return endpoint_label[: -len(suffix)]
    return endpoint_label


def _operation_name(method: str, parts: list, params: Dict[str, str]) -> str:
    """A readable SLS operation name for a request the simulation does not serve."""
    kind = params.get("type", "")
    if len(parts) == 2 and parts[0] == "logstores":
        if method == "GET" and kind == "log":
            return "GetLogs"
        if kind == "histogram":
            return "GetHistograms"
        if kind == "topic":
            return "ListTopics"
        return {"GET": "GetLogStore", "PUT": "UpdateLogStore", "DELETE": "DeleteLogStore"}.get(method, method)
    if len(parts) == 3 and parts[0] == "logstores" and parts[2] == "logs":
        return "GetLogsV2" if method == "POST" else "GetLogs"
    if len(parts) >= 4 and parts[2] == "shards" and (params.get("query") or params.get("processor")):
        return "PullLogs with an SPL query or processor"
    return f"{method} /{'/'.join(parts)}"


class SlsHttp:
    """``HttpRouter`` callback serving the simulated SLS to the SDK."""

    def __init__(self, store: SlsStore, on_put: Any):
        self.store = store
        self._on_put = on_put  # callback(logstore, shard, position, slot, region, request)
        self._rng = store.rng.child("sls:http")

    # --- responses ------------------------------------------------------------------
    def _headers(self, content_type: str = "application/json") -> Dict[str, str]:
        return {"x-log-requestid": self._rng.request_id(), "Content-Type": content_type, "Server": "AliyunSLS"}

    def _json(self, payload: Any, status: int = 200) -> Response:
        return status, self._headers(), json.dumps(payload).encode("utf-8")

    def _error(self, err: SlsApiError) -> Response:
        return self._json({"errorCode": err.code, "errorMessage": err.message}, err.status)

    # --- dispatch -------------------------------------------------------------------
    def __call__(self, request: Any) -> Response:
        try:
            return self._dispatch(request)
        except SlsApiError as err:
            return self._error(err)

    def _dispatch(self, request: Any) -> Response:
        url = urlsplit(request.url)
        host = (url.hostname or "").lower()
        labels = host.split(".")
        # {project}.{label}.log.aliyuncs.com has 5 labels; {label}.log.aliyuncs.com has 4
        project = labels[0] if len(labels) >= 5 else None
        region = region_of(labels[-4]) if len(labels) >= 4 else None
        parts = [unquote(p) for p in url.path.split("/") if p]
        params = {k: v[-1] for k, v in parse_qs(url.query, keep_blank_values=True).items()}
        method = request.method.upper()

        if project is None:
            raise self._not_simulated(method, parts, params, "project-less (account-level) calls")
        if not parts or parts[0] != "logstores":
            self.store.api_project(project, region)
            raise self._not_simulated(method, parts, params)
        if len(parts) == 1:
            if method == "GET":
                return self._list_logstores(project, region, params)
            raise self._not_simulated(method, parts, params)
        store = self.store.api_logstore(project, parts[1], region)
        if len(parts) >= 3 and parts[2] == "shards":
            if len(parts) == 3 and method == "GET":
                return self._json([s.describe() for s in store.shards])
            if len(parts) == 4 and method == "POST" and parts[3] in ("lb", "route"):
                return self._put_logs(store, parts[3], params, request, region)
            if len(parts) == 4 and method == "GET":
                kind = params.get("type", "")
                if kind == "log" and not (params.get("query") or params.get("processor")):
                    return self._pull_logs(store, parts[3], params, request)
                if kind == "cursor":
                    return self._get_cursor(store, parts[3], params)
                if kind == "cursor_time":
                    return self._get_cursor_time(store, parts[3], params)
        raise self._not_simulated(method, parts, params)

    def _not_simulated(self, method: str, parts: list, params: Dict[str, str], hint: str = "") -> SlsApiError:
        op = _operation_name(method, parts, params)
        err = NotSimulatedError(
            "SLS", op, (hint + "; " if hint else "") + "simulated: " + ", ".join(SIMULATED_OPERATIONS)
        )
        return SlsApiError(400, "NotSimulated", str(err))

    # --- operations -----------------------------------------------------------------
    def _list_logstores(self, project: str, region: Optional[str], params: Dict[str, str]) -> Response:
        proj = self.store.api_project(project, region)
        names = sorted(proj.logstores)
        prefix = params.get("logstoreName") or ""
        names = [n for n in names if n.startswith(prefix)]
        try:
            offset = int(params.get("offset") or 0)
            size = int(params.get("size") or 500)
        except ValueError:
            raise SlsApiError(400, "ParameterInvalid", "offset and size must be integers") from None
        page = names[offset : offset + size]
        return self._json({"count": len(page), "total": len(names), "logstores": page})

    def _get_cursor(self, store: Logstore, shard_text: str, params: Dict[str, str]) -> Response:
        shard = store.api_shard(shard_text)
        start: Union[str, int] = params.get("from", "")
        if start not in ("begin", "end"):
            try:
                start = int(start)
            except ValueError:
                raise SlsApiError(400, "ParameterInvalid", "Parameter From is not valid") from None
        position = store.position_for(shard, start)
        return self._json({"cursor": shard.cursor(position)})

    def _get_cursor_time(self, store: Logstore, shard_text: str, params: Dict[str, str]) -> Response:
        shard = store.api_shard(shard_text)
        position = shard.position(params.get("cursor", ""))
        received = shard.received_at(position)
        if received is None:  # the end cursor: the last write, or the shard's creation
            received = shard.received_at(position - 1) or float(shard.create_time)
        return self._json({"cursor_time": int(received)})

    def _pull_logs(self, store: Logstore, shard_text: str, params: Dict[str, str], request: Any) -> Response:
        shard = store.api_shard(shard_text)
        try:
            count = int(params.get("count", MAX_PULL_COUNT))
        except ValueError:
            count = -1
        if not 0 < count <= MAX_PULL_COUNT:
            raise SlsApiError(400, "ParameterInvalid", f"ParameterCount should be in [0-{MAX_PULL_COUNT}]")
        cursor = params.get("cursor", "")
        start = shard.position(cursor)
        stop = shard.end
        end_cursor = params.get("end_cursor")
        if end_cursor:
            stop = shard.position(end_cursor, param="end_cursor")
            if stop < start:
                raise SlsApiError(
                    400,
                    "ParameterInvalid",
                    f"Invalid end_cursor {end_cursor}: it is before cursor {cursor}.",
                )
        groups, after = shard.read(start, stop, count)
        body = _log_group_list(groups)
        headers = self._headers("application/x-protobuf")
        headers.update(
            {
                "x-log-cursor": shard.cursor(after),
                "x-log-count": str(len(groups)),
                "x-log-bodyrawsize": str(len(body)),
            }
        )
        encoding, body = _compress(body, request.headers.get("Accept-Encoding", ""))
        if encoding:
            headers["x-log-compresstype"] = encoding
        return 200, headers, body

    def _put_logs(
        self, store: Logstore, mode: str, params: Dict[str, str], request: Any, region: Optional[str]
    ) -> Response:
        from aliyun.log.proto import LogGroup

        body = request.body or b""
        if isinstance(body, str):
            body = body.encode("utf-8")
        compress = (request.headers.get("x-log-compresstype") or "").lower()
        try:
            raw_size = int(request.headers.get("x-log-bodyrawsize") or len(body))
        except ValueError:
            raw_size = len(body)
        try:
            raw = _decompress(body, compress, raw_size)
        except Exception:  # lz4/zlib/zstd errors, unknown compress type
            raise SlsApiError(400, "PostBodyUncompressError", "Failed to decompress logs.") from None
        group = LogGroup()
        try:
            group.ParseFromString(raw)
        except Exception:
            raise SlsApiError(400, "PostBodyInvalid", "Protobuffer content cannot be parsed.") from None
        shard = store.shard_for_hash(params.get("key", "")) if mode == "route" else self._balance(store)
        received = self.store.now
        slot = LogGroupSlot.from_protobuf(group, raw, received)
        position = shard.add(slot, received)
        self._on_put(store, shard, position, slot, region, request)
        return 200, self._headers(), b""

    def _balance(self, store: Logstore):
        # "lb": the service spreads writes over the readwrite shards
        return store.shards[self._rng.randint(0, len(store.shards) - 1)]


def _log_group_list(groups: list) -> bytes:
    """The PullLogs body: an ``aliyun.log.proto.LogGroupList`` of the groups."""
    if not groups:
        return b""
    from aliyun.log.proto import LogGroupList

    message = LogGroupList()
    for slot in groups:
        message.LogGroups.add().MergeFromString(slot.raw)
    return message.SerializeToString()


def _compress(body: bytes, accept_encoding: str) -> Tuple[str, bytes]:
    """Compress as the request accepts: lz4 (SDK default), deflate/gzip, or raw."""
    wanted = (accept_encoding or "").split(",")[0].strip().lower()
    if wanted == "zstd":
        try:
            import zstd  # the SDK's optional zstd binding

            return "zstd", zstd.compress(body, 1)
        except ImportError:
            wanted = "lz4"  # the server falls back to the format every SDK decodes
    if wanted == "lz4":
        import lz4.block

        return "lz4", lz4.block.compress(body, store_size=False)
    if wanted in ("deflate", "gzip"):
        return wanted, zlib.compress(body)
    return "", body


def _decompress(body: bytes, compress: str, raw_size: int) -> bytes:
    if not compress:
        return body
    if compress == "lz4":
        import lz4.block

        return lz4.block.decompress(body, uncompressed_size=raw_size)
    if compress in ("deflate", "gzip"):
        return zlib.decompress(body)
    if compress == "zstd":
        import zstd

        return zstd.decompress(body)
    raise ValueError(f"unknown x-log-compresstype {compress!r}")
