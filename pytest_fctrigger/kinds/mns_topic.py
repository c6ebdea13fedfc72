"""MNS topic trigger (``mns_topic``): a subscription of the function to one topic.

FC's documentation: "MNS主题触发器" / "Configure a Simple Message Queue (formerly MNS)
topic trigger" (event format STREAM/JSON, retry strategies, filter tag).
"""

from __future__ import annotations

from typing import Any, Dict, Iterable, Optional

from ..events.catalog import MNS_TOPIC_FORMATS, aliases_of
from ._check import arn_resource, as_str
from .base import (
    ASYNC,
    Case,
    MarkerTrigger,
    NormalizeContext,
    Shorthand,
    TriggerKind,
    WriteRule,
    region_fields,
    regions_differ,
)

MNS_NOTIFY_FORMATS = MNS_TOPIC_FORMATS
MNS_NOTIFY_STRATEGIES = ("BACKOFF_RETRY", "EXPONENTIAL_DECAY_RETRY")

CONFIG_SCHEMA: Dict[str, Any] = {
    "topicName": None,
    "region": None,
    "filterTag": None,
    "notifyContentFormat": None,
    "notifyStrategy": None,
}


def _format_problem(value: Any) -> Optional[str]:
    if str(value).upper() not in MNS_NOTIFY_FORMATS:
        return "notifyContentFormat is one of " + ", ".join(MNS_NOTIFY_FORMATS)
    return None


SHORTHANDS = (
    Shorthand("topic", (str,), None, "the topic name"),
    Shorthand("topicName", (str,), None, "the topic name"),
    Shorthand("filter_tag", (str,), None, "the subscription's filterTag"),
    Shorthand("format", (str,), _format_problem, "STREAM or JSON"),
)


def from_marker(m: MarkerTrigger) -> None:
    extra, cfg = m.extra, m.config
    topic = extra.pop("topic", None) or extra.pop("topicName", None)
    if "filter_tag" in extra:
        cfg["filterTag"] = extra.pop("filter_tag")
    if "format" in extra:
        cfg["notifyContentFormat"] = str(extra.pop("format")).upper()
    if m.source_arn is None and topic:
        m.source_arn = f"acs:mns:{m.region}:{m.account}:/topics/{topic}"


def normalize(ctx: NormalizeContext) -> None:
    check, cfg, arn = ctx.check, ctx.config, ctx.arn
    for path in ("topicName", "region", "filterTag", "notifyContentFormat", "notifyStrategy"):
        as_str(check, cfg, path)
    resource = arn_resource(arn, "mns")
    if arn is not None:
        resource = "/" + (resource or "").lstrip("/")
        if not resource.startswith("/topics/") or resource == "/topics/":
            raise check.fail(
                "sourceArn",
                f"sourceArn {arn!r} is not an MNS topic ARN (acs:mns:<region>:<account-id>:/topics/<topic>)",
            )
        ctx.arn = arn.rsplit(":", 1)[0] + ":" + resource
    else:
        topic = cfg.get("topicName")
        if not topic:
            raise check.missing(
                "sourceArn",
                "an MNS topic trigger needs its topic: sourceArn "
                "acs:mns:<region>:<account-id>:/topics/<topic> or topicName",
            )
        ctx.arn = f"acs:mns:{cfg.get('region') or ctx.region}:{ctx.account}:/topics/{topic}"


def _lint(checker: Any, function: Any, trigger: Any) -> None:
    who = f"function {function.name!r}, MNS topic trigger {trigger.name!r}"
    for code, key, choices in (
        ("FCT401", "notifyContentFormat", MNS_NOTIFY_FORMATS),
        ("FCT402", "notifyStrategy", MNS_NOTIFY_STRATEGIES),
    ):
        value = trigger.config.get(key)
        if value is not None and value not in choices:
            checker.add(
                code,
                trigger,
                f"{who}: {key} {value!r} is not one of {', '.join(choices)}",
                f"set {key} to " + " or ".join(choices),
                key,
                function,
            )


class MnsTopicWriteRule(WriteRule):
    """Same topic (and region when both are known); with a ``filterTag`` the message's tag
    must equal it (MNS compares the tags for equality)."""

    service = "mns"

    def index_key(self, trigger: Any) -> Optional[tuple]:
        return ("mns", trigger.topic) if trigger.topic else None

    def write_key(self, write: Any) -> Optional[tuple]:
        topic = write.resource.get("topic")
        return ("mns", topic) if topic else None  # queues fire no FC trigger

    def match(self, write: Any, trigger: Any, prepared: Any) -> Optional[str]:
        if regions_differ(write, trigger):
            return None
        tag = write.attributes.get("tag")
        wanted = trigger.filter_tag
        topic = write.resource.get("topic")
        if wanted:
            if tag != wanted:
                return None
            return f"topic {topic!r} is the trigger's topic; the message tag {tag!r} equals its filterTag"
        return f"topic {topic!r} is the trigger's topic, which has no filterTag, so every message fires it"

    def fix(self, write: Any, trigger: Any) -> str:
        topic = write.resource.get("topic")
        if trigger.filter_tag:
            return (
                f"publish with a message tag other than the subscription's filterTag "
                f"{trigger.filter_tag!r}, or to another topic than {topic!r}"
            )
        return (
            f"publish to another topic than {topic!r}, or give the trigger a filterTag and publish with a different tag"
        )


def matrix_cases(trigger: Any, function: Any, fires: int) -> Iterable[Case]:
    fmt = trigger.notify_format
    fields: Dict[str, Any] = {"topic": trigger.topic, **region_fields(trigger)}
    if trigger.filter_tag:
        fields["tag"] = trigger.filter_tag
    yield fmt, "mns_topic", fields, None
    yield f"{fmt}+attrs", "mns_topic", fields, None


KIND = TriggerKind(
    name="mns_topic",
    aliases=aliases_of("mns_topic"),
    fc_trigger_type="mns_topic",
    description="MNS topic trigger: STREAM/JSON, with/without message attributes",
    config_schema=CONFIG_SCHEMA,
    shorthands=SHORTHANDS,
    from_marker=from_marker,
    normalize=normalize,
    lint=(_lint,),
    write_rule=MnsTopicWriteRule(),
    matrix_cases=matrix_cases,
    event_source="mns_topic",
    invocation_type=ASYNC,
)
