"""FC timer trigger schedules: parse ``cronExpression`` and list the next fire times.

Syntax (FC docs "Configure a timer trigger", 配置定时触发器, the field table;
https://www.alibabacloud.com/help/en/functioncompute/fc/user-guide/time-triggers):

* Six fields, **seconds first**: ``Seconds Minutes Hours Day-of-month Month Day-of-week``,
  separated by spaces, evaluated in **UTC** unless prefixed with ``CRON_TZ=<IANA zone> ``.

  ============  =====================  ========================
  field         values                 special characters
  ============  =====================  ========================
  Seconds       0-59                   none (a single number)
  Minutes       0-59                   ``, - * /``
  Hours         0-23                   ``, - * /``
  Day-of-month  1-31                   ``, - * ? /``
  Month         1-12 or JAN-DEC        ``, - * /``
  Day-of-week   0-6 or MON-SUN         ``, - * ?``
  ============  =====================  ========================

  Day-of-week: the current FC table says ``0～6或MON～SUN`` while an older FC page
  said ``1~7``. We follow the current table (and robfig/cron, the Go parser with this exact
  syntax): **0-6 with SUN = 0**, so ``1`` is Monday and ``7`` is rejected with a hint.
  Names are case-insensitive. ``?`` must stand alone and means "any" (like ``*``).
  ``n/m`` means "from n every m" (``3/5`` in minutes: 3, 8, ..., 58); ``a-b/m`` and
  ``*/m`` work as usual. When day-of-month and day-of-week are both restricted, a day
  matching either fires (standard cron, robfig/cron).
* ``@every <Go duration>``: ``@every 5m``, ``@every 1h30m``, ``@every 1.5h``; units ns, us,
  ms, s, m, h; truncated to whole seconds and at least 1 s (as robfig/cron). The first fire
  is one interval after ``start`` (FC counts from when the trigger is created/enabled).
  Other ``@`` descriptors (``@daily``...) are not documented by FC and are rejected.
* ``CRON_TZ=Asia/Shanghai 0 0 12 * * *`` evaluates the fields in that zone. Daylight
  saving ("Configure a timer trigger": "在夏令时和冬令时切换的过程中可能会出现重复执行或少执行"): a wall time that
  does not exist (spring-forward gap) is skipped; a wall time that occurs twice
  (fall-back) fires twice, once at each instant.

Every problem raises ``CronError`` (a ``ConfigError``), the parser's only exception.
Fire times are computed with ``croniter`` over naive wall-clock times (fed a normalised
expression, so its dialect never matters) and mapped to UTC with ``zoneinfo`` here.
"""

from __future__ import annotations

import datetime as _dt
import heapq
import re
from typing import Any, Callable, Dict, FrozenSet, Iterator, List, Optional, Sequence, Set, Tuple, Union

from ..errors import ConfigError

UTC = _dt.timezone.utc

FIELD_NAMES = ("seconds", "minutes", "hours", "day-of-month", "month", "day-of-week")
# (low, high, allowed special characters, names)
_MONTHS = {
    m: i
    for i, m in enumerate(("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"), start=1)
}
_DAYS = {d: i for i, d in enumerate(("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"))}
_FIELDS: Tuple[Tuple[int, int, str, Dict[str, int]], ...] = (
    (0, 59, "", {}),
    (0, 59, ",-*/", {}),
    (0, 23, ",-*/", {}),
    (1, 31, ",-*?/", {}),
    (1, 12, ",-*/", _MONTHS),
    (0, 6, ",-*?", _DAYS),
)
_GO_UNITS = {
    "ns": 1,
    "us": 1_000,
    "µs": 1_000,
    "μs": 1_000,
    "ms": 1_000_000,
    "s": 10**9,
    "m": 60 * 10**9,
    "h": 3600 * 10**9,
}
_GO_DURATION = re.compile(r"(\d*)(?:\.(\d*))?(ns|us|µs|μs|ms|s|m|h)")
_MAX_GO_DURATION_NS = 2**63 - 1


