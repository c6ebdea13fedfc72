"""pytest wiring for pytest-fctrigger: options, markers, fixtures, report hooks.

This is the ``pytest11`` entry module, loaded by every pytest run in any environment
that has the plugin installed, so it imports nothing beyond pytest and the standard
library at module level. Every fixture imports what it needs on first use.
"""

from __future__ import annotations

import dataclasses
import functools
import os
from typing import TYPE_CHECKING, Any, Dict, List, Optional

import pytest

if TYPE_CHECKING:
    from typing import NoReturn

# Builder fixtures: each is the plain function of the same name in
# ``pytest_fctrigger.events``, bound to the test's seeded randomness.
EVENT_BUILDERS = (
    "timer_event",
    "oss_event",
    "sls_event",
    "cdn_event",
    "tablestore_event",
    "tablestore_record",
    "mns_topic_event",
    "mns_queue_event",
    "rocketmq_event",
    "rabbitmq_event",
    "kafka_event",
    "datahub_event",
    "eventbridge_event",
    "apigw_event",
    "http_event",
    "wsgi_environ",
)

LOOP_MODES = ("fail", "warn", "allow")

_SEED_KEY = pytest.StashKey[int]()


# --------------------------------------------------------------------------- options
def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("fctrigger", "Alibaba Cloud Function Compute (pytest-fctrigger)")
    group.addoption(
        "--fc-seed",
        type=int,
        default=None,
        metavar="N",
        help="seed for every generated value (events, ids, context). Default: derived from "
        "each test's node id, so every test is reproducible on its own.",
    )
    group.addoption(
        "--fc-loop",
        choices=LOOP_MODES,
        default=None,
        help="what a self-trigger loop does: fail the test (default), warn, or allow.",
    )
    group.addoption(
        "--fc-loop-depth",
        type=int,
        default=None,
        metavar="N",
        help="re-deliver the event a looping write generates to the handler up to N hops "
        "and report whether the chain converges (default 0: stop at the first hop).",
    )
    group.addoption(
        "--fc-allow-network",
        action="store_true",
        default=None,
        help="do not block connections to non-loopback addresses while fc_cloud/fc_invoke are active.",
    )
    group.addoption(
        "--fc-redis-url",
        default=None,
        metavar="URL",
        help="real Redis for the SLS cursor store (default: ini fc_redis_url, env "
        "FC_TEST_REDIS_URL, else an in-process fakeredis).",
    )
    group.addoption(
        "--fc-runtime",
        default=None,
        metavar="RUNTIME",
        help="default FC runtime of fc_context/fc_invoke (python3.6 ... python3.12; default python3.10).",
    )
    parser.addini("fc_loop", "default of --fc-loop", default="fail")
    parser.addini("fc_loop_depth", "default of --fc-loop-depth", default="0")
    parser.addini("fc_allow_network", "default of --fc-allow-network", type="bool", default=False)
    parser.addini("fc_redis_url", "default of --fc-redis-url", default="")
    parser.addini("fc_runtime", "default of --fc-runtime", default="python3.10")
    parser.addini("fc_region", "region of generated events and contexts (default cn-hangzhou)", default="")
    parser.addini("fc_app", "s.yaml / template.yml that the fc_app fixture loads (relative to rootdir)", default="")


def pytest_addhooks(pluginmanager: pytest.PytestPluginManager) -> None:
    from pytest_fctrigger import hookspecs

    pluginmanager.add_hookspecs(hookspecs)


def pytest_configure(config: pytest.Config) -> None:
    for line in (
        "fc(seed=None, region=None, runtime=None, loop=None, loop_depth=None, allow_network=None, "
        "timeout=None): pytest-fctrigger options for this test, class or module (closest wins).",
        "fc_trigger(type, **config): declare a trigger of the function under test "
        "(repeatable); fc_invoke checks the handler's writes against it.",
        "fc_matrix(*types, app=None, function=None, vars=None, fires=3): parametrize the test's "
        "fc_trigger_event over trigger variants or over the triggers an s.yaml declares.",
    ):
        config.addinivalue_line("markers", line)


def pytest_report_header(config: pytest.Config) -> Optional[str]:
    seed = config.getoption("--fc-seed")
    how = f"--fc-seed {seed}" if seed is not None else "per test, from the node id"
    return f"fctrigger: seed {how}"


# --------------------------------------------------------------------------- settings
@dataclasses.dataclass(frozen=True)
class FCSettings:
    """Options of one test: command line / ini, overridden by ``fc`` markers (closest wins)."""

    seed: int
    region: str
    runtime: str
    loop: str
    loop_depth: int
    allow_network: bool
    timeout: Optional[float]
    redis_url: Optional[str]


