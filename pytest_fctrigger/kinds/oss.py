"""OSS trigger (``oss``): bucket + events + key prefix/suffix.

FC's documentation: "OSS触发器概述" / "Configure a native OSS trigger" (trigger rules,
at most 10 triggers per bucket, prefix/suffix without wildcards, avoid recursive invocations).
"""

from __future__ import annotations

from typing import Any, Dict, Iterable, Iterator, List, Optional, Sequence, Tuple

from ..errors import ConfigError
from ..events.catalog import BUCKET_NAME_RULE, OSS_CONFIG_ONLY_EVENT_NAMES, OSS_EVENT_NAMES, is_valid_bucket_name
from ._check import arn_resource, as_str, as_str_list
from .base import ASYNC, Case, Draw, MarkerTrigger, NormalizeContext, Shorthand, TriggerKind, WriteRule, region_fields

# --- the event names a config may use (one table: events.catalog) --------------------------
# fc3's OSSEvents order (config order: wildcard expansions and matrix cases follow it)
_CONFIG_ORDER = ("PutObject", "PostObject", "CompleteMultipartUpload", "PutSymlink", "CopyObject")
OSS_CREATED_EVENTS = tuple(
    "oss:" + n
    for n in sorted(
        (n for n in OSS_EVENT_NAMES if n.startswith("ObjectCreated:")),
        key=lambda n: (_CONFIG_ORDER + (n.split(":")[1],)).index(n.split(":")[1]),
    )
)
OSS_REMOVED_EVENTS = tuple("oss:" + n for n in OSS_EVENT_NAMES if n.startswith("ObjectRemoved:"))
OSS_MODIFIED_EVENTS = tuple("oss:" + n for n in OSS_CONFIG_ONLY_EVENT_NAMES)
# FC docs "OSS trigger overview" lists PutObject, PostObject, CompleteMultipartUpload, ... first; the config order
# (fc3 OSSEvents) is kept for messages: wildcard, created, removed wildcard, removed, modified
OSS_CONFIG_EVENTS = (
    ("oss:ObjectCreated:*",) + OSS_CREATED_EVENTS + ("oss:ObjectRemoved:*",) + OSS_REMOVED_EVENTS + OSS_MODIFIED_EVENTS
)
_WILDCARDS = {"oss:ObjectCreated:*": OSS_CREATED_EVENTS, "oss:ObjectRemoved:*": OSS_REMOVED_EVENTS}

MAX_TRIGGERS_PER_BUCKET = 10


def bucket_problem(name: Any) -> Optional[str]:
    """Why ``name`` is not a valid OSS bucket name (None when it is)."""
    if is_valid_bucket_name(name):
        return None
    return f"not a valid OSS bucket name ({BUCKET_NAME_RULE})"


def expand_oss_events(events: Any) -> List[str]:
    """Concrete ``oss:`` event names of a config's ``events`` (wildcards expanded, order kept)."""
    out: List[str] = []
    for event in events or ():
        name = str(event)
        if not name.startswith("oss:"):
            name = "oss:" + name
        for item in _WILDCARDS.get(name, (name,)):
            if item not in out:
                out.append(item)
    return out


def _unknown_event(event: str) -> str:
    from ..core.suggest import did_you_mean

    if "oss:" + event in OSS_CONFIG_EVENTS:
        return f"unknown OSS event {event!r} (write 'oss:{event}'); valid events: " + ", ".join(OSS_CONFIG_EVENTS)
    hint = did_you_mean(event, OSS_CONFIG_EVENTS)
    return (
        f"unknown OSS event {event!r}; valid events: "
        + ", ".join(OSS_CONFIG_EVENTS)
        + (f" ({hint[2:]})" if hint else "")
    )


# --- schema -------------------------------------------------------------------------------
CONFIG_SCHEMA: Dict[str, Any] = {
    "bucketName": None,
    "events": None,
    "filter": {"key": {"prefix": None, "suffix": None}},
}