class CronError(ConfigError):
    """A ``cronExpression`` FC would reject (or one that never fires, from ``next_fires``).

    ``expression`` is the text, ``field`` the field at fault (``None`` for the whole
    expression), ``reason`` what is wrong.
    """

    def __init__(
        self,
        expression: str,
        reason: str,
        field: Optional[str] = None,
        file: Optional[str] = None,
        line: Optional[int] = None,
    ):
        self.expression = expression
        self.field = field
        where = f"{field} field: " if field else ""
        shown = (
            repr(expression)
            if len(expression) <= 200
            else repr(expression[:100]) + f"... ({len(expression):,} characters)"
        )
        super().__init__(f"invalid cron expression {shown}: {where}{reason}", file, line)
        self.reason = reason


class CronSchedule:
    """A parsed ``cronExpression``. Use ``next_fires(start, n)`` for UTC fire times."""

    __slots__ = ("expression", "zone", "every", "fields", "_stars", "_croniter_expr")

    def __init__(
        self,
        expression: str,
        zone: Any,
        every: Optional[_dt.timedelta],
        fields: Optional[Sequence[FrozenSet[int]]],
        stars: Sequence[bool],
    ):
        self.expression = expression
        self.zone = zone
        self.every = every
        self.fields = tuple(fields) if fields is not None else None
        self._stars = tuple(stars)
        self._croniter_expr = self._normalised() if fields is not None else None

    @property
    def timezone(self) -> str:
        return getattr(self.zone, "key", None) or "UTC"

    def _normalised(self) -> str:
        parts = []
        for index, values in enumerate(self.fields or ()):
            if self._stars[index]:
                parts.append("*")
            else:
                parts.append(",".join(str(v) for v in sorted(values)))
        return " ".join(parts)

    def matches(self, instant: _dt.datetime) -> bool:
        """Whether the schedule fires at ``instant`` (aware; for cron schedules only)."""
        if self.fields is None:
            raise CronError(self.expression, "@every schedules have no fixed wall-clock times")
        local = _aware(instant).astimezone(self.zone)
        sec, minute, hour, dom, month, dow = self.fields
        if local.second not in sec or local.minute not in minute or local.hour not in hour:
            return False
        if local.month not in month or local.microsecond:
            return False
        day_ok = local.day in dom
        weekday_ok = (local.isoweekday() % 7) in dow
        dom_star, dow_star = self._stars[3], self._stars[5]
        if dom_star or dow_star:
            return day_ok and weekday_ok
        return day_ok or weekday_ok

    def next_fires(self, start: Union[_dt.datetime, str], n: int = 5) -> List[_dt.datetime]:
        """The first ``n`` fire times strictly after ``start``, as aware UTC datetimes."""
        if isinstance(n, bool) or not isinstance(n, int) or n < 0:
            raise ValueError(f"n must be a non-negative integer, got {n!r}")
        begin = _aware(_coerce_start(start)).astimezone(UTC)
        if n == 0:
            return []
        if self.every is not None:
            base = begin.replace(microsecond=0)
            try:
                return [base + self.every * k for k in range(1, n + 1)]
            except OverflowError:
                raise CronError(
                    self.expression, f"fire times after {begin.isoformat()} fall beyond the year 9999"
                ) from None
        out: List[_dt.datetime] = []
        for instant in self._instants(begin):
            out.append(instant)
            if len(out) == n:
                break
        return out

    def iter_fires(self, start: Union[_dt.datetime, str]) -> Iterator[_dt.datetime]:
        """Fire times after ``start`` without end (aware UTC datetimes)."""
        begin = _aware(_coerce_start(start)).astimezone(UTC)
        if self.every is not None:
            base = begin.replace(microsecond=0)
            k = 1
            while True:
                yield base + self.every * k
                k += 1
        yield from self._instants(begin)

    def _instants(self, begin: _dt.datetime) -> Iterator[_dt.datetime]:
        """Instants after ``begin`` in order: wall times from croniter mapped through the zone.

        A wall time maps to 0 (gap), 1 or 2 (fold) instants. In a fold the second instant
        of a wall time is later than the first instants of the next wall times, so
        instants pass through a heap and leave it once no later wall time can produce an
        earlier one: a later wall time w' gives an instant >= w - max offset at w
        (an offset can only grow across a gap, which skips the same amount of wall time).
        """
        from croniter import croniter

        if self.never_fires:
            raise CronError(self.expression, "it never fires (no month has that day of the month)")
        zone = self.zone
        heap: List[_dt.datetime] = []
        try:
            # start the wall-clock walk early enough to see a second (folded) occurrence
            wall_start = begin.astimezone(zone).replace(tzinfo=None) - _dt.timedelta(hours=3, seconds=1)
            walker = croniter(self._croniter_expr, wall_start, second_at_beginning=True)
            while True:
                wall = walker.get_next(_dt.datetime)
                for instant in _wall_to_utc(wall, zone):
                    if instant > begin:
                        heapq.heappush(heap, instant)
                horizon = wall.replace(tzinfo=UTC) - _max_offset(wall, zone)
                while heap and heap[0] <= horizon:
                    yield heapq.heappop(heap)
        except (ValueError, OverflowError):  # croniter / datetime past the year 9999
            pass
        while heap:  # the fires found before the calendar ran out
            yield heapq.heappop(heap)
        raise CronError(self.expression, f"fire times after {begin.isoformat()} fall beyond the year 9999")

    @property
    def never_fires(self) -> bool:
        """A cron schedule whose day-of-month matches no day of its months (e.g. 30 FEB)."""
        if self.fields is None or self._stars[3] or not self._stars[5]:
            return False  # day-of-week days occur in every month
        days, months = self.fields[3], self.fields[4]
        return not any(day <= _MONTH_DAYS[month] for month in months for day in days)

    def __repr__(self) -> str:
        return f"CronSchedule({self.expression!r})"


