"""Log Service (SLS) trigger events (Function Compute docs: "Formats of event for
different triggers", Log Service trigger; "SLS触发器概述").

Payload::

    {"parameter": {}, "source": {"endpoint", "projectName", "logstoreName", "shardId",
     "beginCursor", "endCursor"}, "jobName", "taskId", "cursorTime"}

``parameter`` is the trigger's ``functionParameter`` (any JSON object); ``shardId`` and
``cursorTime`` (Unix seconds of the last log's arrival) are ints; ``jobName`` is the ETL
job's 40-hex name, ``taskId`` a UUID. Cursors are officially opaque; the doc's sample
cursors (``MTUyOTQ4MDIwOTY1NTk3ODQ2Mw==``) are the base64 of a decimal string
(``1529480209655978463``), consecutive for begin/end. We use that encoding
(:func:`encode_sls_cursor` / :func:`decode_sls_cursor`), so the simulated logstore
and the events agree on what a cursor means.
"""

from __future__ import annotations

import base64
import binascii
import datetime as _dt
from typing import Any, Mapping, Optional, Union

from ..errors import ConfigError
from ._base import FCEvent
from ._fields import (
    apply_overrides,
    as_int,
    coerce_rng,
    epoch_s,
    reject_unknown,
    resolve_time,
    resource_name,
    to_payload,
)
from ._random import FCRandom

__all__ = ["sls_event", "encode_sls_cursor", "decode_sls_cursor"]


def encode_sls_cursor(position: int) -> str:
    """The cursor text for an integer position: base64 of its decimal digits."""
    position = as_int(position, "SLS cursor position")
    if position < 0:
        raise ConfigError(f"SLS cursor position must be >= 0, got {position}")
    return base64.b64encode(str(position).encode("ascii")).decode("ascii")


def decode_sls_cursor(cursor: str) -> int:
    """The integer position of a cursor made by :func:`encode_sls_cursor`."""
    try:
        text = base64.b64decode(cursor.encode("ascii"), validate=True).decode("ascii")
        if not text.isdigit():
            raise ValueError(text)
        return int(text)
    except (binascii.Error, ValueError, UnicodeError, AttributeError):
        raise ConfigError(
            f"{cursor!r} is not an SLS cursor (base64 of a decimal position, e.g. 'MTUyOTQ4MDIwOTY1NTk3ODQ2Mw==')"
        ) from None


def _cursor(value: Union[int, str], what: str) -> str:
    if isinstance(value, str):
        return value
    return encode_sls_cursor(as_int(value, what))


def sls_event(
    *,
    project: Optional[str] = None,
    logstore: Optional[str] = None,
    shard_id: int = 0,
    begin_cursor: Union[int, str, None] = None,
    end_cursor: Union[int, str, None] = None,
    parameter: Optional[Mapping[str, Any]] = None,
    endpoint: Optional[str] = None,
    region: Optional[str] = None,
    job_name: Optional[str] = None,
    task_id: Optional[str] = None,
    cursor_time: Union[int, _dt.datetime, None] = None,
    rng: Union[FCRandom, int, None] = None,
    overrides: Optional[Mapping[str, Any]] = None,
    **unknown: Any,
) -> FCEvent:
    """An SLS trigger event for one shard's range ``[begin_cursor, end_cursor)``.

    Cursors may be given as ints (encoded) or as cursor strings (kept verbatim).
    ``cursor_time``: Unix seconds or a datetime (default: the test clock's next
    instant). ``endpoint`` defaults to ``http://<region>-intranet.log.aliyuncs.com``.
    """
    if unknown:
        reject_unknown(sls_event, unknown)
    rng = coerce_rng(rng)
    region = region or rng.region
    if cursor_time is None:
        arrived = rng.time()
        cursor_s = epoch_s(arrived)
    elif isinstance(cursor_time, _dt.datetime):
        arrived, _ = resolve_time(cursor_time, rng, "sls_event(cursor_time=)")
        cursor_s = epoch_s(arrived)
    else:
        cursor_s = as_int(cursor_time, "sls_event(cursor_time=)")
    if begin_cursor is None:
        # Positions look like the doc's: nanosecond-scale numbers a little before arrival.
        begin_pos = (cursor_s - rng.randint(60, 7200)) * 1_000_000_000 + rng.randint(0, 999_999_999)
        begin_cursor = begin_pos
        if end_cursor is None:
            end_cursor = begin_pos + rng.randint(1, 64)
    elif end_cursor is None:
        if isinstance(begin_cursor, str):
            end_cursor = encode_sls_cursor(decode_sls_cursor(begin_cursor) + 1)
        else:
            end_cursor = as_int(begin_cursor, "sls_event(begin_cursor=)") + 1
    if not isinstance(begin_cursor, str) and not isinstance(end_cursor, str):
        if as_int(end_cursor, "sls_event(end_cursor=)") < as_int(begin_cursor, "sls_event(begin_cursor=)"):
            raise ConfigError(f"sls_event(): end_cursor {end_cursor} is before begin_cursor {begin_cursor}")
    if parameter is None:
        parameter = {}
    elif not isinstance(parameter, Mapping):
        raise ConfigError(
            "sls_event(parameter=): the trigger's functionParameter is a JSON object "
            f"(dict), got {type(parameter).__name__}"
        )
    data = {
        "parameter": dict(parameter),
        "source": {
            "endpoint": endpoint or f"http://{region}-intranet.log.aliyuncs.com",
            "projectName": project or resource_name(rng, "project"),
            "logstoreName": logstore or resource_name(rng, "logstore"),
            "shardId": as_int(shard_id, "sls_event(shard_id=)"),
            "beginCursor": _cursor(begin_cursor, "sls_event(begin_cursor=)"),
            "endCursor": _cursor(end_cursor, "sls_event(end_cursor=)"),
        },
        "jobName": job_name or rng.hex(40),
        "taskId": task_id or rng.uuid(),
        "cursorTime": cursor_s,
    }
    apply_overrides(data, overrides, "sls_event()")
    return FCEvent(to_payload(data), data, "log", "default")
