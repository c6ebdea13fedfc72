"""The one HTTP-date formatter (RFC 7231 IMF-fixdate: ``Sun, 06 Nov 1994 08:49:37 GMT``)."""

from __future__ import annotations

import datetime as _dt
import functools
from email.utils import format_datetime

_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@functools.lru_cache(maxsize=256)  # the same instants recur (Date, Last-Modified)
def http_date(when: _dt.datetime) -> str:
    """``email.utils.format_datetime(when, usegmt=True)``; UTC instants (the simulated
    clock's) are formatted by hand, at a third of its cost (the OSS hot path)."""
    if when.tzinfo is not _dt.timezone.utc:
        return format_datetime(when, usegmt=True)
    return (
        f"{_WEEKDAYS[when.weekday()]}, {when.day:02d} {_MONTHS[when.month - 1]} {when.year:04d} "
        f"{when.hour:02d}:{when.minute:02d}:{when.second:02d} GMT"
    )