SHORTHANDS = (
    Shorthand("bucket", (str,), bucket_problem, "the bucket name"),
    Shorthand("bucketName", (str,), bucket_problem, "the bucket name"),
    # the names are checked by from_marker (one message for markers and files)
    Shorthand("events", (str, list, tuple), None, "OSS event names, e.g. ['oss:ObjectCreated:*']"),
    Shorthand("prefix", (str,), None, "object key prefix"),
    Shorthand("suffix", (str,), None, "object key suffix"),
    Shorthand("filter", (dict,), None, "{'key': {'prefix': ..., 'suffix': ...}}"),
)


def normalize_oss_filter(flt: Any, location: Optional[tuple] = None) -> Dict[str, Any]:
    """Accept ``{Key: {Prefix, Suffix}}``, ``{key: {prefix, suffix}}`` or ``{prefix, suffix}``."""
    if flt is None:
        return {"key": {"prefix": "", "suffix": ""}}
    file, line = location if location else (None, None)
    if not isinstance(flt, dict):
        raise ConfigError(f"OSS trigger filter must be a mapping, got {flt!r}", file, line)
    lowered = {str(k).lower(): v for k, v in flt.items()}
    key = lowered.get("key", lowered)
    if not isinstance(key, dict):
        raise ConfigError(f"OSS trigger filter.key must be a mapping, got {key!r}", file, line)
    key_l = {str(k).lower(): v for k, v in key.items()}
    return {"key": {"prefix": key_l.get("prefix") or "", "suffix": key_l.get("suffix") or ""}}


def from_marker(m: MarkerTrigger) -> None:
    extra, cfg = m.extra, m.config
    bucket = extra.pop("bucket", None) or extra.pop("bucketName", None)
    events = extra.pop("events", None)
    prefix = extra.pop("prefix", None)
    suffix = extra.pop("suffix", None)
    if isinstance(events, str):
        events = [events]
    if events is not None:
        cfg["events"] = [e if str(e).startswith("oss:") else f"oss:{e}" for e in events]
        for event in cfg["events"]:
            if event not in OSS_CONFIG_EVENTS:  # a typo would silently never match a write
                raise ConfigError(f"oss trigger {m.name!r}: {_unknown_event(event)}")
    else:
        cfg["events"] = ["oss:ObjectCreated:*"]
    flt = extra.pop("filter", None)
    if flt is not None:
        cfg["filter"] = normalize_oss_filter(flt)
    if prefix is not None or suffix is not None or "filter" not in cfg:
        key = cfg.setdefault("filter", {"key": {}}).setdefault("key", {})
        if prefix is not None:
            key["prefix"] = prefix
        if suffix is not None:
            key["suffix"] = suffix
        key.setdefault("prefix", "")
        key.setdefault("suffix", "")
    if m.source_arn is None and bucket:
        m.source_arn = f"acs:oss:{m.region}:{m.account}:{bucket}"


def normalize(ctx: NormalizeContext) -> None:
    check, cfg, arn = ctx.check, ctx.config, ctx.arn
    bucket_from_arn = arn_resource(arn, "oss")
    if arn is not None and not bucket_from_arn:
        raise check.fail(
            "sourceArn", f"sourceArn {arn!r} is not an OSS bucket ARN (acs:oss:<region>:<account-id>:<bucket>)"
        )
    bucket_name = as_str(check, cfg, "bucketName")
    if bucket_from_arn and bucket_name and bucket_from_arn != bucket_name:
        raise check.fail(
            "bucketName", f"bucketName {bucket_name!r} disagrees with sourceArn bucket {bucket_from_arn!r}; keep one"
        )
    bucket = bucket_from_arn or bucket_name
    if not bucket:
        raise check.missing(
            "sourceArn",
            "an OSS trigger needs its bucket: sourceArn acs:oss:<region>:<account-id>:<bucket> or config bucketName",
        )
    events = as_str_list(check, cfg, "events")
    if not events:
        raise check.missing("events", "list the OSS events, e.g. [oss:ObjectCreated:*]")
    for i, event in enumerate(events):
        if event not in OSS_CONFIG_EVENTS:
            raise check.fail(f"events.{i}", _unknown_event(event))
    flt = cfg.get("filter")
    if flt is not None and not isinstance(flt, dict):
        raise check.fail(
            "filter", f"filter must be a mapping like {{key: {{prefix: src/, suffix: .png}}}}, got {flt!r}"
        )
    if flt is not None and not isinstance(flt.get("key", {}), dict):
        raise check.fail("filter.key", f"filter.key must be a mapping with prefix/suffix, got {flt.get('key')!r}")
    for part in ("prefix", "suffix"):
        as_str(check, cfg, f"filter.key.{part}")
    key = cfg.setdefault("filter", {}).setdefault("key", {})
    key["prefix"] = key.get("prefix") or ""
    key["suffix"] = key.get("suffix") or ""
    cfg.pop("bucketName", None)
    if arn is None:
        ctx.arn = f"acs:oss:{ctx.region}:{ctx.account}:{bucket}"


