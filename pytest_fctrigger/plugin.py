"""pytest wiring for pytest-fctrigger: options, markers, fixtures, report hooks.

This is the ``pytest11`` entry module, loaded by every pytest run in any environment
that has the plugin installed, so it imports nothing beyond pytest and the standard
library at module level. Every fixture imports what it needs on first use.
"""

from __future__ import annotations

import functools
import os
import re
from typing import TYPE_CHECKING, Any, Dict, List, Optional, Tuple

import pytest

if TYPE_CHECKING:
    from typing import NoReturn

    from pytest_fctrigger.fc_settings import FCSettings

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


# StashKey[...]() would build a typing alias at import (every pytest start); the
# annotation says the same for free (a string under ``from __future__ import annotations``)
_SEED_KEY: pytest.StashKey[int] = pytest.StashKey()


# --------------------------------------------------------------------------- options
def pytest_addoption(parser: pytest.Parser) -> None:
    # the one table of loop modes (a stdlib-only core module, imported when options are added)
    from pytest_fctrigger.core.settings import ISOLATE_MODES, LOOP_MODES

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
        "--fc-real-credentials",
        action="store_true",
        default=None,
        help="keep real Alibaba Cloud credential variables in the test process (integration "
        "suites); by default they are removed before collection. Handlers still see only fake ones.",
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
    group.addoption(
        "--fc-isolate",
        choices=ISOLATE_MODES,
        default=None,
        help="where fc_invoke runs a handler: 'none' (default) in the test process; 'process': each "
        "FC instance is a child process (killed at its timeout, memory capped, environment from "
        "scratch, no network where the kernel allows).",
    )
    parser.addini("fc_loop", "default of --fc-loop", default="fail")
    parser.addini("fc_isolate", "default of --fc-isolate (none or process)", default="none")
    parser.addini("fc_loop_depth", "default of --fc-loop-depth", default="0")
    parser.addini("fc_allow_network", "default of --fc-allow-network", type="bool", default=False)
    parser.addini("fc_real_credentials", "default of --fc-real-credentials", type="bool", default=False)
    parser.addini("fc_redis_url", "default of --fc-redis-url", default="")
    parser.addini("fc_runtime", "default of --fc-runtime", default="python3.10")
    parser.addini("fc_region", "region of generated events and contexts (default cn-hangzhou)", default="")
    parser.addini("fc_app", "s.yaml / template.yml that the fc_app fixture loads (relative to rootdir)", default="")


def __getattr__(name: str) -> Any:
    if name == "FCSettings":  # defined apart, imported on first use (see "settings" below)
        from pytest_fctrigger.fc_settings import FCSettings

        return FCSettings
    if name == "LOOP_MODES":  # moved to core.settings (the plugin module imports none of its own at load)
        import warnings

        from pytest_fctrigger.core.settings import LOOP_MODES

        warnings.warn(
            "pytest_fctrigger.plugin.LOOP_MODES is deprecated and will be removed in the next release; "
            "use pytest_fctrigger.core.settings.LOOP_MODES",
            DeprecationWarning,
            stacklevel=2,
        )
        return LOOP_MODES
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def pytest_addhooks(pluginmanager: pytest.PytestPluginManager) -> None:
    from pytest_fctrigger import hookspecs

    pluginmanager.add_hookspecs(hookspecs)


@pytest.hookimpl(tryfirst=True)
def pytest_load_initial_conftests(early_config: pytest.Config) -> None:
    # before conftests and test modules import handler modules (whose SDK credential
    # providers read the environment once): real credentials leave the process
    keep = early_config.known_args_namespace.fc_real_credentials
    if keep is None:
        keep = early_config.getini("fc_real_credentials")
    if not keep:
        from pytest_fctrigger.core.credential_env import hide_session_credentials

        early_config._fctrigger_restore_credentials = hide_session_credentials()  # type: ignore[attr-defined]


def pytest_unconfigure(config: pytest.Config) -> None:
    restore = getattr(config, "_fctrigger_restore_credentials", None)
    if restore is not None:
        restore()
    import sys

    client = sys.modules.get("pytest_fctrigger.instances._zygote_client")
    before = config.stash.get(_ZYGOTE_KEY, (None, 0))[0]
    if client is not None and client.Zygote._shared is not before:
        # this session started it (a pytester session inside another keeps the outer one's)
        client.Zygote.close_shared()


