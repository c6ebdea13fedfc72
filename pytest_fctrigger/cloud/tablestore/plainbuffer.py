"""Tablestore PlainBuffer rows, written from the format (no SDK code involved).

PlainBuffer is the row encoding inside Tablestore's protobuf messages::

    row_set   = header(int32 LE 0x75) row*
    row       = TAG_ROW_PK cell* [TAG_ROW_DATA cell*] [TAG_DELETE_ROW_MARKER] TAG_ROW_CHECKSUM crc8
    cell      = TAG_CELL TAG_CELL_NAME len(u32) name [TAG_CELL_VALUE len(u32) type payload]
                [TAG_CELL_TYPE op(u8)] [TAG_CELL_TIMESTAMP int64] TAG_CELL_CHECKSUM crc8

All integers are little-endian. A cell checksum is CRC-8 (polynomial 0x07) over the
name, the value (type byte, then the payload; strings and blobs with their u32
length), the timestamp and finally the op byte. A row checksum is CRC-8 over the cell
checksums, then one byte: 1 with a delete marker, else 0.

The server side needs its own reader because the SDK's
``PlainBufferCodedInputStream.read_column`` raises ``NameError: cell_type`` on every
cell with an op (UpdateRow delete / delete_all / increment).
"""

from __future__ import annotations

import dataclasses
import struct
from typing import Any, Iterable, List, Optional, Sequence, Tuple

HEADER = 0x75

TAG_ROW_PK = 0x01
TAG_ROW_DATA = 0x02
TAG_CELL = 0x03
TAG_CELL_NAME = 0x04
TAG_CELL_VALUE = 0x05
TAG_CELL_TYPE = 0x06
TAG_CELL_TIMESTAMP = 0x07
TAG_DELETE_ROW_MARKER = 0x08
TAG_ROW_CHECKSUM = 0x09
TAG_CELL_CHECKSUM = 0x0A

VT_INTEGER = 0x0
VT_DOUBLE = 0x1
VT_BOOLEAN = 0x2
VT_STRING = 0x3
VT_NULL = 0x6
VT_BLOB = 0x7
VT_INF_MIN = 0x9
VT_INF_MAX = 0xA
VT_AUTO_INCREMENT = 0xB

OP_DELETE_ALL_VERSIONS = 0x1
OP_DELETE_ONE_VERSION = 0x3
OP_INCREMENT = 0x4

VT_NAMES = {
    VT_INTEGER: "VT_INTEGER",
    VT_DOUBLE: "VT_DOUBLE",
    VT_BOOLEAN: "VT_BOOLEAN",
    VT_STRING: "VT_STRING",
    VT_BLOB: "VT_BLOB",
    VT_INF_MIN: "VT_INF_MIN",
    VT_INF_MAX: "VT_INF_MAX",
    VT_AUTO_INCREMENT: "VT_AUTO_INCREMENT",
    VT_NULL: "VT_NULL",
}


def _crc8_table() -> List[int]:
    table = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = ((crc << 1) ^ 0x07) & 0xFF if crc & 0x80 else (crc << 1) & 0xFF
        table.append(crc)
    return table


_CRC8 = _crc8_table()


def crc8(crc: int, data: bytes) -> int:
    for byte in data:
        crc = _CRC8[crc ^ byte]
    return crc


class Sentinel:
    """INF_MIN / INF_MAX range bounds and the AUTO_INCREMENT placeholder."""

    def __init__(self, name: str, vt: int):
        self.name = name
        self.vt = vt

    def __repr__(self) -> str:
        return self.name


INF_MIN = Sentinel("INF_MIN", VT_INF_MIN)
INF_MAX = Sentinel("INF_MAX", VT_INF_MAX)
AUTO_INCREMENT = Sentinel("AUTO_INCREMENT", VT_AUTO_INCREMENT)
_SENTINELS = {s.vt: s for s in (INF_MIN, INF_MAX, AUTO_INCREMENT)}


class PlainBufferError(ValueError):
    """The bytes are not a valid PlainBuffer row."""


@dataclasses.dataclass
class Cell:
    name: str
    value: Any = None  # absent for delete ops
    has_value: bool = False
    op: Optional[int] = None  # None = put; OP_* otherwise
    timestamp: Optional[int] = None


@dataclasses.dataclass
class PlainRow:
    primary_key: List[Tuple[str, Any]]
    cells: List[Cell]
    delete_marker: bool = False


# --- values ----------------------------------------------------------------------------
def value_type(value: Any) -> int:
    """The PlainBuffer type of a Python value: Blob is ``bytes``/``bytearray``."""
    if isinstance(value, Sentinel):
        return value.vt
    if isinstance(value, bool):
        return VT_BOOLEAN
    if isinstance(value, int):
        return VT_INTEGER
    if isinstance(value, float):
        return VT_DOUBLE
    if isinstance(value, str):
        return VT_STRING
    if isinstance(value, (bytes, bytearray)):
        return VT_BLOB
    raise PlainBufferError(f"unsupported value type {type(value).__name__}")


