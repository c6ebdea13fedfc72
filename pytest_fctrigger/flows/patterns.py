"""EventBridge event patterns, as Alibaba Cloud EventBridge documents them.

Source: EventBridge user guide, "Event patterns",
https://www.alibabacloud.com/help/en/eventbridge/user-guide/event-patterns
- a pattern mirrors the event's nesting; keys combine with AND, the values in one key's
  array with OR; matching is exact and case-sensitive;
- operators: exact value, ``prefix``, ``suffix``, ``contains``, ``anything-but`` (a string,
  a number, a list, or ``{"prefix": ...}``), ``numeric`` (``[">", 0, "<=", 5]``), ``cidr``
  (IPv4 only), ``exists`` (true/false), empty string and null values; an event field that is
  an array matches when any element matches.
AWS EventBridge has more operators (wildcard, equals-ignore-case, ``$or``): Alibaba's page
does not list them, so they are errors here, never silently accepted.
"""

from __future__ import annotations

import ipaddress
import json
from typing import Any, List, Mapping, Optional

from ..errors import ConfigError

OPERATORS = ("prefix", "suffix", "contains", "anything-but", "numeric", "cidr", "exists")
_NUMERIC_OPS = ("<", "<=", "=", ">", ">=")
_MISSING = object()


class PatternError(ConfigError):
    """An event pattern EventBridge would refuse (unknown operator, bad operand)."""


def parse_pattern(pattern: Any) -> Mapping[str, Any]:
    """A pattern from a dict or its JSON text (``eventRuleFilterPattern`` is JSON text)."""
    if isinstance(pattern, str):
        try:
            pattern = json.loads(pattern)
        except ValueError as exc:
            raise PatternError(f"event pattern is not valid JSON: {exc}") from None
    if not isinstance(pattern, Mapping):
        raise PatternError(f"an event pattern is a JSON object, got {type(pattern).__name__}")
    check_pattern(pattern)
    return pattern


def check_pattern(pattern: Mapping[str, Any], path: str = "") -> None:
    """Raise PatternError for what EventBridge's page does not document."""
    for key, value in pattern.items():
        where = f"{path}.{key}" if path else str(key)
        if isinstance(value, Mapping):
            check_pattern(value, where)
        elif isinstance(value, list):
            for item in value:
                if isinstance(item, Mapping):
                    _check_operator(item, where)
                elif isinstance(item, list):
                    raise PatternError(f"event pattern {where}: nested arrays are not a documented pattern value")
        else:
            raise PatternError(
                f"event pattern {where}: a value must be an array of match values (e.g. [{json.dumps(value)}]) "
                f"or a nested object, got {json.dumps(value)}"
            )


def _check_operator(item: Mapping[str, Any], where: str) -> None:
    if len(item) != 1:
        raise PatternError(f"event pattern {where}: an operator object has exactly one key, got {dict(item)!r}")
    ((op, operand),) = item.items()
    if op not in OPERATORS:
        raise PatternError(
            f"event pattern {where}: unknown operator {op!r}; Alibaba Cloud EventBridge documents "
            f"{', '.join(OPERATORS)} (see 'Event patterns' in the EventBridge user guide)"
        )
    if op in ("prefix", "suffix", "contains") and not isinstance(operand, str):
        raise PatternError(f"event pattern {where}: {op} takes a string, got {json.dumps(operand)}")
    if op == "exists" and not isinstance(operand, bool):
        raise PatternError(f"event pattern {where}: exists takes true or false, got {json.dumps(operand)}")
    if op == "cidr":
        try:
            ipaddress.IPv4Network(str(operand), strict=False)
        except ValueError:
            raise PatternError(
                f"event pattern {where}: cidr takes an IPv4 CIDR block like '10.0.0.0/24' (IPv4 only), "
                f"got {json.dumps(operand)}"
            ) from None
    if op == "numeric":
        _check_numeric(operand, where)
    if op == "anything-but":
        if isinstance(operand, Mapping):
            if list(operand) != ["prefix"] or not isinstance(operand["prefix"], str):
                raise PatternError(
                    f"event pattern {where}: anything-but takes a string, a number, a list or "
                    f'{{"prefix": "..."}}, got {json.dumps(operand)}'
                )
        elif isinstance(operand, list):
            if not all(isinstance(v, (str, int, float)) and not isinstance(v, bool) for v in operand):
                raise PatternError(f"event pattern {where}: anything-but lists hold strings or numbers")
        elif not isinstance(operand, (str, int, float)) or isinstance(operand, bool):
            raise PatternError(f"event pattern {where}: anything-but takes a string, a number or a list")


