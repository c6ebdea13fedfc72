"""Run a handler the way the FC Python runtime does.

The behaviour is rebuilt from the runtime's documented contract
(``reference/fc-runtime-and-config.md`` section 1.1) and from what it observably
does; no runtime code is copied.

* **Target**: a callable, a handler string ``"module.func"`` resolved in ``code_dir``
  exactly like the runtime (``rsplit('.', 1)``; dotted module parts are
  directories, a ``/`` in the module part is a sub-directory: ``"src/app.main.handler"``
  is ``handler`` in ``<code_dir>/src/app/main.py``; the module is loaded from that file
  under the module name itself, without importing parent packages, and ``code_dir``
  is first on ``sys.path``), or a ``FunctionSpec`` (its handler, code dir, timeout,
  memory, environment and initializer apply).
* **Load errors** carry the runtime's types and messages: ``ImportModuleError``
  ("Unable to import module 'm'"), ``UserCodeSyntaxError`` ("Syntax error in module
  'm'"), ``InvalidHandleName`` ("Invalid handler 'x'"; the runtime also maps a
  ``ValueError`` raised while the module loads to this type), ``UserCodeError``
  ("Module initialization error: '...'"), ``HandlerNotFound`` ("Handler 'f' is
  missing on module 'm'").
* **One Invoker is one instance**: modules and the initializer's effects persist
  across its calls; between calls (and so between tests) the handler's modules are
  taken out of ``sys.modules`` and ``sys.path`` is restored, so nothing leaks.
* **Per call**: a fresh request id; ``ALIBABA_CLOUD_ACCESS_KEY_ID/SECRET/SECURITY_TOKEN``
  and the runtime's ``FC_*`` variables set, every other Alibaba Cloud credential
  variable and ``FC_*`` variable hidden, and ``os.environ`` restored exactly
  afterwards; the root logger at INFO with FC's log line format; stdout, stderr and
  logging captured into ``InvokeResult.logs`` between the runtime's
  ``FC Invoke Start/End RequestId:`` markers (and still shown to pytest's capture);
  the timeout enforced (``SIGALRM`` in the main thread interrupts even
  ``time.sleep``; other threads run the handler in a worker thread and stop waiting);
  no network unless a ``Cloud`` is given (then its fakes serve the SDKs).
* **Return value**: ``str``/``bytes`` as is, anything else through
  ``json.dumps(obj, default=..., indent=4, sort_keys=True)`` where ``Decimal`` ->
  ``float``, ``date``/``datetime`` -> ``isoformat()``, objects with ``to_json()`` ->
  its result; anything else is a ``TypeError`` invocation error.
* **Errors**: a handler exception propagates unchanged; with ``catch=True`` it becomes
  ``InvokeResult.error == {"errorMessage", "errorType", "stackTrace"}`` (the
  runtime's payload, harness frames removed). Failures of the runtime or the
  platform (load errors, timeout, unserialisable result, ``sys.exit``) raise
  ``FCInvokeError`` subclasses, or are returned with ``catch=True``.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import decimal
import importlib.machinery
import importlib.util
import json
import logging
import os
import signal
import sys
import threading
import time
import traceback
from typing import Any, Callable, Dict, List, Optional

from .context import FIELDS as CONTEXT_FIELDS
from .context import RUNTIMES, FCLogHandler, make_context, new_request_id, runtime_shape
from .errors import ConfigError, FCTriggerError, UnknownFieldError

__all__ = [
    "FCInvokeError",
    "FCTimeoutError",
    "ImportModuleError",
    "UserCodeSyntaxError",
    "InvalidHandleName",
    "UserCodeError",
    "HandlerNotFound",
    "InvokeResult",
    "Invoker",
    "invoke",
    "to_json",
]

LOG_INVOKE_START = "FC Invoke Start RequestId: "
LOG_INVOKE_END = "FC Invoke End RequestId: "
LOG_INIT_START = "FC Initialize Start RequestId: "
LOG_INIT_END = "FC Initialize End RequestId: "
LOG_ERROR_SUFFIX = ", Error: Unhandled function error"

# Credential variables of Alibaba Cloud SDKs and tools, hidden while a handler runs so
# it can only ever see the fake ones the harness sets. AWS_* is left alone on purpose:
# cross-cloud handlers are tested with moto, which reads fake AWS_* variables.
HIDDEN_ENV_PREFIXES = ("ALIBABA_CLOUD_", "ALIBABACLOUD_", "ALICLOUD_", "ALIYUN_", "FC_", "_FC_")
HIDDEN_ENV_NAMES = frozenset(
    {
        "OSS_ACCESS_KEY_ID",
        "OSS_ACCESS_KEY_SECRET",
        "OSS_SESSION_TOKEN",  # oss2 / oss-v2 env providers
        "accessKeyID",
        "accessKeySecret",
        "securityToken",  # FC's legacy credential variables
    }
)

_FILE = os.path.normcase(os.path.abspath(__file__)).rsplit(".", 1)[0]
# The harness' own modules (this one and fc_http's WSGI call in http.py), whose frames
# in front of the handler's are dropped from stackTrace as the runtime drops its own.
_HARNESS_FILES = frozenset({_FILE, os.path.join(os.path.dirname(_FILE), "http")})
# For the same reason the functions a handler call passes through set
# ``__tracebackhide__``: a failing test's report shows the test line, then the
# handler's own frames (or the one-line load/timeout error), not the harness.


# --------------------------------------------------------------------------- errors
class FCInvokeError(FCTriggerError):
    """The invocation failed in the runtime or the platform, not by a handler exception.

    ``error`` is the payload FC returns for it; ``result`` the ``InvokeResult``
    (logs, request id, duration) when the invocation got that far.
    """

    def __init__(self, message: str, error: Optional[dict] = None, result: Optional[InvokeResult] = None):
        super().__init__(message)
        self.error = error if error is not None else {"errorMessage": message}
        self.result = result


class FCTimeoutError(FCInvokeError, TimeoutError):
    """The handler ran past the function's timeout."""