_MARKER_KEYS = ("seed", "region", "runtime", "loop", "loop_depth", "allow_network", "timeout")


def _bad_option(item: pytest.Item, message: str) -> NoReturn:
    # one line naming the test, not a traceback through the plugin
    pytest.fail(f"{item.nodeid}: {message}", pytrace=False)


def _marker_options(node: pytest.Item) -> Dict[str, Any]:
    merged: Dict[str, Any] = {}
    # iter_markers yields the closest marker first; apply the farthest first.
    for marker in reversed(list(node.iter_markers("fc"))):
        if marker.args:
            _bad_option(
                node,
                f"@pytest.mark.fc takes keyword options only ({', '.join(_MARKER_KEYS)}), "
                f"got positional {marker.args!r}",
            )
        unknown = set(marker.kwargs) - set(_MARKER_KEYS)
        if unknown:
            _bad_option(
                node,
                f"unknown @pytest.mark.fc option(s) {', '.join(sorted(unknown))}; "
                f"valid options: {', '.join(_MARKER_KEYS)}",
            )
        merged.update(marker.kwargs)
    return merged


def _resolve_settings(item: pytest.Item) -> FCSettings:
    config = item.config
    from pytest_fctrigger.context import RUNTIMES
    from pytest_fctrigger.events._random import seed_from_text

    marks = _marker_options(item)
    seed = marks.get("seed", config.getoption("--fc-seed"))
    if seed is None:
        seed = seed_from_text(item.nodeid)
    elif isinstance(seed, bool) or not isinstance(seed, int):
        _bad_option(item, f"fc seed must be an integer, got {seed!r}")
    loop = marks.get("loop") or config.getoption("--fc-loop") or config.getini("fc_loop") or "fail"
    if loop not in LOOP_MODES:
        _bad_option(item, f"loop mode {loop!r} is not one of {', '.join(LOOP_MODES)}")
    depth_raw = marks.get("loop_depth", config.getoption("--fc-loop-depth"))
    if depth_raw is None:
        depth_raw = config.getini("fc_loop_depth") or 0
    try:
        depth = int(depth_raw)
    except (TypeError, ValueError):
        _bad_option(item, f"fc loop depth must be an integer, got {depth_raw!r}")
    if depth < 0:
        _bad_option(item, f"fc loop depth must be >= 0, got {depth}")
    allow = marks.get("allow_network")
    if allow is None:
        allow = bool(config.getoption("--fc-allow-network") or config.getini("fc_allow_network"))
    region = marks.get("region") or config.getini("fc_region") or "cn-hangzhou"
    if not isinstance(region, str):
        _bad_option(item, f"fc region must be a region id like 'cn-hangzhou', got {region!r}")
    runtime = marks.get("runtime") or config.getoption("--fc-runtime") or config.getini("fc_runtime")
    if runtime not in RUNTIMES:
        _bad_option(item, f"unknown FC runtime {runtime!r}; valid runtimes: {', '.join(RUNTIMES)}")
    timeout = marks.get("timeout")
    if timeout is not None and (isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not timeout > 0):
        _bad_option(item, f"fc timeout must be a number of seconds > 0, got {timeout!r}")
    redis_url = (
        config.getoption("--fc-redis-url")
        or config.getini("fc_redis_url")
        or os.environ.get("FC_TEST_REDIS_URL")
        or None
    )
    return FCSettings(
        seed=seed,
        region=region,
        runtime=runtime,
        loop=loop,
        loop_depth=depth,
        allow_network=bool(allow),
        timeout=timeout,
        redis_url=redis_url,
    )


@pytest.fixture
def fc_settings(request: pytest.FixtureRequest) -> FCSettings:
    """The resolved pytest-fctrigger options of this test."""
    settings = _resolve_settings(request.node)
    request.node.stash[_SEED_KEY] = settings.seed
    return settings


@pytest.fixture
def fc_seed(fc_settings: FCSettings) -> int:
    """The seed of this test (shown in the report when the test fails)."""
    return fc_settings.seed


@pytest.fixture
def fc_random(fc_settings: FCSettings):
    """The test's ``FCRandom``: every generated id, time and value comes from it."""
    from pytest_fctrigger.events._random import FCRandom

    return FCRandom(fc_settings.seed, region=fc_settings.region)


# --------------------------------------------------------------------------- events
def _make_builder_fixture(name: str):
    def fixture(fc_random):
        from pytest_fctrigger import events

        builder = getattr(events, name)
        bound = functools.partial(builder, rng=fc_random)
        functools.update_wrapper(bound, builder)
        return bound

    fixture.__name__ = name
    fixture.__doc__ = (
        f"``pytest_fctrigger.events.{name}`` bound to the test's seeded randomness; call it with the same arguments."
    )
    return pytest.fixture(name=name)(fixture)


