"""RabbitMQ trigger (``rabbitmq``): an EventBridge trigger with a RabbitMQ source.

FC's documentation: "RabbitMQ触发器" / "Configure a ApsaraMQ for RabbitMQ trigger".
"""

from __future__ import annotations

from typing import Any, Iterable

from .base import CONFIGURED, Case, TriggerKind
from .eventbridge import model_of, source_fields


def matrix_cases(trigger: Any, function: Any, fires: int) -> Iterable[Case]:
    params = trigger.event_source_parameters
    fields = {
        "queue": params.get("QueueName"),
        "vhost": params.get("VirtualHostName") or "eb-connect",
        "instance_id": params.get("InstanceId"),
        "trigger_name": trigger.name,
        **source_fields(trigger, function),
    }
    yield model_of(trigger), "rabbitmq", fields, None


KIND = TriggerKind(
    name="rabbitmq",
    fc_trigger_type="eventbridge",
    eventbridge_source_type="RabbitMQ",
    description="RabbitMQ trigger (EventBridge): event or stream model",
    matrix_cases=matrix_cases,
    event_source="rabbitmq",
    invocation_type=CONFIGURED,
)
