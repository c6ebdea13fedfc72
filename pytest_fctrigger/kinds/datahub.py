"""DataHub (``datahub``): an event source with a builder; FC configures no trigger type of
its own for it here (Funcraft's Datahub event is reported as unmodelled, FCT015)."""

from __future__ import annotations

from .base import SYNC, TriggerKind

KIND = TriggerKind(name="datahub", description="DataHub trigger", event_source="datahub", invocation_type=SYNC)
