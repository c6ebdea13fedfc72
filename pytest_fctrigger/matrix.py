"""``@pytest.mark.fc_matrix``: one test, parametrized over trigger events.

Two forms (DESIGN.md "Triggers, loops, matrices"):

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

ARGNAME = "fc_trigger_event"
DEFAULT_FIRES = 3
_MARKER_OPTIONS = ("app", "function", "vars", "fires")


class Draw:
    """A builder field drawn from the test's ``FCRandom`` when the event is built."""

    __slots__ = ("func", "description")

    def __init__(self, func: Callable[[Any], Any], description: str = ""):
        self.func = func
        self.description = description

    def __call__(self, rng: Any) -> Any:
        return self.func(rng)

    def __repr__(self) -> str:
        return f"Draw({self.description})" if self.description else "Draw()"


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
            from .events.catalog import get_source

            source = get_source(self.trigger_type)
        return source.build(rng, self.variant, **self.resolved_fields(rng))

    def __repr__(self) -> str:
        return f"<MatrixCase {self.id}>"


# --------------------------------------------------------------------------- by trigger type
def cases_for_types(types: Sequence[str], extra_sources: Mapping[str, Any] = ()) -> List[MatrixCase]:
    """Every variant of each named trigger type (all catalog types when ``types`` is empty)."""
    from .events.catalog import CATALOG, get_source

    extra = dict(extra_sources or {})
    names = list(types) or list(CATALOG) + [t for t in extra if t not in CATALOG]
    cases: List[MatrixCase] = []
    for name in names:
        source = extra.get(name)
        if source is None:
            try:
                source = get_source(name)
            except ConfigError as exc:
                if extra:
                    raise ConfigError(f"{exc.reason}; from hooks: {', '.join(extra)}") from None
                raise
        for variant in source.variants:
            cases.append(MatrixCase(f"{source.trigger_type}[{variant}]", source.trigger_type, variant, source=source))
    return cases


# --------------------------------------------------------------------------- from an app
def cases_for_app(app: Any, function: Optional[str] = None, *, fires: int = DEFAULT_FIRES) -> List[MatrixCase]:
    """The cases the triggers of ``function`` (or of every function) imply."""
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
    """The catalog variant behind a case label (labels may add detail after a ':')."""
    from .events.catalog import CATALOG

    source = CATALOG.get(trigger_type)
    if source is None:
        return None
    if label in source.variants:
        return label
    return None


Case = Tuple[str, str, Dict[str, Any], Optional[Callable[[Any, MatrixCase], Any]]]


def _region(trigger: Any) -> Dict[str, Any]:
    region = trigger.region
    return {"region": region} if region and region != "*" else {}


def _trigger_cases(trigger: Any, function: Any, fires: int) -> Iterable[Case]:
    handler = _TRIGGER_CASES.get(trigger.type)
    if handler is None:  # every FC trigger type is handled; this guards the table
        raise ConfigError(f"fc_matrix does not know trigger type {trigger.type!r}")
    return handler(trigger, function, fires)


def _oss_cases(trigger: Any, function: Any, fires: int) -> Iterable[Case]:
    from .events.catalog import OSS_EVENT_NAMES
    from .triggers.model import expand_oss_events

    prefix, suffix = trigger.prefix, trigger.suffix

    def key(rng: Any) -> str:
        # seeds/003: "source/a.png" -> a key the trigger's filter matches
        return f"{prefix}{rng.hex(8)}{suffix}"

    for event in expand_oss_events(trigger.events):
        name = event[len("oss:") :]
        fields: Dict[str, Any] = {
            "bucket": trigger.bucket,
            "key": Draw(key, f"{prefix}<x>{suffix}"),
            **_region(trigger),
        }
        if name in OSS_EVENT_NAMES:
            yield name, "oss", dict(fields, event_name=name), None
        else:
            # ObjectModified:UpdateObjectMeta (fc3 OSSEvents) has the ObjectCreated notification
            # shape; the catalog only builds the 12 documented names, so rename one.
            yield name, "oss", fields, _renamed_oss_event(name)


def _renamed_oss_event(name: str) -> Callable[[Any, MatrixCase], Any]:
    def build(rng: Any, case: MatrixCase) -> Any:
        from .events import oss_event

        event = oss_event(
            rng=rng,
            event_name="ObjectCreated:PutObject",
            overrides={"events.0.eventName": name},
            **case.resolved_fields(rng),
        )
        event.variant = name
        return event

    return build