# --- lint -----------------------------------------------------------------------------------
def _lint_trigger(checker: Any, function: Any, trigger: Any) -> None:
    who = f"function {function.name!r}, OSS trigger {trigger.name!r} on bucket {trigger.bucket!r}"
    if trigger.prefix.startswith("/"):
        checker.add(
            "FCT101",
            trigger,
            f"{who}: prefix {trigger.prefix!r} starts with '/'; object keys never do, so the trigger never fires",
            f"write the prefix without the leading slash: {trigger.prefix.lstrip('/')!r}",
            "filter.key.prefix",
            function,
        )
    if not trigger.prefix and not trigger.suffix:
        checker.add(
            "FCT105",
            trigger,
            f"{who}: no prefix and no suffix, so every object the function "
            "writes back into the bucket triggers it again (recursion loop)",
            "set a prefix (e.g. source/) and write results under another prefix (processed/)",
            "filter",
            function,
        )
    for part, value in (("prefix", trigger.prefix), ("suffix", trigger.suffix)):
        if "*" in value or "?" in value:
            checker.add(
                "FCT106",
                trigger,
                f"{who}: {part} {value!r} contains a wildcard character; native OSS triggers match it literally",
                f"use a literal {part}, or an EventBridge-based OSS trigger for patterns",
                f"filter.key.{part}",
                function,
            )


def oss_overlap(prefix_a: str, suffix_a: str, prefix_b: str, suffix_b: str) -> Optional[str]:
    """How two OSS filters on one bucket and event relate (FC's OSS trigger rule table).

    ``"duplicate"``: FC rejects the pair (same prefix and same suffix, unset = any);
    ``"overlap"``: accepted, but some key matches both; ``None``: no key matches both.
    """
    same_prefix = prefix_a == prefix_b or not prefix_a or not prefix_b
    same_suffix = suffix_a == suffix_b or not suffix_a or not suffix_b
    if same_prefix and same_suffix:
        return "duplicate"
    prefixes_meet = prefix_a.startswith(prefix_b) or prefix_b.startswith(prefix_a)
    suffixes_meet = suffix_a.endswith(suffix_b) or suffix_b.endswith(suffix_a)
    if prefixes_meet and suffixes_meet:
        return "overlap"
    return None


def _filter_text(trigger: Any) -> str:
    parts = [
        f"prefix {trigger.prefix!r}" if trigger.prefix else "no prefix",
        f"suffix {trigger.suffix!r}" if trigger.suffix else "no suffix",
    ]
    return ", ".join(parts)


