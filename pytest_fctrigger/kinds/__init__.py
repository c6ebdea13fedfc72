"""Trigger kinds: one module per trigger type, each defining a ``TriggerKind`` named ``KIND``.

Everything the plugin knows about a trigger type (names and aliases, config schema and
marker shorthands, normalisation, lint rules, how a write fires it, matrix cases, its
event builder, invocation type) lives in that type's module; the rest of the plugin asks
:data:`REGISTRY`. A package adds a kind with the ``pytest_fctrigger_trigger_kinds`` hook.
See docs/architecture.md.
"""

from __future__ import annotations

from .base import (
    ANY,
    ASYNC,
    CONFIGURED,
    SYNC,
    Draw,
    MarkerTrigger,
    NormalizeContext,
    Shorthand,
    TriggerKind,
    WriteRule,
)
from .registry import REGISTRY, KindRegistry, all_kinds, get_kind, register_kind

__all__ = [
    "ANY",
    "ASYNC",
    "CONFIGURED",
    "SYNC",
    "REGISTRY",
    "Draw",
    "KindRegistry",
    "MarkerTrigger",
    "NormalizeContext",
    "Shorthand",
    "TriggerKind",
    "WriteRule",
    "all_kinds",
    "get_kind",
    "register_kind",
]