_ZYGOTE_KEY: pytest.StashKey[Any] = pytest.StashKey()  # (the zygote, instances started) when the session began


def pytest_configure(config: pytest.Config) -> None:
    import sys

    informational = config.getoption("help", False) or config.getoption("version", False)
    if not informational:
        # every option and ini value is checked once, here: a bad one stops the run
        # with one usage error instead of failing every test that uses it
        _session_defaults(config)
    _register_trigger_kinds(config)
    for line in (
        "fc(seed=None, region=None, runtime=None, loop=None, loop_depth=None, allow_network=None, "
        "timeout=None, isolate=None): pytest-fctrigger options for this test, class or module (closest wins).",
        "fc_trigger(type, **config): declare a trigger of the function under test "
        "(repeatable); fc_invoke checks the handler's writes against it.",
        "fc_matrix(*types, app=None, function=None, vars=None, fires=3): parametrize the test's "
        "fc_trigger_event over trigger variants or over the triggers an s.yaml declares.",
    ):
        config.addinivalue_line("markers", line)
    client = sys.modules.get("pytest_fctrigger.instances._zygote_client")
    config.stash[_ZYGOTE_KEY] = (client.Zygote._shared, client.Zygote.started) if client is not None else (None, 0)
    if not informational and _configured_isolate(config) == "process" and not _is_xdist_controller(config):
        # start the instance zygote now: it imports the SDKs while pytest collects
        from pytest_fctrigger.instances._zygote_client import Zygote

        Zygote.shared()


def _configured_isolate(config: pytest.Config) -> str:
    return str(_session_defaults(config)["isolate"].value)


def _is_xdist_controller(config: pytest.Config) -> bool:
    return not hasattr(config, "workerinput") and bool(getattr(config.option, "numprocesses", None))


def _register_trigger_kinds(config: pytest.Config) -> None:
    """Kinds from ``pytest_fctrigger_trigger_kinds``: registered for this session only."""
    kinds = [kind for result in config.hook.pytest_fctrigger_trigger_kinds(config=config) for kind in (result or ())]
    if not kinds:
        return
    from pytest_fctrigger.errors import FCTriggerError
    from pytest_fctrigger.kinds.registry import REGISTRY

    config.add_cleanup(lambda: REGISTRY.unregister(config))
    problem = None
    try:
        for kind in kinds:
            REGISTRY.register(kind, owner=config)
    except FCTriggerError as exc:
        problem = f"pytest_fctrigger_trigger_kinds: {exc}"
    if problem is not None:
        raise pytest.UsageError(problem)


def pytest_report_header(config: pytest.Config) -> Optional[List[str]]:
    """``fctrigger: loop=warn (ini fc_loop), ...``: only the settings that differ from their
    defaults, each with where it came from; nothing when all are defaults."""
    changed = [
        f"{name}={_shown(name, setting.value)} ({setting.source})"
        for name, setting in _session_defaults(config).items()
        if setting.source
    ]
    lines = [f"fctrigger: {', '.join(changed)}"] if changed else []
    if _configured_isolate(config) == "process":  # what protects the network in the instances
        from pytest_fctrigger.instances import probe_protection

        lines.append(f"fctrigger: isolate process; {probe_protection()}")
    return lines or None


def _shown(name: str, value: Any) -> str:
    if name == "redis_url" and isinstance(value, str):
        return re.sub(r"//[^@/]*@", "//***@", value)  # never print a password
    return str(value)


# --------------------------------------------------------------------------- session settings
class _Setting:
    """One session setting and where it came from. A plain class, not a dataclass: building
    a dataclass execs generated code, a measurable share of every pytest start-up
    (benchmarks/bench_install_cost.py)."""

    __slots__ = ("value", "source")

    def __init__(self, value: Any, source: str) -> None:
        self.value = value
        self.source = source  # "" for the default, else "--fc-loop", "ini fc_loop", "env FC_TEST_REDIS_URL"


_SESSION_KEY: pytest.StashKey[Dict[str, _Setting]] = pytest.StashKey()
_DEFAULT_RUNTIME = "python3.10"
_DEFAULT_REGION = "cn-hangzhou"


@functools.cache
def _region_id() -> re.Pattern[str]:
    """An Alibaba Cloud region id: cn-hangzhou, ap-southeast-1, cn-shanghai-finance-1 ...
    (compiled on first use: a session that sets no region never pays for the pattern)."""
    return re.compile(r"[a-z]{2}(?:-[a-z0-9]+)+")