class ImportModuleError(FCInvokeError):
    """The handler's module cannot be imported."""


class UserCodeSyntaxError(FCInvokeError):
    """The handler's module has a syntax error."""


class InvalidHandleName(FCInvokeError):
    """The handler string is malformed."""


class UserCodeError(FCInvokeError):
    """The handler's module raised while it was being loaded."""


class HandlerNotFound(FCInvokeError):
    """The module loaded but has no attribute with the handler's function name."""


class _LoadFailure(Exception):
    """Carries a load error out of the deadline wrapper, apart from the handler's own errors."""

    def __init__(self, error: FCInvokeError):
        super().__init__(str(error))
        self.error = error


class _Expired(BaseException):
    """Raised into the handler when its time is up (a BaseException: ``except Exception``
    in user code must not swallow it)."""


# --------------------------------------------------------------------------- result
@dataclasses.dataclass
class InvokeResult:
    """What one invocation returned, as FC reports it."""

    payload: bytes
    logs: str
    duration_ms: float
    request_id: str
    error: Optional[dict] = None
    writes: List[Any] = dataclasses.field(default_factory=list)
    context: Any = None
    return_value: Any = None  # the handler's Python return value, before serialisation
    event: Any = None
    loop: Any = None  # the loops.LoopReport when a write fired a watched trigger (else None)

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def text(self) -> str:
        return self.payload.decode("utf-8")

    def json(self) -> Any:
        return json.loads(self.payload)

    def __repr__(self) -> str:
        state = (
            "ok" if self.error is None else f"error {self.error.get('errorType') or self.error.get('errorMessage')!r}"
        )
        return f"<InvokeResult {self.request_id} {state} {len(self.payload)} bytes {self.duration_ms:.1f} ms>"


# --------------------------------------------------------------------------- serialisation
def _default_serializer(obj: Any) -> Any:
    if isinstance(obj, decimal.Decimal):
        return float(obj)
    if isinstance(obj, (_dt.datetime, _dt.date)):
        return obj.isoformat()
    if hasattr(obj, "to_json"):
        return obj.to_json()
    raise TypeError(repr(obj) + " is not JSON serializable")


def to_json(obj: Any) -> str:
    """The runtime's serialisation of a non-``str``/``bytes`` return value."""
    return json.dumps(obj, default=_default_serializer, indent=4, sort_keys=True)


def _payload_of(value: Any) -> bytes:
    if isinstance(value, bytes):
        return bytes(value)
    if isinstance(value, str):
        return value.encode("utf-8")
    return to_json(value).encode("utf-8")


def _frame_entries(frames: List[traceback.FrameSummary]) -> List[List[str]]:
    # FC's stackTrace entry per frame: ['File "<path>"', 'line <n>', 'in <func>', '<source line>']
    return [[f'File "{f.filename}"', f"line {f.lineno}", f"in {f.name}", (f.line or "").strip()] for f in frames]


def _user_frames(tb: Any) -> List[traceback.FrameSummary]:
    frames = traceback.extract_tb(tb)
    # drop the harness' own frames in front of the handler's (the runtime drops its own)
    i = 0
    while i < len(frames) and os.path.normcase(os.path.abspath(frames[i].filename)).rsplit(".", 1)[0] in _HARNESS_FILES:
        i += 1
    return list(frames[i:])


def error_payload(exc: BaseException, frames: Optional[List[traceback.FrameSummary]] = None) -> dict:
    """``{"errorMessage", "errorType", "stackTrace"}`` for an exception raised by user code."""
    if frames is None:
        frames = _user_frames(exc.__traceback__)
    payload = {"errorMessage": str(exc), "errorType": type(exc).__name__}
    trace = _frame_entries(frames)
    if trace:
        payload["stackTrace"] = trace
    return payload


def _exception_only_trace(exc: BaseException) -> List[str]:
    # Load errors carry the underlying exception in short form, one item per line,
    # the ``File "...", line n`` line of a SyntaxError split on commas.
    lines = traceback.format_exception_only(type(exc), exc)
    trace: List[str] = []
    for idx, chunk in enumerate(lines):
        for line in chunk.split("\n"):
            item = line.replace("^", "").strip()
            if not item:
                continue
            if idx == 0 and item.startswith("File "):
                trace.extend(p.strip() for p in item.split(",") if p.strip())
            else:
                trace.append(item)
    return trace


def _load_error(cls: type, message: str, cause: BaseException, where: str) -> FCInvokeError:
    payload = {"errorMessage": message, "errorType": cls.__name__}
    trace = _exception_only_trace(cause)
    if trace:
        payload["stackTrace"] = trace
    detail = f"{type(cause).__name__}: {cause}".strip()
    err = cls(f"{message} ({where}; {detail})", error=payload)
    err.__cause__ = cause
    return err


def _error_bytes(error: dict) -> bytes:
    # the runtime's error payloads go through to_json; the platform's own (timeout, crash)
    # are compact JSON with only errorMessage
    if error.get("errorType") is not None:
        return to_json(error).encode("utf-8")
    return json.dumps(error, separators=(",", ":")).encode("utf-8")


def _max_memory_mb() -> float:
    """Peak RSS of this (test) process in MB, for FC's ``maxMemoryUsage`` wording."""
    try:
        import resource
    except ImportError:  # Windows
        return 0.0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def _platform_error(message: str) -> dict:
    return {"errorMessage": f"{message} (maxMemoryUsage: {_max_memory_mb():.2f}MB)"}


# --------------------------------------------------------------------------- module loading
def _find_module_path(name: str, directory: str) -> Optional[str]:
    """The package dir or module file ``name`` in ``directory``, searched like ``imp.find_module``."""
    if not name or not os.path.isdir(directory):
        return None
    pkg = os.path.join(directory, name)
    if os.path.isdir(pkg):
        for suffix in importlib.machinery.all_suffixes():
            if os.path.isfile(os.path.join(pkg, "__init__" + suffix)):
                return pkg
    for suffix in (
        importlib.machinery.EXTENSION_SUFFIXES
        + importlib.machinery.SOURCE_SUFFIXES
        + importlib.machinery.BYTECODE_SUFFIXES
    ):
        path = pkg + suffix
        if os.path.isfile(path):
            return path
    return None


