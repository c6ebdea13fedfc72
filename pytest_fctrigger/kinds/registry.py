"""The registry of trigger kinds: the one place the plugin asks what a trigger type is.

Built-in kinds (one module each in this package) load on first use, so importing the
registry costs nothing at start-up. Another package adds a kind with the
``pytest_fctrigger_trigger_kinds`` hook (registered for the session that asked, and
removed at its end) or, outside pytest, with :func:`register_kind`.
"""

from __future__ import annotations

import importlib
import threading
from typing import Any, Dict, List, Optional, Tuple

from ..core.suggest import did_you_mean
from ..errors import ConfigError
from .base import TriggerKind

# FC trigger types first (FC API order), then the event sources delivered through one.
BUILTIN_MODULES: Tuple[str, ...] = (
    "timer",
    "oss",
    "log",
    "cdn_events",
    "tablestore",
    "mns_topic",
    "mns_queue",
    "rocketmq",
    "rabbitmq",
    "kafka",
    "datahub",
    "eventbridge",
    "apigw",
    "http",
)


# The FC API's own order of its trigger types (messages list them so).
_FC_ORDER = ("oss", "log", "timer", "http", "mns_topic", "cdn_events", "tablestore", "eventbridge")


def _key(name: str) -> str:
    return str(name).strip().lower().replace("-", "_")


class KindRegistry:
    """Kinds by canonical name, plus an alias table; thread-safe registration."""

    def __init__(self) -> None:
        self._kinds: Dict[str, TriggerKind] = {}
        self._aliases: Dict[str, str] = {}
        self._owners: Dict[str, Any] = {}
        self._loaded = False
        self._lock = threading.RLock()

    # --- loading ----------------------------------------------------------------------
    def _ensure(self) -> None:
        if self._loaded:
            return
        with self._lock:
            if self._loaded:
                return
            for module in BUILTIN_MODULES:
                kind = importlib.import_module(f"{__package__}.{module}").KIND
                self._add(kind, None, replace=False)
            self._loaded = True

    def _add(self, kind: TriggerKind, owner: Any, replace: bool) -> None:
        if not isinstance(kind, TriggerKind):
            raise ConfigError(
                f"pytest_fctrigger_trigger_kinds must return TriggerKind objects "
                f"(pytest_fctrigger.kinds.TriggerKind), got {kind!r}"
            )
        name = _key(kind.name)
        if name in self._kinds and not replace:
            raise ConfigError(f"trigger kind {kind.name!r} is already registered; pass replace=True to override it")
        for alias in kind.aliases:
            target = self._aliases.get(_key(alias))
            if target is not None and target != name and not replace:
                raise ConfigError(f"trigger kind {kind.name!r}: alias {alias!r} already names kind {target!r}")
        self._kinds[name] = kind
        self._aliases[name] = name
        for alias in kind.aliases:
            self._aliases[_key(alias)] = name
        if owner is not None:
            self._owners[name] = owner

    # --- registration -----------------------------------------------------------------
    def register(self, kind: TriggerKind, *, owner: Any = None, replace: bool = False) -> None:
        """Add ``kind``; ``owner`` (e.g. a pytest ``Config``) lets :meth:`unregister` remove it."""
        self._ensure()
        with self._lock:
            self._add(kind, owner, replace)

    def unregister(self, owner: Any) -> None:
        """Remove every kind registered with ``owner`` (built-in kinds are never removed)."""
        with self._lock:
            names = [n for n, o in self._owners.items() if o is owner]
            for name in names:
                del self._owners[name]
                del self._kinds[name]
                for alias in [a for a, t in self._aliases.items() if t == name]:
                    del self._aliases[alias]
                if name in BUILTIN_MODULES:  # an override of a built-in: restore it
                    kind = importlib.import_module(f"{__package__}.{name}").KIND
                    self._add(kind, None, replace=True)

    # --- lookup -----------------------------------------------------------------------
    def find(self, name: str) -> Optional[TriggerKind]:
        self._ensure()
        target = self._aliases.get(_key(name))
        return self._kinds.get(target) if target is not None else None

    def get(self, name: str, *, fc_trigger: bool = False) -> TriggerKind:
        """The kind called ``name`` (or an alias); ``fc_trigger=True`` wants a configurable FC trigger type."""
        kind = self.find(name)
        valid = self.trigger_types() if fc_trigger else self.names()
        if kind is None or (fc_trigger and kind.fc_trigger_type != kind.name):
            hint = did_you_mean(_key(name), valid)
            raise ConfigError(
                f"unknown trigger type {name!r}; valid types: {', '.join(valid)}" + (f" ({hint[2:]})" if hint else "")
            )
        return kind

    def kinds(self) -> List[TriggerKind]:
        self._ensure()
        return list(self._kinds.values())

    def names(self) -> Tuple[str, ...]:
        self._ensure()
        return tuple(self._kinds)

    def trigger_types(self) -> Tuple[str, ...]:
        """The kinds FC configures as a trigger of their own (``triggerType``)."""
        names = [k.name for k in self.kinds() if k.fc_trigger_type == k.name]
        rank = {n: i for i, n in enumerate(_FC_ORDER)}
        return tuple(sorted(names, key=lambda n: rank.get(n, len(rank))))

    def aliases(self) -> Dict[str, str]:
        """Every accepted spelling -> canonical name (canonical names included)."""
        self._ensure()
        return dict(self._aliases)

    def for_service(self, service: str) -> List[TriggerKind]:
        """Kinds whose triggers a write to ``service`` (a journal service name) can fire."""
        return [k for k in self.kinds() if k.write_rule is not None and k.write_rule.service == service]

    def event_source(self, name: str) -> Any:
        """The ``EventSource`` (builder link) of a kind, or None."""
        kind = self.find(name)
        if kind is None or kind.event_source is None:
            return None
        source = kind.event_source
        if isinstance(source, str):
            from ..events.catalog import CATALOG

            return CATALOG[source]
        return source


REGISTRY = KindRegistry()


def get_kind(name: str) -> TriggerKind:
    """The registered kind called ``name`` (aliases accepted); ``ConfigError`` with a suggestion otherwise."""
    return REGISTRY.get(name)


def register_kind(kind: TriggerKind, *, owner: Any = None, replace: bool = False) -> None:
    """Register ``kind`` for this process (the hook ``pytest_fctrigger_trigger_kinds`` does it per session)."""
    REGISTRY.register(kind, owner=owner, replace=replace)


def all_kinds() -> List[TriggerKind]:
    return REGISTRY.kinds()


def config_schemas() -> Dict[str, Any]:
    """``{trigger type: its triggerConfig schema}`` of every FC trigger kind (the old
    ``triggers.normalize.CONFIG_SCHEMAS``; ask ``REGISTRY.get(type).config_schema`` instead)."""
    return {kind.name: kind.config_schema for kind in REGISTRY.kinds() if kind.fc_trigger_type == kind.name}