_REDIS_SCHEMES = ("redis://", "rediss://", "unix://")


def _session_defaults(config: pytest.Config) -> Dict[str, _Setting]:
    """The command line / ini / environment settings of the session, checked once."""
    settings = config.stash.get(_SESSION_KEY, None)
    if settings is None:
        settings = config.stash[_SESSION_KEY] = _read_session_defaults(config)
    return settings


def _usage(where: str, message: str) -> NoReturn:
    raise pytest.UsageError(f"pytest-fctrigger: {where}: {message}")


def _pick(config: pytest.Config, option: Optional[str], ini: str, default: Any) -> Tuple[Any, str, str]:
    """(raw value, source label, how to name it in an error) of one setting."""
    value = config.getoption(option) if option else None
    if option and value is not None:
        return value, option, f"{option}={value}"
    try:
        raw = config.getini(ini)
    except ValueError as exc:  # e.g. fc_allow_network = maybe (pytest parses bool ini values)
        _usage(f"ini {ini}", str(exc))
    if raw not in ("", None) and raw != default:
        return raw, f"ini {ini}", f"ini {ini} = {raw}"
    return default, "", ""


def _read_session_defaults(config: pytest.Config) -> Dict[str, _Setting]:
    out: Dict[str, _Setting] = {}
    seed = config.getoption("--fc-seed")
    out["seed"] = _Setting(seed, "--fc-seed" if seed is not None else "")

    from pytest_fctrigger.core.settings import DEFAULT_ISOLATE, ISOLATE_MODES, LOOP_MODES

    loop, source, where = _pick(config, "--fc-loop", "fc_loop", "fail")
    if loop not in LOOP_MODES:
        _usage(where, f"the loop mode must be one of {', '.join(LOOP_MODES)}")
    out["loop"] = _Setting(loop, source)

    depth_raw, source, where = _pick(config, "--fc-loop-depth", "fc_loop_depth", 0)
    try:
        depth = int(str(depth_raw).strip())
    except ValueError:
        _usage(where, "the loop depth must be a whole number of hops >= 0 (0: stop at the first hop)")
    if depth < 0:
        _usage(where, "the loop depth must be a whole number of hops >= 0 (0: stop at the first hop)")
    out["loop_depth"] = _Setting(depth, source if depth != 0 else "")

    allow, source, _ = _pick(config, "--fc-allow-network", "fc_allow_network", False)
    out["allow_network"] = _Setting(bool(allow), source if allow else "")

    runtime, source, where = _pick(config, "--fc-runtime", "fc_runtime", _DEFAULT_RUNTIME)
    if runtime != _DEFAULT_RUNTIME:
        from pytest_fctrigger.context import RUNTIMES

        if runtime not in RUNTIMES:
            _usage(where, f"unknown FC runtime {runtime!r}; valid runtimes: {', '.join(RUNTIMES)}")
    out["runtime"] = _Setting(runtime, source)

    region, source, where = _pick(config, None, "fc_region", _DEFAULT_REGION)
    if source and not _region_id().fullmatch(region):
        _usage(where, "a region id is lower case, like cn-hangzhou or ap-southeast-1")
    out["region"] = _Setting(region, source)

    redis_url, source, where = _pick(config, "--fc-redis-url", "fc_redis_url", "")
    if not redis_url and os.environ.get("FC_TEST_REDIS_URL"):
        redis_url = os.environ["FC_TEST_REDIS_URL"]
        source, where = "env FC_TEST_REDIS_URL", f"environment FC_TEST_REDIS_URL={_shown('redis_url', redis_url)}"
    if redis_url and not redis_url.startswith(_REDIS_SCHEMES):
        _usage(where, f"a Redis URL starts with {', '.join(_REDIS_SCHEMES)} (e.g. redis://localhost:6379/0)")
    out["redis_url"] = _Setting(redis_url or None, source)

    isolate, source, where = _pick(config, "--fc-isolate", "fc_isolate", DEFAULT_ISOLATE)
    if isolate not in ISOLATE_MODES:
        _usage(
            where,
            f"the isolation mode must be one of {', '.join(ISOLATE_MODES)} "
            "('none': in the test process; 'process': each FC instance is a child process)",
        )
    out["isolate"] = _Setting(isolate, source)

    app = config.getini("fc_app")
    if app:
        path = os.path.join(str(config.rootpath), app)
        if not os.path.isfile(path):
            _usage(f"ini fc_app = {app}", f"no such file {path} (fc_app is relative to the rootdir)")
    out["app"] = _Setting(app or None, "ini fc_app" if app else "")
    return out


