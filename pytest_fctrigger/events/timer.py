"""Timer trigger events (FC docs "Formats of event for different triggers", "Time trigger";
"Configure a timer trigger", 定时触发器).

Payload: ``{"triggerTime": "2018-02-09T05:49:00Z", "triggerName": "timer-trigger",
"payload": "awesome-fc"}``. All three fields are strings; ``payload`` is the trigger
config's ``payload`` ("Trigger Message") verbatim. A timer fires on whole seconds, and
the default ``triggerTime`` is the test clock's next instant rounded down to the minute
(the cron examples of FC's timer trigger docs fire at second 0).
"""

from __future__ import annotations

import datetime as _dt
from typing import Any, Mapping, Optional, Union

from ..errors import ConfigError
from ._base import FCEvent
from ._fields import apply_overrides, coerce_rng, iso_s, reject_unknown, resolve_time, to_payload
from ._random import FCRandom

__all__ = ["timer_event"]


def timer_event(
    *,
    trigger_name: Optional[str] = None,
    payload: Optional[str] = None,
    trigger_time: Union[_dt.datetime, str, None] = None,
    rng: Union[FCRandom, int, None] = None,
    overrides: Optional[Mapping[str, Any]] = None,
    **unknown: Any,
) -> FCEvent:
    """A timer trigger event.

    ``trigger_time``: datetime (formatted ``%Y-%m-%dT%H:%M:%SZ`` in UTC) or a string kept
    verbatim. ``payload``: the trigger config's message, passed through unchanged
    (default ``""``, what a trigger without a message sends). ``trigger_name``: the
    trigger's name (default ``timer-trigger``, the doc's example).
    """
    if unknown:
        reject_unknown(timer_event, unknown)
    rng = coerce_rng(rng)
    if trigger_time is None:
        when = rng.time().replace(second=0, microsecond=0)
        text = iso_s(when)
    else:
        when, verbatim = resolve_time(trigger_time, rng, "timer_event(trigger_time=)")
        text = verbatim if verbatim is not None else iso_s(when)
    if payload is None:
        payload = ""
    elif not isinstance(payload, str):
        raise ConfigError(
            f"timer_event(payload=): the timer payload is a string (the trigger "
            f"config's 'payload'), got {type(payload).__name__}"
        )
    data = {
        "triggerTime": text,
        "triggerName": trigger_name or "timer-trigger",
        "payload": payload,
    }
    apply_overrides(data, overrides, "timer_event()")
    return FCEvent(to_payload(data), data, "timer", "default")
