"""``@pytest.mark.fc_matrix``: one test, parametrized over trigger events.

Two forms (user docs: the "Trigger matrices" page, docs/matrix.md):

* ``fc_matrix('oss', 'mns_topic', ...)``: every variant of each trigger type in the
  event catalog (``events/catalog.py``) and in sources added by the
  ``pytest_fctrigger_event_sources`` hook; ``fc_matrix()`` with no type = all of them.
  Ids: ``oss[ObjectCreated:PutObject]``.
* ``fc_matrix(app='s.yaml', function='name', vars={...})``: every trigger of that
  function (all functions when ``function`` is omitted), with events that satisfy the
  trigger: an OSS trigger gives one case per configured event (wildcards expanded)
  with keys ``<prefix><random><suffix>`` on its bucket; a timer gives events at its next
  ``fires`` fire times (default 3) after the test's clock; an MNS topic trigger its
  ``notifyContentFormat``, with and without message attributes; a log trigger an SLS
  event of its project/logstore with its ``functionParameter``; tablestore the three
  row types; cdn_events its event name for each filtered domain; http one event per
  method; eventbridge its source's event (event or stream model by ``runOptions.mode``).
  Ids: ``<trigger name>[<variant>]`` (``<function>/<trigger>[...]`` for all functions).
  A relative ``app`` path is resolved from the test file's folder.

Cases are built at collection; events are built lazily by the ``fc_trigger_event``
fixture, from the test's seeded ``FCRandom``. The ``pytest_fctrigger_matrix_cases`` hook
may add, drop or reorder cases. A test carrying ``fc_matrix`` must take the
``fc_trigger_event`` argument (directly or through a fixture): otherwise collection
fails with a message saying so, rather than the marker doing nothing.

This module never imports pytest; collection errors are raised as the collector's own
``CollectError`` so pytest shows one line, not a traceback.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Callable, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

from .errors import ConfigError, FCTriggerError
from .kinds.base import Draw

__all__ = ["ARGNAME", "DEFAULT_FIRES", "Draw", "MatrixCase", "cases_for_app", "cases_for_types", "current_case"]

ARGNAME = "fc_trigger_event"
DEFAULT_FIRES = 3
_MARKER_OPTIONS = ("app", "function", "vars", "fires", "include_disabled")


class MatrixCase:
    """One parameter of an ``fc_matrix`` test.

    ``id`` is the pytest id and ``label`` its bracketed part (``PutObject``-style event
    name, ``GET``, ``fire-1``, ...); ``trigger_type`` / ``variant`` name the event's
    catalog variant (``None`` when the label is not one, e.g. an HTTP method); ``fields``
    are the builder's keyword arguments (``Draw`` values are drawn at build time);
    ``trigger`` / ``function`` / ``app`` are set for app matrices. ``build(rng)`` makes
    the ``FCEvent``. Hook implementations may create their own cases with a ``source``
    (anything with ``build(rng, variant, **fields)``) or a ``builder(rng, case)``.
    """

    __slots__ = ("id", "trigger_type", "variant", "fields", "source", "trigger", "function", "app", "builder", "label")

    def __init__(
        self,
        id: str,
        trigger_type: str,
        variant: Optional[str] = None,
        fields: Optional[Dict[str, Any]] = None,
        *,
        source: Any = None,
        trigger: Any = None,
        function: Any = None,
        app: Any = None,
        builder: Optional[Callable[[Any, MatrixCase], Any]] = None,
        label: Optional[str] = None,
    ):
        self.id = id
        if label is None:  # "oss[ObjectCreated:PutObject]" -> "ObjectCreated:PutObject"
            label = id[id.index("[") + 1 : -1] if id.endswith("]") and "[" in id else variant
        self.label = label
        self.trigger_type = trigger_type
        self.variant = variant
        self.fields = dict(fields or {})
        self.source = source
        self.trigger = trigger
        self.function = function
        self.app = app
        self.builder = builder

    def resolved_fields(self, rng: Any) -> Dict[str, Any]:
        return {k: (v(rng) if isinstance(v, Draw) else v) for k, v in self.fields.items()}

    def build(self, rng: Any) -> Any:
        """The event of this case, drawn from ``rng`` (an ``FCRandom`` or an int seed)."""
        from .events._random import FCRandom

        rng = FCRandom.coerce(rng)
        if self.builder is not None:
            return self.builder(rng, self)
        source = self.source
        if source is None:
            source = _source(self.trigger_type)
        fields = self.resolved_fields(rng)
        if self.trigger_type == "log" and self.trigger is not None:
            fields.update(_live_log_range(fields))
        return source.build(rng, self.variant, **fields)

    def __repr__(self) -> str:
        return f"<MatrixCase {self.id}>"


def _live_log_range(fields: Dict[str, Any]) -> Dict[str, Any]:
    """The cursor range of an SLS trigger case from the test's fc_cloud logstore, when it has
    the trigger's logstore: a ``pull_logs`` handler can then run the case (random cursors
    are rejected by the simulated SLS as they are by SLS)."""
    from .cloud import active_cloud

    cloud = active_cloud()
    sls = cloud._services.get("sls") if cloud is not None else None
    found = sls.trigger_range(fields.get("project"), fields.get("logstore")) if sls is not None else None
    return found or {}


# --------------------------------------------------------------------------- by trigger type
def _source(name: str, extra: Optional[Mapping[str, Any]] = None) -> Any:
    """The event source (builder link) of a kind, asked of the registry."""
    from .kinds.registry import REGISTRY

    kind = REGISTRY.find(name)
    source = REGISTRY.event_source(name) if kind is not None else None
    if source is None:
        valid = [k.name for k in REGISTRY.kinds() if k.event_source is not None]
        message = f"unknown trigger type {name!r}; valid types: {', '.join(valid)}"
        if extra:
            message += f"; from hooks: {', '.join(extra)}"
        raise ConfigError(message)
    return source


def cases_for_types(types: Sequence[str], extra_sources: Optional[Mapping[str, Any]] = None) -> List[MatrixCase]:
    """Every variant of each named trigger type (every kind with an event builder when ``types`` is empty)."""
    from .kinds.registry import REGISTRY

    extra = dict(extra_sources or {})
    known = [k.name for k in REGISTRY.kinds() if k.event_source is not None]
    names = list(types) or known + [t for t in extra if t not in known]
    cases: List[MatrixCase] = []
    for name in names:
        source = extra.get(name)
        if source is None:
            source = _source(name, extra)
        for variant in source.variants:
            cases.append(MatrixCase(f"{source.trigger_type}[{variant}]", source.trigger_type, variant, source=source))
    return cases


# --------------------------------------------------------------------------- from an app
def cases_for_app(
    app: Any, function: Optional[str] = None, *, fires: int = DEFAULT_FIRES, include_disabled: bool = False
) -> List[MatrixCase]:
    """The cases the triggers of ``function`` (or of every function) imply.

    A disabled trigger (``enable: false`` / ``triggerEnable: false``) fires nothing in FC,
    so it gives no case unless ``include_disabled=True`` asks for it on purpose.
    """
    if function is not None:
        try:
            functions = [app.function(function)]
        except KeyError as exc:
            raise ConfigError(str(exc.args[0]), str(app.path) if app.path else None) from None
        prefix_function = False
    else:
        functions = list(app.functions.values())
        prefix_function = len(functions) > 1
    cases: List[MatrixCase] = []
    for spec in functions:
        for trigger in spec.triggers:
            if not trigger.enabled and not include_disabled:
                continue
            label = f"{spec.name}/{trigger.name}" if prefix_function else trigger.name
            for variant, trigger_type, fields, builder in _trigger_cases(trigger, spec, fires):
                cases.append(
                    MatrixCase(
                        f"{label}[{variant}]",
                        trigger_type,
                        _catalog_variant(trigger_type, variant),
                        fields,
                        trigger=trigger,
                        function=spec,
                        app=app,
                        builder=builder,
                        label=variant,
                    )
                )
    return cases


def _catalog_variant(trigger_type: str, label: str) -> Optional[str]:
    """The builder variant behind a case label (labels may add detail after a ':')."""
    from .kinds.registry import REGISTRY

    source = REGISTRY.event_source(trigger_type)
    if source is None:
        return None
    if label in source.variants:
        return label
    return None


Case = Tuple[str, str, Dict[str, Any], Optional[Callable[[Any, MatrixCase], Any]]]


def _trigger_cases(trigger: Any, function: Any, fires: int) -> Iterable[Case]:
    from .kinds.registry import REGISTRY

    kind = REGISTRY.find(trigger.type)
    if kind is None or kind.matrix_cases is None:
        raise ConfigError(f"fc_matrix does not know how to build events for {trigger.type} trigger {trigger.name!r}")
    return kind.matrix_cases(trigger, function, fires)


# --------------------------------------------------------------------------- pytest wiring
_APP_CACHE: Dict[Tuple[str, float, Tuple[Tuple[str, str], ...]], Any] = {}


def _load(path: Path, variables: Optional[Mapping[str, Any]]) -> Any:
    from .triggers.loader import load_app

    resolved = str(path.resolve())
    try:
        mtime = os.stat(resolved).st_mtime
    except OSError:
        mtime = -1.0
    key = (resolved, mtime, tuple(sorted((str(k), repr(v)) for k, v in (variables or {}).items())))
    app = _APP_CACHE.get(key)
    if app is None:
        app = load_app(resolved, variables)  # ConfigWarnings surface once, at collection
        _APP_CACHE[key] = app
    return app


def _collect_error(metafunc: Any, message: str) -> Exception:
    node = metafunc.definition
    while node is not None and not hasattr(node, "CollectError"):
        node = node.parent
    error_class = getattr(node, "CollectError", None) or ConfigError
    return error_class(f"{metafunc.definition.nodeid}: {message}")


def marker_cases(metafunc: Any, marker: Any, extra_sources: Mapping[str, Any]) -> List[MatrixCase]:
    """The cases one ``fc_matrix`` marker asks for."""
    unknown = set(marker.kwargs) - set(_MARKER_OPTIONS)
    if unknown:
        raise ConfigError(
            f"unknown @pytest.mark.fc_matrix option(s) {', '.join(sorted(unknown))}; "
            f"valid options: {', '.join(_MARKER_OPTIONS)}"
        )
    app_path = marker.kwargs.get("app")
    fires = marker.kwargs.get("fires", DEFAULT_FIRES)
    if isinstance(fires, bool) or not isinstance(fires, int) or fires < 1:
        raise ConfigError(f"fc_matrix(fires=) must be a positive integer, got {fires!r}")
    if app_path is None:
        for option in ("function", "vars", "include_disabled"):
            if marker.kwargs.get(option) is not None:
                raise ConfigError(f"fc_matrix({option}=...) needs app='s.yaml'")
        bad = [t for t in marker.args if not isinstance(t, str)]
        if bad:
            raise ConfigError(f"fc_matrix takes trigger type names, got {bad[0]!r}")
        return cases_for_types(marker.args, extra_sources)
    if marker.args:
        raise ConfigError(
            f"fc_matrix takes either trigger types or app=, not both (got {marker.args!r} and app={app_path!r})"
        )
    path = Path(os.fspath(app_path))
    if not path.is_absolute():
        path = Path(metafunc.definition.path).parent / path
    variables = marker.kwargs.get("vars")
    if variables is not None and not isinstance(variables, Mapping):
        raise ConfigError(f"fc_matrix(vars=) must be a dict, got {variables!r}")
    include_disabled = marker.kwargs.get("include_disabled", False)
    if not isinstance(include_disabled, bool):
        raise ConfigError(f"fc_matrix(include_disabled=) must be True or False, got {include_disabled!r}")
    app = _load(path, variables)
    return cases_for_app(app, marker.kwargs.get("function"), fires=fires, include_disabled=include_disabled)


def _extra_sources(config: Any) -> Dict[str, Any]:
    found: Dict[str, Any] = {}
    for result in config.hook.pytest_fctrigger_event_sources(config=config):
        for source in result or ():
            found[source.trigger_type] = source
    return found


def parametrize_matrix(metafunc: Any, markers: Sequence[Any]) -> None:
    """Called by ``plugin.pytest_generate_tests`` for a test with ``fc_matrix`` markers."""
    if ARGNAME not in metafunc.fixturenames:
        raise _collect_error(
            metafunc,
            f"@pytest.mark.fc_matrix parametrizes the {ARGNAME} argument, "
            f"but {metafunc.function.__name__}() does not take it; add it: "
            f"def {metafunc.function.__name__}({ARGNAME}, ...)",
        )
    try:
        extra = _extra_sources(metafunc.config)
        cases: List[MatrixCase] = []
        for marker in markers:
            cases.extend(marker_cases(metafunc, marker, extra))
        metafunc.config.hook.pytest_fctrigger_matrix_cases(
            config=metafunc.config, definition=metafunc.definition, cases=cases
        )
    except FCTriggerError as exc:
        raise _collect_error(metafunc, str(exc)) from None
    if not cases:
        raise _collect_error(
            metafunc,
            "fc_matrix produced no cases (the function has no triggers, "
            "or a pytest_fctrigger_matrix_cases hook removed them all)",
        )
    metafunc.parametrize(ARGNAME, cases, ids=[case.id for case in cases], indirect=True)


def current_case(node: Any) -> Optional[MatrixCase]:
    """The ``MatrixCase`` a collected test item runs with, if it is an fc_matrix case."""
    callspec = getattr(node, "callspec", None)
    if callspec is None:
        return None
    case = callspec.params.get(ARGNAME)
    return case if isinstance(case, MatrixCase) else None