def _payload(value: Any, vt: int) -> bytes:
    if vt == VT_INTEGER:
        return struct.pack("<q", value)
    if vt == VT_DOUBLE:
        return struct.pack("<d", value)
    if vt == VT_BOOLEAN:
        return b"\x01" if value else b"\x00"
    if vt in (VT_STRING, VT_BLOB):
        raw = value.encode("utf-8") if isinstance(value, str) else bytes(value)
        return struct.pack("<I", len(raw)) + raw
    return b""  # sentinels: the type byte alone


def encode_value(value: Any) -> bytes:
    """A bare value (type byte + payload): the form of filter operands."""
    vt = value_type(value)
    return bytes([vt]) + _payload(value, vt)


class _Writer:
    def __init__(self) -> None:
        self.buf = bytearray(struct.pack("<i", HEADER))

    def cell(
        self,
        name: str,
        value: Any = None,
        has_value: bool = True,
        timestamp: Optional[int] = None,
        op: Optional[int] = None,
    ) -> int:
        raw_name = name.encode("utf-8")
        out = self.buf
        out.append(TAG_CELL)
        out.append(TAG_CELL_NAME)
        out += struct.pack("<I", len(raw_name)) + raw_name
        crc = crc8(0, raw_name)
        if has_value:
            vt = value_type(value)
            payload = _payload(value, vt)
            out.append(TAG_CELL_VALUE)
            out += struct.pack("<I", 1 + len(payload)) + bytes([vt]) + payload
            crc = crc8(crc, bytes([vt]) + payload)
        if op is not None:
            out += bytes([TAG_CELL_TYPE, op])
        if timestamp is not None:
            out.append(TAG_CELL_TIMESTAMP)
            out += struct.pack("<q", timestamp)
            crc = crc8(crc, struct.pack("<q", timestamp))
        if op is not None:
            crc = crc8(crc, bytes([op]))
        out += bytes([TAG_CELL_CHECKSUM, crc])
        return crc

    def row(
        self, primary_key: Sequence[Tuple[str, Any]], cells: Iterable[Cell] = (), delete_marker: bool = False
    ) -> None:
        row_crc = 0
        self.buf.append(TAG_ROW_PK)
        for name, value in primary_key:
            row_crc = crc8(row_crc, bytes([self.cell(name, value)]))
        cells = list(cells)
        if cells:
            self.buf.append(TAG_ROW_DATA)
            for c in cells:
                row_crc = crc8(row_crc, bytes([self.cell(c.name, c.value, c.has_value, c.timestamp, c.op)]))
        if delete_marker:
            self.buf.append(TAG_DELETE_ROW_MARKER)
        row_crc = crc8(row_crc, b"\x01" if delete_marker else b"\x00")
        self.buf += bytes([TAG_ROW_CHECKSUM, row_crc])


def encode_row(
    primary_key: Sequence[Tuple[str, Any]],
    columns: Iterable[Tuple[str, Any, Optional[int]]] = (),
    delete_marker: bool = False,
) -> bytes:
    """One row: ``columns`` are ``(name, value, timestamp_ms_or_None)``."""
    return encode_rows([(primary_key, columns)], delete_marker)


def encode_rows(
    rows: Iterable[Tuple[Sequence[Tuple[str, Any]], Iterable[Tuple[str, Any, Optional[int]]]]],
    delete_marker: bool = False,
) -> bytes:
    """Several rows behind one header (GetRange's ``rows``)."""
    writer = _Writer()
    for primary_key, columns in rows:
        writer.row(primary_key, [Cell(n, v, True, None, ts) for n, v, ts in columns], delete_marker)
    return bytes(writer.buf)


def encode_cells(primary_key: Sequence[Tuple[str, Any]], cells: Iterable[Cell], delete_marker: bool = False) -> bytes:
    """One row from ``Cell`` objects (ops included): what the SDK sends for UpdateRow."""
    writer = _Writer()
    writer.row(primary_key, cells, delete_marker)
    return bytes(writer.buf)


