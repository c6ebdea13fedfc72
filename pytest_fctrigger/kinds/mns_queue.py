"""MNS queue trigger (``mns_queue``): an EventBridge trigger with an MNS queue source.

FC's documentation: "MNS队列触发器" / "Configure a Simple Message Queue (formerly MNS) queue trigger".
"""

from __future__ import annotations

from typing import Any, Iterable

from .base import CONFIGURED, Case, TriggerKind
from .eventbridge import model_of, source_fields


def matrix_cases(trigger: Any, function: Any, fires: int) -> Iterable[Case]:
    params = trigger.event_source_parameters
    fields = {"queue": params.get("QueueName"), "trigger_name": trigger.name, **source_fields(trigger, function)}
    yield model_of(trigger), "mns_queue", fields, None


KIND = TriggerKind(
    name="mns_queue",
    fc_trigger_type="eventbridge",
    eventbridge_source_type="MNS",
    description="MNS queue trigger (EventBridge): event or stream model",
    matrix_cases=matrix_cases,
    event_source="mns_queue",
    invocation_type=CONFIGURED,
)
