"""API Gateway (``apigw``; aliases ``api_gateway``, ``apigateway``): API Gateway calls a
function with its own event shape (plain or base64 body); not an FC ``triggerType``."""

from __future__ import annotations

from ..events.catalog import aliases_of
from .base import SYNC, TriggerKind

KIND = TriggerKind(
    name="apigw",
    aliases=aliases_of("apigw"),
    description="API Gateway trigger: plain or base64 body",
    event_source="apigw",
    invocation_type=SYNC,
)
