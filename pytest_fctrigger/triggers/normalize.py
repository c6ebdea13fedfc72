"""Normalise trigger configs to the FC API spelling, and expand marker shorthands."""

from __future__ import annotations

from typing import Any, Dict, List, Mapping, Optional, Tuple

from ..core.moved import moved_names
from ..core.suggest import closest
from ..errors import ConfigError
from ..kinds._check import Check
from ..kinds.base import ANY, NormalizeContext
from ..kinds.oss import normalize_oss_filter
from ..kinds.registry import REGISTRY
from .model import TriggerSpec, canonical_type

__all__ = ["ANY", "Canonical", "build_trigger", "canonicalize", "normalize_oss_filter", "trigger_from_shorthand"]


def trigger_from_shorthand(type_: str, config: Mapping[str, Any]) -> TriggerSpec:
    """Build a ``TriggerSpec`` from ``fc_trigger(type, **config)`` marker arguments."""
    return TriggerSpec.from_marker(type_, **config)


# --------------------------------------------------------------------------- config schemas
# The FC API spelling of every triggerConfig key lives in each kind's ``config_schema``
# (pytest_fctrigger/kinds/<type>.py); keys match case-insensitively; ``ANY`` marks
# free-form user data that is kept verbatim.
def _schema_of(type_: str) -> Mapping[str, Any]:
    kind = REGISTRY.find(type_)
    return kind.config_schema if kind is not None and kind.config_schema else ANY


_LOWER_CACHE: Dict[int, Dict[str, str]] = {}


def _lowered(schema: Mapping[str, Any]) -> Dict[str, str]:
    key = id(schema)
    table = _LOWER_CACHE.get(key)
    if table is None:
        table = _LOWER_CACHE[key] = {k.lower(): k for k in schema}
    return table


class Canonical:
    """A config in FC API spelling, with where each key came from."""

    __slots__ = ("config", "lines", "renamed", "unknown", "closest", "filter_style")

    def __init__(self) -> None:
        self.config: Dict[str, Any] = {}
        self.lines: Dict[str, int] = {}
        self.renamed: List[Tuple[str, str, Optional[int]]] = []  # (as written, canonical, line)
        self.unknown: List[Tuple[str, Optional[int]]] = []
        self.closest: Dict[str, str] = {}  # unknown path -> the closest valid key ("did you mean")
        self.filter_style: Optional[Tuple[str, Optional[int]]] = None  # OSS filter spelling


def _line(container: Any, key: Any) -> Optional[int]:
    getter = getattr(container, "line_of", None)
    return getter(key) if getter else None


def _plain(value: Any, path: str, out: Canonical, container: Any = None) -> Any:
    """A plain-``dict``/``list`` copy, recording the line of every list item."""
    if isinstance(value, dict):
        result = {}
        for k, v in value.items():
            sub = f"{path}.{k}"
            line = _line(value, k)
            if line is not None:
                out.lines[sub] = line
            result[k] = _plain(v, sub, out)
        return result
    if isinstance(value, list):
        items = []
        for i, v in enumerate(value):
            sub = f"{path}.{i}"
            line = _line(value, i)
            if line is not None:
                out.lines[sub] = line
            items.append(_plain(v, sub, out))
        return items
    return value


def canonicalize(type_: str, raw: Any, file: Optional[str] = None, line: Optional[int] = None) -> Canonical:
    """Rename every known key of ``raw`` (a trigger config) to the FC API spelling."""
    out = Canonical()
    if raw is None:
        return out
    if not isinstance(raw, dict):
        raise ConfigError(f"{type_} trigger config must be a mapping, got {type(raw).__name__} {raw!r}", file, line)
    raw = _lift_oss_filter(raw, out) if type_ == "oss" else raw
    out.config = _canonical_map(raw, _schema_of(type_), "", out, file)
    return out


def _canonical_map(
    raw: Mapping[str, Any], schema: Mapping[str, Any], prefix: str, out: Canonical, file: Optional[str]
) -> Dict[str, Any]:
    result: Dict[str, Any] = {}
    table = _lowered(schema) if schema is not ANY else {}
    spelled: Dict[str, str] = {}
    for key, value in raw.items():
        key_text = str(key)
        line = _line(raw, key)
        canonical = table.get(key_text.lower()) if schema is not ANY else None
        name = canonical or key_text
        path = f"{prefix}{name}"
        if name in spelled:
            raise ConfigError(
                f"key {key_text!r} repeats {spelled[name]!r} (keys are case-insensitive); keep one", file, line
            )
        spelled[name] = key_text
        if line is not None:
            out.lines[path] = line
        if schema is not ANY and canonical is None:
            out.unknown.append((path, line))
            best = closest(key_text, list(schema))
            if best is not None:
                out.closest[path] = f"{prefix}{best}"
        elif canonical is not None and canonical != key_text:
            out.renamed.append((f"{prefix}{key_text}", path, line))
        sub_schema = schema.get(canonical) if canonical else None
        if isinstance(sub_schema, dict) and isinstance(value, dict):
            result[name] = _canonical_map(value, sub_schema, path + ".", out, file)
        else:
            result[name] = _plain(value, path, out)
    return result


