"""Kafka trigger (``kafka``): an EventBridge trigger with a Kafka source (event-streaming
only), or the FC Sink Connector form.

FC's documentation: "Kafka触发器" / "Configure a ApsaraMQ for Kafka trigger".
"""

from __future__ import annotations

from typing import Any, Iterable

from .base import CONFIGURED, Case, TriggerKind


def matrix_cases(trigger: Any, function: Any, fires: int) -> Iterable[Case]:
    params = trigger.event_source_parameters
    fields = {"topic": params.get("Topic"), "instance_id": params.get("InstanceId")}
    if params.get("RegionId"):
        fields["region"] = params["RegionId"]
    yield "eventbridge", "kafka", fields, None


KIND = TriggerKind(
    name="kafka",
    fc_trigger_type="eventbridge",
    eventbridge_source_type="Kafka",
    description="Kafka: EventBridge array form, or the FC Sink Connector form",
    matrix_cases=matrix_cases,
    event_source="kafka",
    invocation_type=CONFIGURED,
)