def _timer_cases(trigger: Any, function: Any, fires: int) -> Iterable[Case]:
    from .triggers.cron import schedule_of

    schedule = schedule_of(trigger)  # a bad expression fails collection (file:line), not the test
    for index in range(1, fires + 1):

        def build(rng: Any, case: MatrixCase, index: int = index) -> Any:
            from .events import timer_event

            when = schedule.next_fires(rng.base_time, index)[-1]
            return timer_event(trigger_name=trigger.name, payload=trigger.payload or "", trigger_time=when, rng=rng)

        yield f"fire-{index}", "timer", {}, build


def _mns_topic_cases(trigger: Any, function: Any, fires: int) -> Iterable[Case]:
    fmt = trigger.notify_format
    fields: Dict[str, Any] = {"topic": trigger.topic, **_region(trigger)}
    if trigger.filter_tag:
        fields["tag"] = trigger.filter_tag
    yield fmt, "mns_topic", fields, None
    yield f"{fmt}+attrs", "mns_topic", fields, None


def _log_cases(trigger: Any, function: Any, fires: int) -> Iterable[Case]:
    fields = {
        "project": trigger.project,
        "logstore": trigger.logstore,
        "parameter": trigger.function_parameter,
        **_region(trigger),
    }
    yield f"{trigger.project}/{trigger.logstore}", "log", fields, _log_event


def _log_event(rng: Any, case: MatrixCase) -> Any:
    """The SLS trigger event; when the test's fc_cloud has the trigger's logstore, its range
    is made of that logstore's real cursors, so a pull_logs handler can run the case (h9-services)."""
    from .cloud import active_cloud
    from .events import sls_event

    fields = case.resolved_fields(rng)
    cloud = active_cloud()
    sls = cloud._services.get("sls") if cloud is not None else None
    found = sls.trigger_range(fields.get("project"), fields.get("logstore")) if sls is not None else None
    if found is not None:
        fields.update(found)
    return sls_event(rng=rng, **fields)


def _tablestore_cases(trigger: Any, function: Any, fires: int) -> Iterable[Case]:
    from .events.catalog import TABLESTORE_ROW_TYPES

    for row_type in TABLESTORE_ROW_TYPES:
        yield row_type, "tablestore", {}, None


def _cdn_cases(trigger: Any, function: Any, fires: int) -> Iterable[Case]:
    name = trigger.cdn_event_name
    domains = trigger.domains or [None]
    for domain in domains:
        label = name if len(domains) == 1 else f"{name}:{domain}"
        fields: Dict[str, Any] = {"event_name": name}
        if domain:
            fields["domain"] = domain
        yield label, "cdn_events", fields, None


def _http_cases(trigger: Any, function: Any, fires: int) -> Iterable[Case]:
    methods = trigger.methods or ["GET"]
    for method in methods:
        fields = {"method": method, "path": "/", "function_name": function.name, **_region(trigger)}
        yield method, "http", fields, None


def _eventbridge_cases(trigger: Any, function: Any, fires: int) -> Iterable[Case]:
    source_type = trigger.event_source_type
    params = trigger.event_source_parameters
    streaming = trigger.delivery_mode == "event-streaming"
    model = "stream" if streaming else "event"
    batch = ((trigger.config.get("runOptions") or {}).get("batchWindow") or {}).get("CountBasedWindow")
    batch_fields = {"batch": batch} if streaming and isinstance(batch, int) and batch > 1 else {}
    region = {"region": params["RegionId"]} if params.get("RegionId") else {}
    # FC names the event source and bus <Type>-<function name>-<trigger name> and, with the
    # RawData push format, delivers only each CloudEvent's data (h9-services)
    named = {"function_name": function.name, "push_format": trigger.event_schema}
    if source_type == "MNS":
        fields = {"queue": params.get("QueueName"), "trigger_name": trigger.name, **named, **region, **batch_fields}
        yield model, "mns_queue", fields, None
    elif source_type == "RocketMQ":
        fields = {
            "topic": params.get("Topic"),
            "instance_id": params.get("InstanceId"),
            "trigger_name": trigger.name,
            **named,
            **region,
            **batch_fields,
        }
        if params.get("Tag") and params["Tag"] != "*":
            fields["tags"] = params["Tag"]
        yield model, "rocketmq", fields, None
    elif source_type == "RabbitMQ":
        fields = {
            "queue": params.get("QueueName"),
            "vhost": params.get("VirtualHostName") or "eb-connect",
            "instance_id": params.get("InstanceId"),
            "trigger_name": trigger.name,
            **named,
            **region,
            **batch_fields,
        }
        yield model, "rabbitmq", fields, None
    elif source_type == "Kafka":
        fields = {"topic": params.get("Topic"), "instance_id": params.get("InstanceId"), **region}
        yield "eventbridge", "kafka", fields, None
    elif source_type == "DTS":
        yield "dts:ConsumeMessage", "eventbridge", dict(region), _dts_event(params)
    else:  # Default: the Alibaba Cloud service events the rule pattern selects
        pattern = trigger.event_rule_pattern
        sources = _strings(pattern.get("source"))
        types = _strings(pattern.get("type"))
        raw = {"push_format": "RawData"} if trigger.event_schema == "RawData" else {}
        if not types:
            yield "default", "eventbridge", raw, None  # the catalog's ECS sample event
            return
        for event_type in types:
            fields = {"type": event_type, "source": sources[0] if sources else "acs." + event_type.split(":")[0], **raw}
            yield event_type, "eventbridge", fields, _service_event


