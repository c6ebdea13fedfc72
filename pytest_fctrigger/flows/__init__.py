"""Event flows: a whole FC app on a virtual clock, with FC's delivery semantics.

``flow = fc_flow("s.yaml")`` (the pytest fixture) or ``Flow(load_app(...), cloud)``:
every write to the simulated cloud becomes the events FC would deliver to every function
whose enabled trigger it fires; ``flow.run()`` delivers until nothing is pending,
``flow.advance(minutes=5)`` moves the clock (timers, retries, batch windows, SLS ticks),
``flow.invoke(function, event, invocation_type="Async")`` is InvokeFunction.
Delivery rules per trigger type: ``pytest_fctrigger.flows.semantics.DELIVERY``.
"""

from __future__ import annotations

from typing import Any, Mapping, Optional

from ._engine import DeadLetter, DestinationRecord, Flow, FlowInvocation, FlowRun, FlowRunaway, KafkaConnector
from .clock import VirtualClock
from .semantics import DELIVERY

__all__ = [
    "DELIVERY",
    "DeadLetter",
    "DestinationRecord",
    "Flow",
    "FlowInvocation",
    "FlowRun",
    "FlowRunaway",
    "KafkaConnector",
    "VirtualClock",
    "make_flow",
]


def make_flow(
    app_or_path: Any,
    cloud: Any,
    *,
    vars: Optional[Mapping[str, Any]] = None,
    duplicates: int = 0,
    max_invocations: int = 1000,
    include_disabled: bool = False,
    invoker: Any = None,
) -> Flow:
    """A ``Flow`` for an ``App`` or the path of its s.yaml / template.yml."""
    from ..errors import ConfigError
    from ..triggers.model import App

    if isinstance(app_or_path, App):
        if vars:
            raise ConfigError("fc_flow(app, vars=...): vars fill an s.yaml when it is loaded; pass the path instead")
        app = app_or_path
    elif isinstance(app_or_path, (str,)) or hasattr(app_or_path, "__fspath__"):
        from ..triggers.loader import load_app

        app = load_app(app_or_path, vars=vars)
    else:
        raise ConfigError(
            f"fc_flow() takes an App (load_app(...)) or the path of an s.yaml / template.yml, "
            f"got {type(app_or_path).__name__}"
        )
    return Flow(
        app,
        cloud,
        invoker=invoker,
        duplicates=duplicates,
        max_invocations=max_invocations,
        include_disabled=include_disabled,
    )
