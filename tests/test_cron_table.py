"""Timer cron: the seeds' example table, field rules, @every, CRON_TZ and DST.

seeds/001 12.2 "配置定时触发器": "下表是时间表达式常用示例" (each row has a UTC Cron表达式 column and a
CRON_TZ=Asia/Shanghai 时区表达式 column meaning the same schedule), the field table
"Cron表达式的字段说明", and the DST note "可能会出现重复执行或少执行".
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from pytest_fctrigger.triggers.cron import CronError, next_fires, parse_cron
from pytest_fctrigger.triggers.model import TriggerSpec

UTC = timezone.utc
SHANGHAI = timezone(timedelta(hours=8))
START = datetime(2024, 1, 1, tzinfo=UTC)  # a Monday

FRIDAY_NOON = datetime(2024, 1, 5, 12, tzinfo=UTC)


def _utc(*days_hours_minutes):
    return [datetime(2024, 1, d, h, m, tzinfo=UTC) for d, h, m in days_hours_minutes]


# (示例, Cron表达式 (UTC), 时区表达式) exactly as the seeds print them, and the first three
# fires after Friday 2024-01-05 12:00 UTC worked out by hand from the 示例 text (12:00
# Beijing is 04:00 UTC; MON-FRI rows skip the weekend to Monday the 8th)
SEED_EXAMPLES = [
    ("每天12:00调度函数", "0 0 4 * * *", "CRON_TZ=Asia/Shanghai 0 0 12 * * *", _utc((6, 4, 0), (7, 4, 0), (8, 4, 0))),
    (
        "每天12:30调度函数",
        "0 30 4 * * *",
        "CRON_TZ=Asia/Shanghai 0 30 12 * * *",
        _utc((6, 4, 30), (7, 4, 30), (8, 4, 30)),
    ),
    (
        "每小时的26分，29分，33分调度函数",
        "0 26,29,33 * * * *",
        "CRON_TZ=Asia/Shanghai 0 26,29,33 * * * *",
        _utc((5, 12, 26), (5, 12, 29), (5, 12, 33)),
    ),
    (
        "周一到周五的每天12:30调度函数",
        "0 30 4 ? * MON-FRI",
        "CRON_TZ=Asia/Shanghai 0 30 12 ? * MON-FRI",
        _utc((8, 4, 30), (9, 4, 30), (10, 4, 30)),
    ),
    (
        "周一到周五的每天12:00～14:00每5分钟调度函数",
        "0 0/5 4-6 ? * MON-FRI",
        "CRON_TZ=Asia/Shanghai 0 0/5 12-14 ? * MON-FRI",
        _utc((8, 4, 0), (8, 4, 5), (8, 4, 10)),
    ),
    (
        "一月到四月每天12:00调度函数",
        "0 0 4 ? JAN,FEB,MAR,APR *",
        "CRON_TZ=Asia/Shanghai 0 0 12 ? JAN,FEB,MAR,APR *",
        _utc((6, 4, 0), (7, 4, 0), (8, 4, 0)),
    ),
]


@pytest.mark.parametrize(
    "example, utc_expr, tz_expr, first_fires", SEED_EXAMPLES, ids=[row[1] for row in SEED_EXAMPLES]
)
def test_seed_example_utc_and_cron_tz_columns_give_the_same_instants(example, utc_expr, tz_expr, first_fires):
    utc_fires = next_fires(utc_expr, START, 200)
    assert len(utc_fires) == 200
    assert utc_fires == next_fires(tz_expr, START, 200)
    assert all(t.tzinfo is UTC for t in utc_fires)
    assert utc_fires == sorted(set(utc_fires))
    # both columns mean what the 示例 says, not merely the same thing as each other
    assert next_fires(utc_expr, FRIDAY_NOON, 3) == first_fires
    assert next_fires(tz_expr, FRIDAY_NOON, 3) == first_fires


def test_seed_example_every_day_at_noon_beijing():
    fires = next_fires("0 0 4 * * *", START, 3)
    assert fires == [datetime(2024, 1, d, 4, tzinfo=UTC) for d in (1, 2, 3)]
    assert {f.astimezone(SHANGHAI).hour for f in fires} == {12}


def test_seed_example_minutes_26_29_33_of_every_hour():
    assert next_fires("0 26,29,33 * * * *", START, 4) == [
        datetime(2024, 1, 1, 0, m, tzinfo=UTC) for m in (26, 29, 33)
    ] + [datetime(2024, 1, 1, 1, 26, tzinfo=UTC)]


def test_seed_example_weekdays_only():
    fires = next_fires("0 30 4 ? * MON-FRI", datetime(2024, 1, 5, 5, tzinfo=UTC), 2)  # after Friday's run
    assert fires == [datetime(2024, 1, 8, 4, 30, tzinfo=UTC), datetime(2024, 1, 9, 4, 30, tzinfo=UTC)]


def test_seed_example_every_5_minutes_from_12_to_14_beijing():
    day = next_fires("0 0/5 4-6 ? * MON-FRI", START, 36)
    assert day[0] == datetime(2024, 1, 1, 4, 0, tzinfo=UTC)
    assert day[-1] == datetime(2024, 1, 1, 6, 55, tzinfo=UTC)  # 3 hours x 12 runs
    assert next_fires("0 0/5 4-6 ? * MON-FRI", day[-1], 1) == [datetime(2024, 1, 2, 4, 0, tzinfo=UTC)]


def test_seed_example_january_to_april():
    fires = next_fires("0 0 4 ? JAN,FEB,MAR,APR *", datetime(2024, 4, 30, 5, tzinfo=UTC), 1)
    assert fires == [datetime(2025, 1, 1, 4, 0, tzinfo=UTC)]


def test_seed_text_example_first_of_month_04_00_beijing():
    # "北京时间每个月一号的04:00 ... CRON_TZ=Asia/Shanghai 0 0 4 1 * *"
    assert next_fires("CRON_TZ=Asia/Shanghai 0 0 4 1 * *", START, 2) == [
        datetime(2024, 1, 31, 20, 0, tzinfo=UTC),
        datetime(2024, 2, 29, 20, 0, tzinfo=UTC),
    ]


# --------------------------------------------------------------------------- field rules
@pytest.mark.parametrize(
    "expr, field",
    [
        ("* 0 0 * * *", "seconds"),  # seconds: 无 special characters
        ("0/5 0 0 * * *", "seconds"),
        ("1,2 0 0 * * *", "seconds"),
        ("60 0 0 * * *", "seconds"),
        ("0 60 0 * * *", "minutes"),
        ("0 ? 0 * * *", "minutes"),
        ("0 0 24 * * *", "hours"),
        ("0 0 0 0 * *", "day-of-month"),
        ("0 0 0 32 * *", "day-of-month"),
        ("0 0 0 * 13 *", "month"),
        ("0 0 0 * JANUARY *", "month"),
        ("0 0 0 * ? *", "month"),
        ("0 0 0 ? * 7", "day-of-week"),  # 0-6 (SUN=0); 7 rejected with a hint
        ("0 0 0 ? * */2", "day-of-week"),  # no '/' in day-of-week
        ("0 0 0 ? * FRI-MON", "day-of-week"),
        ("0 0 0 ?/2 * *", "day-of-month"),  # '?' stands alone
        ("0 0 0 * * 1,,2", "day-of-week"),
        ("0 0/0 0 * * *", "minutes"),
    ],
)
def test_field_rules_of_the_seed_table(expr, field):
    with pytest.raises(CronError) as info:
        parse_cron(expr)
    assert info.value.field == field
    assert info.value.expression == expr


@pytest.mark.parametrize("expr", ["0 0 0 ? * SUN", "0 0 0 ? * 0", "0 0 0 ? * sun"])
def test_day_of_week_zero_and_names_are_sunday(expr):
    assert next_fires(expr, START, 1) == [datetime(2024, 1, 7, tzinfo=UTC)]


def test_day_of_week_one_is_monday():
    assert next_fires("0 0 0 ? * 1", datetime(2024, 1, 2, tzinfo=UTC), 1) == [datetime(2024, 1, 8, tzinfo=UTC)]


def test_n_slash_m_starts_at_n():
    # seeds: "在minute字段中：3/5表示从3分钟开始，每隔5分钟执行一次"
    fires = next_fires("0 3/5 0 * * *", START, 12)
    assert [f.minute for f in fires] == list(range(3, 60, 5))


def test_day_of_month_and_day_of_week_both_set_fire_on_either():
    fires = next_fires("0 0 0 13 * FRI", START, 3)
    assert fires == [
        datetime(2024, 1, 5, tzinfo=UTC),
        datetime(2024, 1, 12, tzinfo=UTC),
        datetime(2024, 1, 13, tzinfo=UTC),
    ]


def test_leap_day_and_never_firing_dates():
    assert next_fires("0 0 0 29 FEB *", datetime(2024, 3, 1, tzinfo=UTC), 1) == [datetime(2028, 2, 29, tzinfo=UTC)]
    with pytest.raises(CronError, match="never fires"):
        next_fires("0 0 0 31 APR,JUN *", START, 1)


def test_wrong_field_count_hints():
    with pytest.raises(CronError, match="prepend '0 '"):
        parse_cron("0 4 * * *")
    with pytest.raises(CronError, match="no year field"):
        parse_cron("0 0 4 * * * 2024")


# --------------------------------------------------------------------------- @every
@pytest.mark.parametrize(
    "expr, step",
    [
        ("@every 5m", timedelta(minutes=5)),
        ("@every 100m", timedelta(minutes=100)),  # reference 3.1 fc example
        ("@every 1h30m", timedelta(hours=1, minutes=30)),
        ("@every 1.5h", timedelta(hours=1, minutes=30)),
        ("@every 90s", timedelta(seconds=90)),
        ("@every 2500ms", timedelta(seconds=2)),  # truncated to whole seconds
        ("@every 10ns", timedelta(seconds=1)),  # at least one second
        ("CRON_TZ=Asia/Shanghai @every 4m", timedelta(minutes=4)),
    ],
)
def test_every_fires_at_multiples_of_the_interval(expr, step):
    start = datetime(2024, 5, 6, 7, 8, 9, 500_000, tzinfo=UTC)
    base = start.replace(microsecond=0)
    assert next_fires(expr, start, 3) == [base + step, base + 2 * step, base + 3 * step]


@pytest.mark.parametrize(
    "expr",
    [
        "@every",
        "@every 0",
        "@every -5m",
        "@every 5",
        "@every m",
        "@every 5m3",
        "@every 9999999999h",
        "@daily",
        "@hourly",
        "@every 1d",
    ],
)
def test_bad_every_and_other_descriptors(expr):
    with pytest.raises(CronError):
        parse_cron(expr)


# --------------------------------------------------------------------------- time zones and DST
def test_cron_tz_needs_a_real_zone_and_the_exact_prefix():
    with pytest.raises(CronError, match="unknown time zone"):
        parse_cron("CRON_TZ=Asia/Beijing 0 0 4 * * *")
    with pytest.raises(CronError, match="CRON_TZ=<zone>"):
        parse_cron("TZ=Asia/Shanghai 0 0 4 * * *")
    with pytest.raises(CronError, match="nothing follows"):
        parse_cron("CRON_TZ=Asia/Shanghai")


def test_dst_gap_skips_the_missing_wall_time():
    # 2024-03-10 America/New_York: 02:00 EST jumps to 03:00 EDT; 02:30 does not exist that day
    fires = next_fires("CRON_TZ=America/New_York 0 30 2 * * *", datetime(2024, 3, 9, tzinfo=UTC), 3)
    assert fires == [
        datetime(2024, 3, 9, 7, 30, tzinfo=UTC),  # 02:30 EST
        datetime(2024, 3, 11, 6, 30, tzinfo=UTC),  # 02:30 EDT; the 10th is skipped
        datetime(2024, 3, 12, 6, 30, tzinfo=UTC),
    ]


def test_dst_fold_repeats_the_doubled_wall_time():
    # 2024-11-03 America/New_York: 02:00 EDT falls back to 01:00 EST; 01:30 happens twice
    fires = next_fires("CRON_TZ=America/New_York 0 30 1 * * *", datetime(2024, 11, 2, 12, tzinfo=UTC), 3)
    assert fires == [
        datetime(2024, 11, 3, 5, 30, tzinfo=UTC),  # 01:30 EDT
        datetime(2024, 11, 3, 6, 30, tzinfo=UTC),  # 01:30 EST, again
        datetime(2024, 11, 4, 6, 30, tzinfo=UTC),
    ]


def test_dst_fold_keeps_instants_in_order_for_frequent_schedules():
    # every 20 minutes through the Europe/Berlin fall-back hour (2024-10-27 03:00 CEST -> 02:00 CET)
    fires = next_fires("CRON_TZ=Europe/Berlin 0 0/20 * * * *", datetime(2024, 10, 26, 23, 50, tzinfo=UTC), 9)
    assert fires == sorted(fires) and len(set(fires)) == 9
    # the wall hour 02:xx occurs twice, so there are 6 runs between 00:00Z and 02:00Z
    assert fires[:6] == [datetime(2024, 10, 27, h, m, tzinfo=UTC) for h in (0, 1) for m in (0, 20, 40)]


def test_start_is_exclusive_naive_is_utc_and_strings_work():
    assert next_fires("0 0 4 * * *", datetime(2024, 1, 1, 4), 1) == [datetime(2024, 1, 2, 4, tzinfo=UTC)]
    assert next_fires("0 0 4 * * *", "2024-01-01T03:59:59Z", 1) == [datetime(2024, 1, 1, 4, tzinfo=UTC)]
    assert next_fires("0 0 4 * * *", START, 0) == []


# --------------------------------------------------------------------------- triggers and events
def test_next_fires_of_a_timer_trigger_and_its_timer_events():
    trigger = TriggerSpec.from_marker(
        "timer", name="nightly", cronExpression="CRON_TZ=Asia/Shanghai 0 0 2 * * *", payload='{"job": "cleanup"}'
    )
    fires = next_fires(trigger, START, 2)
    assert fires == [datetime(2024, 1, 1, 18, tzinfo=UTC), datetime(2024, 1, 2, 18, tzinfo=UTC)]
    from pytest_fctrigger.triggers.cron import timer_events

    events = timer_events(trigger, START, 2, rng=7)
    assert [e.data for e in events] == [
        {"triggerTime": "2024-01-01T18:00:00Z", "triggerName": "nightly", "payload": '{"job": "cleanup"}'},
        {"triggerTime": "2024-01-02T18:00:00Z", "triggerName": "nightly", "payload": '{"job": "cleanup"}'},
    ]
    assert all(e.trigger_type == "timer" for e in events)


def test_non_timer_trigger_and_bad_trigger_cron_say_where():
    from pytest_fctrigger.errors import ConfigError

    with pytest.raises(ConfigError, match="not a timer trigger"):
        next_fires(TriggerSpec.from_marker("oss", bucket="bkt"), START, 1)
    bad = TriggerSpec(
        name="t",
        type="timer",
        config={"cronExpression": "0 0 4 * *"},
        location=("s.yaml", 9),
        lines={"cronExpression": 12},
    )
    with pytest.raises(CronError) as info:
        next_fires(bad, START, 1)
    assert (info.value.file, info.value.line) == ("s.yaml", 12)


@pytest.mark.parametrize("expr", ["0 0 0 1 1 *", "CRON_TZ=Asia/Shanghai 0 0 0 31 DEC *", "@every 24h"])
def test_fires_past_the_year_9999_are_a_cron_error(expr):
    # the calendar ends; the caller gets the parser's own error, not datetime's
    with pytest.raises(CronError, match="fall beyond the year 9999"):
        next_fires(expr, datetime(9999, 12, 30, 12, tzinfo=UTC), 2)
    # the fires that do exist before the end are still returned
    assert next_fires("0 0 0 * * *", datetime(9999, 12, 30, 12, tzinfo=UTC), 1) == [datetime(9999, 12, 31, tzinfo=UTC)]