def _strings(value: Any) -> List[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    return []


def _service_event(rng: Any, case: MatrixCase) -> Any:
    """A Default-source EventBridge event of the type the rule pattern names.

    The event envelope is exact; ``data`` of arbitrary Alibaba Cloud services is not in
    the seeds, so it is an empty object unless it is the ECS sample the builder knows.
    Add real data with the ``pytest_fctrigger_matrix_cases`` hook (``case.fields['data']``).
    """
    from .events import eventbridge_event

    fields = case.resolved_fields(rng)
    try:
        return eventbridge_event(rng=rng, **fields)
    except ConfigError:
        fields.setdefault("data", {})
        return eventbridge_event(rng=rng, **fields)


def _dts_event(params: Mapping[str, Any]) -> Callable[[Any, MatrixCase], Any]:
    """DTS change record via EventBridge (reference section 5: type ``dts:ConsumeMessage``,
    data ``{id, topicPartition, offset, sourceTimestamp, operationType, schema,
    beforeImage, afterImage}``; the nesting inside those fields is UNCONFIRMED)."""
    topic = params.get("Topic") or "cn_hangzhou_rm_dts"

    def build(rng: Any, case: MatrixCase) -> Any:
        from .events import eventbridge_event

        when = rng.time()
        row_id = rng.randint(1, 10**6)
        data = {
            "id": rng.randint(1, 10**9),
            "topicPartition": {"hash": 0, "partition": 0, "topic": topic},
            "offset": rng.randint(1, 10**7),
            "sourceTimestamp": int(when.timestamp()),
            "operationType": "INSERT",
            "schema": {
                "recordFields": [
                    {"fieldName": "id", "rawDataTypeNum": 8, "isPrimaryKey": True},
                    {"fieldName": "name", "rawDataTypeNum": 253, "isPrimaryKey": False},
                ],
                "nameIndex": {"id": {"fieldName": "id"}, "name": {"fieldName": "name"}},
                "schemaId": "(`shop`,`orders`)",
                "databaseName": "shop",
                "tableName": "orders",
                "primaryIndexInfo": {"indexType": "PrimaryKey", "indexFields": [{"fieldName": "id"}]},
            },
            "beforeImage": {},
            "afterImage": {"id": row_id, "name": f"order-{rng.hex(6)}"},
        }
        fields = case.resolved_fields(rng)
        return eventbridge_event(
            rng=rng, source="acs.dts", type="dts:ConsumeMessage", data=data, event_time=when, **fields
        )

    return build


_TRIGGER_CASES: Dict[str, Callable[[Any, Any, int], Iterable[Case]]] = {
    "oss": _oss_cases,
    "timer": _timer_cases,
    "mns_topic": _mns_topic_cases,
    "log": _log_cases,
    "tablestore": _tablestore_cases,
    "cdn_events": _cdn_cases,
    "http": _http_cases,
    "eventbridge": _eventbridge_cases,
}


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
        for option in ("function", "vars"):
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
    app = _load(path, variables)
    return cases_for_app(app, marker.kwargs.get("function"), fires=fires)


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
