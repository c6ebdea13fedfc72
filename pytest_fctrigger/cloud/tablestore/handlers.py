"""Tablestore wire protocol on top of ``TablestoreStore``.

A request is ``POST /<ApiName>`` with a protobuf body (``com.aliyun.tablestore.protocol``,
the SDK's own ``table_store_pb2``) whose rows are PlainBuffer. Replies are protobuf
too, errors a protobuf ``Error{code, message}``; ``TablestoreService`` signs them.
"""

from __future__ import annotations

import math
from typing import Any, Callable, List, Tuple

from ...errors import NotSimulatedError
from . import plainbuffer as pbuf
from .store import (
    MAX_BATCH_GET,
    MAX_BATCH_WRITE,
    ColumnOp,
    ColumnPagination,
    CompositeFilter,
    OTSError,
    PrimaryKeyColumn,
    ReadSpec,
    SingleColumnFilter,
    Table,
    TablestoreStore,
    WriteResult,
    invalid,
    row_key,
    schema_problem,
)

_OPS = {
    None: "Put",
    pbuf.OP_DELETE_ONE_VERSION: "DeleteOneVersion",
    pbuf.OP_DELETE_ALL_VERSIONS: "DeleteAllVersions",
    pbuf.OP_INCREMENT: "Increment",
}
_EXISTENCE = {0: "IGNORE", 1: "EXPECT_EXIST", 2: "EXPECT_NOT_EXIST"}
_COMPARATORS = {
    1: "EQUAL",
    2: "NOT_EQUAL",
    3: "GREATER_THAN",
    4: "GREATER_EQUAL",
    5: "LESS_THAN",
    6: "LESS_EQUAL",
    7: "EXIST",
    8: "NOT_EXIST",
}
_COMBINATORS = {1: "NOT", 2: "AND", 3: "OR"}
_PK_TYPES = {1: "INTEGER", 2: "STRING", 3: "BINARY"}
_DEFINED_TYPES = {1: "INTEGER", 2: "DOUBLE", 3: "BOOLEAN", 4: "STRING", 7: "BINARY"}

# what Tablestore charges: 1 CU per started 4 KB
_CU_BYTES = 4096


def _cu(size: int) -> int:
    return max(1, math.ceil(size / _CU_BYTES))


def _plain_row(data: bytes, what: str) -> pbuf.PlainRow:
    try:
        return pbuf.decode_row(data)
    except pbuf.PlainBufferError as exc:
        raise invalid(f"Invalid {what}: {exc}.")


def _row_error(row_out, exc: OTSError) -> None:
    """A failed row of a batch: the rest of the batch still applies."""
    row_out.is_ok = False
    row_out.error.code, row_out.error.message = exc.code, exc.message


def _consumed(proto, read: int = 0, write: int = 0) -> None:
    proto.capacity_unit.read = read
    proto.capacity_unit.write = write


