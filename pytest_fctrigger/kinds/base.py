"""``TriggerKind``: everything the plugin knows about one trigger type, in one object.

A kind is plain data plus a few callables; the registry (:mod:`.registry`) is the only
place the rest of the plugin looks a kind up. Nothing here imports pytest, the trigger
model or the simulated services: kinds receive ``TriggerSpec``/``FunctionSpec`` objects
and journal ``Write`` objects and read them by attribute (duck typing keeps the layering:
``triggers.model`` imports ``kinds``, never the other way round).
"""

from __future__ import annotations

import dataclasses
from typing import Any, Callable, Dict, Iterable, Iterator, List, Mapping, Optional, Sequence, Tuple

from ..core.suggest import unknown_name
from ..errors import ConfigError

# Invocation types (FC docs "Triggers overview", 调用方式 column: timer, OSS, MNS topic are async; SLS, CDN,
# Tablestore, HTTP are sync; EventBridge as configured by asyncInvocationType).
ASYNC = "Async"
SYNC = "Sync"
CONFIGURED = "Configured"  # eventbridge: asyncInvocationType decides
INVOCATION_TYPES = (ASYNC, SYNC, CONFIGURED)

# a schema value that is free-form user data, kept verbatim (the identity of this object matters)
ANY: Dict[str, Any] = {}

# keys every fc_trigger marker takes, whatever the kind
COMMON_MARKER_KEYS = ("name", "sourceArn", "source_arn", "qualifier", "region", "account_id", "role", "invocationRole")

# A matrix case as a kind yields it: (label, event source name, builder fields, builder or None)
Case = Tuple[str, str, Dict[str, Any], Optional[Callable[[Any, Any], Any]]]


@dataclasses.dataclass(frozen=True)
class Shorthand:
    """One ``fc_trigger`` marker shorthand: its accepted Python types and a value check.

    ``check(value)`` returns an error text (what is wrong and the allowed values) or None.
    """

    name: str
    types: Tuple[type, ...] = (str,)
    check: Optional[Callable[[Any], Optional[str]]] = None
    doc: str = ""


@dataclasses.dataclass
class MarkerTrigger:
    """What a kind's shorthand expansion fills in, turned into a ``TriggerSpec`` by the model."""

    name: str
    type: str
    config: Dict[str, Any]
    extra: Dict[str, Any]  # the marker keywords not consumed yet
    source_arn: Optional[str] = None
    qualifier: Optional[str] = None
    role: Optional[str] = None
    region: str = "*"
    account: str = "*"


@dataclasses.dataclass
class NormalizeContext:
    """One trigger read from a file, while its kind checks and normalises its config."""

    name: str
    type: str
    config: Dict[str, Any]
    check: Any  # kinds._check.Check
    arn: Optional[str]
    account: str
    region: str


class WriteRule:
    """How a write (a journal ``Write``) fires a trigger of one kind.

    ``service`` is the journal service whose writes can fire the kind; ``index_key`` says
    where a trigger listens and ``write_key`` where a write lands, as equal tuples, so a
    write costs one dict lookup; ``match`` gives the reason in words (None: no match).
    Subclasses override ``match_candidates`` for a hot path (OSS).
    """

    service: str = ""

    def index_key(self, trigger: Any) -> Optional[tuple]:
        return None

    def write_key(self, write: Any) -> Optional[tuple]:
        return None

    def prepare(self, trigger: Any) -> Any:
        """Per-trigger state built once per index (e.g. OSS's expanded events)."""
        return None

    def match(self, write: Any, trigger: Any, prepared: Any) -> Optional[str]:
        return None

    def match_candidates(self, write: Any, candidates: Sequence[Tuple[Any, Any]]) -> Iterator[Tuple[Any, str]]:
        """``(watched, reason)`` for every candidate ``(watched, prepared)`` the write fires."""
        for watched, prepared in candidates:
            reason = self.match(write, watched.trigger, prepared)
            if reason is not None:
                yield watched, reason

    def fix(self, write: Any, trigger: Any) -> str:
        return "write somewhere the trigger does not watch"


LintRule = Callable[[Any, Any, Any], None]  # (checker, function, trigger)
AppLintRule = Callable[[Any, Any], None]  # (checker, app)