def _lint_buckets(checker: Any, app: Any) -> None:
    buckets: Dict[str, List[Any]] = {}
    functions = {id(t): f for f in app.functions.values() for t in f.triggers}
    for trigger in app.triggers:
        if trigger.type == "oss" and trigger.bucket:
            buckets.setdefault(trigger.bucket, []).append(trigger)
    for bucket, triggers in buckets.items():
        if len(triggers) > MAX_TRIGGERS_PER_BUCKET:
            extra = triggers[MAX_TRIGGERS_PER_BUCKET]
            checker.add(
                "FCT104",
                extra,
                f"bucket {bucket!r} has {len(triggers)} OSS triggers ("
                + ", ".join(f"{t.function}/{t.name}" for t in triggers)
                + f"); a bucket allows at most {MAX_TRIGGERS_PER_BUCKET} native triggers",
                "merge triggers, use another bucket, or EventBridge-based OSS triggers",
                "",
                functions.get(id(extra)),
            )
        events = [set(expand_oss_events(t.events)) for t in triggers]
        for j, later in enumerate(triggers):
            for i in range(j):
                earlier = triggers[i]
                shared = events[i] & events[j]
                if not shared:
                    continue
                verdict = oss_overlap(earlier.prefix, earlier.suffix, later.prefix, later.suffix)
                if verdict is None:
                    continue
                shared_text = ", ".join(sorted(shared)) if len(shared) <= 3 else f"{len(shared)} events"
                pair = (
                    f"OSS triggers '{earlier.function}/{earlier.name}' "
                    f"({_filter_text(earlier)}) and '{later.function}/{later.name}' "
                    f"({_filter_text(later)}) on bucket {bucket!r} share {shared_text}"
                )
                if verdict == "duplicate":
                    checker.add(
                        "FCT102",
                        later,
                        pair
                        + "; with the same prefix and suffix (an unset one matches any) FC rejects the second trigger",
                        "give the triggers different prefixes or suffixes, or different events",
                        "filter",
                        functions.get(id(later)),
                    )
                else:
                    checker.add(
                        "FCT103",
                        later,
                        pair + "; FC accepts them, but an object whose key "
                        "starts with the longer prefix and ends with the longer suffix fires both",
                        "make the prefixes (or suffixes) disjoint if one upload should invoke one function",
                        "filter",
                        functions.get(id(later)),
                    )


# --- loops ------------------------------------------------------------------------------------
def _strip_oss(name: str) -> str:
    return name[4:] if name.startswith("oss:") else name


class OssTriggerRule:
    """One OSS trigger's events (expanded once) and key filter."""

    __slots__ = ("exact", "prefix", "suffix", "events_text")

    def __init__(self, trigger: Any) -> None:
        # the one expansion: oss:ObjectCreated:* -> the 9 documented names; UpdateObjectMeta itself
        self.exact = frozenset(_strip_oss(e) for e in expand_oss_events(trigger.events))
        self.prefix = trigger.prefix
        self.suffix = trigger.suffix
        self.events_text = ", ".join(trigger.events) or "no events"

    def event_matches(self, event_name: str) -> bool:
        return event_name in self.exact

    def key_matches(self, key: str) -> bool:
        return key.startswith(self.prefix) and key.endswith(self.suffix)

    def explain(self, bucket: str, event_name: str, key: str) -> str:
        parts = [f"bucket {bucket!r} is the trigger's bucket", f"event {event_name} is covered by {self.events_text}"]
        if self.prefix:
            parts.append(f"key {key!r} starts with the prefix {self.prefix!r}")
        if self.suffix:
            parts.append(f"key {key!r} ends with the suffix {self.suffix!r}")
        if not self.prefix and not self.suffix:
            parts.append("the trigger has no prefix/suffix filter, so every key matches")
        return "; ".join(parts)


def _oss_keys(write: Any) -> List[str]:
    res = write.resource
    keys = res.get("keys")
    if keys:
        return [str(k) for k in keys]
    key = res.get("key")
    return [] if key is None else [str(key)]