# --- reading ---------------------------------------------------------------------------
class _Reader:
    def __init__(self, data: bytes):
        self.data = bytes(data)
        self.pos = 0
        self.tag = 0

    def take(self, n: int) -> bytes:
        if self.pos + n > len(self.data):
            raise PlainBufferError(f"truncated PlainBuffer: need {n} bytes at offset {self.pos}")
        chunk = self.data[self.pos : self.pos + n]
        self.pos += n
        return chunk

    def byte(self) -> int:
        return self.take(1)[0]

    def u32(self) -> int:
        return struct.unpack("<I", self.take(4))[0]

    def next_tag(self) -> int:
        self.tag = self.byte() if self.pos < len(self.data) else 0
        return self.tag

    def expect(self, tag: int, what: str) -> None:
        if self.tag != tag:
            raise PlainBufferError(
                f"expected {what} (tag 0x{tag:02x}) at offset {self.pos - 1}, found tag 0x{self.tag:02x}"
            )

    def value(self) -> Tuple[Any, bytes]:
        """Reads ``len type payload`` after TAG_CELL_VALUE; returns the value and the
        bytes its checksum covers."""
        size = self.u32()
        start = self.pos
        vt = self.byte()
        if vt == VT_INTEGER:
            raw = self.take(8)
            value: Any = struct.unpack("<q", raw)[0]
        elif vt == VT_DOUBLE:
            raw = self.take(8)
            value = struct.unpack("<d", raw)[0]
        elif vt == VT_BOOLEAN:
            raw = self.take(1)
            value = raw != b"\x00"
        elif vt in (VT_STRING, VT_BLOB):
            length = self.u32()
            body = self.take(length)
            raw = struct.pack("<I", length) + body
            if vt == VT_BLOB:
                value = body
            else:
                try:
                    value = body.decode("utf-8")
                except UnicodeDecodeError:
                    raise PlainBufferError("a String value is not valid UTF-8 (use bytearray for Binary)")
        elif vt in _SENTINELS:
            raw = b""
            value = _SENTINELS[vt]
        else:
            raise PlainBufferError(f"unsupported value type 0x{vt:02x}")
        if self.pos - start != size:
            raise PlainBufferError(f"value length field says {size} bytes, value used {self.pos - start}")
        return value, bytes([vt]) + raw

    def cell(self) -> Tuple[Cell, int]:
        self.next_tag()
        self.expect(TAG_CELL_NAME, "cell name")
        raw_name = self.take(self.u32())
        crc = crc8(0, raw_name)
        cell = Cell(raw_name.decode("utf-8"))
        if self.next_tag() == TAG_CELL_VALUE:
            cell.value, covered = self.value()
            cell.has_value = True
            crc = crc8(crc, covered)
            self.next_tag()
        if self.tag == TAG_CELL_TYPE:
            cell.op = self.byte()
            self.next_tag()
        if self.tag == TAG_CELL_TIMESTAMP:
            raw_ts = self.take(8)
            cell.timestamp = struct.unpack("<q", raw_ts)[0]
            crc = crc8(crc, raw_ts)
            self.next_tag()
        if cell.op is not None:
            crc = crc8(crc, bytes([cell.op]))
        self.expect(TAG_CELL_CHECKSUM, "cell checksum")
        stored = self.byte()
        if stored != crc:
            raise PlainBufferError(f"cell {cell.name!r} checksum mismatch: stored {stored}, computed {crc}")
        self.next_tag()
        return cell, crc

    def row(self) -> PlainRow:
        self.expect(TAG_ROW_PK, "row primary key")
        self.next_tag()
        row_crc = 0
        primary_key: List[Tuple[str, Any]] = []
        while self.tag == TAG_CELL:
            cell, crc = self.cell()
            if not cell.has_value or cell.op is not None:
                raise PlainBufferError(f"primary key column {cell.name!r} has no value")
            primary_key.append((cell.name, cell.value))
            row_crc = crc8(row_crc, bytes([crc]))
        cells: List[Cell] = []
        if self.tag == TAG_ROW_DATA:
            self.next_tag()
            while self.tag == TAG_CELL:
                cell, crc = self.cell()
                cells.append(cell)
                row_crc = crc8(row_crc, bytes([crc]))
        delete_marker = self.tag == TAG_DELETE_ROW_MARKER
        if delete_marker:
            self.next_tag()
        row_crc = crc8(row_crc, b"\x01" if delete_marker else b"\x00")
        self.expect(TAG_ROW_CHECKSUM, "row checksum")
        stored = self.byte()
        if stored != row_crc:
            raise PlainBufferError(f"row checksum mismatch: stored {stored}, computed {row_crc}")
        self.next_tag()
        return PlainRow(primary_key, cells, delete_marker)


def _start(data: bytes) -> _Reader:
    reader = _Reader(data)
    if len(reader.data) < 4 or struct.unpack("<i", reader.take(4))[0] != HEADER:
        raise PlainBufferError("missing PlainBuffer header 0x75")
    reader.next_tag()
    return reader


def decode_rows(data: bytes) -> List[PlainRow]:
    reader = _start(data)
    rows = []
    while reader.pos < len(reader.data) or reader.tag:
        rows.append(reader.row())
    return rows


def decode_row(data: bytes) -> PlainRow:
    rows = decode_rows(data)
    if len(rows) != 1:
        raise PlainBufferError(f"expected one row, found {len(rows)}")
    return rows[0]


def decode_value(data: bytes) -> Any:
    """A bare value (type byte + payload): a filter operand."""
    reader = _Reader(b"")
    raw = bytes(data)
    reader.data = struct.pack("<I", len(raw)) + raw
    value, _covered = reader.value()
    if reader.pos != len(reader.data):
        raise PlainBufferError("trailing bytes after the value")
    return value