# --------------------------------------------------------------------------- settings
# FCSettings (what fc_settings returns) lives in fc_settings.py, imported by the first test
# that asks for it: a dataclass built here would cost every pytest session (even one with no
# fc test) its generated methods. ``pytest_fctrigger.plugin.FCSettings`` still names it.

_MARKER_KEYS = ("seed", "region", "runtime", "loop", "loop_depth", "allow_network", "timeout", "isolate")


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
    """The session's settings (checked at configure time), overridden by ``fc`` markers (checked here)."""
    from pytest_fctrigger.events._random import seed_from_text

    session = _session_defaults(item.config)
    # fc(loop=None) is the documented "not set here", as in the marker's signature
    marks = {key: value for key, value in _marker_options(item).items() if value is not None}
    seed = marks.get("seed", session["seed"].value)
    if seed is None:
        seed = seed_from_text(item.nodeid)
    elif isinstance(seed, bool) or not isinstance(seed, int):
        _bad_option(item, f"fc seed must be an integer, got {seed!r}")
    from pytest_fctrigger.core.settings import ISOLATE_MODES, LOOP_MODES

    loop = marks.get("loop", session["loop"].value)
    if loop not in LOOP_MODES:
        _bad_option(item, f"loop mode {loop!r} is not one of {', '.join(LOOP_MODES)}")
    depth = marks.get("loop_depth", session["loop_depth"].value)
    if isinstance(depth, bool) or not isinstance(depth, int):
        _bad_option(item, f"fc loop depth must be an integer, got {depth!r}")
    if depth < 0:
        _bad_option(item, f"fc loop depth must be >= 0, got {depth}")
    allow = marks.get("allow_network", session["allow_network"].value)
    if not isinstance(allow, bool):
        _bad_option(item, f"fc allow_network must be True or False, got {allow!r}")
    region = marks.get("region", session["region"].value)
    if "region" in marks and (not isinstance(region, str) or not _region_id().fullmatch(region)):
        _bad_option(item, f"fc region must be a region id like 'cn-hangzhou', got {region!r}")
    runtime = marks.get("runtime", session["runtime"].value)
    if "runtime" in marks:
        from pytest_fctrigger.context import RUNTIMES

        if runtime not in RUNTIMES:
            _bad_option(item, f"unknown FC runtime {runtime!r}; valid runtimes: {', '.join(RUNTIMES)}")
    timeout = marks.get("timeout")
    if timeout is not None and (isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not timeout > 0):
        _bad_option(item, f"fc timeout must be a number of seconds > 0, got {timeout!r}")
    isolate = marks.get("isolate", session["isolate"].value)
    if isolate not in ISOLATE_MODES:
        _bad_option(
            item,
            f"@pytest.mark.fc(isolate={isolate!r}): must be one of {', '.join(ISOLATE_MODES)} "
            "('none': in the test process; 'process': each FC instance is a child process)",
        )
    from pytest_fctrigger.fc_settings import FCSettings

    return FCSettings(
        seed=seed,
        region=region,
        runtime=runtime,
        loop=loop,
        loop_depth=depth,
        allow_network=allow,
        timeout=timeout,
        redis_url=session["redis_url"].value,
        isolate=isolate,
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
    path = _session_defaults(request.config)["app"].value
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


_RUN_ID_KEY: pytest.StashKey[str] = pytest.StashKey()


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

    problem = None
    try:
        invoker = Invoker(
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
            isolate=fc_settings.isolate,
        )
    except FCTriggerError as exc:  # e.g. a misspelt key in fc_context_defaults
        problem = f"fc_invoke: {exc}"
    if problem is not None:  # outside the except block: one line, no chained traceback
        _bad_option(request.node, problem)
    yield invoker
    invoker.close()  # process instances end with their test


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
    if case.trigger_type == "log" and getattr(case, "trigger", None) is not None:
        # a log case's cursors are those of the test's simulated logstore when it exists
        request.getfixturevalue("fc_cloud")
    return case.build(fc_random)


@pytest.fixture
def fc_aws():
    """moto's ``mock_aws`` with fake AWS credentials; real ``AWS_*`` settings are hidden (extra ``aws``)."""
    from pytest_fctrigger.cloud.aws import AwsExtraMissing, AwsMock

    mock = AwsMock()
    problem: Optional[str]
    try:
        mock.__enter__()
    except AwsExtraMissing as exc:
        problem = str(exc)
    else:
        problem = None
    if problem is not None:  # outside the except: the report shows the message alone
        pytest.fail(problem, pytrace=False)
    try:
        yield mock
    finally:
        mock.__exit__(None, None, None)


@pytest.fixture
def fc_flow(request: pytest.FixtureRequest, fc_cloud):
    """Run a whole app on ``fc_cloud`` with a virtual clock:
    ``flow = fc_flow("s.yaml", vars=None, duplicates=0, max_invocations=1000,
    include_disabled=False)``; then ``flow.run()``, ``flow.advance(minutes=5)``,
    ``flow.invoke(name, event)``. A relative path is resolved from the test file's
    folder; triggers with ``enable: false`` fire only with ``include_disabled=True``."""
    from pytest_fctrigger.errors import FCTriggerError
    from pytest_fctrigger.flows import make_flow

    flows: List[Any] = []

    def factory(
        app_or_path: Any,
        *,
        vars: Any = None,
        duplicates: int = 0,
        max_invocations: int = 1000,
        include_disabled: bool = False,
        **unknown: Any,
    ) -> Any:
        if unknown:  # a misspelt option fails the test in one line, with the closest name
            from pytest_fctrigger.errors import UnknownFieldError

            valid = ("vars", "duplicates", "max_invocations", "include_disabled")
            pytest.fail(f"{request.node.nodeid}: {UnknownFieldError('fc_flow()', unknown, valid)}", pytrace=False)
        if isinstance(app_or_path, (str, os.PathLike)) and not os.path.isabs(app_or_path):
            app_or_path = os.path.join(os.path.dirname(str(request.node.path)), app_or_path)
        problem = None
        try:
            flow = make_flow(
                app_or_path,
                fc_cloud,
                vars=vars,
                duplicates=duplicates,
                max_invocations=max_invocations,
                include_disabled=include_disabled,
            )
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
# marker -> the fixture that reads it (a test reaches it directly or through fc_invoke,
# fc_http, fc_context, the event builders ...: metafunc.fixturenames is the closure)
_MARKER_READERS = {"fc": "fc_settings", "fc_trigger": "fc_triggers"}


def _unused_marker_error(metafunc: pytest.Metafunc) -> None:
    """A marker written on a test that uses no fixture reading it would do nothing: a collection error.

    Only markers on the test function itself: a module or class marker applies to the
    fc tests there, and a module may also hold plain tests.
    """
    name = metafunc.function.__name__
    for marker in metafunc.definition.own_markers:
        reader = _MARKER_READERS.get(marker.name)
        if reader is not None and reader not in metafunc.fixturenames:
            users = (
                "fc_invoke or fc_http"
                if marker.name == "fc_trigger"
                else "fc_invoke, fc_context, fc_cloud or an event fixture"
            )
            raise _collect_error(
                metafunc,
                f"@pytest.mark.{marker.name} on {name}() does nothing: the test uses no fixture that reads it "
                f"({users}); add one to its arguments, e.g. def {name}(fc_invoke, ...), or remove the marker",
            )


def _collect_error(metafunc: pytest.Metafunc, message: str) -> Exception:
    node: Any = metafunc.definition
    while node is not None and not hasattr(node, "CollectError"):
        node = node.parent
    error_class = getattr(node, "CollectError", None) or pytest.UsageError
    return error_class(f"{metafunc.definition.nodeid}: {message}")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if metafunc.definition.own_markers:
        _unused_marker_error(metafunc)
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


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    import sys

    client = sys.modules.get("pytest_fctrigger.instances._zygote_client")
    started_before = config.stash.get(_ZYGOTE_KEY, (None, 0))[1]
    if client is None or client.Zygote.started == started_before or _configured_isolate(config) == "process":
        return  # no process instance in this process, or the header already said which protection applies
    from pytest_fctrigger.instances import protection

    terminalreporter.write_line(f"fctrigger: isolate process was used by some tests; {protection()}")
