"""Timer trigger (``timer``): a cron expression (seconds first, UTC) or ``@every``.

FC's documentation: "定时触发器" / "Configure a time trigger" (Cron expression fields).
"""

from __future__ import annotations

from typing import Any, Dict, Iterable

from ._check import as_bool, as_str
from .base import ASYNC, Case, NormalizeContext, Shorthand, TriggerKind

PAYLOAD_LIMIT = 128 * 1024  # the asynchronous invocation payload limit

CONFIG_SCHEMA: Dict[str, Any] = {"cronExpression": None, "payload": None, "enable": None}
SHORTHANDS = (Shorthand("enable", (bool,), None, "false: the trigger is disabled"),)


def normalize(ctx: NormalizeContext) -> None:
    check, cfg = ctx.check, ctx.config
    as_str(
        check, cfg, "cronExpression", required="e.g. cronExpression: '0 0 4 * * *' (seconds first, UTC) or '@every 5m'"
    )
    payload = cfg.get("payload")
    if isinstance(payload, (dict, list)):
        raise check.fail(
            "payload", "payload must be a string (FC passes it through as text); quote it or JSON-encode it"
        )
    as_str(check, cfg, "payload")
    as_bool(check, cfg, "enable")


def _lint(checker: Any, function: Any, trigger: Any) -> None:
    from ..triggers.cron import CronError, parse_cron

    who = f"function {function.name!r}, timer trigger {trigger.name!r}"
    try:
        schedule = parse_cron(trigger.cron)
    except CronError as exc:
        reason = f"{exc.field} field: {exc.reason}" if exc.field else exc.reason
        checker.add(
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
            checker.add(
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
        if size > PAYLOAD_LIMIT:
            checker.add(
                "FCT202",
                trigger,
                f"{who}: payload is {size} bytes, over the 128 KB limit",
                "keep the payload small; put large inputs in OSS and pass their key",
                "payload",
                function,
            )


def matrix_cases(trigger: Any, function: Any, fires: int) -> Iterable[Case]:
    from ..triggers.cron import schedule_of

    schedule = schedule_of(trigger)  # a bad expression fails collection (file:line), not the test
    for index in range(1, fires + 1):

        def build(rng: Any, case: Any, index: int = index) -> Any:
            from ..events import timer_event

            when = schedule.next_fires(rng.base_time, index)[-1]
            return timer_event(trigger_name=trigger.name, payload=trigger.payload or "", trigger_time=when, rng=rng)

        yield f"fire-{index}", "timer", {}, build


KIND = TriggerKind(
    name="timer",
    fc_trigger_type="timer",
    description="Timer trigger (cron / @every)",
    config_schema=CONFIG_SCHEMA,
    shorthands=SHORTHANDS,
    normalize=normalize,
    lint=(_lint,),
    matrix_cases=matrix_cases,
    event_source="timer",
    invocation_type=ASYNC,
)
