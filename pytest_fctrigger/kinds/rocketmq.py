"""RocketMQ trigger (``rocketmq``): an EventBridge trigger with a RocketMQ source.

FC's documentation: "RocketMQ触发器" / "Configure a ApsaraMQ for RocketMQ trigger".
"""

from __future__ import annotations

from typing import Any, Iterable

from .base import CONFIGURED, Case, TriggerKind
from .eventbridge import model_of, source_fields


def matrix_cases(trigger: Any, function: Any, fires: int) -> Iterable[Case]:
    params = trigger.event_source_parameters
    fields = {
        "topic": params.get("Topic"),
        "instance_id": params.get("InstanceId"),
        "trigger_name": trigger.name,
        **source_fields(trigger, function),
    }
    if params.get("Tag") and params["Tag"] != "*":
        fields["tags"] = params["Tag"]
    yield model_of(trigger), "rocketmq", fields, None


KIND = TriggerKind(
    name="rocketmq",
    fc_trigger_type="eventbridge",
    eventbridge_source_type="RocketMQ",
    description="RocketMQ trigger (EventBridge): event or stream model",
    matrix_cases=matrix_cases,
    event_source="rocketmq",
    invocation_type=CONFIGURED,
)
