"""HTTP trigger (``http``): methods and ``authType``.

FC's documentation: "HTTP触发器" / "Configure an HTTP trigger" (one HTTP trigger per
function; in FC 2.0 no other trigger beside it).
"""

from __future__ import annotations

from typing import Any, Dict, Iterable, List

from ._check import as_bool, as_str, as_str_list, choice
from .base import ANY, SYNC, Case, NormalizeContext, TriggerKind, region_fields

HTTP_METHODS = ("GET", "POST", "PUT", "DELETE", "HEAD", "PATCH", "OPTIONS")
HTTP_AUTH_TYPES = ("anonymous", "function", "jwt")

CONFIG_SCHEMA: Dict[str, Any] = {"authType": None, "methods": None, "disableURLInternet": None, "authConfig": ANY}


def normalize(ctx: NormalizeContext) -> None:
    check, cfg = ctx.check, ctx.config
    auth = as_str(check, cfg, "authType")
    if auth is not None:
        cfg["authType"] = choice(check, "authType", auth, HTTP_AUTH_TYPES)
    methods = as_str_list(check, cfg, "methods")
    if methods is not None:
        cfg["methods"] = [choice(check, f"methods.{i}", m, HTTP_METHODS, str.upper) for i, m in enumerate(methods)]
    as_bool(check, cfg, "disableURLInternet")


def _lint_function(checker: Any, function: Any) -> None:
    """FCT501 (HTTP beside another trigger) and FCT502 (two HTTP triggers per qualifier)."""
    http = [t for t in function.triggers if t.type == "http"]
    others = [t for t in function.triggers if t.type != "http"]
    if http and others:
        fc3 = checker.app.format == "fc3"
        checker.add(
            "FCT501",
            http[0],
            f"function {function.name!r} has HTTP trigger {http[0].name!r} and also "
            + ", ".join(f"{t.type} trigger {t.name!r}" for t in others)
            + (
                "; FC 2.0 rejects this (FC 3.0 documents no such limit)"
                if fc3
                else "; a function with an HTTP trigger cannot have other triggers"
            ),
            "move the HTTP trigger (or the other triggers) to a separate function",
            "",
            function,
            severity="warning" if fc3 else None,
        )
    by_qualifier: Dict[str, List[Any]] = {}
    for trigger in http:
        by_qualifier.setdefault(trigger.qualifier or "LATEST", []).append(trigger)
    for qualifier, triggers in by_qualifier.items():
        for extra in triggers[1:]:
            checker.add(
                "FCT502",
                extra,
                f"function {function.name!r} has {len(triggers)} HTTP triggers for qualifier "
                f"{qualifier!r} ({', '.join(repr(t.name) for t in triggers)}); FC allows one",
                "keep one HTTP trigger per function version/alias",
                "",
                function,
            )


def _lint_app(checker: Any, app: Any) -> None:
    for function in app.functions.values():
        _lint_function(checker, function)


def matrix_cases(trigger: Any, function: Any, fires: int) -> Iterable[Case]:
    for method in trigger.methods or ["GET"]:
        yield (
            method,
            "http",
            {"method": method, "path": "/", "function_name": function.name, **region_fields(trigger)},
            None,
        )


KIND = TriggerKind(
    name="http",
    fc_trigger_type="http",
    description="HTTP trigger, FC 3.0 event form",
    config_schema=CONFIG_SCHEMA,
    normalize=normalize,
    app_lint=(_lint_app,),
    matrix_cases=matrix_cases,
    event_source="http",
    invocation_type=SYNC,
)
