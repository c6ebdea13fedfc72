"""``lint(app)``: FC's trigger rules, checked before anything is deployed.

Each finding has a stable code (``rules.RULES``, listed in docs/triggers.md), a
severity (``error``: FC rejects the config or the trigger can never work; ``warning``:
it works but is risky), and a message naming the file, function and trigger, plus the fix.

The OSS overlap rule follows the seeds' table (seeds/001 6.1 "触发规则"): for two triggers
on one bucket that share an event (``oss:ObjectCreated:*`` expanded), FC rejects the
pair when the prefixes are the same and the suffixes are the same, an unset prefix or
suffix counting as the same as any. The table calls ``source1``/``1zip`` beside
``source``/``zip`` legal even though an object such as ``source1.1zip`` matches both, so
that case (one prefix a prefix of the other and one suffix a suffix of the other) is a
separate warning, FCT103, rather than an error: the doc's verdict wins for legality, and
the warning keeps the double invocation visible.
"""

from __future__ import annotations

from typing import Any, Dict, Iterable, List, Mapping, Optional, Union

from .model import (
    MNS_NOTIFY_FORMATS,
    MNS_NOTIFY_STRATEGIES,
    App,
    Finding,
    FunctionSpec,
    TriggerSpec,
    expand_oss_events,
)
from .rules import RULES

MAX_OSS_TRIGGERS_PER_BUCKET = 10
TIMER_PAYLOAD_LIMIT = 128 * 1024
SLS_TRIGGER_INTERVAL = (3, 600)
SLS_MAX_RETRY_TIME = (0, 100)

__all__ = ["lint", "Finding", "RULES", "has_errors"]


def lint(app: Union[App, str, Any], vars: Optional[Mapping[str, Any]] = None) -> List[Finding]:
    """All findings for ``app`` (an ``App`` or a path to load), sorted by file and line.

    Loader warnings (``App.notes``) are included. Given a path whose file cannot be
    loaded, returns a single FCT001 finding instead of raising.
    """
    if not isinstance(app, App):
        from ..errors import ConfigError
        from .loader import load_app

        try:
            app = load_app(app, vars, warn=False)
        except ConfigError as exc:
            rule = RULES["FCT001"]
            return [
                Finding(
                    code=rule.code,
                    severity=rule.severity,
                    rule=rule.name,
                    message=exc.reason,
                    fix="correct the file; the message names the line",
                    file=exc.file,
                    line=exc.line,
                )
            ]
    findings: List[Finding] = list(app.notes)
    checker = _Checker(app, findings)
    checker.run()
    return sorted(findings, key=lambda f: (f.file or "", f.line or 0, f.code))


def has_errors(findings: Iterable[Finding]) -> bool:
    return any(f.is_error for f in findings)