def _module_file(path: str) -> str:
    if os.path.isdir(path):
        for suffix in importlib.machinery.all_suffixes():
            candidate = os.path.join(path, "__init__" + suffix)
            if os.path.isfile(candidate):
                return candidate
    return path


def _same_file(module: Any, path: str) -> bool:
    mod_file = getattr(module, "__file__", None)
    if not mod_file:
        return False
    try:
        return os.path.samefile(mod_file, path)
    except OSError:
        return False


def _import_from_code_dir(modname: str, code_dir: str, shadowed: Dict[str, Any]) -> Any:
    pos = modname.rfind("/")
    if pos != -1:
        path = os.path.join(code_dir, modname[:pos])
        segments = modname[pos + 1 :].split(".") if modname[pos + 1 :] else []
    else:
        path = code_dir
        segments = modname.split(".")
    if not segments:
        raise ModuleNotFoundError(f"No module named {modname!r}")
    for segment in segments:
        found = _find_module_path(segment, path)
        if found is None:  # what the runtime's imp.find_module raises (the code dir is in the message)
            raise ImportError(f"No module named {segment!r}")
        path = found
    file = _module_file(path)
    existing = sys.modules.get(modname)
    if existing is not None:
        if _same_file(existing, file):
            return existing
        shadowed.setdefault(modname, existing)  # another module of that name: hide it for the call
        del sys.modules[modname]
    spec = importlib.util.spec_from_file_location(
        modname, file, submodule_search_locations=[path] if os.path.isdir(path) else None
    )
    if spec is None or spec.loader is None:
        raise ModuleNotFoundError(f"cannot load {file} as a Python module")
    module = importlib.util.module_from_spec(spec)
    sys.modules[modname] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        sys.modules.pop(modname, None)
        raise
    return module


def _runtime_error(text: str) -> None:
    """The runtime's error line, written once to the function's log (stdout, FC format).

    Through the root logger it would also reach pytest's log capture, and a failing test
    would show the handler's error twice ("Captured stdout" and "Captured log").
    """
    root = logging.getLogger()
    handlers = [h for h in root.handlers if isinstance(h, FCLogHandler)]
    if not handlers:  # outside a call: the root logger is all there is
        root.error(text)
        return
    record = root.makeRecord(root.name, logging.ERROR, __file__, 0, text, None, None)
    for handler in handlers:
        handler.handle(record)


# --------------------------------------------------------------------------- instance state
class _Instance:
    """One function instance: its loaded handlers and modules, kept between calls."""

    def __init__(self, code_dir: Optional[str]):
        self.code_dir = code_dir
        self.handlers: Dict[str, Callable] = {}
        self.modules: Dict[str, Any] = {}
        self.extra_path: List[str] = []
        self.initialized: set = set()
        self._top_names: Optional[List[str]] = None

    def top_level_names(self) -> List[str]:
        """Module names importable from the code dir (``x.py``, packages)."""
        if self._top_names is None:
            names = set()
            if self.code_dir and os.path.isdir(self.code_dir):
                suffixes = tuple(importlib.machinery.all_suffixes())
                for entry in os.listdir(self.code_dir):
                    full = os.path.join(self.code_dir, entry)
                    if os.path.isdir(full) and _module_file(full) != full:
                        names.add(entry)
                    elif entry.endswith(suffixes):
                        names.add(entry.split(".", 1)[0])
            self._top_names = sorted(names)
        return self._top_names

    def owns(self, module: Any) -> bool:
        file = getattr(module, "__file__", None)
        if not file:
            return False
        file = os.path.abspath(file)
        roots = ([self.code_dir] if self.code_dir else []) + self.extra_path
        return any(file.startswith(os.path.join(os.path.abspath(r), "")) for r in roots)


class _ModuleScope:
    """Puts an instance's modules and code dir in place for one call, and takes them out after."""

    def __init__(self, instance: _Instance):
        self.instance = instance
        self.shadowed: Dict[str, Any] = {}

    def enter(self) -> None:
        inst = self.instance
        self.saved_path = list(sys.path)
        roots = ([inst.code_dir] if inst.code_dir else []) + inst.extra_path
        sys.path[:0] = [r for r in roots if r not in sys.path]
        modules = sys.modules
        for name in inst.top_level_names():
            existing = modules.get(name)
            if existing is not None and name not in inst.modules and not inst.owns(existing):
                self._shadow(name)
        for name, module in inst.modules.items():
            if modules.get(name) is not module:
                if name in modules and name not in self.shadowed:
                    self.shadowed[name] = modules[name]
                modules[name] = module
        self.before = set(modules)

    def _shadow(self, name: str) -> None:
        modules = sys.modules
        prefix = name + "."
        for key in [k for k in modules if k == name or k.startswith(prefix)]:
            self.shadowed.setdefault(key, modules.pop(key))

    def exit(self) -> None:
        inst = self.instance
        modules = sys.modules
        for name in [n for n in inst.modules if n in modules]:
            inst.modules[name] = modules.pop(name)
        for name in set(modules).difference(self.before):  # imported during the call
            module = modules.get(name)
            if module is not None and inst.owns(module):
                inst.modules[name] = module
                del modules[name]
        inst.extra_path = [
            p for p in sys.path if p not in self.saved_path and p != inst.code_dir and p not in inst.extra_path
        ] + inst.extra_path
        sys.path[:] = self.saved_path
        for name, module in self.shadowed.items():
            modules[name] = module


# --------------------------------------------------------------------------- env, logs, timer
_HIDDEN_PREFIXES_B = tuple(p.encode() for p in HIDDEN_ENV_PREFIXES)
_HIDDEN_NAMES_B = frozenset(n.encode() for n in HIDDEN_ENV_NAMES)


