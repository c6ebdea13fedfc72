"""``lint(app)``: FC's trigger rules, checked before anything is deployed.

Each finding has a stable code (``rules.RULES``, listed in docs/triggers.md), a
severity (``error``: FC rejects the config or the trigger can never work; ``warning``:
it works but is risky), and a message naming the file, function and trigger, plus the fix.

The OSS overlap rule follows FC's table (FC docs "OSS trigger overview", 触发规则): for two triggers
on one bucket that share an event (``oss:ObjectCreated:*`` expanded), FC rejects the
pair when the prefixes are the same and the suffixes are the same, an unset prefix or
suffix counting as the same as any. The table calls ``source1``/``1zip`` beside
``source``/``zip`` legal even though an object such as ``source1.1zip`` matches both, so
that case (one prefix a prefix of the other and one suffix a suffix of the other) is a
separate warning, FCT103, rather than an error: the doc's verdict wins for legality, and
the warning keeps the double invocation visible.
"""

from __future__ import annotations

from typing import Any, Dict, Iterable, List, Mapping, Optional, Tuple, Union

from ..core.moved import moved_names
from ..kinds.log import MAX_RETRY_TIME as SLS_MAX_RETRY_TIME
from ..kinds.log import TRIGGER_INTERVAL as SLS_TRIGGER_INTERVAL
from ..kinds.oss import MAX_TRIGGERS_PER_BUCKET as MAX_OSS_TRIGGERS_PER_BUCKET
from ..kinds.oss import oss_overlap
from ..kinds.registry import REGISTRY
from ..kinds.timer import PAYLOAD_LIMIT as TIMER_PAYLOAD_LIMIT
from ._function_rules import lint_memory
from .model import App, Finding, FunctionSpec, TriggerSpec
from .rules import RULES, rule_for

__all__ = [
    "MAX_OSS_TRIGGERS_PER_BUCKET",
    "RULES",
    "SLS_MAX_RETRY_TIME",
    "SLS_TRIGGER_INTERVAL",
    "TIMER_PAYLOAD_LIMIT",
    "Finding",
    "has_errors",
    "lint",
    "oss_overlap",
]


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
        at: Optional[Tuple[str, int]] = None,
    ) -> None:
        """One finding; ``at`` = (file, line) when the problem is in another file than
        the config (e.g. the function's code)."""
        rule = rule_for(code)
        file = line = None
        if at is not None:
            file, line = at
        elif trigger is not None:
            file, line = trigger.file, trigger.line_of(path)
        elif function is not None and function.location:
            file, line = function.location[0], function.line_of(path)
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
        # every trigger rule belongs to a kind (pytest_fctrigger/kinds/<type>.py); the
        # function's own rules (FCT6xx) are function_rules below
        for function in self.app.functions.values():
            self.function_rules(function)
            for trigger in function.triggers:
                kind = REGISTRY.find(trigger.type)
                for rule in kind.lint if kind is not None else ():
                    rule(self, function, trigger)
        for kind in REGISTRY.kinds():
            for app_rule in kind.app_lint:
                app_rule(self, self.app)

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
        lint_memory(self, function, self.app.format)


# names that moved into the trigger kinds (issue 8); they go in the next release
__getattr__ = moved_names(
    __name__,
    {
        "MNS_NOTIFY_FORMATS": ("pytest_fctrigger.kinds.mns_topic", "MNS_NOTIFY_FORMATS"),
        "MNS_NOTIFY_STRATEGIES": ("pytest_fctrigger.kinds.mns_topic", "MNS_NOTIFY_STRATEGIES"),
        "expand_oss_events": ("pytest_fctrigger.kinds.oss", "expand_oss_events"),
    },
)
