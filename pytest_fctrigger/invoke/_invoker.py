"""``Invoker`` (one function instance) and the one-off ``invoke``."""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import re
import sys
import time
import traceback
from typing import Any, Callable, Dict, List, Optional

from ..context import FIELDS as CONTEXT_FIELDS
from ..context import RUNTIMES, FCLogHandler, make_context, new_request_id, runtime_shape
from ..errors import ConfigError, UnknownFieldError
from ._deadline import _format_seconds, _run_with_deadline
from ._errors import (
    FCInvokeError,
    FCTimeoutError,
    HandlerNotFound,
    ImportModuleError,
    InvalidHandleName,
    UserCodeError,
    UserCodeSyntaxError,
    _Expired,
    _load_error,
    _LoadFailure,
    _max_memory_mb,
    _platform_error,
)
from ._loading import _import_from_code_dir, _Instance
from ._logs import LOG_ERROR_SUFFIX, LOG_INIT_END, LOG_INIT_START, LOG_INVOKE_END, LOG_INVOKE_START
from ._result import InvokeResult, _error_bytes, _payload_of, error_payload, to_json
from ._scope import _CallScope


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
        isolate: str = "none",
        include_disabled: bool = False,
    ):
        from ..core.settings import check_isolate
        from ..events._random import FCRandom

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
        self.isolate = check_isolate(isolate, "Invoker(isolate=...)")  # "process": pytest_fctrigger.instances
        # a disabled trigger (enable: false) fires nothing in FC, so loops ignore it unless
        # the test asks for it on purpose (e.g. before enabling the trigger)
        self.include_disabled = _check_include_disabled(include_disabled, "Invoker(include_disabled=...)")

    def close(self) -> None:
        """End this Invoker's process instances (``isolate="process"``); in-process: nothing to do."""
        runner = sys.modules.get("pytest_fctrigger.instances._runner")
        if runner is not None:
            runner.close_instances(self)

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
        isolate: Optional[str] = None,
        include_disabled: Optional[bool] = None,
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
            isolate=isolate,
            include_disabled=include_disabled,
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
        isolate: Optional[str] = None,
        include_disabled: Optional[bool] = None,
    ) -> InvokeResult:
        """``__call__`` with the hooks ``fc_http`` needs: ``call`` (how the handler is
        called and its return value encoded) and ``context_overrides``. ``triggers``
        replaces the triggers loops are checked against for this call; ``isolate``
        overrides the Invoker's isolation mode for this call; ``include_disabled=True``
        checks writes against disabled triggers too (None: the Invoker's setting)."""
        __tracebackhide__ = True
        if isolate is not None:
            from ..core.settings import check_isolate

            check_isolate(isolate, "fc_invoke(..., isolate=...)")
        if include_disabled is None:
            include_disabled = self.include_disabled
        else:
            include_disabled = _check_include_disabled(include_disabled, "fc_invoke(..., include_disabled=...)")
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
        if (isolate or self.isolate) == "process":  # the instance is a child process
            # the loaded module, not an import statement per call (~10 us of a 1 ms budget)
            runner: Any = sys.modules.get("pytest_fctrigger.instances._runner")
            if runner is not None:
                run_in_instance = runner.run_in_instance
            else:
                from ..instances import run_in_instance
            failure = run_in_instance(self, tgt, payload_event, context, timeout, initializer, call, result)
        else:
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
            self._check_loops(tgt, event, result, triggers, include_disabled)
        return result

    # ----------------------------------------------------------------- loop checking
    # A separate step after the handler returned (pytest_fctrigger.loops): the call's
    # writes are matched against the function's triggers (explicit ``triggers=``, else a
    # FunctionSpec target's, else the Invoker's fc_trigger markers) and, with an app,
    # every other function's; --fc-loop-depth re-delivers through ``_redeliver``.
    def _check_loops(
        self, tgt: _Target, event: Any, result: InvokeResult, triggers: Any, include_disabled: bool = False
    ) -> None:
        __tracebackhide__ = True  # a SelfTriggerLoop report starts at the test's line
        if self.cloud is None or self.loop_mode == "allow" or not result.writes:
            return
        detector = self._loop_detector(tgt.spec, triggers, include_disabled)
        if not detector.index.watched:
            return
        result.loop = detector.check(
            result.writes,
            event=event,
            handler=self._loop_label(tgt),
            redeliver=lambda watched, hop_event: self._redeliver(tgt, watched, hop_event),
            stacklevel=4,
        )

    def _loop_detector(self, spec: Any, triggers: Any, include_disabled: bool = False) -> Any:
        from ..loops import LoopDetector

        if triggers is None:
            # a FunctionSpec's own triggers AND the invoker's (the test's fc_trigger markers)
            # both apply: the same handler must loop whether named by string or by spec
            triggers = self.triggers
            if spec is not None:
                triggers = list(spec.triggers) + [t for t in self.triggers if t not in spec.triggers]
        key = (id(spec), tuple(id(t) for t in triggers), include_disabled)
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
                include_disabled=include_disabled,
            )
            self._loop_detectors[key] = detector
        return detector

    @staticmethod
    def _loop_label(tgt: _Target) -> str:
        return f"{tgt.label} (function {tgt.spec.name!r})" if tgt.spec is not None else tgt.label

    def _redeliver(self, tgt: _Target, watched: Any, event: Any) -> Any:
        """Run the function ``watched`` belongs to with ``event``, loop checks off."""
        from ..loops import Redelivery

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
            if tgt.handler_string is not None and tgt.handler_string not in instance.handlers:
                # the handler's module was still importing: packages it half imported stay
                # in this process (a killed FC instance would take them with it)
                _INTERRUPTED_IMPORTS.append(f"{tgt.label} (request {rid})")
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
        if _INTERRUPTED_IMPORTS:  # say why a module that imported before may now be broken
            note = (
                f"; note: an earlier call, {_INTERRUPTED_IMPORTS[-1]}, timed out while its modules were "
                "importing, and a package interrupted half-way cannot be unloaded from the test process: "
                "give that call a longer timeout, or run it with --fc-isolate=process (a new instance per timeout)"
            )
            error.args = (str(error.args[0] if error.args else error) + note, *error.args[1:])
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
        if isinstance(target, str):  # the usual case first: no import statement per call
            _check_handler_string(target)
            return _Target(None, target, os.path.abspath(str(code_dir)) if code_dir is not None else os.getcwd())
        from ..triggers.model import FunctionSpec

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
            _check_handler_string(target.handler, f"function {target.name!r}: ")
            return _Target(None, target.handler, os.path.abspath(str(root)), target)
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
        assert handler is not None  # a _Target has a handler or a handler string
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

