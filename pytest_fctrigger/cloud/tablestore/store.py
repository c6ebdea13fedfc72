"""In-memory Tablestore: tables, multi-version rows, conditions, filters, ranges.

No protobuf and no HTTP here (``handlers.py`` does that). Semantics follow the
Tablestore data-model and API reference (https://help.aliyun.com/zh/tablestore/):
rows ordered by primary key, a cell keeps versions (timestamps in ms, newest first,
at most the table's ``max_versions``), PutRow replaces the row, UpdateRow applies
put / delete-one-version / delete-all-versions / increment per column, conditions
check row existence then the column condition, failures are ``OTSConditionCheckFail``.

Server timestamps come from a clock that starts at the test's seeded ``base_time`` and
ticks 1 ms per write, so versions are distinct and runs are reproducible.
"""

from __future__ import annotations

import dataclasses
import threading
from typing import Any, Callable, Dict, Iterable, List, Optional, Sequence, Tuple

from . import plainbuffer as pbuf
from .plainbuffer import AUTO_INCREMENT, INF_MAX, INF_MIN, Sentinel

PK_TYPES = {"INTEGER": pbuf.VT_INTEGER, "STRING": pbuf.VT_STRING, "BINARY": pbuf.VT_BLOB}
MAX_BATCH_WRITE = 200
MAX_BATCH_GET = 100
MAX_RANGE_ROWS = 5000
MAX_COLUMNS_PER_ROW_WRITE = 1024
Key = Tuple[Tuple[int, Any], ...]


class OTSError(Exception):
    """A Tablestore service error: becomes a protobuf ``Error`` reply with ``status``."""

    def __init__(self, status: int, code: str, message: str):
        super().__init__(f"{code}: {message}")
        self.status = status
        self.code = code
        self.message = message


def invalid(message: str) -> OTSError:
    return OTSError(400, "OTSParameterInvalid", message)


def table_not_exist() -> OTSError:
    return OTSError(404, "OTSObjectNotExist", "Requested table does not exist.")


def condition_failed() -> OTSError:
    return OTSError(403, "OTSConditionCheckFail", "Condition check failed.")


# --- primary keys --------------------------------------------------------------------------
def key_part(value: Any) -> Tuple[int, Any]:
    """Sort key of one PK value: INF_MIN < values < INF_MAX; strings by UTF-8 bytes."""
    if value is INF_MIN:
        return (0, 0)
    if value is INF_MAX:
        return (2, 0)
    if isinstance(value, str):
        return (1, value.encode("utf-8"))
    if isinstance(value, (bytes, bytearray)):
        return (1, bytes(value))
    return (1, value)


def row_key(primary_key: Sequence[Tuple[str, Any]]) -> Key:
    return tuple(key_part(v) for _, v in primary_key)


@dataclasses.dataclass
class PrimaryKeyColumn:
    name: str
    type: str  # INTEGER | STRING | BINARY
    auto_increment: bool = False


def schema_problem(schema: Sequence[PrimaryKeyColumn]) -> Optional[str]:
    """Why a primary-key schema is invalid for the service, or ``None``."""
    if not 1 <= len(schema) <= 4:
        return f"The number of primary key columns must be in range: [1, 4], got {len(schema)}."
    for index, column in enumerate(schema):
        # the partition key (first column) cannot auto-increment; only INTEGER columns can
        if column.auto_increment and (index == 0 or column.type != "INTEGER"):
            return (
                f"AUTO_INCREMENT is only allowed on an INTEGER primary key column other than "
                f"the partition key (column {column.name})."
            )
    return None


@dataclasses.dataclass
class StoredRow:
    primary_key: List[Tuple[str, Any]]
    columns: Dict[str, List[Tuple[int, Any]]] = dataclasses.field(default_factory=dict)  # ts desc

    def latest(self) -> Dict[str, Any]:
        return {name: versions[0][1] for name, versions in sorted(self.columns.items()) if versions}


#: a write's condition on the row as it is (``None``: the row does not exist)
RowCondition = Callable[[Optional[StoredRow]], bool]
#: a row as a read returns it: (primary-key cells, attribute cells as (name, value, timestamp))
ProjectedRow = Tuple[List[Tuple[str, Any]], List[Tuple[str, Any, int]]]