@dataclasses.dataclass(frozen=True)
class TriggerKind:
    """One trigger type (or one event source delivered through one, e.g. RocketMQ via EventBridge).

    * ``name``: canonical name (the FC API ``triggerType`` for FC trigger types);
      ``aliases``: other spellings users write (matched case-insensitively, ``-`` = ``_``).
    * ``fc_trigger_type``: the ``triggerType`` FC configures it as (``eventbridge`` for the
      EventBridge sources), or None for an event source with no trigger of its own.
    * ``config_schema``: the FC API spelling of every ``triggerConfig`` key (nested mappings;
      ``ANY`` = free-form user data); ``shorthands``: the extra ``fc_trigger`` marker keys.
    * ``from_marker(MarkerTrigger)``: expands the shorthands (marker form).
    * ``normalize(NormalizeContext)``: checks and normalises a config read from a file
      (fc, fc3 and Funcraft files reach it in the same FC API spelling, after the loader).
    * ``lint`` / ``app_lint``: lint rules, ``rule(checker, function, trigger)`` /
      ``rule(checker, app)``; ``rules``: the ``Rule`` rows of codes a plugin kind adds.
    * ``write_rule``: how a write fires it (loops); ``matrix_cases(trigger, function, fires)``:
      the app-matrix cases; ``event_source``: its builder (an ``EventSource``, or the name of
      one in ``events.catalog``).
    * ``invocation_type``: ``Async``/``Sync``/``Configured``; ``delivery``: the hook event
      flows read for delivery semantics (retries, batching); None = the flow's defaults.
    """

    name: str
    aliases: Tuple[str, ...] = ()
    fc_trigger_type: Optional[str] = None
    description: str = ""
    config_schema: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    shorthands: Tuple[Shorthand, ...] = ()
    from_marker: Optional[Callable[[MarkerTrigger], None]] = None
    normalize: Optional[Callable[[NormalizeContext], None]] = None
    lint: Tuple[LintRule, ...] = ()
    app_lint: Tuple[AppLintRule, ...] = ()
    rules: Tuple[Any, ...] = ()
    write_rule: Optional[WriteRule] = None
    matrix_cases: Optional[Callable[[Any, Any, int], Iterable[Case]]] = None
    event_source: Any = None
    invocation_type: str = SYNC
    delivery: Any = None
    eventbridge_source_type: Optional[str] = None

    def __post_init__(self) -> None:
        if self.invocation_type not in INVOCATION_TYPES:
            raise ConfigError(
                f"trigger kind {self.name!r}: invocation_type {self.invocation_type!r} "
                f"is not one of {', '.join(INVOCATION_TYPES)}"
            )

    # --- schema --------------------------------------------------------------------
    def marker_keys(self) -> List[str]:
        """Every keyword ``fc_trigger(<this kind>, ...)`` accepts."""
        keys = list(COMMON_MARKER_KEYS) + [s.name for s in self.shorthands] + list(self.config_schema)
        return list(dict.fromkeys(keys))

    def check_marker(self, config: Mapping[str, Any]) -> None:
        """Reject an unknown keyword (naming the closest valid one) or a shorthand of a bad type/value."""
        valid = self.marker_keys()
        lowered = {k.lower(): k for k in valid}
        for key in config:
            if key not in valid and str(key).lower() not in lowered:
                raise ConfigError(unknown_name(f"{self.name} trigger key", str(key), valid))
        by_name = {s.name: s for s in self.shorthands}
        for key, value in config.items():
            shorthand = by_name.get(key)
            if shorthand is None or value is None:
                continue
            if isinstance(value, bool) and bool not in shorthand.types or not isinstance(value, shorthand.types):
                allowed = " or ".join(t.__name__ for t in shorthand.types)
                raise ConfigError(
                    f"{self.name} trigger {key}={value!r}: must be {allowed}, got {type(value).__name__}"
                    + (f" ({shorthand.doc})" if shorthand.doc else "")
                )
            if shorthand.check is not None:
                problem = shorthand.check(value)
                if problem:
                    raise ConfigError(f"{self.name} trigger {key}={value!r}: {problem}")


def strings(value: Any) -> List[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    return []


def region_fields(trigger: Any) -> Dict[str, Any]:
    region = trigger.region
    return {"region": region} if region and region != "*" else {}


def regions_differ(write: Any, trigger: Any) -> bool:
    tr = trigger.region
    wr = write.region
    return bool(tr and wr and tr != "*" and tr != wr)


class Draw:
    """A builder field drawn from the test's ``FCRandom`` when a matrix case's event is built."""

    __slots__ = ("func", "description")

    def __init__(self, func: Callable[[Any], Any], description: str = "") -> None:
        self.func = func
        self.description = description

    def __call__(self, rng: Any) -> Any:
        return self.func(rng)

    def __repr__(self) -> str:
        return f"Draw({self.description})" if self.description else "Draw()"
