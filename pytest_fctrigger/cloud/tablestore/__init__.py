"""Simulated Tablestore (OTS) tables behind the ``tablestore`` SDK.

Interception point: ``tablestore.connection.ConnectionPool.send_receive`` (and
``AsyncConnectionPool.send_receive`` for ``AsyncOTSClient``), the SDK's single I/O
method. The SDK's encoder, request signer, response validator and decoder all run:
the fake checks the request signature and signs its replies (``authorization``,
``x-ots-contentmd5``, ``x-ots-date``, ...) with the secret of the request's fake
access key (``pytest_fctrigger._credentials.secret_for``), for V2 and V4 clients.

Like the service, a table must exist (``OTSObjectNotExist``): create it with
``fc_cloud.tablestore.table(instance, name)`` or the SDK's ``create_table``.

Every applied row write is journaled as a ``Write`` whose ``event`` is the CBOR
Tablestore-trigger payload FC would deliver: PutRow -> ``Put`` columns; UpdateRow ->
``Put`` / ``DeleteOneVersion`` / ``DeleteAllVersions`` (an increment appears as a
``Put`` of the resulting value); DeleteRow -> no columns; BatchWriteRow -> one write
(one record) per row. See ``docs/cloud/tablestore.md``.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as _dt
import functools
import hashlib
import hmac
from typing import Any, Dict, List, Optional, Sequence, Tuple

from ...errors import ConfigError, FCTriggerError

# the endpoint check runs at the SDK's seam (``_tablestore_seam``, imported with the SDK):
# ENDPOINT_FORMS and endpoint_problem were defined here and are still importable from here
from .._tablestore_seam import ENDPOINT_FORMS, endpoint_problem, match_endpoint
from ..journal import DeferredEvent, Write
from .store import (
    ColumnOp,
    OTSError,
    PrimaryKeyColumn,
    StoredRow,
    Table,
    TablestoreStore,
    WriteResult,
    schema_problem,
)

__all__ = ["TablestoreService", "TableHandle", "TableRow", "UnknownAccessKeyError"]

_SIGNATURE_HEADERS = ("x-ots-signature", "x-ots-signaturev4")


class UnknownAccessKeyError(FCTriggerError, PermissionError):
    """A Tablestore request was signed with a key that is not one of the plugin's fake keys."""

    def __init__(self, access_key_id: Optional[str]):
        self.access_key_id = access_key_id
        super().__init__(
            f"Tablestore request signed with access key id {access_key_id!r}, which is not a "
            "pytest-fctrigger fake credential. The simulated Tablestore signs its replies with the "
            "caller's secret (the SDK verifies them), so build OTSClient from the invocation's fake "
            "credentials: context.credentials.access_key_id / access_key_secret / security_token "
            "(or the ALIBABA_CLOUD_* variables fc_invoke sets), or "
            "pytest_fctrigger._credentials.fake_credentials(rng) in a plain test."
        )


@dataclasses.dataclass
class TableRow:
    """A row as the test sees it: ``columns`` holds each column's newest value,
    ``versions`` every kept ``(timestamp_ms, value)``, newest first."""

    primary_key: List[Tuple[str, Any]]
    columns: Dict[str, Any]
    versions: Dict[str, List[Tuple[int, Any]]]

    @classmethod
    def of(cls, row: StoredRow) -> TableRow:
        return cls(list(row.primary_key), row.latest(), {n: list(v) for n, v in sorted(row.columns.items())})