@dataclasses.dataclass
class Table:
    instance: str
    name: str
    primary_key: Optional[List[PrimaryKeyColumn]]  # None: inferred from the first write
    max_versions: int = 1
    time_to_live: int = -1
    deviation_cell_version_in_sec: int = 86400
    allow_update: bool = True
    reserved_read: int = 0
    reserved_write: int = 0
    stream_enabled: bool = True
    stream_expiration_hours: int = 24
    defined_columns: List[Tuple[str, str]] = dataclasses.field(default_factory=list)
    create_time: int = 0
    rows: Dict[Key, StoredRow] = dataclasses.field(default_factory=dict)
    auto_increment_seq: int = 0

    # --- validation ----------------------------------------------------------------------
    def check_pk(
        self, primary_key: Sequence[Tuple[str, Any]], *, allow_inf: bool = False, for_put: bool = False
    ) -> None:
        if self.primary_key is None:
            self._infer_schema(primary_key)
        schema = self.primary_key or []
        if len(primary_key) != len(schema):
            raise invalid(f"Validate PK size fail. Input: {len(primary_key)}, Meta: {len(schema)}.")
        for (name, value), column in zip(primary_key, schema):
            if name != column.name:
                raise invalid(f"Validate PK name fail. Input: {name}, Meta: {column.name}.")
            if isinstance(value, Sentinel):
                if value is AUTO_INCREMENT:
                    if not (for_put and column.auto_increment):
                        raise invalid(
                            f"PK_AUTO_INCR is only allowed on an AUTO_INCREMENT column in PutRow (column {name})."
                        )
                    continue
                if not allow_inf:
                    raise invalid(f"INF_MIN/INF_MAX are only allowed in range queries (column {name}).")
                continue
            if for_put and column.auto_increment:
                raise invalid(f"The auto-increment primary key column {name} must be set to PK_AUTO_INCR in PutRow.")
            expected = PK_TYPES[column.type]
            actual = pbuf.value_type(value)
            if actual != expected:
                raise invalid(
                    f"Validate PK type fail. Input: {pbuf.VT_NAMES.get(actual)}, Meta: {pbuf.VT_NAMES[expected]}."
                )

    def _infer_schema(self, primary_key: Sequence[Tuple[str, Any]]) -> None:
        schema = []
        for name, value in primary_key:
            vt = pbuf.value_type(value)
            if isinstance(value, Sentinel):
                raise invalid(
                    f"table {self.name} was created without a primary-key schema, so its first row "
                    f"cannot use {value!r} (column {name}); declare primary_key= in "
                    "fc_cloud.tablestore.table() or create the table with create_table()."
                )
            types = {v: k for k, v in PK_TYPES.items()}
            if vt not in types:
                raise invalid(
                    f"Validate PK type fail. Input: {pbuf.VT_NAMES.get(vt)}: a primary key is "
                    "INTEGER, STRING or BINARY."
                )
            schema.append(PrimaryKeyColumn(name, types[vt]))
        self.primary_key = schema


@dataclasses.dataclass
class ColumnOp:
    """One attribute-column change of PutRow/UpdateRow."""

    kind: str  # "Put" | "DeleteOneVersion" | "DeleteAllVersions" | "Increment"
    name: str
    value: Any = None
    timestamp: Optional[int] = None


@dataclasses.dataclass
class WriteResult:
    """What one row write did: the stream record fields FC would deliver."""

    type: str  # PutRow | UpdateRow | DeleteRow
    primary_key: List[Tuple[str, Any]]
    columns: List[Dict[str, Any]]  # stream-record columns (Type, ColumnName, Value, Timestamp)
    timestamp_ms: int
    row: Optional[StoredRow]  # the row after the write (None when deleted)


# --- filters -----------------------------------------------------------------------------
@dataclasses.dataclass
class SingleColumnFilter:
    comparator: str  # EQUAL NOT_EQUAL GREATER_THAN GREATER_EQUAL LESS_THAN LESS_EQUAL EXIST NOT_EXIST
    column: str
    value: Any
    pass_if_missing: bool = True
    latest_version_only: bool = True

    def __call__(self, row: Optional[StoredRow]) -> bool:
        versions = row.columns.get(self.column, []) if row is not None else []
        if self.comparator == "EXIST":
            return bool(versions)
        if self.comparator == "NOT_EXIST":
            return not versions
        if not versions:
            return self.pass_if_missing
        candidates = versions[:1] if self.latest_version_only else versions
        return any(compare(self.comparator, value, self.value) for _ts, value in candidates)


