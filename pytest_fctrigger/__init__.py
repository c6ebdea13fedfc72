"""pytest-fctrigger: test Alibaba Cloud Function Compute handlers with pytest.

This module is imported whenever pytest loads the plugin, so it must stay cheap:
public names are resolved lazily on first attribute access (PEP 562).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# public name -> module that defines it (imported on first use)
_LAZY = {
    # functions and errors
    "make_context": "pytest_fctrigger.context",
    "invoke": "pytest_fctrigger.invoke",
    "FCInvokeError": "pytest_fctrigger.invoke",
    "FCTimeoutError": "pytest_fctrigger.invoke",
    "load_app": "pytest_fctrigger.triggers.loader",
    "lint": "pytest_fctrigger.triggers.lint",
    "next_fires": "pytest_fctrigger.triggers.cron",
    "SelfTriggerLoop": "pytest_fctrigger.loops",
    "SelfTriggerLoopWarning": "pytest_fctrigger.loops",
    "FCTriggerError": "pytest_fctrigger.errors",
    "ConfigError": "pytest_fctrigger.errors",
    "UnknownFieldError": "pytest_fctrigger.errors",
    "NotSimulatedError": "pytest_fctrigger.errors",
    "NetworkBlockedError": "pytest_fctrigger.errors",
    # types: what the fixtures return and what they hand out, for annotations
    # (``def test_x(fc_invoke: Invoker, fc_cloud: Cloud): ...``)
    "FCEvent": "pytest_fctrigger.events._base",  # fc_trigger_event, every event builder
    "FCRandom": "pytest_fctrigger.events._random",  # fc_random
    "FCContext": "pytest_fctrigger.context",  # fc_context (FC 2.0 / Python <= 3.10 shape)
    "FCContext312": "pytest_fctrigger.context",  # fc_context with the python3.12 runtime
    "Invoker": "pytest_fctrigger.invoke",  # fc_invoke
    "InvokeResult": "pytest_fctrigger.invoke",  # what fc_invoke(...) returns
    "HttpDriver": "pytest_fctrigger.http",  # fc_http
    "HttpResponse": "pytest_fctrigger.http",  # what fc_http.get(...) etc. return
    "MatrixCase": "pytest_fctrigger.matrix",  # fc_matrix_case
    "FCSettings": "pytest_fctrigger.fc_settings",  # fc_settings
    "App": "pytest_fctrigger.triggers.model",  # fc_app, load_app()
    "FunctionSpec": "pytest_fctrigger.triggers.model",
    "TriggerSpec": "pytest_fctrigger.triggers.model",  # items of fc_triggers
    "Cloud": "pytest_fctrigger.cloud",  # fc_cloud
    "Write": "pytest_fctrigger.cloud",  # items of fc_cloud.journal / .writes
    "OssService": "pytest_fctrigger.cloud.oss",  # fc_cloud.oss
    "Bucket": "pytest_fctrigger.cloud.oss",  # fc_cloud.oss.bucket(...)
    "MnsService": "pytest_fctrigger.cloud.mns",  # fc_cloud.mns
    "TablestoreService": "pytest_fctrigger.cloud.tablestore",  # fc_cloud.tablestore
    "SlsService": "pytest_fctrigger.cloud.sls",  # fc_cloud.sls
}

__all__ = sorted(_LAZY) + ["__version__"]

if TYPE_CHECKING:  # pragma: no cover - for type checkers and IDEs only
    from pytest_fctrigger.cloud import Cloud, Write
    from pytest_fctrigger.cloud.mns import MnsService
    from pytest_fctrigger.cloud.oss import Bucket, OssService
    from pytest_fctrigger.cloud.sls import SlsService
    from pytest_fctrigger.cloud.tablestore import TablestoreService
    from pytest_fctrigger.context import FCContext, FCContext312, make_context
    from pytest_fctrigger.errors import (
        ConfigError,
        FCTriggerError,
        NetworkBlockedError,
        NotSimulatedError,
        UnknownFieldError,
    )
    from pytest_fctrigger.events._base import FCEvent
    from pytest_fctrigger.events._random import FCRandom
    from pytest_fctrigger.fc_settings import FCSettings
    from pytest_fctrigger.http import HttpDriver, HttpResponse
    from pytest_fctrigger.invoke import FCInvokeError, FCTimeoutError, Invoker, InvokeResult, invoke
    from pytest_fctrigger.loops import SelfTriggerLoop, SelfTriggerLoopWarning
    from pytest_fctrigger.matrix import MatrixCase
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