class TablestoreService:
    """``fc_cloud.tablestore``: the simulated Tablestore instances of one test."""

    def __init__(self, cloud: Any) -> None:
        from ...core._random import epoch_ms

        self.cloud = cloud
        self._rng = cloud.rng.child("tablestore")
        self.store = TablestoreStore(epoch_ms(cloud.rng.base_time))

    # --- public API ----------------------------------------------------------------------
    def table(
        self,
        instance: str,
        name: str,
        *,
        primary_key: Optional[Sequence[Any]] = None,
        max_versions: Optional[int] = None,
    ) -> TableHandle:
        """The table ``instance/name``, created if needed. ``primary_key`` is the schema as
        for ``TableMeta``: ``[("gid", "INTEGER"), ("uid", "STRING")]`` (a third item
        ``"AUTO_INCREMENT"`` marks an auto-increment column); without it the schema is
        taken from the first row written. ``max_versions`` (default 1) is the number of
        versions a cell keeps; given for an existing table, it updates it."""
        for what, value in (("instance", instance), ("name", name)):
            if not isinstance(value, str) or not value:
                raise ConfigError(f"fc_cloud.tablestore.table({instance!r}, {name!r}): {what} must be a non-empty str")
        schema = None if primary_key is None else _schema(primary_key, f"{instance}/{name}")
        if max_versions is not None and (
            isinstance(max_versions, bool) or not isinstance(max_versions, int) or max_versions < 1
        ):
            raise ConfigError(f"max_versions of table {instance}/{name} must be an integer >= 1, got {max_versions!r}")
        with self.store.lock:
            existing = self.store.tables.get((instance, name))
            if existing is None:
                self.store.create_table(Table(instance, name, schema, max_versions=max_versions or 1))
                return TableHandle(self, instance, name)
            if schema is not None and existing.primary_key not in (None, schema):
                raise ConfigError(
                    f"table {instance}/{name} already exists with primary key "
                    f"{_schema_text(existing.primary_key)}, not {_schema_text(schema)}"
                )
            if schema is not None:
                existing.primary_key = schema
            if max_versions is not None:
                existing.max_versions = max_versions
        return TableHandle(self, instance, name)

    @property
    def tables(self) -> Dict[Tuple[str, str], TableHandle]:
        return {key: TableHandle(self, *key) for key in sorted(self.store.tables)}

    # --- SDK interception ---------------------------------------------------------------
    def install(self, router: Any, stack: Any) -> None:
        """Patch the connection pools of every copy of the SDK while the cloud is active."""
        self.cloud._seams.add("tablestore.connection", self._patch_copy)

    def _patch_copy(self, connection: Any) -> Any:
        """Patch one copy of ``tablestore.connection`` (installed or vendored) to serve it; returns the undo."""
        from .._tablestore_seam import patch_copy

        return patch_copy(connection, lambda: self)

    def handle(
        self, endpoint: str, url: str, headers: Dict[str, str], body: bytes
    ) -> Tuple[int, str, Dict[str, str], bytes]:
        """Serve one request: ``(status, reason, headers, body)`` as ``send_receive`` returns."""
        from .handlers import TablestoreApi

        lower = {str(k).lower(): str(v) for k, v in (headers or {}).items()}
        access_key_id = lower.get("x-ots-accesskeyid")
        secret = _secret(access_key_id)
        instance = lower.get("x-ots-instancename", "")
        api = url.split("?", 1)[0].lstrip("/")
        match = match_endpoint(endpoint)
        region = match.group("region") if match else self.cloud.rng.region
        body = bytes(body or b"")
        request_id = self._request_id()
        signer = _Signer(lower, secret, api)
        if not signer.request_is_valid():
            # OTSAuthFailed replies are not signed: the SDK does not verify them
            return self._reply(403, _error_body("OTSAuthFailed", "Signature mismatch."), request_id, None)
        try:
            response = TablestoreApi(
                self.store,
                instance,
                lambda api_name, table, result: self._written(api_name, instance, table, result, region),
            ).dispatch(api, body)
            status, payload = 200, response.SerializeToString()
        except OTSError as exc:
            status, payload = exc.status, _error_body(exc.code, exc.message)
        return self._reply(status, payload, request_id, signer)

    def _request_id(self) -> str:
        # the service's request ids look like 0005b3a4-63e1-5dc8-5c2b-cd0b1e8f2a1d
        raw = self._rng.hex(32)
        return f"{raw[:8]}-{raw[8:12]}-{raw[12:16]}-{raw[16:20]}-{raw[20:]}"

    @staticmethod
    def _reply(
        status: int, payload: bytes, request_id: str, signer: Optional[_Signer]
    ) -> Tuple[int, str, Dict[str, str], bytes]:
        headers = {
            "x-ots-contentmd5": base64.b64encode(hashlib.md5(payload).digest()).decode("ascii"),
            "x-ots-requestid": request_id,
            # now, not the test's seeded time: the SDK rejects replies dated > 15 min away
            "x-ots-date": _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z"),
            "x-ots-contenttype": "protocol buffer",
            "content-type": "application/x-protobuf",
            "content-length": str(len(payload)),
        }
        if signer is not None:
            headers["authorization"] = signer.response_authorization(headers)
        reason = {200: "OK", 400: "Bad Request", 403: "Forbidden", 404: "Not Found", 409: "Conflict"}.get(status, "")
        return status, reason, headers, payload

    # --- writes -----------------------------------------------------------------------------
    def _written(
        self, api: str, instance: str, table: str, result: WriteResult, region: str, sdk: str = "tablestore"
    ) -> Write:
        from ...events import tablestore_event, tablestore_record

        primary_key = [(n, _blob(v)) for n, v in result.primary_key]
        columns = [dict(c, Value=_blob(c["Value"])) if "Value" in c else dict(c) for c in result.columns]
        record = tablestore_record(
            type=result.type,
            primary_key=primary_key,
            columns=columns,
            timestamp=result.timestamp_ms * 1000,
            rng=self._rng,
        )
        return self.cloud.journal.record(
            Write(
                service="tablestore",
                api=api,
                resource={"instance": instance, "table": table, "primary_key": primary_key},
                region=region,
                event_name=result.type,
                # encoded on first read (a record with its timestamp draws nothing random):
                # most rows written fire nothing, and nobody reads their event
                event=DeferredEvent(functools.partial(tablestore_event, records=[record], rng=self._rng)),
                attributes={"record": record},
                sdk=sdk,
            )
        )