@dataclasses.dataclass
class CompositeFilter:
    combinator: str  # NOT | AND | OR
    children: List[Callable[[Optional[StoredRow]], bool]]

    def __call__(self, row: Optional[StoredRow]) -> bool:
        if self.combinator == "NOT":
            return not self.children[0](row)
        if self.combinator == "AND":
            return all(child(row) for child in self.children)
        return any(child(row) for child in self.children)


@dataclasses.dataclass
class ColumnPagination:
    """Reads only: skip ``offset`` attribute columns, return at most ``limit``."""

    offset: int
    limit: int

    def __call__(self, row: Optional[StoredRow]) -> bool:
        return True


def _comparable(value: Any) -> Tuple[int, Any]:
    vt = pbuf.value_type(value)
    if vt in (pbuf.VT_STRING,):
        return vt, value.encode("utf-8")
    if vt == pbuf.VT_BLOB:
        return vt, bytes(value)
    return vt, value


def compare(comparator: str, actual: Any, operand: Any) -> bool:
    """Compare a stored value with a filter operand. Values of different types never
    match (so only NOT_EQUAL holds between them)."""
    (a_type, a), (b_type, b) = _comparable(actual), _comparable(operand)
    if a_type != b_type:
        return comparator == "NOT_EQUAL"
    return {
        "EQUAL": a == b,
        "NOT_EQUAL": a != b,
        "GREATER_THAN": a > b,
        "GREATER_EQUAL": a >= b,
        "LESS_THAN": a < b,
        "LESS_EQUAL": a <= b,
    }[comparator]


# --- reads ----------------------------------------------------------------------------------
@dataclasses.dataclass
class ReadSpec:
    columns_to_get: List[str]
    max_versions: Optional[int]
    time_range: Optional[Tuple[int, int]]  # [start, end) in ms
    row_filter: Optional[Callable[[Optional[StoredRow]], bool]] = None
    start_column: Optional[str] = None
    end_column: Optional[str] = None

    def check(self) -> None:
        if self.max_versions is None and self.time_range is None:
            raise invalid("Neither max_versions nor time_range is set: one of them is required.")
        if self.max_versions is not None and self.max_versions <= 0:
            raise invalid(f"max_versions must be positive, got {self.max_versions}.")

    def project(self, row: StoredRow) -> Optional[ProjectedRow]:
        """The row as returned: selected PK and attribute cells, or ``None`` when the
        filter rejects it or nothing selected is left."""
        if self.row_filter is not None and not self.row_filter(row):
            return None
        wanted = set(self.columns_to_get)
        pk = [(n, v) for n, v in row.primary_key if not wanted or n in wanted]
        cells: List[Tuple[str, Any, int]] = []
        for name in sorted(row.columns):
            if wanted and name not in wanted:
                continue
            if self.start_column is not None and name < self.start_column:
                continue
            if self.end_column is not None and name >= self.end_column:
                continue
            versions = row.columns[name]
            if self.time_range is not None:
                start, end = self.time_range
                versions = [(ts, v) for ts, v in versions if start <= ts < end]
            if self.max_versions is not None:
                versions = versions[: self.max_versions]
            cells.extend((name, value, ts) for ts, value in versions)
        if isinstance(self.row_filter, ColumnPagination):
            names = sorted({c[0] for c in cells})[self.row_filter.offset :][: self.row_filter.limit]
            cells = [c for c in cells if c[0] in names]
        if not pk and not cells:
            return None
        return pk, cells