def _lift_oss_filter(raw: Mapping[str, Any], out: Canonical) -> Mapping[str, Any]:
    """Record how an OSS filter is spelled, and move a flat ``filter.prefix`` under ``key``."""
    filter_key = next((k for k in raw if str(k).lower() == "filter"), None)
    flt = raw.get(filter_key) if filter_key is not None else None
    if not isinstance(flt, dict):
        return raw
    keys = {str(k).lower(): k for k in flt}
    line = _line(raw, filter_key)
    if "key" in keys and isinstance(flt[keys["key"]], dict):
        inner = flt[keys["key"]]
        words = [str(keys["key"])] + [str(k) for k in inner]
        out.filter_style = (_style_of(words), line)
        return raw
    if "prefix" in keys or "suffix" in keys:
        out.filter_style = ("prefix/suffix without key", line)
        from ._yaml import YDict

        key_level = YDict(dict(flt.items()), line=getattr(flt, "line", line))
        key_level.key_lines.update(getattr(flt, "key_lines", {}))
        lifted_filter = YDict({"key": key_level}, line=getattr(flt, "line", line))
        lifted_filter.key_lines["key"] = line
        lifted = YDict(raw, line=getattr(raw, "line", None))
        lifted.key_lines.update(getattr(raw, "key_lines", {}))
        lifted[filter_key] = lifted_filter
        return lifted
    return raw


def _style_of(words: List[str]) -> str:
    upper = [w for w in words if w[:1].isupper()]
    if not upper:
        return "key/prefix/suffix"
    if len(upper) == len(words):
        return "Key/Prefix/Suffix"
    return "mixed (" + "/".join(words) + ")"


# --------------------------------------------------------------------------- file triggers
def build_trigger(
    *,
    name: Any,
    type_: Any,
    config: Any,
    source_arn: Any = None,
    qualifier: Any = None,
    role: Any = None,
    description: Any = None,
    region: Optional[str] = None,
    account_id: str = "*",
    file: Optional[str] = None,
    line: Optional[int] = None,
    type_line: Optional[int] = None,
    arn_line: Optional[int] = None,
    config_line: Optional[int] = None,
    function: Optional[str] = None,
) -> Tuple[TriggerSpec, Canonical]:
    """Validate one trigger read from a file and return it in normalised form.

    The type's own checks are its kind's ``normalize`` (``kinds/<type>.py``).
    Raises ``ConfigError`` (with the line) for an unknown type, a missing required key
    or a value of the wrong kind. Policy checks (ranges, overlaps, cron syntax) are lint
    rules, so that ``fctrigger lint`` can report all of them at once.
    """
    owner = f"function {function!r}, " if function else ""
    if name is None or str(name).strip() == "":
        raise ConfigError(f"{owner}trigger has no name (triggerName / name)", file, line)
    name = str(name)
    if type_ is None:
        raise ConfigError(
            f"{owner}trigger {name!r} has no type (triggerType / type); valid types: "
            + ", ".join(REGISTRY.trigger_types()),
            file,
            line,
        )
    try:
        ttype = canonical_type(str(type_))
    except ConfigError as exc:
        raise ConfigError(f"{owner}trigger {name!r}: {exc.reason}", file, type_line or line) from None
    canonical = canonicalize(ttype, config, file, config_line or line)
    cfg = canonical.config
    check = Check(f"{owner}{ttype} trigger {name!r}", canonical, file, line, config_line)
    arn = None if source_arn in (None, "") else str(source_arn)
    arn_at = arn_line or line
    if arn is not None and arn_at is not None:  # lines holds known lines only
        canonical.lines.setdefault("sourceArn", arn_at)
    ctx = NormalizeContext(
        name=name, type=ttype, config=cfg, check=check, arn=arn, account=account_id or "*", region=region or "*"
    )
    kind = REGISTRY.get(ttype)
    if kind.normalize is not None:  # the kind's own checks and normal form (kinds/<type>.py)
        kind.normalize(ctx)
    arn = ctx.arn

    spec = TriggerSpec(
        name=name,
        type=ttype,
        config=cfg,
        source_arn=arn,
        qualifier=None if qualifier in (None, "") else str(qualifier),
        role=None if role in (None, "") else str(role),
        function=function,
        location=(file, line) if file is not None else None,
        description=None if description is None else str(description),
        lines=dict(canonical.lines, **({"": line} if line is not None else {})),
    )
    return spec, canonical


# names that moved into the trigger kinds (issue 8); they go in the next release
__getattr__ = moved_names(
    __name__,
    {
        "EVENTBRIDGE_REQUIRED": ("pytest_fctrigger.kinds.eventbridge", "EVENTBRIDGE_REQUIRED"),
        "EVENTBRIDGE_MODES": ("pytest_fctrigger.kinds.eventbridge", "EVENTBRIDGE_MODES"),
        "EVENTBRIDGE_SCHEMAS": ("pytest_fctrigger.kinds.eventbridge", "EVENTBRIDGE_SCHEMAS"),
        "HTTP_METHODS": ("pytest_fctrigger.kinds.http", "HTTP_METHODS"),
        "HTTP_AUTH_TYPES": ("pytest_fctrigger.kinds.http", "HTTP_AUTH_TYPES"),
        "OSS_CONFIG_EVENTS": ("pytest_fctrigger.kinds.oss", "OSS_CONFIG_EVENTS"),
        "CONFIG_SCHEMAS": ("pytest_fctrigger.kinds.registry", "config_schemas()"),
    },
)
