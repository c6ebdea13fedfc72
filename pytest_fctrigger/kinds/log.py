"""Log Service (SLS) trigger (``log``; alias ``sls``): an ETL job over one source logstore.

FC's documentation: "日志服务触发器" / "Configure a Simple Log Service trigger"
(trigger interval [3, 600] s, retries [0, 100]).
"""

from __future__ import annotations

import json
from typing import Any, Dict, Iterable, Optional

from ..events.catalog import aliases_of
from ._check import arn_resource, as_bool, as_int, as_str, get_path
from .base import ANY, SYNC, Case, MarkerTrigger, NormalizeContext, Shorthand, TriggerKind, WriteRule, region_fields

TRIGGER_INTERVAL = (3, 600)
MAX_RETRY_TIME = (0, 100)

CONFIG_SCHEMA: Dict[str, Any] = {
    "sourceConfig": {"logstore": None, "startTime": None},
    "jobConfig": {"maxRetryTime": None, "triggerInterval": None},
    "logConfig": {"project": None, "logstore": None},
    "functionParameter": ANY,
    "enable": None,
}

SHORTHANDS = (
    Shorthand("project", (str,), None, "the source SLS project"),
    Shorthand("logstore", (str,), None, "the source logstore"),
    Shorthand("enable", (bool,), None, "false: the trigger is disabled"),
)


def from_marker(m: MarkerTrigger) -> None:
    project = m.extra.pop("project", None)
    logstore = m.extra.pop("logstore", None)
    if logstore is not None:
        m.config.setdefault("sourceConfig", {})["logstore"] = logstore
    if m.source_arn is None and project:
        m.source_arn = f"acs:log:{m.region}:{m.account}:project/{project}"


def normalize(ctx: NormalizeContext) -> None:
    check, cfg, arn = ctx.check, ctx.config, ctx.arn
    as_str(
        check, cfg, "sourceConfig.logstore", required="the logstore the ETL job reads (sourceConfig: {logstore: ...})"
    )
    for path in ("jobConfig.triggerInterval", "jobConfig.maxRetryTime"):
        as_int(check, cfg, path)
    for path in ("logConfig.project", "logConfig.logstore"):
        as_str(check, cfg, path)
    as_bool(check, cfg, "enable")
    param = cfg.get("functionParameter")
    if isinstance(param, str):
        try:
            cfg["functionParameter"] = json.loads(param) if param.strip() else {}
        except ValueError:
            raise check.fail(
                "functionParameter", f"functionParameter must be a mapping or a JSON string, got {param!r}"
            ) from None
    elif param is not None and not isinstance(param, dict):
        raise check.fail("functionParameter", f"functionParameter must be a mapping, got {param!r}")
    project = arn_resource(arn, "log")
    if arn is not None and not (project and project.startswith("project/")):
        raise check.fail(
            "sourceArn",
            f"sourceArn {arn!r} is not an SLS project ARN (acs:log:<region>:<account-id>:project/<project>)",
        )
    if arn is None:
        project_name = get_path(cfg, "logConfig.project")
        if not project_name:
            raise check.missing(
                "sourceArn",
                "an SLS trigger needs its project: sourceArn "
                "acs:log:<region>:<account-id>:project/<project> or logConfig.project",
            )
        ctx.arn = f"acs:log:{ctx.region}:{ctx.account}:project/{project_name}"


def _lint(checker: Any, function: Any, trigger: Any) -> None:
    who = f"function {function.name!r}, SLS trigger {trigger.name!r}"
    for code, key, (low, high), unit in (
        ("FCT301", "triggerInterval", TRIGGER_INTERVAL, " seconds"),
        ("FCT302", "maxRetryTime", MAX_RETRY_TIME, ""),
    ):
        value = trigger.job_config.get(key)
        if value is not None and not low <= value <= high:
            checker.add(
                code,
                trigger,
                f"{who}: jobConfig.{key} is {value}, outside [{low}, {high}]{unit}",
                f"set jobConfig.{key} between {low} and {high}",
                f"jobConfig.{key}",
                function,
            )


class LogWriteRule(WriteRule):
    """Same source project and logstore (``sourceArn`` project + ``sourceConfig.logstore``)."""

    service = "sls"

    def index_key(self, trigger: Any) -> Optional[tuple]:
        if trigger.project and trigger.logstore:
            return ("log", trigger.project, trigger.logstore)
        return None

    def write_key(self, write: Any) -> Optional[tuple]:
        r = write.resource
        return ("log", r.get("project"), r.get("logstore"))

    def match(self, write: Any, trigger: Any, prepared: Any) -> Optional[str]:
        r = write.resource
        return f"logstore {r.get('project')}/{r.get('logstore')} is the trigger's source logstore"

    def fix(self, write: Any, trigger: Any) -> str:
        r = write.resource
        return f"put the logs into another logstore than the trigger's source {r.get('project')}/{r.get('logstore')}"


def matrix_cases(trigger: Any, function: Any, fires: int) -> Iterable[Case]:
    fields = {
        "project": trigger.project,
        "logstore": trigger.logstore,
        "parameter": trigger.function_parameter,
        **region_fields(trigger),
    }
    # the cursors of the range are the test's fc_cloud logstore's, when it has one (matrix.py)
    yield f"{trigger.project}/{trigger.logstore}", "log", fields, None


KIND = TriggerKind(
    name="log",
    aliases=aliases_of("log"),
    fc_trigger_type="log",
    description="Log Service (SLS) trigger: one shard's cursor range per ETL job run",
    config_schema=CONFIG_SCHEMA,
    shorthands=SHORTHANDS,
    from_marker=from_marker,
    normalize=normalize,
    lint=(_lint,),
    write_rule=LogWriteRule(),
    matrix_cases=matrix_cases,
    event_source="log",
    invocation_type=SYNC,
)
