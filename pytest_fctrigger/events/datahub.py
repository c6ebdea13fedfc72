"""DataHub trigger events (FC docs "Formats of event for different triggers", "DataHub trigger").

Payload::

    {"eventSource": "acs:datahub", "eventName": "acs:datahub:putRecord",
     "eventSourceARN": "/projects/<project>/topics/<topic>", "region": "<region>",
     "records": [{"eventId": "<shardId>:<sequence>", "systemTime": <ms>, "data": "<text>"}]}

``data`` is a string: for a TUPLE topic the JSON array of the row's column values as
text (``"[\\"col1's value\\",\\"col2's value\\"]"``), for a BLOB topic the record's text.
Sequence numbers grow by one per record within the shard, and ``systemTime`` (ms)
never goes backwards.
"""

from __future__ import annotations

import datetime as _dt
from typing import Any, List, Mapping, Optional, Sequence, Union

from ..errors import ConfigError
from ._base import FCEvent
from ._fields import (
    WORDS,
    apply_overrides,
    as_int,
    as_text,
    coerce_rng,
    dumps,
    epoch_ms,
    reject_unknown,
    resolve_time,
    resource_name,
    to_payload,
)
from ._random import FCRandom

__all__ = ["datahub_event"]


def _record_data(value: Any, where: str) -> str:
    if isinstance(value, (list, tuple)):  # a TUPLE row: its column values as a JSON array
        return dumps(list(value))
    return as_text(value, where)


def datahub_event(
    *,
    records: Optional[Sequence[Any]] = None,
    project: Optional[str] = None,
    topic: Optional[str] = None,
    shard_id: int = 0,
    sequence: Optional[int] = None,
    region: Optional[str] = None,
    event_time: Union[_dt.datetime, str, None] = None,
    rng: Union[FCRandom, int, None] = None,
    overrides: Optional[Mapping[str, Any]] = None,
    **unknown: Any,
) -> FCEvent:
    """A DataHub trigger event with one entry per record.

    ``records``: each a list of column values (TUPLE topic; encoded as the JSON array
    text the doc shows) or a str/bytes (BLOB topic). ``sequence``: the first record's
    sequence number in ``shard_id`` (``eventId`` is ``"<shard_id>:<sequence>"``).
    """
    if unknown:
        reject_unknown(datahub_event, unknown)
    rng = coerce_rng(rng)
    if records is None:
        records = [[rng.choice(WORDS), str(rng.randint(1, 10_000))] for _ in range(2)]
    elif isinstance(records, (str, bytes, Mapping)) or not isinstance(records, (list, tuple)):
        raise ConfigError(
            "datahub_event(records=): expected a list of records (each a list of column values or a string)"
        )
    if not records:
        raise ConfigError("datahub_event(records=): at least one record")
    shard = as_int(shard_id, "datahub_event(shard_id=)")
    seq = as_int(sequence, "datahub_event(sequence=)") if sequence is not None else rng.randint(0, 10**6)
    when, _ = resolve_time(event_time, rng, "datahub_event(event_time=)")
    stamp = epoch_ms(when)
    entries: List[dict] = []
    for i, rec in enumerate(records):
        entries.append(
            {
                "eventId": f"{shard}:{seq + i}",
                "systemTime": stamp,
                "data": _record_data(rec, f"datahub_event(records[{i}])"),
            }
        )
        stamp += rng.randint(0, 40_000)
    data = {
        "eventSource": "acs:datahub",
        "eventName": "acs:datahub:putRecord",
        "eventSourceARN": f"/projects/{project or resource_name(rng, 'project').replace('-', '_')}"
        f"/topics/{topic or resource_name(rng, 'topic').replace('-', '_')}",
        "region": region or rng.region,
        "records": entries,
    }
    apply_overrides(data, overrides, "datahub_event()")
    return FCEvent(to_payload(data), data, "datahub", "default")
