"""pytest-fctrigger: test Alibaba Cloud Function Compute handlers with pytest.

This module is imported whenever pytest loads the plugin, so it must stay cheap:
public names are resolved lazily on first attribute access (PEP 562).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# public name -> module that defines it (imported on first use)
_LAZY = {
    "FCEvent": "pytest_fctrigger.events._base",
    "FCRandom": "pytest_fctrigger.events._random",
    "make_context": "pytest_fctrigger.context",
    "FCContext": "pytest_fctrigger.context",
    "invoke": "pytest_fctrigger.invoke",
    "InvokeResult": "pytest_fctrigger.invoke",
    "FCInvokeError": "pytest_fctrigger.invoke",
    "FCTimeoutError": "pytest_fctrigger.invoke",
    "load_app": "pytest_fctrigger.triggers.loader",
    "lint": "pytest_fctrigger.triggers.lint",
    "next_fires": "pytest_fctrigger.triggers.cron",
    "App": "pytest_fctrigger.triggers.model",
    "FunctionSpec": "pytest_fctrigger.triggers.model",
    "TriggerSpec": "pytest_fctrigger.triggers.model",
    "SelfTriggerLoop": "pytest_fctrigger.loops",
    "SelfTriggerLoopWarning": "pytest_fctrigger.loops",
    "Cloud": "pytest_fctrigger.cloud",
    "FCTriggerError": "pytest_fctrigger.errors",
    "ConfigError": "pytest_fctrigger.errors",
    "UnknownFieldError": "pytest_fctrigger.errors",
    "NotSimulatedError": "pytest_fctrigger.errors",
    "NetworkBlockedError": "pytest_fctrigger.errors",
}

__all__ = sorted(_LAZY) + ["__version__"]

if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs only
    from pytest_fctrigger.cloud import Cloud
    from pytest_fctrigger.context import FCContext, make_context
    from pytest_fctrigger.errors import (
        ConfigError,
        FCTriggerError,
        NetworkBlockedError,
        NotSimulatedError,
        UnknownFieldError,
    )
    from pytest_fctrigger.events._base import FCEvent
    from pytest_fctrigger.events._random import FCRandom
    from pytest_fctrigger.invoke import FCInvokeError, FCTimeoutError, InvokeResult, invoke
    from pytest_fctrigger.loops import SelfTriggerLoop, SelfTriggerLoopWarning
    from pytest_fctrigger.triggers.cron import next_fires
    from pytest_fctrigger.triggers.lint import lint
    from pytest_fctrigger.triggers.loader import load_app
    from pytest_fctrigger.triggers.model import App, FunctionSpec, TriggerSpec


def __getattr__(name: str) -> Any:
    module_name = _LAZY.get(name)
    if module_name is None:
        raise AttributeError(f"module 'pytest_fctrigger' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module_name), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