def _raw_environ() -> Optional[Dict[bytes, bytes]]:
    # CPython on POSIX keeps the environment as a bytes dict in os.environ._data; reading
    # it directly avoids decoding every variable twice per call (the overhead budget is
    # a few hundred microseconds). Elsewhere the public mapping is used.
    data = getattr(os.environ, "_data", None)
    if isinstance(data, dict) and isinstance(next(iter(data), b""), bytes):
        return data
    return None


def _snapshot_env() -> Dict[Any, Any]:
    raw = _raw_environ()
    return dict(raw) if raw is not None else dict(os.environ)


def _restore_env(snapshot: Dict[Any, Any]) -> None:
    """Put ``os.environ`` back exactly as ``snapshot`` (also undoing the handler's changes)."""
    raw = _raw_environ()
    if raw is not None:
        if raw == snapshot:
            return
        # bytes straight to the C environment and os.environ's own store (what
        # os.environ.__setitem__/__delitem__ do, without re-encoding every value)
        for key in [k for k in raw if k not in snapshot]:
            os.unsetenv(key)
            del raw[key]
        for key, value in snapshot.items():
            if raw.get(key) != value:
                os.putenv(key, value)
                raw[key] = value
        return
    env = os.environ
    for key in [k for k in env if k not in snapshot]:
        del env[key]
    for key, value in snapshot.items():
        if env.get(key) != value:
            env[key] = value


def _apply_env(values: Dict[str, str]) -> None:
    """Hide every credential / FC_* variable, then set the runtime's."""
    raw = _raw_environ()
    if raw is not None:
        encode = os.fsencode
        new = {encode(k): encode(v) for k, v in values.items()}
        for key in [k for k in raw if (k.startswith(_HIDDEN_PREFIXES_B) or k in _HIDDEN_NAMES_B) and k not in new]:
            os.unsetenv(key)
            del raw[key]
        for key, value in new.items():
            os.putenv(key, value)
            raw[key] = value
        return
    env = os.environ
    for key in [k for k in env if (k.startswith(HIDDEN_ENV_PREFIXES) or k in HIDDEN_ENV_NAMES) and k not in values]:
        del env[key]
    for key, value in values.items():
        env[key] = value


class _Tee:
    """A text stream that records what is written and passes it on."""

    def __init__(self, sink: List[str], target: Any):
        self._sink = sink
        self._target = target

    def write(self, s: str) -> int:
        self._sink.append(s)
        return self._target.write(s)

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        self._target.flush()

    def __getattr__(self, name: str) -> Any:  # encoding, fileno, isatty, buffer, ...
        return getattr(self._target, name)


def _can_use_alarm() -> bool:
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


def _run_with_deadline(fn: Callable[[], Any], seconds: float) -> Any:
    """Run ``fn``; raise ``_Expired`` if it is still running after ``seconds``."""
    __tracebackhide__ = True
    if _can_use_alarm():
        armed = [True]
        fired = [False]

        def on_alarm(signum: int, frame: Any) -> None:
            if armed[0]:
                fired[0] = True
                raise _Expired()

        started = time.monotonic()
        previous_handler = signal.signal(signal.SIGALRM, on_alarm)
        # repeat every 0.2 s: a handler that swallows the first _Expired (bare except)
        # is interrupted again
        previous_delay, previous_interval = signal.setitimer(signal.ITIMER_REAL, seconds, 0.2)
        try:
            try:
                value = fn()
            except Exception:
                if fired[0]:  # whatever it raised after its time was up, FC had stopped it
                    raise _Expired() from None
                raise
            if fired[0]:  # it swallowed the interrupt; FC would have stopped it anyway
                raise _Expired()
            return value
        finally:
            armed[0] = False
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous_handler)
            if previous_delay > 0:  # an outer timer (nested invoke, pytest-timeout) keeps running
                left = previous_delay - (time.monotonic() - started)
                signal.setitimer(signal.ITIMER_REAL, max(left, 0.001), previous_interval)

    box: Dict[str, Any] = {}

    def worker() -> None:
        try:
            box["value"] = fn()
        except BaseException as exc:  # handed to the caller below
            box["error"] = exc

    thread = threading.Thread(target=worker, name="fc-invoke", daemon=True)
    thread.start()
    thread.join(seconds)
    if thread.is_alive():
        _raise_in_thread(thread)
        raise _Expired()
    if "error" in box:
        raise box["error"]
    return box.get("value")


def _raise_in_thread(thread: threading.Thread) -> None:
    """Ask an abandoned worker to stop at its next bytecode (CPython only; best effort)."""
    try:
        import ctypes

        ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread.ident), ctypes.py_object(_Expired))
    except Exception:
        pass


# --------------------------------------------------------------------------- calls
class EventCall:
    """How the runtime calls an event handler and turns its return value into the payload.

    ``fc_http`` substitutes its own (WSGI) call; everything else about the invocation
    (context, environment, logs, timeout, errors) stays the same.
    """

    def __call__(self, handler: Callable, event: Any, context: Any) -> Any:
        __tracebackhide__ = True
        return handler(event, context)

    def payload(self, value: Any) -> bytes:
        return _payload_of(value)


_EVENT_CALL = EventCall()


def _event_bytes(event: Any) -> bytes:
    if isinstance(event, bytes):
        return event if type(event) is bytes else bytes(event)
    if isinstance(event, (bytearray, memoryview)):
        return bytes(event)
    if isinstance(event, str):
        return event.encode("utf-8")
    if isinstance(event, (dict, list)):
        return json.dumps(event).encode("utf-8")
    if event is None:
        return b""
    raise ConfigError(
        f"event must be bytes (FC passes the payload as bytes), str, a dict/list (sent as JSON) "
        f"or None, not {type(event).__name__}"
    )


@dataclasses.dataclass
class _Target:
    handler: Optional[Callable]  # None: load ``handler_string`` in the instance
    handler_string: Optional[str]
    code_dir: Optional[str]
    spec: Any = None  # FunctionSpec

    @property
    def label(self) -> str:
        if self.handler_string:
            return self.handler_string
        fn = self.handler
        return f"{getattr(fn, '__module__', '?')}.{getattr(fn, '__qualname__', repr(fn))}"


