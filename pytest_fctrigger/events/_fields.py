"""Machinery shared by the event builders: keyword checks, dotted overrides, time
formatting, and small seeded vocabularies for realistic default values.

Builders run in hot loops (tests build thousands of events, the benchmark
hundreds of thousands), so everything here is plain dict/list work: no deepcopy,
no Faker, no regular expressions on the per-event path.
"""

from __future__ import annotations

import datetime as _dt
import inspect
import json
from typing import Any, Callable, Iterator, List, Mapping, Optional, Sequence, Tuple, Union

from ..errors import ConfigError, UnknownFieldError
from ._random import UTC, FCRandom, epoch_ms, iso_ms, iso_s  # noqa: F401 (re-exported to the builders)

CST = _dt.timezone(_dt.timedelta(hours=8))  # China Standard Time: CDN/EventBridge local times

TimeLike = Union[_dt.datetime, str, None]


# --------------------------------------------------------------------------- JSON
# The event sources send compact UTF-8 JSON; FCEvent.from_json uses the same settings.
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
dumps = _ENCODER.encode
# JSON string literal of a str (quotes included), the C escaper json itself uses.
jstr = json.encoder.encode_basestring


def to_payload(data: Any) -> bytes:
    return dumps(data).encode("utf-8")


# --------------------------------------------------------------------------- keywords
def keyword_names(func: Callable) -> List[str]:
    """The keyword arguments ``func`` accepts (its named parameters)."""
    return [
        p.name
        for p in inspect.signature(func).parameters.values()
        if p.kind in (p.KEYWORD_ONLY, p.POSITIONAL_OR_KEYWORD)
    ]


def reject_unknown(func: Callable, unknown: Mapping[str, Any]) -> None:
    """Raise ``UnknownFieldError`` naming the unknown keywords and listing the valid ones."""
    if unknown:
        raise UnknownFieldError(f"{func.__name__}()", unknown, keyword_names(func))


def one_of(what: str, value: str, valid: Sequence[str]) -> str:
    if value not in valid:
        raise ConfigError(f"{what}: {value!r} is not valid; valid values: {', '.join(valid)}")
    return value


# --------------------------------------------------------------------------- overrides
def iter_paths(node: Any, prefix: str = "") -> Iterator[str]:
    """Every dotted path inside ``node`` (dict keys and list indices), parents first."""
    if isinstance(node, dict):
        items: Any = node.items()
    elif isinstance(node, list):
        items = enumerate(node)
    else:
        return
    for key, child in items:
        path = f"{prefix}.{key}" if prefix else str(key)
        yield path
        yield from iter_paths(child, path)


def _step(node: Any, parts: List[str], i: int) -> Tuple[Any, int]:
    """Resolve the key starting at ``parts[i]`` in ``node``; return (key, next index).

    Dict keys may themselves contain dots (``x-oss-meta-a.b``), so the shortest
    run of parts that names an existing key wins.
    """
    if isinstance(node, dict):
        for j in range(i + 1, len(parts) + 1):
            key = ".".join(parts[i:j])
            if key in node:
                return key, j
        raise KeyError(parts[i])
    if isinstance(node, list):
        idx = int(parts[i])  # ValueError for a non-integer index
        if not -len(node) <= idx < len(node):
            raise KeyError(parts[i])
        return idx, i + 1
    raise KeyError(parts[i])