class OssWriteRule(WriteRule):
    """Same bucket (bucket names are global, so no region); event in the trigger's events;
    key starts with ``filter.key.prefix`` and ends with ``filter.key.suffix``."""

    service = "oss"

    def index_key(self, trigger: Any) -> Optional[tuple]:
        return ("oss", trigger.bucket) if trigger.bucket else None

    def write_key(self, write: Any) -> Optional[tuple]:
        return ("oss", write.resource.get("bucket"))

    def prepare(self, trigger: Any) -> OssTriggerRule:
        return OssTriggerRule(trigger)

    def match_candidates(self, write: Any, candidates: Sequence[Tuple[Any, Any]]) -> Iterator[Tuple[Any, str]]:
        # the hot path: one write against the (at most 10) rules of its bucket; the event
        # name and keys are read once, the reason is only built for a match
        if not write.event_name:
            return
        event_name = _strip_oss(write.event_name)
        keys = _oss_keys(write)
        for watched, rule in candidates:
            if event_name not in rule.exact:
                continue
            prefix, suffix = rule.prefix, rule.suffix
            for k in keys:
                if k.startswith(prefix) and k.endswith(suffix):
                    yield watched, rule.explain(write.resource.get("bucket"), event_name, k)
                    break

    def match(self, write: Any, trigger: Any, prepared: Any) -> Optional[str]:
        for _, reason in self.match_candidates(write, [(None, prepared or OssTriggerRule(trigger))]):
            return reason
        return None

    def fix(self, write: Any, t: Any) -> str:
        bucket = write.resource.get("bucket")
        if t.prefix and t.suffix:
            return (
                f"write under a prefix the trigger does not match (it watches keys starting with "
                f"{t.prefix!r} and ending with {t.suffix!r}), e.g. 'processed/', or with another "
                f"suffix, or to another bucket than {bucket!r}"
            )
        if t.prefix:
            example = "'processed/'" if not t.prefix.startswith("processed") else "'output/'"
            return (
                f"write under a prefix the trigger does not match (it watches {t.prefix!r}), "
                f"e.g. {example}, or to another bucket than {bucket!r}"
            )
        if t.suffix:
            return (
                f"write keys that do not end with {t.suffix!r}, or give the trigger a prefix "
                f"(e.g. 'source/') and write outside it (e.g. 'processed/'), or write to another "
                f"bucket than {bucket!r}"
            )
        return (
            f"give the trigger a prefix or suffix filter (FC docs \"OSS trigger overview\": input under 'src/', "
            f"output under 'dst/') and write outside it, or write to another bucket than {bucket!r}"
        )


# --- matrix -----------------------------------------------------------------------------------
def matrix_cases(trigger: Any, function: Any, fires: int) -> Iterable[Case]:
    prefix, suffix = trigger.prefix, trigger.suffix

    def key(rng: Any) -> str:
        return f"{prefix}{rng.hex(8)}{suffix}"  # a key the trigger's filter matches

    for event in expand_oss_events(trigger.events):
        name = event[len("oss:") :]
        fields: Dict[str, Any] = {
            "bucket": trigger.bucket,
            "key": Draw(key, f"{prefix}<x>{suffix}"),
            **region_fields(trigger),
        }
        if name in OSS_EVENT_NAMES:
            yield name, "oss", dict(fields, event_name=name), None
        else:
            # ObjectModified:UpdateObjectMeta (fc3 OSSEvents) has the ObjectCreated notification
            # shape; the builder only knows the 12 documented names, so rename one.
            yield name, "oss", fields, _renamed_event(name)


def _renamed_event(name: str) -> Any:
    def build(rng: Any, case: Any) -> Any:
        from ..events import oss_event

        event = oss_event(
            rng=rng,
            event_name="ObjectCreated:PutObject",
            overrides={"events.0.eventName": name},
            **case.resolved_fields(rng),
        )
        event.variant = name
        return event

    return build


KIND = TriggerKind(
    name="oss",
    fc_trigger_type="oss",
    description="OSS trigger: object events of one bucket, filtered by key prefix/suffix",
    config_schema=CONFIG_SCHEMA,
    shorthands=SHORTHANDS,
    from_marker=from_marker,
    normalize=normalize,
    lint=(_lint_trigger,),
    app_lint=(_lint_buckets,),
    write_rule=OssWriteRule(),
    matrix_cases=matrix_cases,
    event_source="oss",
    invocation_type=ASYNC,
)