def _check_numeric(operand: Any, where: str) -> None:
    if not isinstance(operand, list) or not operand or len(operand) % 2:
        raise PatternError(
            f'event pattern {where}: numeric takes operator/number pairs like [">", 0, "<=", 5], '
            f"got {json.dumps(operand)}"
        )
    for i in range(0, len(operand), 2):
        op, num = operand[i], operand[i + 1]
        if op not in _NUMERIC_OPS or isinstance(num, bool) or not isinstance(num, (int, float)):
            raise PatternError(
                f"event pattern {where}: numeric pair {json.dumps([op, num])} is not one of "
                f"{', '.join(_NUMERIC_OPS)} followed by a number"
            )


def matches(pattern: Mapping[str, Any], event: Any) -> bool:
    """True when ``event`` (a dict) matches ``pattern`` (already checked)."""
    if not isinstance(event, Mapping):
        return False
    for key, wanted in pattern.items():
        value = event.get(key, _MISSING)
        if isinstance(wanted, Mapping):
            if not isinstance(value, Mapping) or not matches(wanted, value):
                return False
            continue
        if not _any_matches(wanted, value):
            return False
    return True


def _any_matches(wanted: List[Any], value: Any) -> bool:
    # an array in the event matches when any of its elements matches (OR within the array)
    values = value if isinstance(value, list) else [value]
    for rule in wanted:
        if isinstance(rule, Mapping):
            ((op, operand),) = rule.items()
            if op == "exists":
                if (value is not _MISSING) == operand:
                    return True
                continue
            if value is _MISSING:
                continue
            if any(_operator(op, operand, v) for v in values):
                return True
        else:
            if value is _MISSING:
                continue
            if any(_equal(rule, v) for v in values):
                return True
    return False


def _equal(rule: Any, value: Any) -> bool:
    if rule is None or value is None:
        return rule is None and value is None
    if isinstance(rule, bool) or isinstance(value, bool):
        return rule is value
    if _both_numbers(rule, value):
        return bool(rule == value)
    return type(rule) is type(value) and bool(rule == value)


def _both_numbers(a: Any, b: Any) -> bool:
    return isinstance(a, (int, float)) and isinstance(b, (int, float))


def _operator(op: str, operand: Any, value: Any) -> bool:
    if op == "prefix":
        return isinstance(value, str) and value.startswith(operand)
    if op == "suffix":
        return isinstance(value, str) and value.endswith(operand)
    if op == "contains":
        return isinstance(value, str) and operand in value
    if op == "anything-but":
        if isinstance(operand, Mapping):
            return isinstance(value, str) and not value.startswith(operand["prefix"])
        excluded = operand if isinstance(operand, list) else [operand]
        return value is not None and not any(_equal(x, value) for x in excluded)
    if op == "numeric":
        return _numeric(operand, value)
    if op == "cidr":
        return _in_cidr(operand, value)
    return False


def _numeric(operand: List[Any], value: Any) -> bool:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    for i in range(0, len(operand), 2):
        op, num = operand[i], operand[i + 1]
        ok = {
            "<": value < num,
            "<=": value <= num,
            "=": value == num,
            ">": value > num,
            ">=": value >= num,
        }[op]
        if not ok:
            return False
    return True


def _in_cidr(block: str, value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        return ipaddress.IPv4Address(value) in ipaddress.IPv4Network(block, strict=False)
    except ValueError:  # not an IPv4 address (IPv6 is not matched: the page says IPv4 only)
        return False


def explain_mismatch(pattern: Mapping[str, Any], event: Any) -> Optional[str]:
    """The first pattern key the event fails, in words (None when it matches)."""
    if not isinstance(event, Mapping):
        return "the event is not a JSON object"
    for key, wanted in pattern.items():
        value = event.get(key, _MISSING)
        if isinstance(wanted, Mapping):
            if not isinstance(value, Mapping):
                return f"{key} is not an object in the event"
            inner = explain_mismatch(wanted, value)
            if inner:
                return f"{key}.{inner}"
        elif not _any_matches(wanted, value):
            shown = "missing" if value is _MISSING else json.dumps(value)
            return f"{key} ({shown}) matches none of {json.dumps(wanted)}"
    return None