_CELL_TYPES = (int, float, bool, str, bytes)  # Integer, Double, Boolean, String, Binary


def _blob(value: Any) -> Any:
    # the SDK hands Blob values around as bytearray, which `cbor` cannot encode
    return bytes(value) if isinstance(value, bytearray) else value


def _secret(access_key_id: Optional[str]) -> str:
    from ..._credentials import secret_for

    secret = secret_for(access_key_id)
    if secret is None:
        raise UnknownAccessKeyError(access_key_id)
    return secret


def _error_body(code: str, message: str) -> bytes:
    import tablestore.protobuf.table_store_pb2 as pb2

    error = pb2.Error()
    error.code = code
    error.message = message
    return error.SerializeToString()


def _hmac(key: bytes, text: str, digest: Any) -> bytes:
    return hmac.new(key, text.encode("utf-8"), digest).digest()


class _Signer:
    """Tablestore request check and reply signature, V2 (HMAC-SHA1 with the secret) and
    V4 (HMAC-SHA256 with a key derived from secret, sign date and region).

    Request string: ``/<Api>\\nPOST\\n\\n`` + sorted ``x-ots-*:value`` lines + ``\\n``
    (V4 appends ``ots``). Reply: HMAC-SHA1 over sorted reply ``x-ots-*`` lines +
    ``\\n/<Api>``, with the same signing key, as ``OTS <ak>:<sig>``.
    """

    def __init__(self, headers: Dict[str, str], secret: str, api: str):
        self.headers = headers
        self.api = api
        self.access_key_id = headers.get("x-ots-accesskeyid", "")
        self.v4 = "x-ots-signaturev4" in headers
        if self.v4:
            key = ("aliyun_v4" + secret).encode("utf-8")
            for part in (
                headers.get("x-ots-signdate", ""),
                headers.get("x-ots-signregion", ""),
                "ots",
                "aliyun_v4_request",
            ):
                key = _hmac(key, part, hashlib.sha256)
            self.key = base64.b64encode(key)
        else:
            self.key = secret.encode("utf-8")

    @staticmethod
    def _canonical(headers: Dict[str, str]) -> str:
        return "\n".join(
            sorted(
                f"{k}:{v.strip()}" for k, v in headers.items() if k.startswith("x-ots-") and k not in _SIGNATURE_HEADERS
            )
        )

    def request_is_valid(self) -> bool:
        text = f"/{self.api}\nPOST\n\n" + self._canonical(self.headers) + "\n"
        if self.v4:
            expected = base64.b64encode(_hmac(self.key, text + "ots", hashlib.sha256)).decode("ascii")
            return hmac.compare_digest(expected, self.headers.get("x-ots-signaturev4", ""))
        expected = base64.b64encode(_hmac(self.key, text, hashlib.sha1)).decode("ascii")
        return hmac.compare_digest(expected, self.headers.get("x-ots-signature", ""))

    def response_authorization(self, reply_headers: Dict[str, str]) -> str:
        text = self._canonical(reply_headers) + f"\n/{self.api}"
        signature = base64.b64encode(_hmac(self.key, text, hashlib.sha1)).decode("ascii")
        return f"OTS {self.access_key_id}:{signature}"