_MONTH_DAYS = {1: 31, 2: 29, 3: 31, 4: 30, 5: 31, 6: 30, 7: 31, 8: 31, 9: 30, 10: 31, 11: 30, 12: 31}


def _max_offset(wall: _dt.datetime, zone: Any) -> _dt.timedelta:
    if zone is UTC:
        return _dt.timedelta(0)
    return max(
        wall.replace(tzinfo=zone, fold=0).utcoffset() or _dt.timedelta(0),
        wall.replace(tzinfo=zone, fold=1).utcoffset() or _dt.timedelta(0),
    )


def _wall_to_utc(wall: _dt.datetime, zone: Any) -> List[_dt.datetime]:
    if zone is UTC:
        return [wall.replace(tzinfo=UTC)]
    out = []
    for fold in (0, 1):
        local = wall.replace(tzinfo=zone, fold=fold)
        instant = local.astimezone(UTC)
        if instant.astimezone(zone).replace(tzinfo=None) != wall:
            continue  # does not exist: the clock skipped it
        if instant not in out:
            out.append(instant)
    return out


def _aware(value: _dt.datetime) -> _dt.datetime:
    """Naive datetimes are UTC (FC's default zone)."""
    if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
        return value.replace(tzinfo=UTC)
    return value


def _coerce_start(start: Any) -> _dt.datetime:
    if isinstance(start, _dt.datetime):
        return start
    if isinstance(start, str):
        text = start.strip()
        if text.endswith("Z"):
            text = text[:-1] + "+00:00"
        try:
            return _dt.datetime.fromisoformat(text)
        except ValueError:
            raise ValueError(f"start must be a datetime or an ISO 8601 string, got {start!r}") from None
    raise TypeError(f"start must be a datetime or an ISO 8601 string, not {type(start).__name__}")


# --------------------------------------------------------------------------- parsing
_CACHE: Dict[str, CronSchedule] = {}


def parse_cron(expression: Any) -> CronSchedule:
    """Parse a timer ``cronExpression``; raises ``CronError`` (only) when FC would reject it."""
    if not isinstance(expression, str):
        raise CronError(repr(expression), "a cron expression must be a string")
    cached = _CACHE.get(expression)
    if cached is not None:
        return cached
    try:
        schedule = _parse(expression)
    except CronError:
        raise
    except ValueError:  # int() refuses a number of more than 4300 digits: one CronError, not ValueError
        raise CronError(expression, "a number in it is too long to read") from None
    if len(_CACHE) < 4096:
        _CACHE[expression] = schedule
    return schedule


