"""Tablestore trigger events: CBOR (FC docs "Formats of event for different triggers", "Tablestore trigger";
FC docs on Tablestore trigger functions, https://www.alibabacloud.com/help/doc-detail/169673.htm).

FC delivers Tablestore row changes CBOR-encoded (the official Python sample decodes
them with ``cbor.loads(event)``). The decoded shape::

    {"Version": "Sync-v1",
     "Records": [{"Type": "PutRow" | "UpdateRow" | "DeleteRow",
                  "Info": {"Timestamp": <int64, microseconds>},
                  "PrimaryKey": [{"ColumnName": str, "Value": int | str | bytes}],
                  "Columns": [{"Type": "Put" | "DeleteOneVersion" | "DeleteAllVersions",
                               "ColumnName": str, "Value": ..., "Timestamp": <int64, ms>}]}]}

Primary-key values are Integer (``int``), String (``str``) or Blob (``bytes``);
column values add Boolean (``bool``) and Double (``float``). We encode with cbor2 in
its default, non-canonical mode (map order kept, floats as 64-bit), which is byte
for byte what the ``cbor`` 1.0 package in the FC Python images produces; blobs are
CBOR byte strings and decode to ``bytes`` with both libraries.

Timestamps follow the sample: ``Info.Timestamp`` in microseconds
(``1506416585740836``), column ``Timestamp`` in milliseconds (``1506416585741``).

Deletions carry no value: the doc lists ``Value`` and ``Timestamp`` for columns
without saying which operations have them. Our choice: ``Put`` has both,
``DeleteOneVersion`` names the version it deletes (``Timestamp``, no ``Value``),
``DeleteAllVersions`` has neither; a ``DeleteRow`` record has ``"Columns": []``.
"""

from __future__ import annotations

import base64
import datetime as _dt
from typing import Any, Dict, List, Mapping, Optional, Sequence, Union

from ..errors import ConfigError
from ._base import FCEvent
from ._fields import (
    WORDS,
    apply_overrides,
    coerce_rng,
    epoch_us,
    reject_unknown,
    to_datetime,
    to_payload,
)
from ._random import FCRandom
from .catalog import TABLESTORE_ROW_TYPES

__all__ = ["tablestore_event", "tablestore_record", "tablestore_json_view", "TABLESTORE_ROW_TYPES"]

COLUMN_OPS = ("Put", "DeleteOneVersion", "DeleteAllVersions")
_PK_TYPES = (int, str, bytes)
_COLUMN_TYPES = (bool, int, float, str, bytes)  # bool first: it is also an int

_cbor_dumps = None


def _dumps(obj: Any) -> bytes:
    global _cbor_dumps
    if _cbor_dumps is None:
        import cbor2  # imported on first use: keeps `import pytest_fctrigger` cheap

        _cbor_dumps = cbor2.dumps
    return _cbor_dumps(obj)


def _value(value: Any, allowed: tuple, where: str) -> Any:
    if isinstance(value, bytearray):  # CBOR has one byte-string type: hand back bytes
        return bytes(value)
    if isinstance(value, memoryview):
        return value.tobytes()
    if isinstance(value, bool) and bool not in allowed:
        raise ConfigError(f"{where}: a primary-key value is Integer, String or Blob, not Boolean")
    if isinstance(value, int) and not isinstance(value, bool):
        if not -(2**63) <= value < 2**63:
            raise ConfigError(f"{where}: Integer values are int64; {value} is out of range")
        return value
    if isinstance(value, allowed):
        return value
    kinds = "Integer, String or Blob" if bool not in allowed else "Integer, Boolean, Double, String or Blob"
    raise ConfigError(
        f"{where}: {type(value).__name__} is not a Tablestore value ({kinds}: "
        "int, str, bytes" + (", bool, float" if bool in allowed else "") + ")"
    )


def _entries(value: Any, arg: str, dict_form: str) -> Sequence[Any]:
    """A primary key or column list: a dict (name -> value) or a list of entries."""
    if isinstance(value, Mapping):
        return list(value.items())
    if not isinstance(value, (list, tuple)):
        raise ConfigError(
            f"tablestore_record({arg}=): expected a list of (name, value) pairs or "
            f"{dict_form}, or a dict, got {type(value).__name__}"
        )
    return value