def apply_overrides(data: Any, overrides: Optional[Mapping[str, Any]], what: str) -> Any:
    """Set each ``"dotted.path": value`` of ``overrides`` inside ``data`` (in place).

    A path must already exist in the event (list items by index: ``events.0.region``);
    otherwise ``UnknownFieldError`` lists every valid path. Returns ``data``.
    """
    if not overrides:
        return data
    if not isinstance(overrides, Mapping):
        raise ConfigError(f"{what}: overrides must be a dict of 'dotted.path' -> value, not {type(overrides).__name__}")
    bad = []
    for path, value in overrides.items():
        parts = str(path).split(".")
        node, container, key, i = data, None, None, 0
        try:
            while i < len(parts):
                key, i = _step(node, parts, i)
                container, node = node, node[key]
        except (KeyError, ValueError, IndexError):
            bad.append(str(path))
            continue
        if container is None:  # empty path
            bad.append(str(path))
            continue
        container[key] = value
    if bad:
        raise UnknownFieldError(f"{what} overrides", bad, list(iter_paths(data)))
    return data


# --------------------------------------------------------------------------- rng and time
def coerce_rng(rng: Union[FCRandom, int, None]) -> FCRandom:
    return FCRandom.coerce(rng)


def to_datetime(
    value: Union[_dt.datetime, int, float], what: str, expected: str = "a datetime or epoch seconds"
) -> _dt.datetime:
    """A timezone-aware datetime (naive values are taken as UTC; numbers as epoch seconds)."""
    if isinstance(value, _dt.datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            return _dt.datetime.fromtimestamp(value, UTC)
        except (OverflowError, ValueError, OSError):  # NaN, or beyond the platform's time_t
            raise ConfigError(f"{what}: {value!r} is not a usable epoch time in seconds") from None
    raise ConfigError(f"{what}: expected {expected}, got {type(value).__name__}")


def parse_time(value: str, what: str) -> _dt.datetime:
    """Parse an ISO-8601 string (``Z`` or offset) into an aware datetime."""
    text = value.strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    try:
        parsed = _dt.datetime.fromisoformat(text)
    except ValueError:
        raise ConfigError(f"{what}: {value!r} is not an ISO-8601 time (e.g. 2022-08-13T06:45:43.000Z)") from None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def resolve_time(value: TimeLike, rng: FCRandom, what: str) -> Tuple[_dt.datetime, Optional[str]]:
    """(instant, preformatted text or None) for a builder's time argument.

    ``None`` draws the next instant of the test's clock; a ``str`` is kept verbatim in
    the payload (and parsed for derived fields); a datetime/epoch is formatted.
    """
    if value is None:
        return rng.time(), None
    if isinstance(value, str):
        return parse_time(value, what), value
    return to_datetime(value, what, "a datetime, epoch seconds or a preformatted string"), None


def iso_local(t: _dt.datetime, tz: _dt.tzinfo = CST, ms: bool = False) -> str:
    """``2018-06-14T15:31:49+08:00`` (CDN ``eventTime``); with ``ms``:
    ``2021-01-18T11:58:31.125+08:00`` (EventBridge ``time`` of Alibaba Cloud services)."""
    t = t.astimezone(tz)
    off = t.utcoffset() or _dt.timedelta(0)
    minutes = int(off.total_seconds()) // 60
    sign = "+" if minutes >= 0 else "-"
    hh, mm = divmod(abs(minutes), 60)
    frac = f".{t.microsecond // 1000:03d}" if ms else ""
    return (
        f"{t.year:04d}-{t.month:02d}-{t.day:02d}T{t.hour:02d}:{t.minute:02d}:"
        f"{t.second:02d}{frac}{sign}{hh:02d}:{mm:02d}"
    )


def epoch_s(t: _dt.datetime) -> int:
    return int(t.timestamp())


def epoch_us(t: _dt.datetime) -> int:
    return int(t.timestamp()) * 1_000_000 + t.microsecond


# --------------------------------------------------------------------------- vocabularies
# Small fixed vocabularies keep defaults realistic and cheap (no Faker per event) and
# stable across Faker releases, so a seed gives the same event on every machine.
WORDS = (
    "alpha",
    "orders",
    "invoice",
    "report",
    "avatar",
    "photo",
    "banner",
    "backup",
    "export",
    "session",
    "metrics",
    "audit",
    "thumbnail",
    "upload",
    "archive",
    "catalog",
    "profile",
    "receipt",
    "summary",
    "ledger",
    "campaign",
    "payload",
    "sample",
    "dataset",
)
FILE_TYPES = (
    ("jpg", "image/jpeg"),
    ("png", "image/png"),
    ("json", "application/json"),
    ("csv", "text/csv"),
    ("zip", "application/zip"),
    ("gz", "application/gzip"),
    ("mp4", "video/mp4"),
    ("pdf", "application/pdf"),
    ("txt", "text/plain"),
    ("log", "text/plain"),
    ("webp", "image/webp"),
    ("parquet", "application/octet-stream"),
)
MIME_BY_EXT = dict(FILE_TYPES)
KEY_PREFIXES = ("source", "uploads", "images", "incoming", "data/raw", "logs", "inbox")
SENTENCES = (
    "order 10432 paid",
    "user signed up",
    "thumbnail requested",
    "nightly export ready",
    "payment captured",
    "device heartbeat",
    "inventory adjusted",
    "report generated",
    "cache invalidation requested",
    "shipment dispatched",
)
_ALNUM = "abcdefghijklmnopqrstuvwxyz0123456789"
_ALPHA_MIXED = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def alnum(rng: FCRandom, n: int, alphabet: str = _ALNUM) -> str:
    """``n`` random characters of ``alphabet`` (resource-id suffixes such as ``i7m2t7t1ab3c``)."""
    r = rng.random.random
    size = len(alphabet)
    return "".join(alphabet[int(r() * size)] for _ in range(n))


def mixed_letters(rng: FCRandom, n: int) -> str:
    return alnum(rng, n, _ALPHA_MIXED)


def resource_name(rng: FCRandom, kind: str) -> str:
    """A plausible resource name: ``<word>-<kind>-<4 hex>`` (e.g. ``orders-topic-3fa1``)."""
    return f"{rng.choice(WORDS)}-{kind}-{rng.hex(4)}"


def object_key(rng: FCRandom) -> str:
    """A realistic OSS object key: ``source/invoice-3fa1c2.pdf``."""
    ext = rng.choice(FILE_TYPES)[0]
    return f"{rng.choice(KEY_PREFIXES)}/{rng.choice(WORDS)}-{rng.hex(6)}.{ext}"


def message_text(rng: FCRandom) -> str:
    return f"{rng.choice(SENTENCES)} #{rng.randint(1000, 99999)}"


def as_text(value: Union[str, bytes, bytearray], what: str) -> str:
    """Message bodies may be given as str or UTF-8 bytes; the payload carries text."""
    if isinstance(value, str):
        return value
    if isinstance(value, (bytes, bytearray)):
        try:
            return bytes(value).decode("utf-8")
        except UnicodeDecodeError:
            raise ConfigError(
                f"{what}: bytes must be UTF-8 text for this event (base64-encode binary data yourself)"
            ) from None
    raise ConfigError(f"{what}: expected str or bytes, got {type(value).__name__}")


def as_str(value: Any, what: str) -> str:
    """A text field given by the caller (a CLI flag without a value arrives as ``True``)."""
    if not isinstance(value, str):
        raise ConfigError(f"{what}: expected a string, got {value!r}")
    return value


def as_mapping(value: Any, what: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ConfigError(f"{what}: expected a dict, got {type(value).__name__}")
    return value


def as_int(value: Any, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        try:
            if isinstance(value, str) and value.strip().lstrip("-").isdigit():
                return int(value)
        except ValueError:
            pass
        raise ConfigError(f"{what}: expected an integer, got {value!r}")
    return value


def seq_or_count(value: Any, what: str) -> Optional[int]:
    """``batch=`` of the EventBridge builders: None (event model) or a positive count."""
    if value is None:
        return None
    n = as_int(value, what)
    if n < 1:
        raise ConfigError(f"{what}: batch must be >= 1 (or None for the event model), got {n}")
    return n