# --- test helpers ---------------------------------------------------------------------------
_PK_TYPE_NAMES = ("INTEGER", "STRING", "BINARY")


def _is_auto_increment(option: Any) -> bool:
    # "AUTO_INCREMENT", or the SDK's own marker class tablestore.PK_AUTO_INCR
    return option == "AUTO_INCREMENT" or getattr(option, "__name__", None) == "PK_AUTO_INCR"


def _schema(primary_key: Sequence[Any], where: str) -> List[PrimaryKeyColumn]:
    schema = []
    for item in primary_key:
        if (
            not isinstance(item, (tuple, list))
            or len(item) not in (2, 3)
            or item[1] not in _PK_TYPE_NAMES
            or (len(item) == 3 and not _is_auto_increment(item[2]))
        ):
            raise ConfigError(
                f"table {where}: primary key column {item!r} must be (name, type) or "
                f"(name, 'INTEGER', 'AUTO_INCREMENT') with type one of {', '.join(_PK_TYPE_NAMES)}"
            )
        schema.append(PrimaryKeyColumn(str(item[0]), item[1], len(item) == 3))
    problem = schema_problem(schema)
    if problem:
        raise ConfigError(f"table {where}: {problem}")
    return schema


def _schema_text(schema: Optional[List[PrimaryKeyColumn]]) -> str:
    return "[" + ", ".join(f"({c.name}, {c.type})" for c in schema or []) + "]"


def _pairs(value: Any, what: str) -> List[Tuple[Any, ...]]:
    if isinstance(value, dict):
        return list(value.items())
    if isinstance(value, (list, tuple)) and all(isinstance(i, (list, tuple)) and len(i) in (2, 3) for i in value):
        return [tuple(i) for i in value]
    raise ConfigError(f"{what} must be a dict or a list of (name, value) pairs, got {value!r}")


class TableHandle:
    """``fc_cloud.tablestore.table(instance, name)``: inspect and seed one table."""

    def __init__(self, service: TablestoreService, instance: str, name: str):
        self._service = service
        self.instance = instance
        self.name = name

    def _table(self) -> Table:
        try:
            return self._service.store.get_table(self.instance, self.name)
        except OTSError:
            raise ConfigError(f"table {self.instance}/{self.name} was deleted") from None

    @property
    def primary_key(self) -> Optional[List[Tuple[str, str]]]:
        """The schema ``[(name, type), ...]`` (None until the first row when not declared)."""
        schema = self._table().primary_key
        return None if schema is None else [(c.name, c.type) for c in schema]

    @property
    def rows(self) -> List[TableRow]:
        """Every row in primary-key order."""
        with self._service.store.lock:
            table = self._table()
            return [TableRow.of(table.rows[key]) for key in sorted(table.rows)]

    def get(self, primary_key: Any) -> Optional[TableRow]:
        from .store import row_key

        pk = [(n, _blob(v)) for n, v in _pairs(primary_key, "primary_key")]
        with self._service.store.lock:
            row = self._table().rows.get(row_key(pk))
            return None if row is None else TableRow.of(row)

    def put(self, primary_key: Any, columns: Any = ()) -> Any:
        """Seed a row as PutRow would (journaled with ``sdk="fc_cloud"``). Returns the
        CBOR stream event FC would deliver for it."""
        pk = [(n, _blob(v)) for n, v in _pairs(primary_key, "primary_key")]
        ops = [ColumnOp("Put", c[0], _blob(c[1]), c[2] if len(c) == 3 else None) for c in _pairs(columns, "columns")]
        for name, value in pk + [(op.name, op.value) for op in ops]:
            if not isinstance(value, _CELL_TYPES):
                raise ConfigError(
                    f"table {self.instance}/{self.name}: column {name!r} has a "
                    f"{type(value).__name__} value; Tablestore stores int, float, bool, "
                    "str and bytes"
                )
        svc = self._service
        with svc.store.lock:
            try:
                result = svc.store.put_row(self._table(), pk, ops)
            except OTSError as exc:
                raise ConfigError(f"table {self.instance}/{self.name}: {exc.code}: {exc.message}") from None
            write = svc._written("PutRow", self.instance, self.name, result, svc.cloud.rng.region, sdk="fc_cloud")
        return write.event

    def __repr__(self) -> str:
        return f"<Tablestore table {self.instance}/{self.name}>"
