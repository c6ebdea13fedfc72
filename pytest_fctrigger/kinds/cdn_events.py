"""CDN event trigger (``cdn_events``; alias ``cdn``): one CDN event for filtered domains.

FC's documentation: "CDN事件触发器" / "Configure a CDN event trigger" (event version 1.0.0 only).
"""

from __future__ import annotations

from typing import Any, Dict, Iterable

from ..events.catalog import CDN_EVENT_NAMES, aliases_of
from ._check import as_str, as_str_list, choice
from .base import SYNC, Case, NormalizeContext, TriggerKind

CONFIG_SCHEMA: Dict[str, Any] = {"eventName": None, "eventVersion": None, "notes": None, "filter": {"domain": None}}


def normalize(ctx: NormalizeContext) -> None:
    check, cfg = ctx.check, ctx.config
    event_name = as_str(check, cfg, "eventName", required="the CDN event, e.g. LogFileCreated")
    cfg["eventName"] = choice(check, "eventName", str(event_name), CDN_EVENT_NAMES)
    as_str(check, cfg, "eventVersion")
    as_str(check, cfg, "notes")
    domains = as_str_list(check, cfg, "filter.domain")
    if not domains:
        raise check.missing(
            "filter.domain", "CDN triggers filter by accelerated domain, e.g. filter: {domain: [www.example.com]}"
        )
    if ctx.arn is None:
        ctx.arn = f"acs:cdn:*:{ctx.account}"


def _lint(checker: Any, function: Any, trigger: Any) -> None:
    if trigger.event_version != "1.0.0":
        checker.add(
            "FCT701",
            trigger,
            f"function {function.name!r}, CDN trigger {trigger.name!r}: "
            f"eventVersion {trigger.event_version!r}; only 1.0.0 exists",
            "set eventVersion: '1.0.0' (quoted)",
            "eventVersion",
            function,
        )


def matrix_cases(trigger: Any, function: Any, fires: int) -> Iterable[Case]:
    name = trigger.cdn_event_name
    domains = trigger.domains or [None]
    for domain in domains:
        label = name if len(domains) == 1 else f"{name}:{domain}"
        fields: Dict[str, Any] = {"event_name": name}
        if domain:
            fields["domain"] = domain
        yield label, "cdn_events", fields, None


KIND = TriggerKind(
    name="cdn_events",
    aliases=aliases_of("cdn_events"),
    fc_trigger_type="cdn_events",
    description="CDN event trigger",
    config_schema=CONFIG_SCHEMA,
    normalize=normalize,
    lint=(_lint,),
    matrix_cases=matrix_cases,
    event_source="cdn_events",
    invocation_type=SYNC,
)