def _primary_key(pk: Any, rng: FCRandom) -> List[Dict[str, Any]]:
    if pk is None:
        return [
            {"ColumnName": "user_id", "Value": f"u{rng.digits(8)}"},
            {"ColumnName": "order_id", "Value": rng.randint(1, 2**40)},
        ]
    out = []
    for i, item in enumerate(_entries(pk, "primary_key", "{'ColumnName', 'Value'} dicts")):
        where = f"tablestore_record(primary_key[{i}])"
        if isinstance(item, Mapping):
            if set(item) != {"ColumnName", "Value"}:
                raise ConfigError(f"{where}: expected keys ColumnName and Value, got {sorted(item)}")
            name, value = item["ColumnName"], item["Value"]
        elif isinstance(item, (tuple, list)) and len(item) == 2:
            name, value = item
        else:
            raise ConfigError(f"{where}: expected (name, value) or {{'ColumnName', 'Value'}}, got {item!r}")
        if not isinstance(name, str) or not name:
            raise ConfigError(f"{where}: ColumnName must be a non-empty string")
        out.append({"ColumnName": name, "Value": _value(value, _PK_TYPES, where)})
    if not out:
        raise ConfigError("tablestore_record(primary_key=): a row has at least one primary-key column")
    return out


def _default_columns(row_type: str, rng: FCRandom, ts_ms: int) -> List[Dict[str, Any]]:
    if row_type == "DeleteRow":
        return []
    put = [
        {
            "Type": "Put",
            "ColumnName": "status",
            "Value": rng.choice(("created", "paid", "shipped")),
            "Timestamp": ts_ms,
        },
        {"Type": "Put", "ColumnName": "amount", "Value": round(rng.random.random() * 1000, 2), "Timestamp": ts_ms},
        {"Type": "Put", "ColumnName": "quantity", "Value": rng.randint(1, 20), "Timestamp": ts_ms},
        {"Type": "Put", "ColumnName": "gift", "Value": rng.random.random() < 0.5, "Timestamp": ts_ms},
        {"Type": "Put", "ColumnName": "note", "Value": rng.choice(WORDS).encode("utf-8"), "Timestamp": ts_ms},
    ]
    if row_type == "PutRow":
        return put
    # UpdateRow: a put, a deleted version and a dropped column
    return [
        put[0],
        {"Type": "DeleteOneVersion", "ColumnName": "amount", "Timestamp": ts_ms - rng.randint(1, 86_400_000)},
        {"Type": "DeleteAllVersions", "ColumnName": "note"},
    ]


def _columns(columns: Any, row_type: str, ts_ms: int) -> List[Dict[str, Any]]:
    out = []
    for i, item in enumerate(_entries(columns, "columns", "column dicts")):
        where = f"tablestore_record(columns[{i}])"
        if isinstance(item, Mapping):
            extra = set(item) - {"Type", "ColumnName", "Value", "Timestamp"}
            if extra:
                raise ConfigError(f"{where}: unknown key(s) {sorted(extra)}; valid: Type, ColumnName, Value, Timestamp")
            op = item.get("Type", "Put")
            name = item.get("ColumnName")
            col: Dict[str, Any] = {"Type": op, "ColumnName": name}
            if op not in COLUMN_OPS:
                raise ConfigError(f"{where}: Type {op!r} is not one of {', '.join(COLUMN_OPS)}")
            if op == "Put":
                if "Value" not in item:
                    raise ConfigError(f"{where}: a Put column needs a Value")
                col["Value"] = _value(item["Value"], _COLUMN_TYPES, where)
            elif "Value" in item:
                raise ConfigError(f"{where}: a {op} column carries no Value")
            if op != "DeleteAllVersions":
                stamp = item.get("Timestamp", ts_ms)
                if isinstance(stamp, bool) or not isinstance(stamp, int):
                    raise ConfigError(f"{where}: Timestamp is an int64 in milliseconds")
                col["Timestamp"] = stamp
            elif "Timestamp" in item:
                raise ConfigError(f"{where}: a DeleteAllVersions column carries no Timestamp")
        elif isinstance(item, (tuple, list)) and len(item) == 2:
            name, value = item
            col = {"Type": "Put", "ColumnName": name, "Value": _value(value, _COLUMN_TYPES, where), "Timestamp": ts_ms}
        else:
            raise ConfigError(
                f"{where}: expected (name, value) or a dict with Type, ColumnName, Value, Timestamp; got {item!r}"
            )
        if not isinstance(name, str) or not name:
            raise ConfigError(f"{where}: ColumnName must be a non-empty string")
        out.append(col)
    if row_type == "DeleteRow" and out:
        raise ConfigError("tablestore_record(): a DeleteRow record has no columns")
    return out


