"""Property tests: the cron parser accepts or raises CronError, never anything else (and
next_fires of what it accepts returns fire times or raises CronError); accepted schedules
fire only at matching instants, in order."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pytest_fctrigger.triggers.cron import CronError, parse_cron

UTC = timezone.utc
MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
DAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"]
ZONES = ["UTC", "Asia/Shanghai", "America/New_York", "Europe/Berlin", "Australia/Lord_Howe", "Pacific/Apia"]

# text made of the characters cron expressions are built from, so the parser's corners get hit
cron_alphabet = st.sampled_from(
    list("0123456789 ,-*/?@")
    + ["JAN", "MON", "SUN", "L", "W", "#", "CRON_TZ=", "Asia/Shanghai", "every", "m", "h", "s", ".", "\t"]
)
cron_like = st.lists(cron_alphabet, max_size=30).map("".join)


@settings(max_examples=600, deadline=None)
@given(
    st.one_of(st.text(max_size=40), cron_like),
    st.datetimes(min_value=datetime(1970, 1, 2), max_value=datetime(9999, 12, 31)),
)
def test_parser_accepts_or_raises_its_own_error(text, start):
    try:
        schedule = parse_cron(text)
    except CronError as exc:
        assert exc.expression == text
        assert str(exc).startswith("invalid cron expression")
        return
    assert schedule.expression == text
    # what it accepted it can also evaluate: fire times, or CronError (never fires, past 9999)
    try:
        fires = schedule.next_fires(start.replace(tzinfo=UTC), 2)
    except CronError as exc:
        assert exc.expression == text
    else:
        assert len(fires) == 2 and fires[0] > start.replace(tzinfo=UTC)


def _field(values, low, high, names=None, allow_step=True):
    number = st.integers(low, high)
    token = number.map(str)
    if names:
        token = st.one_of(token, st.sampled_from(names))
    single = token
    ranges = st.tuples(number, number).map(lambda ab: f"{min(ab)}-{max(ab)}")
    items = [single, ranges]
    if allow_step:
        steps = st.integers(1, high - low + 1)
        items += [
            st.tuples(number, steps).map(lambda t: f"{t[0]}/{t[1]}"),
            steps.map(lambda s: f"*/{s}"),
            st.tuples(number, number, steps).map(lambda t: f"{min(t[:2])}-{max(t[:2])}/{t[2]}"),
        ]
    lists = st.lists(st.one_of(*items), min_size=1, max_size=3).map(",".join)
    return st.one_of(st.just("*"), lists)


valid_cron = st.tuples(
    st.integers(0, 59).map(str),
    _field(None, 0, 59),
    _field(None, 0, 23),
    st.one_of(st.just("?"), _field(None, 1, 28)),
    _field(None, 1, 12, MONTHS),
    st.one_of(st.just("?"), _field(None, 0, 6, DAYS, allow_step=False)),
    st.sampled_from(ZONES),
).map(lambda p: ("" if p[6] == "UTC" else f"CRON_TZ={p[6]} ") + " ".join(p[:6]))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(valid_cron, st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2090, 1, 1)))
def test_generated_valid_expressions_fire_only_at_matching_instants_in_order(expression, start):
    schedule = parse_cron(expression)
    begin = start.replace(tzinfo=UTC)
    fires = schedule.next_fires(begin, 5)
    assert len(fires) == 5
    assert all(f > begin for f in fires)
    assert fires == sorted(fires) and len(set(fires)) == 5
    assert all(schedule.matches(f) for f in fires)
    # nothing matching was skipped between start and the first fire (checked per minute
    # for short gaps, enough to catch an off-by-one in the wall-clock walk)
    if fires[0] - begin <= timedelta(hours=2):
        moment = begin.replace(second=0, microsecond=0) + timedelta(minutes=1)
        second = int(expression.split()[-6])
        while moment + timedelta(seconds=second) < fires[0]:
            assert not schedule.matches(moment + timedelta(seconds=second))
            moment += timedelta(minutes=1)


@settings(max_examples=200, deadline=None)
@given(
    st.integers(1, 10**6),
    st.sampled_from(["s", "m", "h"]),
    st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2090, 1, 1)),
)
def test_every_intervals_are_evenly_spaced(amount, unit, start):
    schedule = parse_cron(f"@every {amount}{unit}")
    fires = schedule.next_fires(start, 3)
    step = fires[1] - fires[0]
    assert step == timedelta(**{{"s": "seconds", "m": "minutes", "h": "hours"}[unit]: amount})
    assert fires[2] - fires[1] == step