def _parse(expression: str) -> CronSchedule:
    text = expression.strip()
    if not text:
        raise CronError(expression, "it is empty; write 6 fields (seconds first) or @every <duration>")
    zone: Any = UTC
    if text.startswith("CRON_TZ="):
        head, _, text = text.partition(" ")
        zone = _zone(expression, head[len("CRON_TZ=") :])
        text = text.strip()
        if not text:
            raise CronError(expression, "nothing follows the CRON_TZ= prefix")
    elif re.match(r"(?i)(cron_)?tz=", text):
        raise CronError(expression, "the time zone prefix is spelled CRON_TZ=<zone> (upper case)")
    if text.startswith("@"):
        return CronSchedule(expression, zone, _every(expression, text), None, ())
    parts = text.split()
    if len(parts) != 6:
        hint = ""
        if len(parts) == 5:
            hint = " (FC cron has a seconds field first: prepend '0 ')"
        elif len(parts) == 7:
            hint = " (FC cron has no year field)"
        raise CronError(
            expression,
            f"expected 6 fields (seconds minutes hours day-of-month month day-of-week), got {len(parts)}{hint}",
        )
    fields = []
    stars = []
    for index, part in enumerate(parts):
        values, star = _field(expression, index, part)
        fields.append(values)
        stars.append(star)
    return CronSchedule(expression, zone, None, fields, stars)


def _zone(expression: str, name: str) -> Any:
    if not name:
        raise CronError(expression, "CRON_TZ= needs a zone name such as Asia/Shanghai")
    if name.upper() == "UTC":
        return UTC
    try:
        from zoneinfo import ZoneInfo

        return ZoneInfo(name)
    except Exception:  # ZoneInfoNotFoundError, ValueError (bad key), OSError (odd paths)
        raise CronError(expression, f"unknown time zone {name!r} (use an IANA name such as Asia/Shanghai)") from None