# calls that timed out while their handler module was importing (process-wide: the
# half-imported packages they leave are the process's, not one test's)
_INTERRUPTED_IMPORTS: List[str] = []


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
    record = root.makeRecord(root.name, logging.ERROR, __file__, 0, text, (), None)  # no %-args, as root.error(text)
    for handler in handlers:
        handler.handle(record)


_CONTROL_CHARACTER = re.compile("[\x00-\x1f\x7f]")  # checked on every call: a regex, not a loop


def _check_handler_string(handler: Optional[str], owner: str = "") -> None:
    """A handler string with a control character (NUL ...) cannot be deployed, imported
    or put in FC_FUNCTION_HANDLER: one ConfigError, not os.putenv's ValueError."""
    if handler and _CONTROL_CHARACTER.search(handler):
        raise ConfigError(
            f"{owner}handler {handler!r} contains a control character; a handler is "
            "'<file>.<function>' like 'index.handler'"
        )


def _check_include_disabled(value: Any, where: str) -> bool:
    if not isinstance(value, bool):
        raise ConfigError(
            f"{where}: must be True or False, got {value!r} (True also checks writes against "
            "triggers with enable: false, which fire nothing in FC)"
        )
    return value


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
            from ..events._random import FCRandom

            _ONE_OFF_RNG.append(FCRandom(0))
        rng = _ONE_OFF_RNG[0]
    return Invoker(rng=rng, runtime=runtime, cloud=cloud)(
        target, event, context, code_dir=code_dir, timeout=timeout, initializer=initializer, catch=catch
    )