class TablestoreApi:
    """Serves one instance's requests; ``on_write`` receives each applied row write."""

    def __init__(self, store: TablestoreStore, instance: str, on_write: Callable[[str, str, WriteResult], object]):
        import tablestore.protobuf.table_store_filter_pb2 as filter_pb2
        import tablestore.protobuf.table_store_pb2 as pb2

        self.pb2 = pb2
        self.filter_pb2 = filter_pb2
        self.store = store
        self.instance = instance
        self.on_write = on_write

    def dispatch(self, api: str, body: bytes):
        """Returns the response protobuf message; raises ``OTSError``."""
        handler = getattr(self, "api_" + api, None)
        if handler is None:
            raise NotSimulatedError(
                "Tablestore",
                api,
                "served: CreateTable, ListTable, DescribeTable, UpdateTable, DeleteTable, "
                "PutRow, UpdateRow, DeleteRow, GetRow, GetRange, BatchGetRow, BatchWriteRow",
            )
        request_type = getattr(self.pb2, api + "Request")
        request = request_type()
        try:
            request.ParseFromString(body)
        except Exception as exc:  # protobuf raises DecodeError subclasses of Exception
            raise invalid(f"Failed to parse the {api} request: {exc}.")
        with self.store.lock:
            return handler(request)

    def table(self, name: str) -> Table:
        return self.store.get_table(self.instance, name)

    # --- conditions and filters -------------------------------------------------------
    def parse_filter(self, data: bytes, *, allow_pagination: bool):
        f = self.filter_pb2.Filter()
        try:
            f.ParseFromString(data)
        except Exception as exc:
            raise invalid(f"Invalid filter: {exc}.")
        if f.type == self.filter_pb2.FT_SINGLE_COLUMN_VALUE:
            single = self.filter_pb2.SingleColumnValueFilter()
            single.ParseFromString(f.filter)
            if single.HasField("value_trans_rule"):
                raise NotSimulatedError(
                    "Tablestore",
                    "SingleColumnRegexCondition",
                    "column conditions with a regex value rule are not simulated",
                )
            try:
                operand = pbuf.decode_value(single.column_value)
            except pbuf.PlainBufferError as exc:
                raise invalid(f"Invalid column condition value: {exc}.")
            return SingleColumnFilter(
                _COMPARATORS[single.comparator],
                single.column_name,
                operand,
                pass_if_missing=not single.filter_if_missing,
                latest_version_only=single.latest_version_only,
            )
        if f.type == self.filter_pb2.FT_COMPOSITE_COLUMN_VALUE:
            composite = self.filter_pb2.CompositeColumnValueFilter()
            composite.ParseFromString(f.filter)
            children = [
                self.parse_filter(sub.SerializeToString(), allow_pagination=False) for sub in composite.sub_filters
            ]
            combinator = _COMBINATORS[composite.combinator]
            if combinator == "NOT" and len(children) != 1:
                raise invalid("A NOT condition takes exactly one sub-condition.")
            if combinator != "NOT" and len(children) < 2:
                raise invalid(f"An {combinator} condition takes at least two sub-conditions.")
            return CompositeFilter(combinator, children)
        if f.type == self.filter_pb2.FT_COLUMN_PAGINATION and allow_pagination:
            page = self.filter_pb2.ColumnPaginationFilter()
            page.ParseFromString(f.filter)
            return ColumnPagination(page.offset, page.limit)
        raise invalid(f"Unsupported filter type {f.type}.")

    def condition(self, proto) -> Tuple[str, Any]:
        existence = _EXISTENCE[proto.row_existence]
        column = (
            self.parse_filter(proto.column_condition, allow_pagination=False)
            if proto.HasField("column_condition")
            else None
        )
        return existence, column

    def read_spec(self, proto) -> ReadSpec:
        time_range = None
        if proto.HasField("time_range"):
            tr = proto.time_range
            if tr.HasField("specific_time"):
                time_range = (tr.specific_time, tr.specific_time + 1)
            else:
                time_range = (
                    tr.start_time if tr.HasField("start_time") else 0,
                    tr.end_time if tr.HasField("end_time") else 2**63,
                )
        return ReadSpec(
            columns_to_get=list(proto.columns_to_get),
            max_versions=proto.max_versions if proto.HasField("max_versions") else None,
            time_range=time_range,
            row_filter=self.parse_filter(proto.filter, allow_pagination=True) if proto.HasField("filter") else None,
            start_column=proto.start_column if proto.HasField("start_column") else None,
            end_column=proto.end_column if proto.HasField("end_column") else None,
        )

    @staticmethod
    def ops(row: pbuf.PlainRow, *, put_only: bool) -> List[ColumnOp]:
        ops = []
        for cell in row.cells:
            kind = _OPS.get(cell.op)
            if kind is None or (put_only and kind != "Put"):
                raise invalid(f"Invalid cell type {cell.op} on column {cell.name}.")
            if kind in ("Put", "Increment") and not cell.has_value:
                raise invalid(f"Column {cell.name} has no value.")
            ops.append(ColumnOp(kind, cell.name, cell.value, cell.timestamp))
        return ops

    def return_row(self, result: WriteResult, return_content) -> bytes:
        """RT_PK: the primary key (auto-increment values resolved); RT_AFTER_MODIFY:
        the named columns after the write."""
        if return_content is None or not return_content.HasField("return_type"):
            return b""
        if return_content.return_type == self.pb2.RT_PK:
            return pbuf.encode_row(result.primary_key)
        if return_content.return_type == self.pb2.RT_AFTER_MODIFY:
            wanted = set(return_content.return_column_names)
            row = result.row
            cells = (
                []
                if row is None
                else [
                    (n, vs[0][1], vs[0][0])
                    for n, vs in sorted(row.columns.items())
                    if vs and (not wanted or n in wanted)
                ]
            )
            return pbuf.encode_row(result.primary_key, cells)
        return b""

    # --- single-row writes ------------------------------------------------------------
    def apply(self, kind: str, table: Table, row: pbuf.PlainRow, condition) -> Tuple[WriteResult, int]:
        """Apply one row write; returns the result and the read CUs its condition cost."""
        existence, column_condition = self.condition(condition)
        if kind == "PutRow":
            result = self.store.put_row(
                table, row.primary_key, self.ops(row, put_only=True), existence, column_condition
            )
        elif kind == "UpdateRow":
            result = self.store.update_row(
                table, row.primary_key, self.ops(row, put_only=False), existence, column_condition
            )
        else:
            result = self.store.delete_row(table, row.primary_key, existence, column_condition)
        # a condition check reads the row: one read CU
        return result, 0 if existence == "IGNORE" and column_condition is None else 1

    def _write(self, api: str, table_name: str, row_bytes: bytes, condition, return_content, response) -> Any:
        table = self.table(table_name)
        row = _plain_row(row_bytes, {"PutRow": "row", "UpdateRow": "row_change"}.get(api, "primary_key"))
        result, read_cu = self.apply(api, table, row, condition)
        self.on_write(api, table.name, result)
        _consumed(response.consumed, read=read_cu, write=_cu(len(row_bytes)))
        returned = self.return_row(result, return_content)
        if returned:
            response.row = returned
        return response

    def api_PutRow(self, req):
        return self._write(
            "PutRow",
            req.table_name,
            req.row,
            req.condition,
            req.return_content if req.HasField("return_content") else None,
            self.pb2.PutRowResponse(),
        )

    def api_UpdateRow(self, req):
        return self._write(
            "UpdateRow",
            req.table_name,
            req.row_change,
            req.condition,
            req.return_content if req.HasField("return_content") else None,
            self.pb2.UpdateRowResponse(),
        )

    def api_DeleteRow(self, req):
        return self._write(
            "DeleteRow",
            req.table_name,
            req.primary_key,
            req.condition,
            req.return_content if req.HasField("return_content") else None,
            self.pb2.DeleteRowResponse(),
        )

    # --- reads ------------------------------------------------------------------------
    def api_GetRow(self, req):
        table = self.table(req.table_name)
        pk = _plain_row(req.primary_key, "primary_key").primary_key
        found = self.store.get_row(table, pk, self.read_spec(req))
        response = self.pb2.GetRowResponse()
        response.row = pbuf.encode_row(*found) if found else b""
        _consumed(response.consumed, read=_cu(len(response.row)))
        return response

    def api_GetRange(self, req):
        table = self.table(req.table_name)
        start = _plain_row(req.inclusive_start_primary_key, "inclusive_start_primary_key").primary_key
        end = _plain_row(req.exclusive_end_primary_key, "exclusive_end_primary_key").primary_key
        rows, next_start = self.store.get_range(
            table,
            req.direction == self.pb2.FORWARD,
            start,
            end,
            self.read_spec(req),
            req.limit if req.HasField("limit") else None,
        )
        response = self.pb2.GetRangeResponse()
        response.rows = pbuf.encode_rows(rows) if rows else b""
        if next_start is not None:
            response.next_start_primary_key = pbuf.encode_row(next_start)
        _consumed(response.consumed, read=_cu(len(response.rows)))
        return response

    def api_BatchGetRow(self, req):
        total = sum(len(t.primary_key) for t in req.tables)
        if total > MAX_BATCH_GET:
            raise invalid(f"Rows count exceeds the upper limit: {MAX_BATCH_GET}.")
        response = self.pb2.BatchGetRowResponse()
        for item in req.tables:
            out = response.tables.add()
            out.table_name = item.table_name
            for pk_bytes in item.primary_key:
                row_out = out.rows.add()
                try:
                    table = self.table(item.table_name)
                    pk = _plain_row(pk_bytes, "primary_key").primary_key
                    found = self.store.get_row(table, pk, self.read_spec(item))
                except OTSError as exc:
                    _row_error(row_out, exc)
                    continue
                row_out.is_ok = True
                row_out.row = pbuf.encode_row(*found) if found else b""
                _consumed(row_out.consumed, read=_cu(len(row_out.row)))
        return response

    # --- batch write ------------------------------------------------------------------
    def api_BatchWriteRow(self, req):
        total = sum(len(t.rows) for t in req.tables)
        if total > MAX_BATCH_WRITE:
            raise invalid(f"Rows count exceeds the upper limit: {MAX_BATCH_WRITE}.")
        names = [t.table_name for t in req.tables]
        if len(set(names)) != len(names):
            raise invalid("The table name is duplicated in BatchWriteRow.")
        kinds = {self.pb2.PUT: "PutRow", self.pb2.UPDATE: "UpdateRow", self.pb2.DELETE: "DeleteRow"}
        # validate every row first: the service rejects the whole batch for malformed rows
        parsed = []
        for item in req.tables:
            seen = set()
            rows = []
            for row_req in item.rows:
                row = _plain_row(row_req.row_change, "row_change")
                key = row_key(row.primary_key)
                if key in seen:
                    raise invalid("The input parameter is invalid: duplicated primary key in BatchWriteRow.")
                seen.add(key)
                rows.append((kinds[row_req.type], row, row_req))
            parsed.append((item.table_name, rows))
        response = self.pb2.BatchWriteRowResponse()
        for table_name, rows in parsed:
            out = response.tables.add()
            out.table_name = table_name
            for api, row, row_req in rows:
                row_out = out.rows.add()
                try:
                    table = self.table(table_name)
                    result, read_cu = self.apply(api, table, row, row_req.condition)
                except OTSError as exc:
                    _row_error(row_out, exc)
                    continue
                self.on_write("BatchWriteRow", table.name, result)
                row_out.is_ok = True
                _consumed(row_out.consumed, read=read_cu, write=_cu(len(row_req.row_change)))
                returned = self.return_row(
                    result, row_req.return_content if row_req.HasField("return_content") else None
                )
                if returned:
                    row_out.row = returned
        return response

    # --- tables -------------------------------------------------------------------------
    def api_CreateTable(self, req):
        meta = req.table_meta
        schema = []
        for column in meta.primary_key:
            if column.type not in _PK_TYPES:
                raise invalid(f"Unsupported primary key type {column.type} for column {column.name}.")
            schema.append(
                PrimaryKeyColumn(
                    column.name,
                    _PK_TYPES[column.type],
                    column.HasField("option") and column.option == self.pb2.AUTO_INCREMENT,
                )
            )
        problem = schema_problem(schema)
        if problem:
            raise invalid(problem)
        options = req.table_options
        table = Table(
            instance=self.instance,
            name=meta.table_name,
            primary_key=schema,
            max_versions=options.max_versions if options.HasField("max_versions") else 1,
            time_to_live=options.time_to_live if options.HasField("time_to_live") else -1,
            deviation_cell_version_in_sec=options.deviation_cell_version_in_sec
            if options.HasField("deviation_cell_version_in_sec")
            else 86400,
            allow_update=options.allow_update if options.HasField("allow_update") else True,
            reserved_read=req.reserved_throughput.capacity_unit.read,
            reserved_write=req.reserved_throughput.capacity_unit.write,
            defined_columns=[(c.name, _DEFINED_TYPES.get(c.type, "STRING")) for c in meta.defined_column],
        )
        if req.HasField("stream_spec"):
            table.stream_enabled = req.stream_spec.enable_stream
            if req.stream_spec.HasField("expiration_time"):
                table.stream_expiration_hours = req.stream_spec.expiration_time
        if table.max_versions <= 0:
            raise invalid(f"max_versions must be positive, got {table.max_versions}.")
        self.store.create_table(table)
        return self.pb2.CreateTableResponse()

    def api_ListTable(self, req):
        response = self.pb2.ListTableResponse()
        response.table_names.extend(self.store.list_tables(self.instance))
        return response

    def api_DeleteTable(self, req):
        self.store.delete_table(self.instance, req.table_name)
        return self.pb2.DeleteTableResponse()

    def _describe_options(self, table: Table, response) -> None:
        details = response.reserved_throughput_details
        details.capacity_unit.read = table.reserved_read
        details.capacity_unit.write = table.reserved_write
        details.last_increase_time = table.create_time
        opts = response.table_options
        opts.time_to_live = table.time_to_live
        opts.max_versions = table.max_versions
        opts.deviation_cell_version_in_sec = table.deviation_cell_version_in_sec
        opts.allow_update = table.allow_update
        response.stream_details.enable_stream = table.stream_enabled
        if table.stream_enabled:
            response.stream_details.stream_id = f"{table.name}_{table.create_time}"
            response.stream_details.expiration_time = table.stream_expiration_hours
            response.stream_details.last_enable_time = table.create_time

    def api_DescribeTable(self, req):
        table = self.table(req.table_name)
        response = self.pb2.DescribeTableResponse()
        response.table_meta.table_name = table.name
        reverse_pk = {v: k for k, v in _PK_TYPES.items()}
        for column in table.primary_key or []:
            out = response.table_meta.primary_key.add()
            out.name = column.name
            out.type = reverse_pk[column.type]
            if column.auto_increment:
                out.option = self.pb2.AUTO_INCREMENT
        reverse_defined = {v: k for k, v in _DEFINED_TYPES.items()}
        for name, kind in table.defined_columns:
            out = response.table_meta.defined_column.add()
            out.name, out.type = name, reverse_defined[kind]
        self._describe_options(table, response)
        return response

    def api_UpdateTable(self, req):
        table = self.table(req.table_name)
        if req.HasField("table_options"):
            options = req.table_options
            if options.HasField("max_versions"):
                if options.max_versions <= 0:
                    raise invalid(f"max_versions must be positive, got {options.max_versions}.")
                table.max_versions = options.max_versions
            if options.HasField("time_to_live"):
                table.time_to_live = options.time_to_live
            if options.HasField("deviation_cell_version_in_sec"):
                table.deviation_cell_version_in_sec = options.deviation_cell_version_in_sec
            if options.HasField("allow_update"):
                table.allow_update = options.allow_update
        if req.HasField("reserved_throughput"):
            cu = req.reserved_throughput.capacity_unit
            if cu.HasField("read"):
                table.reserved_read = cu.read
            if cu.HasField("write"):
                table.reserved_write = cu.write
        if req.HasField("stream_spec"):
            table.stream_enabled = req.stream_spec.enable_stream
        response = self.pb2.UpdateTableResponse()
        self._describe_options(table, response)
        return response