def tablestore_record(
    *,
    type: str = "PutRow",
    primary_key: Union[Sequence[Any], Mapping[str, Any], None] = None,
    columns: Union[Sequence[Any], Mapping[str, Any], None] = None,
    timestamp: Union[int, _dt.datetime, None] = None,
    rng: Union[FCRandom, int, None] = None,
    **unknown: Any,
) -> Dict[str, Any]:
    """One row change (a dict) for ``tablestore_event()``.

    ``primary_key``: ``[(name, value), ...]``, ``[{"ColumnName", "Value"}, ...]`` or a
    dict. ``columns``: ``[(name, value), ...]`` (each a ``Put``) or dicts with ``Type``
    (``Put`` / ``DeleteOneVersion`` / ``DeleteAllVersions``), ``ColumnName``, ``Value``
    and ``Timestamp`` (ms; defaults to the row's time). ``timestamp``: the row's
    ``Info.Timestamp`` in microseconds (int) or a datetime; default the test clock.
    ``bytearray`` values become ``bytes`` (what a CBOR decoder returns).
    """
    if unknown:
        reject_unknown(tablestore_record, unknown)
    if type not in TABLESTORE_ROW_TYPES:
        raise ConfigError(f"tablestore_record(type=): {type!r} is not one of {', '.join(TABLESTORE_ROW_TYPES)}")
    rng = coerce_rng(rng)
    if timestamp is None:  # the clock is ms-precise; Tablestore's is microseconds
        ts_us = epoch_us(rng.time()) + int(rng.random.random() * 1000)
    elif isinstance(timestamp, int) and not isinstance(timestamp, bool):
        ts_us = timestamp
    else:
        ts_us = epoch_us(to_datetime(timestamp, "tablestore_record(timestamp=)"))
    ts_ms = ts_us // 1000
    pk = _primary_key(primary_key, rng)
    cols = _default_columns(type, rng, ts_ms) if columns is None else _columns(columns, type, ts_ms)
    return {"Type": type, "Info": {"Timestamp": ts_us}, "PrimaryKey": pk, "Columns": cols}


def _check_record(record: Any, i: int) -> Dict[str, Any]:
    where = f"tablestore_event(records[{i}])"
    if not isinstance(record, Mapping) or set(record) != {"Type", "Info", "PrimaryKey", "Columns"}:
        raise ConfigError(
            f"{where}: a record has exactly Type, Info, PrimaryKey and Columns (build it with tablestore_record())"
        )
    return dict(record)


def tablestore_event(
    *,
    records: Optional[Sequence[Mapping[str, Any]]] = None,
    row_type: str = "PutRow",
    encoding: str = "cbor",
    rng: Union[FCRandom, int, None] = None,
    overrides: Optional[Mapping[str, Any]] = None,
    **unknown: Any,
) -> FCEvent:
    """A Tablestore trigger event; ``.data`` is the decoded dict.

    ``records``: dicts from ``tablestore_record()`` (default: one record of
    ``row_type``). ``encoding="cbor"`` is what FC delivers; ``encoding="json"`` gives the
    console-test form (JSON, blobs base64) that the official sample's
    ``json.loads(event)`` branch reads.
    """
    if unknown:
        reject_unknown(tablestore_event, unknown)
    rng = coerce_rng(rng)
    if records is None:
        recs = [tablestore_record(type=row_type, rng=rng)]
    else:
        if isinstance(records, Mapping) or not isinstance(records, (list, tuple)):
            raise ConfigError("tablestore_event(records=): expected a list of records from tablestore_record()")
        recs = [_check_record(r, i) for i, r in enumerate(records)]
    data = {"Version": "Sync-v1", "Records": recs}
    apply_overrides(data, overrides, "tablestore_event()")
    variant = recs[0]["Type"] if len({r["Type"] for r in recs}) == 1 and recs else "mixed"
    if encoding == "cbor":
        return FCEvent(_dumps(data), data, "tablestore", variant)
    if encoding == "json":
        view = tablestore_json_view(data)
        return FCEvent(to_payload(view), view, "tablestore", variant)
    raise ConfigError(f"tablestore_event(encoding=): {encoding!r} is not 'cbor' or 'json'")


def tablestore_json_view(data: Any) -> Any:
    """The JSON form of a decoded Tablestore event: ``bytes`` values become base64 text."""
    if isinstance(data, dict):
        return {k: tablestore_json_view(v) for k, v in data.items()}
    if isinstance(data, list):
        return [tablestore_json_view(v) for v in data]
    if isinstance(data, (bytes, bytearray)):
        return base64.b64encode(bytes(data)).decode("ascii")
    return data