for _name in EVENT_BUILDERS:
    globals()[_name] = _make_builder_fixture(_name)
del _name


# --------------------------------------------------------------------------- hook fixtures
@pytest.fixture
def fc_context_defaults() -> Dict[str, Any]:
    """Hook fixture: keyword overrides for every context this test creates.

    Redefine it in ``conftest.py`` to set, e.g., the function name, memory or region::

        @pytest.fixture
        def fc_context_defaults():
            return {"function_name": "resize", "memory": 512}
    """
    return {}


@pytest.fixture
def fc_app(request: pytest.FixtureRequest):
    """Hook fixture: the ``App`` under test (``None`` unless ini ``fc_app`` names a file).

    Redefine it in ``conftest.py`` to ``return load_app("s.yaml")``; ``fc_invoke`` then
    reports cascades across the app's functions.
    """
    path = request.config.getini("fc_app")
    if not path:
        return None
    from pytest_fctrigger.errors import FCTriggerError
    from pytest_fctrigger.triggers.loader import load_app

    problem = None
    try:
        return load_app(os.path.join(str(request.config.rootpath), path))
    except FCTriggerError as exc:
        problem = str(exc)
    # outside the except block: one line naming the ini key, no chained traceback
    pytest.fail(f"ini fc_app = {path}: {problem}", pytrace=False)


@pytest.fixture
def fc_redis(fc_settings: FCSettings):
    """Hook fixture: the Redis client of the SLS cursor store.

    A fresh in-process fakeredis server per test, or the real server named by
    ``--fc-redis-url`` / ini ``fc_redis_url`` / ``FC_TEST_REDIS_URL``.
    """
    from pytest_fctrigger.cloud.cursor_store import make_redis

    client = make_redis(fc_settings.redis_url)
    try:
        yield client
    finally:
        client.close()


# --------------------------------------------------------------------------- core fixtures
@pytest.fixture
def fc_triggers(request: pytest.FixtureRequest) -> List[Any]:
    """Triggers declared with ``@pytest.mark.fc_trigger`` on the test, its class and module."""
    from pytest_fctrigger.errors import FCTriggerError
    from pytest_fctrigger.triggers.model import TriggerSpec

    triggers = []
    for marker in request.node.iter_markers("fc_trigger"):
        # a bad marker is one line naming the test, not a traceback through this fixture
        if len(marker.args) != 1:
            pytest.fail(
                f"{request.node.nodeid}: @pytest.mark.fc_trigger takes one positional argument, "
                f"the trigger type (e.g. 'oss'), then keyword config; got {marker.args!r}",
                pytrace=False,
            )
        problem = None
        try:
            triggers.append(TriggerSpec.from_marker(marker.args[0], **marker.kwargs))
        except FCTriggerError as exc:
            problem = str(exc)
        if problem is not None:  # failed outside the except block: no chained traceback
            pytest.fail(
                f"{request.node.nodeid}: @pytest.mark.fc_trigger({marker.args[0]!r}, ...): {problem}", pytrace=False
            )
    triggers.reverse()  # farthest (module) first, as declared top-down
    from pytest_fctrigger.matrix import current_case

    case = current_case(request.node)
    if case is not None and case.function is not None:  # fc_matrix(app=...): the function under test
        triggers = list(case.function.triggers) + triggers
    return triggers


@pytest.fixture
def fc_matrix_case(request: pytest.FixtureRequest):
    """The ``MatrixCase`` of this ``fc_matrix`` test (``.id``, ``.trigger``, ``.function``,
    ``.app``), or ``None`` for other tests."""
    from pytest_fctrigger.matrix import current_case

    return current_case(request.node)


@pytest.fixture
def fc_context(request: pytest.FixtureRequest, fc_settings: FCSettings, fc_random, fc_context_defaults):
    """A fresh FC ``context`` for this test (runtime from ``--fc-runtime`` / ``fc`` marker)."""
    from pytest_fctrigger.context import make_context
    from pytest_fctrigger.errors import FCTriggerError

    kwargs = dict(fc_context_defaults)
    kwargs.setdefault("runtime", fc_settings.runtime)
    try:
        return make_context(rng=fc_random, **kwargs)
    except FCTriggerError as exc:  # e.g. a misspelt key in fc_context_defaults
        problem = f"fc_context (with fc_context_defaults {fc_context_defaults!r}): {exc}"
    _bad_option(request.node, problem)


_RUN_ID_KEY = pytest.StashKey[str]()


def _session_run_id(config: pytest.Config) -> str:
    run_id = config.stash.get(_RUN_ID_KEY, None)
    if run_id is None:
        import uuid

        run_id = config.stash[_RUN_ID_KEY] = uuid.uuid4().hex
    return run_id