def _every(expression: str, text: str) -> _dt.timedelta:
    keyword, _, duration = text.partition(" ")
    if keyword != "@every":
        raise CronError(
            expression, f"unsupported descriptor {keyword!r}; FC documents only '@every <duration>' (e.g. @every 5m)"
        )
    duration = duration.strip()
    if not duration:
        raise CronError(expression, "@every needs a duration such as 5m, 1h30m or 90s")
    total = _go_duration_ns(expression, duration)
    if total <= 0:
        raise CronError(expression, f"@every duration {duration!r} must be positive")
    seconds = max(1, total // 10**9)
    return _dt.timedelta(seconds=seconds)


def _go_duration_ns(expression: str, text: str) -> int:
    """Go's ``time.ParseDuration`` (sign, decimals, units ns/us/ms/s/m/h, int64 range)."""
    body = text
    sign = 1
    if body[:1] in "+-":
        sign = -1 if body[0] == "-" else 1
        body = body[1:]
    if body == "0":
        return 0
    if not body:
        raise CronError(expression, f"invalid duration {text!r}")
    pos = 0
    total = 0
    while pos < len(body):
        match = _GO_DURATION.match(body, pos)
        if not match or (match.group(1) == "" and not match.group(2)):
            raise CronError(expression, f"invalid duration {text!r} (use e.g. 5m, 1h30m, 1.5h, 90s)")
        whole = int(match.group(1) or 0)
        frac_digits = match.group(2) or ""
        unit = _GO_UNITS[match.group(3)]
        total += whole * unit
        if frac_digits:
            total += int(frac_digits) * unit // (10 ** len(frac_digits))
        if total > _MAX_GO_DURATION_NS:
            raise CronError(expression, f"duration {text!r} is out of range")
        pos = match.end()
    return sign * total


def _field(expression: str, index: int, text: str) -> Tuple[FrozenSet[int], bool]:
    low, high, allowed, names = _FIELDS[index]
    field = FIELD_NAMES[index]
    for char in ",-*?/":
        if char in text and char not in allowed:
            if index == 0:
                reason = f"seconds take a single number 0-59, no special characters (got {text!r})"
            else:
                reason = f"{char!r} is not allowed here (allowed: {' '.join(allowed)})"
            raise CronError(expression, reason, field)
    if text == "?":
        return frozenset(range(low, high + 1)), True
    if "?" in text:
        raise CronError(expression, "'?' must stand alone", field)
    values: Set[int] = set()
    for item in text.split(","):
        if not item:
            raise CronError(expression, f"empty list item in {text!r}", field)
        values.update(_item(expression, index, item, low, high, names))
    star = text in ("*", "*/1")
    return frozenset(values), star


def _item(expression: str, index: int, item: str, low: int, high: int, names: Dict[str, int]) -> range:
    field = FIELD_NAMES[index]
    range_part, slash, step_text = item.partition("/")
    step = 1
    if slash:
        if not step_text.isdigit() or int(step_text) == 0:
            raise CronError(expression, f"step {step_text!r} in {item!r} must be a positive number", field)
        step = int(step_text)
    if range_part == "*":
        start, end = low, high
    else:
        first, dash, last = range_part.partition("-")
        start = _value(expression, index, first, low, high, names)
        if dash:
            end = _value(expression, index, last, low, high, names)
            if start > end:
                hint = " (list them instead, e.g. SAT,SUN)" if index == 5 else ""
                raise CronError(expression, f"range {range_part!r} runs backwards{hint}", field)
        else:
            end = high if slash else start
    return range(start, end + 1, step)


def _value(expression: str, index: int, text: str, low: int, high: int, names: Dict[str, int]) -> int:
    field = FIELD_NAMES[index]
    if names and text.upper() in names:
        return names[text.upper()]
    if not text.isdigit() or not text.isascii():
        valid = f"{low}-{high}"
        if names:
            valid += f" or {min(names, key=names.__getitem__)}-{max(names, key=names.__getitem__)}"
            if index == 5:
                valid = "0-6 (SUN=0) or MON-SUN"
        raise CronError(expression, f"{text!r} is not a value ({valid})", field)
    value = int(text)
    if not low <= value <= high:
        hint = ""
        if index == 5 and value == 7:
            hint = "; day-of-week is 0-6 with SUN=0 (write 0 or SUN for Sunday)"
        raise CronError(expression, f"{value} is out of range {low}-{high}{hint}", field)
    return value


# --------------------------------------------------------------------------- public helpers
TriggerOrExpression = Union[str, CronSchedule, Any]


def schedule_of(trigger_or_expr: TriggerOrExpression) -> CronSchedule:
    """A ``CronSchedule`` from an expression, a schedule, or a timer ``TriggerSpec``."""
    if isinstance(trigger_or_expr, CronSchedule):
        return trigger_or_expr
    if isinstance(trigger_or_expr, str):
        return parse_cron(trigger_or_expr)
    cron = getattr(trigger_or_expr, "cron", None)
    if getattr(trigger_or_expr, "type", "timer") != "timer":
        raise ConfigError(f"{trigger_or_expr.describe()} is not a timer trigger; only timer triggers have fire times")
    if cron is None:
        raise ConfigError(f"timer trigger {getattr(trigger_or_expr, 'name', '?')!r} has no cronExpression")
    try:
        return parse_cron(cron)
    except CronError as exc:
        file = getattr(trigger_or_expr, "file", None)
        line_of: Optional[Callable[[str], Optional[int]]] = getattr(trigger_or_expr, "line_of", None)
        raise CronError(
            exc.expression, exc.reason, exc.field, file, line_of("cronExpression") if line_of else None
        ) from None


def next_fires(trigger_or_expr: TriggerOrExpression, start: Union[_dt.datetime, str], n: int = 5) -> List[_dt.datetime]:
    """The next ``n`` fire times after ``start`` of a timer trigger or a ``cronExpression``.

    ``start`` may be naive (taken as UTC), aware, or an ISO 8601 string. Returns aware
    UTC datetimes. Raises ``CronError`` for an invalid expression or one that never fires.
    """
    return schedule_of(trigger_or_expr).next_fires(start, n)


def timer_events(trigger: Any, start: Union[_dt.datetime, str], n: int = 5, *, rng: Any = None) -> List[Any]:
    """``timer_event`` for each of the trigger's next ``n`` fire times after ``start``."""
    from ..events import timer_event

    return [
        timer_event(
            trigger_name=trigger.name,
            payload=trigger.payload if trigger.payload is not None else "",
            trigger_time=when,
            rng=rng,
        )
        for when in next_fires(trigger, start, n)
    ]