# --- the store ----------------------------------------------------------------------------
class TablestoreStore:
    """Tables of every instance of one simulated account."""

    def __init__(self, start_ms: int):
        self.lock = threading.RLock()
        self.tables: Dict[Tuple[str, str], Table] = {}
        self._now_ms = int(start_ms)

    def tick(self) -> int:
        """Server time of the next write (ms), strictly increasing."""
        self._now_ms += 1
        return self._now_ms

    @property
    def now_ms(self) -> int:
        return self._now_ms

    # --- tables --------------------------------------------------------------------------
    def create_table(self, table: Table) -> Table:
        key = (table.instance, table.name)
        if key in self.tables:
            raise OTSError(409, "OTSObjectAlreadyExist", "Requested table already exists.")
        table.create_time = self._now_ms // 1000
        self.tables[key] = table
        return table

    def get_table(self, instance: str, name: str) -> Table:
        table = self.tables.get((instance, name))
        if table is None:
            raise table_not_exist()
        return table

    def delete_table(self, instance: str, name: str) -> None:
        self.get_table(instance, name)
        del self.tables[(instance, name)]

    def list_tables(self, instance: str) -> List[str]:
        return sorted(name for inst, name in self.tables if inst == instance)

    # --- writes ---------------------------------------------------------------------------
    @staticmethod
    def _check_condition(table: Table, key: Key, existence: str, column_condition: Optional[RowCondition]) -> None:
        row = table.rows.get(key)
        if existence == "EXPECT_EXIST" and row is None:
            raise condition_failed()
        if existence == "EXPECT_NOT_EXIST" and row is not None:
            raise condition_failed()
        if column_condition is not None and not column_condition(row):
            raise condition_failed()

    @staticmethod
    def _trim(table: Table, row: StoredRow) -> None:
        for name in list(row.columns):
            versions = row.columns[name]
            versions.sort(key=lambda tv: -tv[0])
            del versions[table.max_versions :]
            if not versions:
                del row.columns[name]

    def _resolve_pk(self, table: Table, primary_key: List[Tuple[str, Any]], now: int) -> List[Tuple[str, Any]]:
        resolved = []
        for name, value in primary_key:
            if value is AUTO_INCREMENT:
                # monotonic, microsecond-scale like the service's generated values
                table.auto_increment_seq += 1
                value = now * 1000 + table.auto_increment_seq
            resolved.append((name, value))
        return resolved

    @staticmethod
    def _check_ops(ops: Sequence[ColumnOp], pk_names: Iterable[str]) -> None:
        if len(ops) > MAX_COLUMNS_PER_ROW_WRITE:
            raise OTSError(
                400,
                "OTSOutOfColumnCountLimit",
                f"The number of columns exceeds the limit: {MAX_COLUMNS_PER_ROW_WRITE}.",
            )
        pk_names = set(pk_names)
        for op in ops:
            if op.name in pk_names:
                raise invalid(f"The attribute column {op.name} has the same name as a primary key column.")
            if op.timestamp is not None and op.timestamp < 0:
                raise invalid(f"The timestamp of column {op.name} must be positive.")

    def put_row(
        self,
        table: Table,
        primary_key: List[Tuple[str, Any]],
        ops: List[ColumnOp],
        existence: str = "IGNORE",
        column_condition: Optional[RowCondition] = None,
    ) -> WriteResult:
        table.check_pk(primary_key, for_put=True)
        self._check_ops(ops, (n for n, _ in primary_key))
        now = self.tick()
        primary_key = self._resolve_pk(table, primary_key, now)
        key = row_key(primary_key)
        self._check_condition(table, key, existence, column_condition)
        row = StoredRow(list(primary_key))
        record_columns = []
        for op in ops:
            ts = now if op.timestamp is None else op.timestamp
            versions = row.columns.setdefault(op.name, [])
            versions[:] = [tv for tv in versions if tv[0] != ts] + [(ts, op.value)]
            record_columns.append({"Type": "Put", "ColumnName": op.name, "Value": op.value, "Timestamp": ts})
        self._trim(table, row)
        table.rows[key] = row
        return WriteResult("PutRow", list(primary_key), record_columns, now, row)

    def update_row(
        self,
        table: Table,
        primary_key: List[Tuple[str, Any]],
        ops: List[ColumnOp],
        existence: str = "IGNORE",
        column_condition: Optional[RowCondition] = None,
    ) -> WriteResult:
        table.check_pk(primary_key)
        self._check_ops(ops, (n for n, _ in primary_key))
        if not table.allow_update:
            raise OTSError(400, "OTSParameterInvalid", "UpdateRow is not allowed on this table (allow_update=false).")
        key = row_key(primary_key)
        self._check_condition(table, key, existence, column_condition)
        now = self.tick()
        existing = table.rows.get(key)
        row = (
            StoredRow(list(primary_key), {n: list(v) for n, v in existing.columns.items()})
            if existing
            else StoredRow(list(primary_key))
        )
        record_columns: List[Dict[str, Any]] = []
        for op in ops:
            if op.kind == "Put":
                ts = now if op.timestamp is None else op.timestamp
                versions = row.columns.setdefault(op.name, [])
                versions[:] = [tv for tv in versions if tv[0] != ts] + [(ts, op.value)]
                record_columns.append({"Type": "Put", "ColumnName": op.name, "Value": op.value, "Timestamp": ts})
            elif op.kind == "DeleteOneVersion":
                if op.timestamp is None:
                    raise invalid(f"Deleting one version of column {op.name} requires its timestamp.")
                if op.name in row.columns:
                    row.columns[op.name] = [tv for tv in row.columns[op.name] if tv[0] != op.timestamp]
                record_columns.append({"Type": "DeleteOneVersion", "ColumnName": op.name, "Timestamp": op.timestamp})
            elif op.kind == "DeleteAllVersions":
                row.columns.pop(op.name, None)
                record_columns.append({"Type": "DeleteAllVersions", "ColumnName": op.name})
            else:  # Increment: the stream carries the resulting value as a Put
                if isinstance(op.value, bool) or not isinstance(op.value, int):
                    raise invalid(f"The increment of column {op.name} must be an integer.")
                if op.timestamp is not None:
                    raise invalid(f"An increment of column {op.name} cannot carry a timestamp.")
                versions = row.columns.get(op.name) or []
                current = versions[0][1] if versions else 0
                if isinstance(current, bool) or not isinstance(current, int):
                    raise invalid(f"Column {op.name} is not an integer and cannot be incremented.")
                value = current + op.value
                if not -(2**63) <= value < 2**63:
                    raise invalid(f"The increment of column {op.name} overflows int64.")
                row.columns[op.name] = [tv for tv in versions if tv[0] != now] + [(now, value)]
                record_columns.append({"Type": "Put", "ColumnName": op.name, "Value": value, "Timestamp": now})
        self._trim(table, row)
        if existing is not None or row.columns:
            table.rows[key] = row
        return WriteResult("UpdateRow", list(primary_key), record_columns, now, table.rows.get(key))

    def delete_row(
        self,
        table: Table,
        primary_key: List[Tuple[str, Any]],
        existence: str = "IGNORE",
        column_condition: Optional[RowCondition] = None,
    ) -> WriteResult:
        table.check_pk(primary_key)
        if existence == "EXPECT_NOT_EXIST":
            raise invalid("Invalid condition: EXPECT_NOT_EXIST while deleting row.")
        key = row_key(primary_key)
        self._check_condition(table, key, existence, column_condition)
        now = self.tick()
        table.rows.pop(key, None)
        return WriteResult("DeleteRow", list(primary_key), [], now, None)

    # --- reads ----------------------------------------------------------------------------
    def get_row(self, table: Table, primary_key: List[Tuple[str, Any]], spec: ReadSpec) -> Optional[ProjectedRow]:
        table.check_pk(primary_key)
        spec.check()
        row = table.rows.get(row_key(primary_key))
        return spec.project(row) if row is not None else None

    def get_range(
        self,
        table: Table,
        forward: bool,
        start: List[Tuple[str, Any]],
        end: List[Tuple[str, Any]],
        spec: ReadSpec,
        limit: Optional[int],
    ) -> Tuple[List[ProjectedRow], Optional[List[Tuple[str, Any]]]]:
        """Returns ``(rows, next_start_primary_key or None)``."""
        table.check_pk(start, allow_inf=True)
        table.check_pk(end, allow_inf=True)
        spec.check()
        if limit is not None and limit <= 0:
            raise invalid(f"limit must be positive, got {limit}.")
        lo, hi = row_key(start), row_key(end)
        if forward and lo > hi:
            raise invalid("Begin key must less than end key in FORWARD.")
        if not forward and lo < hi:
            raise invalid("Begin key must more than end key in BACKWARD.")
        keys = sorted(table.rows, reverse=not forward)
        keys = [k for k in keys if (lo <= k < hi if forward else hi < k <= lo)]
        cap = min(limit or MAX_RANGE_ROWS, MAX_RANGE_ROWS)
        rows: List[ProjectedRow] = []
        for index, key in enumerate(keys):
            if len(rows) == cap:
                return rows, table.rows[keys[index]].primary_key
            projected = spec.project(table.rows[key])
            if projected is not None:
                rows.append(projected)
        return rows, None