@pytest.fixture
def fc_cloud(request: pytest.FixtureRequest, fc_settings: FCSettings, fc_random):
    """In-process OSS, MNS, Tablestore and SLS behind the real SDKs, fresh for this test."""
    from pytest_fctrigger.cloud import Cloud

    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    # run id: two sessions (or two CI jobs) sharing one real Redis never share keys
    run_id = os.environ.get("PYTEST_XDIST_TESTRUNUID") or _session_run_id(request.config)
    cloud = Cloud(
        rng=fc_random,
        allow_network=fc_settings.allow_network,
        redis=lambda: request.getfixturevalue("fc_redis"),
        namespace=f"fctrigger:{run_id[:12]}:{worker}:{fc_settings.seed}:{request.node.nodeid}",
    )
    with cloud.activate():
        yield cloud


@pytest.fixture
def fc_invoke(
    request: pytest.FixtureRequest,
    fc_settings: FCSettings,
    fc_random,
    fc_context_defaults,
    fc_triggers,
    fc_app,
    fc_cloud,
):
    """Run a handler as the FC Python runtime would: ``fc_invoke(target, event, ...)``."""
    from pytest_fctrigger.errors import FCTriggerError
    from pytest_fctrigger.invoke import Invoker

    try:
        return Invoker(
            rng=fc_random,
            runtime=fc_settings.runtime,
            context_defaults=fc_context_defaults,
            cloud=fc_cloud,
            triggers=fc_triggers,
            app=fc_app,
            loop_mode=fc_settings.loop,
            loop_depth=fc_settings.loop_depth,
            timeout=fc_settings.timeout,
            loop_rules=[
                rule
                for rules in request.config.hook.pytest_fctrigger_loop_rules(config=request.config)
                for rule in (rules or [])
            ],
        )
    except FCTriggerError as exc:  # e.g. a misspelt key in fc_context_defaults
        problem = f"fc_invoke: {exc}"
    _bad_option(request.node, problem)


@pytest.fixture
def fc_http(fc_invoke):
    """Drive an HTTP-triggered handler (FC 2.0 WSGI or FC 3.0 HTTP event)."""
    from pytest_fctrigger.http import HttpDriver

    return HttpDriver(fc_invoke)


@pytest.fixture
def fc_trigger_event(request: pytest.FixtureRequest, fc_random):
    """The event of the current ``fc_matrix`` case."""
    case = getattr(request, "param", None)
    if case is None:
        pytest.fail(
            f"{request.node.nodeid}: fc_trigger_event is parametrized by "
            "@pytest.mark.fc_matrix(...); add that marker to the test",
            pytrace=False,
        )
    return case.build(fc_random)


@pytest.fixture
def fc_flow(request: pytest.FixtureRequest, fc_cloud):
    """Run a whole app on ``fc_cloud`` with a virtual clock:
    ``flow = fc_flow("s.yaml", vars=None, duplicates=0, max_invocations=1000)``; then
    ``flow.run()``, ``flow.advance(minutes=5)``, ``flow.invoke(name, event)``.
    A relative path is resolved from the test file's folder."""
    from pytest_fctrigger.errors import FCTriggerError
    from pytest_fctrigger.flows import make_flow

    flows: List[Any] = []

    def factory(app_or_path: Any, *, vars: Any = None, duplicates: int = 0, max_invocations: int = 1000) -> Any:
        if isinstance(app_or_path, (str, os.PathLike)) and not os.path.isabs(app_or_path):
            app_or_path = os.path.join(os.path.dirname(str(request.node.path)), app_or_path)
        problem = None
        try:
            flow = make_flow(app_or_path, fc_cloud, vars=vars, duplicates=duplicates, max_invocations=max_invocations)
        except FCTriggerError as exc:
            problem = str(exc)
        if problem is not None:  # one line naming the call, no traceback through the plugin
            pytest.fail(f"{request.node.nodeid}: fc_flow({app_or_path!s}): {problem}", pytrace=False)
        flows.append(flow)
        return flow

    yield factory
    for flow in flows:
        flow.close()


# --------------------------------------------------------------------------- collection
def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    markers = list(metafunc.definition.iter_markers("fc_matrix"))
    if not markers:
        return
    from pytest_fctrigger.matrix import parametrize_matrix

    parametrize_matrix(metafunc, markers)


# --------------------------------------------------------------------------- reporting
@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    outcome = yield
    report = outcome.get_result()
    seed = item.stash.get(_SEED_KEY, None)
    if seed is not None and report.failed:
        report.sections.append(("fctrigger", f"seed {seed}: reproduce with  pytest '{item.nodeid}' --fc-seed {seed}"))