# --------------------------------------------------------------------------- the invoker
class Invoker:
    """An FC function instance that runs handlers with the runtime's semantics.

    ``fc_invoke`` is one of these. ``invoker(target, event, context=None, *,
    code_dir=None, timeout=None, initializer=None, catch=False)`` returns an
    ``InvokeResult``. Contexts are built with ``make_context(runtime, rng=rng,
    **context_defaults)`` plus the function's settings; with ``cloud``, the handler
    talks to its simulated services and ``InvokeResult.writes`` lists its writes.
    """

    def __init__(
        self,
        *,
        rng: Any = None,
        runtime: str = "python3.10",
        context_defaults: Optional[Dict[str, Any]] = None,
        cloud: Any = None,
        triggers: Any = None,
        app: Any = None,
        loop_mode: str = "fail",
        loop_depth: int = 0,
        timeout: Optional[float] = None,
        loop_rules: Any = None,
    ):
        from .events._random import FCRandom

        defaults = dict(context_defaults or {})
        runtime = defaults.pop("runtime", None) or runtime
        unknown = set(defaults) - set(CONTEXT_FIELDS[runtime_shape(runtime)])  # (unknown runtime: ConfigError)
        if unknown:  # fail here, not at the first call
            raise UnknownFieldError(
                "context_defaults (under pytest: the fc_context_defaults fixture)",
                unknown,
                CONTEXT_FIELDS[runtime_shape(runtime)],
            )
        if timeout is not None and (isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or timeout <= 0):
            raise ConfigError(f"invoke timeout must be a number of seconds > 0, got {timeout!r}")
        self.rng = FCRandom.coerce(cloud.rng if rng is None and cloud is not None else rng)
        self.runtime = runtime
        self.context_defaults = defaults
        self.cloud = cloud
        self.triggers = list(triggers or [])
        self.app = app
        self.loop_mode = loop_mode
        self.loop_depth = loop_depth
        self.loop_rules = list(loop_rules or [])
        self._loop_detectors: Dict[Any, Any] = {}
        self._redelivering = False
        self.timeout = timeout
        self._instances: Dict[Any, _Instance] = {}
        self._log_handler = FCLogHandler("")  # the root logger's FC-format handler during calls
        self._stable: Dict[str, Any] = {}  # per-instance context values (credentials, instance id)

    # ----------------------------------------------------------------- public entry
    def __call__(
        self,
        target: Any,
        event: Any,
        context: Any = None,
        *,
        code_dir: Any = None,
        timeout: Optional[float] = None,
        initializer: Any = None,
        catch: bool = False,
        triggers: Any = None,
    ) -> InvokeResult:
        __tracebackhide__ = True
        return self.run(
            target,
            event,
            context,
            code_dir=code_dir,
            timeout=timeout,
            initializer=initializer,
            catch=catch,
            triggers=triggers,
        )

    def run(
        self,
        target: Any,
        event: Any,
        context: Any = None,
        *,
        code_dir: Any = None,
        timeout: Optional[float] = None,
        initializer: Any = None,
        catch: bool = False,
        call: EventCall = _EVENT_CALL,
        context_overrides: Optional[Dict[str, Any]] = None,
        triggers: Any = None,
    ) -> InvokeResult:
        """``__call__`` with the hooks ``fc_http`` needs: ``call`` (how the handler is
        called and its return value encoded) and ``context_overrides``. ``triggers``
        replaces the triggers loops are checked against for this call."""
        __tracebackhide__ = True
        tgt = self._resolve_target(target, code_dir)
        spec = tgt.spec
        if initializer is None and spec is not None and spec.initializer:
            initializer = spec.initializer
        if initializer is not None and not (isinstance(initializer, str) or callable(initializer)):
            raise ConfigError(
                f"initializer must be a callable taking the context or a handler string "
                f"like 'index.initializer', not {type(initializer).__name__}"
            )
        timeout = self._effective_timeout(timeout, spec, context)
        if context is None:
            context = self.new_context(tgt, timeout, **(context_overrides or {}))
        payload_event = _event_bytes(event)
        instance = self._instance(tgt.code_dir)

        result = InvokeResult(
            payload=b"",
            logs="",
            duration_ms=0.0,
            request_id=str(getattr(context, "request_id", "")),
            context=context,
            event=event,
        )
        failure: Optional[BaseException] = None  # what to raise when not catching
        logs: List[str] = []
        mark = self.cloud.journal.mark() if self.cloud is not None else 0
        scope = _CallScope(self, instance, context, spec, logs)
        scope.enter()
        try:
            if initializer is not None:
                failure = self._initialize(initializer, tgt, instance, context, timeout, result)
            if failure is None:
                failure = self._invoke(tgt, instance, payload_event, context, timeout, call, result)
        finally:
            scope.exit()
            result.logs = "".join(logs)
        self._post_invoke(result, tgt, mark)
        if failure is not None and not catch:
            raise failure
        if not self._redelivering:
            self._check_loops(tgt, event, result, triggers)
        return result

    # ----------------------------------------------------------------- loop checking
    # A separate step after the handler returned (pytest_fctrigger.loops): the call's
    # writes are matched against the function's triggers (explicit ``triggers=``, else a
    # FunctionSpec target's, else the Invoker's fc_trigger markers) and, with an app,
    # every other function's; --fc-loop-depth re-delivers through ``_redeliver``.
    def _check_loops(self, tgt: _Target, event: Any, result: InvokeResult, triggers: Any) -> None:
        __tracebackhide__ = True  # a SelfTriggerLoop report starts at the test's line
        if self.cloud is None or self.loop_mode == "allow" or not result.writes:
            return
        detector = self._loop_detector(tgt.spec, triggers)
        if not detector.index.watched:
            return
        result.loop = detector.check(
            result.writes,
            event=event,
            handler=self._loop_label(tgt),
            redeliver=lambda watched, hop_event: self._redeliver(tgt, watched, hop_event),
            stacklevel=4,
        )

    def _loop_detector(self, spec: Any, triggers: Any) -> Any:
        from .loops import LoopDetector

        if triggers is None:
            triggers = spec.triggers if spec is not None else self.triggers
        key = (id(spec), tuple(id(t) for t in triggers))
        detector = self._loop_detectors.get(key)
        if detector is None:
            detector = LoopDetector(
                triggers,
                function=spec.name if spec is not None else None,
                app=self.app,
                mode=self.loop_mode,
                depth=self.loop_depth,
                rules=self.loop_rules,
                rng=self.rng.child("loops"),
            )
            self._loop_detectors[key] = detector
        return detector

    @staticmethod
    def _loop_label(tgt: _Target) -> str:
        return f"{tgt.label} (function {tgt.spec.name!r})" if tgt.spec is not None else tgt.label

    def _redeliver(self, tgt: _Target, watched: Any, event: Any) -> Any:
        """Run the function ``watched`` belongs to with ``event``, loop checks off."""
        from .loops import Redelivery

        if watched.spec is not None:
            target, code_dir = watched.spec, None
            label = self._loop_label(_Target(None, watched.spec.handler, None, watched.spec))
        else:
            target = tgt.spec or tgt.handler or tgt.handler_string
            code_dir = tgt.code_dir if tgt.spec is None else None
            label = self._loop_label(tgt)
        self._redelivering = True
        try:
            hop = self.run(target, event, code_dir=code_dir, catch=True)
        finally:
            self._redelivering = False
        error = None
        if hop.error is not None:
            error = f"{hop.error.get('errorType', 'Error')}: {hop.error.get('errorMessage', '')}"
        return Redelivery(hop.writes, label, error)

    # ----------------------------------------------------------------- one invocation
    def _invoke(
        self,
        tgt: _Target,
        instance: _Instance,
        event: bytes,
        context: Any,
        timeout: float,
        call: EventCall,
        result: InvokeResult,
    ) -> Optional[BaseException]:
        """Run the handler between the Start/End markers; fill ``result``; return the
        exception to raise when not catching (None on success)."""
        __tracebackhide__ = True
        rid = result.request_id
        sys.stdout.write(LOG_INVOKE_START + rid + "\n")
        started = time.perf_counter()
        failure: Optional[BaseException] = None
        end_suffix = ""

        def run() -> Any:
            __tracebackhide__ = True
            return call(self._handler(tgt, instance), event, context)

        try:
            value = _run_with_deadline(run, timeout)
        except _Expired:
            message = f"Function timed out after {_format_seconds(timeout)} seconds"
            result.error = _platform_error(message)
            end_suffix = ", Error: " + result.error["errorMessage"]
            failure = FCTimeoutError(
                f"{message}: {tgt.label} (request {rid}); raise the timeout with "
                f"fc_invoke(..., timeout=N) or @pytest.mark.fc(timeout=N)",
                error=result.error,
                result=result,
            )
            self._instances.pop(tgt.code_dir, None)  # a killed instance is not reused
        except _LoadFailure as load:
            failure, end_suffix = self._load_failed(load.error, result), LOG_ERROR_SUFFIX
        except SystemExit as exc:
            message = (
                f"Process exited unexpectedly before completing request (duration: "
                f"{int((time.perf_counter() - started) * 1000)}ms, "
                f"maxMemoryUsage: {_max_memory_mb():.2f}MB)"
            )
            result.error = {"errorMessage": message}
            failure = FCInvokeError(
                f"{tgt.label} called sys.exit({exc.code!r}): {message}", error=result.error, result=result
            )
            failure.__cause__ = exc
            end_suffix = LOG_ERROR_SUFFIX
            self._instances.pop(tgt.code_dir, None)
        except Exception as exc:
            failure, end_suffix = self._user_error(exc, result), LOG_ERROR_SUFFIX
        else:
            result.return_value = value
            try:
                result.payload = call.payload(value)
            except TypeError as exc:  # the runtime's own serialisation error
                result.error = error_payload(exc, traceback.extract_tb(exc.__traceback__))
                _runtime_error(to_json(result.error))
                failure = FCInvokeError(
                    f"{tgt.label} returned a value FC cannot serialise: {exc}", error=result.error, result=result
                )
                failure.__cause__ = exc
                end_suffix = LOG_ERROR_SUFFIX
        result.duration_ms = (time.perf_counter() - started) * 1000.0
        if result.error is not None:
            result.payload = _error_bytes(result.error)
        sys.stdout.write(LOG_INVOKE_END + rid + end_suffix + "\n")
        return failure

    @staticmethod
    def _load_failed(error: FCInvokeError, result: InvokeResult) -> FCInvokeError:
        result.error = error.error
        error.result = result
        _runtime_error(to_json(error.error))
        return error

    @staticmethod
    def _user_error(exc: BaseException, result: InvokeResult) -> BaseException:
        result.error = error_payload(exc)
        _runtime_error(to_json(result.error))
        return exc

    def _initialize(
        self, initializer: Any, tgt: _Target, instance: _Instance, context: Any, timeout: float, result: InvokeResult
    ) -> Optional[BaseException]:
        """Run the initializer once per instance, between the Initialize markers (with a
        request id of its own, as FC sends the initialize request separately)."""
        __tracebackhide__ = True
        key = initializer if isinstance(initializer, str) else id(initializer)
        if key in instance.initialized:
            return None
        spec = tgt.spec
        if spec is not None and spec.initialization_timeout:
            timeout = float(spec.initialization_timeout)
        rid = new_request_id(self.rng)
        sys.stdout.write(LOG_INIT_START + rid + "\n")
        if isinstance(initializer, str):
            init_target = _Target(None, initializer, tgt.code_dir, spec)
        else:
            init_target = _Target(initializer, None, tgt.code_dir, spec)
        failure: Optional[BaseException] = None
        suffix = ""
        try:
            _run_with_deadline(lambda: self._handler(init_target, instance)(context), timeout)
            instance.initialized.add(key)
        except _Expired:
            message = f"Function initialization timed out after {_format_seconds(timeout)} seconds"
            result.error = _platform_error(message)
            failure = FCTimeoutError(f"{message}: initializer {init_target.label}", error=result.error, result=result)
            suffix = ", Error: " + result.error["errorMessage"]
            self._instances.pop(tgt.code_dir, None)
        except _LoadFailure as load:
            failure, suffix = self._load_failed(load.error, result), LOG_ERROR_SUFFIX
        except Exception as exc:
            failure, suffix = self._user_error(exc, result), LOG_ERROR_SUFFIX
        if result.error is not None:
            result.payload = _error_bytes(result.error)
        sys.stdout.write(LOG_INIT_END + rid + suffix + "\n")
        return failure

    # ----------------------------------------------------------------- after the handler
    def _post_invoke(self, result: InvokeResult, target: _Target, mark: int) -> None:
        """Runs after every invocation, outside the handler's environment: collects the
        writes the handler made to the simulated services."""
        if self.cloud is not None:
            result.writes = self.cloud.journal.since(mark)

    # ----------------------------------------------------------------- helpers
    def _resolve_target(self, target: Any, code_dir: Any) -> _Target:
        from .triggers.model import FunctionSpec

        if isinstance(target, FunctionSpec):
            root = code_dir if code_dir is not None else target.code_dir
            if root is None:
                raise ConfigError(
                    f"function {target.name!r} has no code dir (its codeUri/code is not set); "
                    "pass code_dir= to fc_invoke"
                )
            if target.runtime not in _PY_RUNTIMES:
                raise ConfigError(
                    f"function {target.name!r} has runtime {target.runtime!r}; fc_invoke runs "
                    f"Python handlers ({', '.join(_PY_RUNTIMES)})"
                )
            return _Target(None, target.handler, os.path.abspath(str(root)), target)
        if isinstance(target, str):
            root = os.path.abspath(str(code_dir)) if code_dir is not None else os.getcwd()
            return _Target(None, target, root)
        if callable(target):
            return _Target(target, None, os.path.abspath(str(code_dir)) if code_dir is not None else None)
        raise ConfigError(
            f"invoke target must be a callable, a handler string like 'index.handler' or a "
            f"FunctionSpec, not {type(target).__name__}"
        )

    def _effective_timeout(self, timeout: Optional[float], spec: Any, context: Any) -> float:
        for value in (
            timeout,
            self.timeout,
            getattr(spec, "timeout", None),
            self.context_defaults.get("timeout"),
            getattr(getattr(context, "function", None), "timeout", None),
        ):
            if value is None:
                continue
            try:
                seconds = float(value)
            except (TypeError, ValueError):
                raise ConfigError(f"invoke timeout must be a number of seconds, got {value!r}") from None
            if seconds <= 0:
                raise ConfigError(f"invoke timeout must be > 0 seconds, got {value!r}")
            return seconds
        return 3.0

    def _instance(self, code_dir: Optional[str]) -> _Instance:
        inst = self._instances.get(code_dir)
        if inst is None:
            inst = self._instances[code_dir] = _Instance(code_dir)
        return inst

    def new_context(self, tgt: Optional[_Target] = None, timeout: Optional[float] = None, **extra: Any) -> Any:
        """A context for the next call: a fresh request id; credentials, instance id and log
        project stay the same for this Invoker (one instance), as in FC."""
        spec = tgt.spec if tgt is not None else None
        runtime = self.runtime
        kwargs = dict(self.context_defaults)
        if spec is not None:
            runtime = spec.runtime
            kwargs.setdefault("function_name", spec.name)
            kwargs.setdefault("handler", spec.handler)
            kwargs.setdefault("memory", spec.memory)
            if spec.service and runtime_shape(runtime) == "fc2":
                kwargs.setdefault("service_name", spec.service)
        elif tgt is not None and tgt.handler_string:
            kwargs.setdefault("handler", tgt.handler_string)
        if timeout is not None:
            kwargs["timeout"] = int(timeout) if float(timeout).is_integer() else timeout
        kwargs.update(extra)
        stable = self._stable.get(runtime)
        if stable is not None:
            for key, value in stable.items():
                kwargs.setdefault(key, value)
        ctx = make_context(runtime, rng=self.rng, **kwargs)
        if stable is None:
            meta = ctx._fc_meta
            self._stable[runtime] = {
                "access_key_id": meta.credentials.access_key_id,
                "access_key_secret": meta.credentials.access_key_secret,
                "security_token": meta.credentials.security_token,
                "instance_id": meta.instance_id,
                "log_project": ctx.log_project if hasattr(ctx, "log_project") else ctx.service.log_project,
            }
        return ctx

    def _handler(self, tgt: _Target, instance: _Instance) -> Callable:
        __tracebackhide__ = True
        if tgt.handler is not None:
            return tgt.handler
        handler = tgt.handler_string
        cached = instance.handlers.get(handler)
        if cached is not None:
            return cached
        try:
            fn = self._load(handler, instance)
        except FCInvokeError as error:
            raise _LoadFailure(error) from None
        instance.handlers[handler] = fn
        return fn

    @staticmethod
    def _load(handler: str, instance: _Instance) -> Callable:
        __tracebackhide__ = True
        where = f"handler {handler!r} in code dir {instance.code_dir}"
        try:
            modname, fname = handler.rsplit(".", 1)
        except ValueError as exc:
            raise _load_error(InvalidHandleName, f"Invalid handler '{handler}'", exc, where) from None
        try:
            module = _import_from_code_dir(modname, instance.code_dir or os.getcwd(), _CallScope.current_shadowed())
        except ImportError as exc:
            raise _load_error(ImportModuleError, f"Unable to import module '{modname}'", exc, where) from None
        except SyntaxError as exc:
            raise _load_error(UserCodeSyntaxError, f"Syntax error in module '{modname}'", exc, where) from None
        except ValueError as exc:
            raise _load_error(InvalidHandleName, f"Invalid handler '{modname}'", exc, where) from None
        except Exception as exc:
            raise _load_error(UserCodeError, f"Module initialization error: '{exc}'", exc, where) from None
        try:
            fn = getattr(module, fname)
        except AttributeError as exc:
            raise _load_error(
                HandlerNotFound, f"Handler '{fname}' is missing on module '{modname}'", exc, where
            ) from None
        return fn