class _Checker:
    def __init__(self, app: App, findings: List[Finding]):
        self.app = app
        self.findings = findings

    def add(
        self,
        code: str,
        trigger: Optional[TriggerSpec],
        message: str,
        fix: str,
        path: str = "",
        function: Optional[FunctionSpec] = None,
        severity: Optional[str] = None,
    ) -> None:
        rule = RULES[code]
        file = line = None
        if trigger is not None:
            file, line = trigger.file, trigger.line_of(path)
        elif function is not None and function.location:
            file, line = function.location
        if file is None and self.app.path is not None:
            file = str(self.app.path)
        self.findings.append(
            Finding(
                code=code,
                severity=severity or rule.severity,
                rule=rule.name,
                message=message,
                fix=fix,
                file=file,
                line=line,
                function=(function.name if function else trigger.function if trigger else None),
                trigger=trigger.name if trigger else None,
            )
        )

    def run(self) -> None:
        for function in self.app.functions.values():
            self.function_rules(function)
            for trigger in function.triggers:
                check = getattr(self, "trigger_" + trigger.type, None)
                if check is not None:
                    check(function, trigger)
        self.bucket_rules()

    # --- per function ------------------------------------------------------------------
    def function_rules(self, function: FunctionSpec) -> None:
        seen: Dict[str, TriggerSpec] = {}
        for trigger in function.triggers:
            first = seen.get(trigger.name)
            if first is not None:
                self.add(
                    "FCT601",
                    trigger,
                    f"function {function.name!r} has two triggers named "
                    f"{trigger.name!r} (the first at line {first.line_of()})",
                    "rename one of them",
                    "",
                    function,
                )
            seen.setdefault(trigger.name, trigger)
        http = [t for t in function.triggers if t.type == "http"]
        others = [t for t in function.triggers if t.type != "http"]
        if http and others:
            fc3 = self.app.format == "fc3"
            self.add(
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
        by_qualifier: Dict[str, List[TriggerSpec]] = {}
        for trigger in http:
            by_qualifier.setdefault(trigger.qualifier or "LATEST", []).append(trigger)
        for qualifier, triggers in by_qualifier.items():
            for extra in triggers[1:]:
                self.add(
                    "FCT502",
                    extra,
                    f"function {function.name!r} has {len(triggers)} HTTP triggers for qualifier "
                    f"{qualifier!r} ({', '.join(repr(t.name) for t in triggers)}); FC allows one",
                    "keep one HTTP trigger per function version/alias",
                    "",
                    function,
                )

    # --- per trigger -----------------------------------------------------------------------
    def trigger_oss(self, function: FunctionSpec, trigger: TriggerSpec) -> None:
        who = f"function {function.name!r}, OSS trigger {trigger.name!r} on bucket {trigger.bucket!r}"
        if trigger.prefix.startswith("/"):
            self.add(
                "FCT101",
                trigger,
                f"{who}: prefix {trigger.prefix!r} starts with '/'; object keys never do, so the trigger never fires",
                f"write the prefix without the leading slash: {trigger.prefix.lstrip('/')!r}",
                "filter.key.prefix",
                function,
            )
        if not trigger.prefix and not trigger.suffix:
            self.add(
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
                self.add(
                    "FCT106",
                    trigger,
                    f"{who}: {part} {value!r} contains a wildcard character; native OSS triggers match it literally",
                    f"use a literal {part}, or an EventBridge-based OSS trigger for patterns",
                    f"filter.key.{part}",
                    function,
                )

    def trigger_timer(self, function: FunctionSpec, trigger: TriggerSpec) -> None:
        from .cron import CronError, parse_cron

        who = f"function {function.name!r}, timer trigger {trigger.name!r}"
        try:
            schedule = parse_cron(trigger.cron)
        except CronError as exc:
            reason = f"{exc.field} field: {exc.reason}" if exc.field else exc.reason
            self.add(
                "FCT201",
                trigger,
                f"{who}: {reason} (in {trigger.cron!r})",
                "write 6 fields, seconds first, in UTC (e.g. '0 0 4 * * *'), optionally prefixed "
                "'CRON_TZ=Asia/Shanghai ', or '@every 5m'",
                "cronExpression",
                function,
            )
        else:
            if schedule.never_fires:
                self.add(
                    "FCT203",
                    trigger,
                    f"{who}: {trigger.cron!r} matches no date, so it never fires",
                    "check the day-of-month and month fields",
                    "cronExpression",
                    function,
                )
        payload = trigger.payload
        if payload is not None:
            size = len(payload.encode("utf-8"))
            if size > TIMER_PAYLOAD_LIMIT:
                self.add(
                    "FCT202",
                    trigger,
                    f"{who}: payload is {size} bytes, over the 128 KB limit",
                    "keep the payload small; put large inputs in OSS and pass their key",
                    "payload",
                    function,
                )

    def trigger_log(self, function: FunctionSpec, trigger: TriggerSpec) -> None:
        who = f"function {function.name!r}, SLS trigger {trigger.name!r}"
        for code, key, (low, high), unit in (
            ("FCT301", "triggerInterval", SLS_TRIGGER_INTERVAL, " seconds"),
            ("FCT302", "maxRetryTime", SLS_MAX_RETRY_TIME, ""),
        ):
            value = trigger.job_config.get(key)
            if value is not None and not low <= value <= high:
                self.add(
                    code,
                    trigger,
                    f"{who}: jobConfig.{key} is {value}, outside [{low}, {high}]{unit}",
                    f"set jobConfig.{key} between {low} and {high}",
                    f"jobConfig.{key}",
                    function,
                )

    def trigger_mns_topic(self, function: FunctionSpec, trigger: TriggerSpec) -> None:
        who = f"function {function.name!r}, MNS topic trigger {trigger.name!r}"
        for code, key, choices in (
            ("FCT401", "notifyContentFormat", MNS_NOTIFY_FORMATS),
            ("FCT402", "notifyStrategy", MNS_NOTIFY_STRATEGIES),
        ):
            value = trigger.config.get(key)
            if value is not None and value not in choices:
                self.add(
                    code,
                    trigger,
                    f"{who}: {key} {value!r} is not one of {', '.join(choices)}",
                    f"set {key} to " + " or ".join(choices),
                    key,
                    function,
                )

    def trigger_cdn_events(self, function: FunctionSpec, trigger: TriggerSpec) -> None:
        if trigger.event_version != "1.0.0":
            self.add(
                "FCT701",
                trigger,
                f"function {function.name!r}, CDN trigger {trigger.name!r}: "
                f"eventVersion {trigger.event_version!r}; only 1.0.0 exists",
                "set eventVersion: '1.0.0' (quoted)",
                "eventVersion",
                function,
            )

    def trigger_eventbridge(self, function: FunctionSpec, trigger: TriggerSpec) -> None:
        if trigger.event_source_type == "Kafka" and trigger.delivery_mode != "event-streaming":
            self.add(
                "FCT801",
                trigger,
                f"function {function.name!r}, EventBridge trigger "
                f"{trigger.name!r}: a Kafka source only supports event-streaming, not "
                f"{trigger.delivery_mode}",
                "set runOptions.mode: event-streaming",
                "runOptions.mode",
                function,
            )

    # --- across functions ---------------------------------------------------------------
    def bucket_rules(self) -> None:
        buckets: Dict[str, List[TriggerSpec]] = {}
        functions = {id(t): f for f in self.app.functions.values() for t in f.triggers}
        for trigger in self.app.triggers:
            if trigger.type == "oss" and trigger.bucket:
                buckets.setdefault(trigger.bucket, []).append(trigger)
        for bucket, triggers in buckets.items():
            if len(triggers) > MAX_OSS_TRIGGERS_PER_BUCKET:
                extra = triggers[MAX_OSS_TRIGGERS_PER_BUCKET]
                self.add(
                    "FCT104",
                    extra,
                    f"bucket {bucket!r} has {len(triggers)} OSS triggers ("
                    + ", ".join(f"{t.function}/{t.name}" for t in triggers)
                    + f"); a bucket allows at most {MAX_OSS_TRIGGERS_PER_BUCKET} native triggers",
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
                        self.add(
                            "FCT102",
                            later,
                            pair + "; with the same prefix and suffix (an unset one "
                            "matches any) FC rejects the second trigger",
                            "give the triggers different prefixes or suffixes, or different events",
                            "filter",
                            functions.get(id(later)),
                        )
                    else:
                        self.add(
                            "FCT103",
                            later,
                            pair + "; FC accepts them, but an object whose key "
                            "starts with the longer prefix and ends with the longer suffix fires "
                            "both",
                            "make the prefixes (or suffixes) disjoint if one upload should invoke one function",
                            "filter",
                            functions.get(id(later)),
                        )


def oss_overlap(prefix_a: str, suffix_a: str, prefix_b: str, suffix_b: str) -> Optional[str]:
    """How two OSS filters on one bucket and event relate (the seeds/001 6.1 table).

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


def _filter_text(trigger: TriggerSpec) -> str:
    parts = [
        f"prefix {trigger.prefix!r}" if trigger.prefix else "no prefix",
        f"suffix {trigger.suffix!r}" if trigger.suffix else "no suffix",
    ]
    return ", ".join(parts)