_PY_RUNTIMES = tuple(RUNTIMES)


def _format_seconds(seconds: float) -> str:
    return str(int(seconds)) if float(seconds).is_integer() else f"{seconds:g}"


class _CallScope:
    """Everything that is different for the handler while it runs, undone after."""

    _active: List[_CallScope] = []

    def __init__(self, invoker: Invoker, instance: _Instance, context: Any, spec: Any, logs: List[str]):
        self.invoker = invoker
        self.instance = instance
        self.context = context
        self.spec = spec
        self.logs = logs
        self.modules: Optional[_ModuleScope] = None

    @classmethod
    def current_shadowed(cls) -> Dict[str, Any]:
        scope = cls._active[-1] if cls._active else None
        if scope is not None and scope.modules is not None:
            return scope.modules.shadowed
        return {}

    def _env_values(self) -> Dict[str, str]:
        """The runtime's FC_* variables and the role's credentials, from the context."""
        ctx = self.context
        meta = vars(ctx).get("_fc_meta") if hasattr(ctx, "__dict__") else None
        fn = getattr(ctx, "function", None)
        service = getattr(ctx, "service", None)
        values = {
            "FC_FUNC_CODE_PATH": self.instance.code_dir or os.getcwd(),
            "FC_ACCOUNT_ID": getattr(ctx, "account_id", None),
            "FC_REGION": getattr(ctx, "region", None),
            "FC_FUNCTION_NAME": getattr(fn, "name", None),
            "FC_FUNCTION_HANDLER": getattr(fn, "handler", None),
            "FC_FUNCTION_MEMORY_SIZE": getattr(fn, "memory", None),
            "FC_INSTANCE_ID": getattr(meta, "instance_id", None),
        }
        if service is not None:  # FC 2.0
            values["FC_SERVICE_NAME"] = getattr(service, "name", None)
            values["FC_QUALIFIER"] = getattr(service, "qualifier", None)
            values["FC_VER_ID"] = getattr(service, "version_id", None)
        else:  # FC 3.0: Python 3.12 runs on Debian 12, which has FC_FUNCTION_VERSION, not FC_VER_ID
            values["FC_FUNCTION_VERSION"] = getattr(fn, "version_id", None)
        creds = meta.credentials if meta is not None else getattr(ctx, "credentials", None)
        keys = [getattr(creds, name, None) for name in ("access_key_id", "access_key_secret", "security_token")]
        if not all(isinstance(k, str) and k for k in keys):  # a hand-made context without them
            from ._credentials import fake_credentials

            keys = list(fake_credentials(self.invoker.rng))
        (
            values["ALIBABA_CLOUD_ACCESS_KEY_ID"],
            values["ALIBABA_CLOUD_ACCESS_KEY_SECRET"],
            values["ALIBABA_CLOUD_SECURITY_TOKEN"],
        ) = keys
        out = {k: str(v) for k, v in values.items() if isinstance(v, (str, int)) and v != ""}
        if self.spec is not None and self.spec.environment:
            out.update({str(k): str(v) for k, v in self.spec.environment.items()})
        return out

    def enter(self) -> None:
        self.env = _snapshot_env()
        try:
            _apply_env(self._env_values())
            if self.instance.code_dir is not None:
                self.modules = _ModuleScope(self.instance)
                self.modules.enter()
            self.stdout, self.stderr = sys.stdout, sys.stderr
            sys.stdout = _Tee(self.logs, self.stdout)
            sys.stderr = _Tee(self.logs, self.stderr)
            root = logging.getLogger()
            self.root_level = root.level
            if root.level != logging.INFO:  # (setLevel clears every logger's cache: skip when equal)
                root.setLevel(logging.INFO)  # the runtime's root logger level
            self.log_handler = self.invoker._log_handler
            self.log_handler.request_id = str(getattr(self.context, "request_id", ""))
            root.addHandler(self.log_handler)
            cloud = self.invoker.cloud
            if cloud is not None:
                self.network = cloud.activate()
            else:
                from .cloud.guard import NetworkGuard

                self.network = NetworkGuard()
            self.network.__enter__()
            _CallScope._active.append(self)
        except BaseException:
            self.exit()
            raise

    def exit(self) -> None:
        if _CallScope._active and _CallScope._active[-1] is self:
            _CallScope._active.pop()
        network = getattr(self, "network", None)
        if network is not None:
            self.network = None
            network.__exit__(None, None, None)
        handler = getattr(self, "log_handler", None)
        if handler is not None:
            root = logging.getLogger()
            root.removeHandler(handler)
            if root.level != self.root_level:
                root.setLevel(self.root_level)
            self.log_handler = None
        if getattr(self, "stdout", None) is not None:
            sys.stdout, sys.stderr = self.stdout, self.stderr
            self.stdout = None
        if self.modules is not None:
            self.modules.exit()
            self.modules = None
        _restore_env(self.env)


_ONE_OFF_RNG: List[Any] = []


def invoke(
    target: Any,
    event: Any,
    context: Any = None,
    *,
    code_dir: Any = None,
    timeout: Optional[float] = None,
    initializer: Any = None,
    catch: bool = False,
    rng: Any = None,
    runtime: str = "python3.10",
    cloud: Any = None,
) -> InvokeResult:
    """Invoke once with a one-off ``Invoker`` (a fresh instance: the initializer runs).

    Without ``rng`` (or a ``cloud``), one process-wide seeded stream supplies the values,
    so successive calls still get fresh request ids; pass ``rng=`` for values that do
    not depend on what ran before.
    """
    __tracebackhide__ = True
    if rng is None and cloud is None:
        if not _ONE_OFF_RNG:
            from .events._random import FCRandom

            _ONE_OFF_RNG.append(FCRandom(0))
        rng = _ONE_OFF_RNG[0]
    return Invoker(rng=rng, runtime=runtime, cloud=cloud)(
        target, event, context, code_dir=code_dir, timeout=timeout, initializer=initializer, catch=catch
    )
