"""The test process' side of process instances: start, call, time out, kill.

``run_in_instance`` is what the ``Invoker`` calls for ``isolate="process"``: it finds
the instance of the function (per Invoker, i.e. per test, by code dir, function and
its settings) or forks a new one from the zygote, sends the invocation, serves the
instance's SDK requests from the test's simulated cloud while it runs, and fills the
``InvokeResult`` as the in-process mode does. The deadline is enforced here: at the
function's timeout the whole process group is killed, whatever the handler is doing
(C code holding the GIL included), and the result is FC's timeout error.
"""

from __future__ import annotations

import json
import os
import pickle
import select
import shutil
import signal
import sys
import tempfile
import threading
import time
import weakref
from typing import Any, BinaryIO, Dict, Optional, Tuple

from ..errors import ConfigError
from ..invoke import (
    LOG_INIT_END,
    LOG_INIT_START,
    LOG_INVOKE_END,
    FCInvokeError,
    FCTimeoutError,
    HandlerNotFound,
    ImportModuleError,
    InvalidHandleName,
    UserCodeError,
    UserCodeSyntaxError,
)
from . import _protocol, _sandbox
from ._zygote_client import InstanceStartError, Zygote

__all__ = ["FCOutOfMemoryError", "InstanceHandlerError", "run_in_instance", "close_instances"]

_LOAD_ERRORS = {
    cls.__name__: cls
    for cls in (ImportModuleError, UserCodeSyntaxError, InvalidHandleName, UserCodeError, HandlerNotFound)
}
# Seconds the instance's own (signal-based) timer runs past the function's timeout: the
# kill here always comes first; that timer only stops a handler whose test process is gone.
_CHILD_GRACE = 60.0
_START_TIMEOUT = 30.0


class FCOutOfMemoryError(FCInvokeError, MemoryError):
    """The instance used more than the function's ``memorySize`` and was stopped."""


class InstanceHandlerError(FCInvokeError):
    """The handler raised an exception that could not be sent back from its instance
    process (it does not pickle); ``error`` is the runtime's payload, as in-process."""


class _RemoteTraceback(Exception):
    """The handler's traceback as it was printed in the instance process."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text

    def __str__(self) -> str:
        return "\n\n" + self.text


def _seconds(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


# --------------------------------------------------------------------------- instances
class ProcessInstance:
    """One FC instance: a process forked from the zygote, with its own HOME, TMPDIR and log."""

    def __init__(self, config: Dict[str, Any]) -> None:
        zygote = Zygote.shared()
        self.memory_mb = int(config.get("memory_mb") or 0)
        self.dir = tempfile.mkdtemp(prefix="fc-instance-")
        home, tmp = os.path.join(self.dir, "home"), os.path.join(self.dir, "tmp")
        os.mkdir(home)
        os.mkdir(tmp)
        config["env"]["HOME"] = home
        config["env"]["TMPDIR"] = tmp
        config["log_path"] = self.log_path = os.path.join(self.dir, "instance.log")
        self.log_offset = 0
        self._log: Optional[BinaryIO] = None
        self.pid = 0
        try:
            self.pid, self.ctl, self.rpc = zygote.take()
            _protocol.send(self.ctl, ("init", config))
            reply = self._wait_start()
        except BaseException:
            self.kill()
            raise
        self.netns = bool(reply.get("netns"))
        self.setup_ms = float(reply.get("setup_ms", 0.0))
        self.poller = select.poll()
        self.poller.register(self.ctl, select.POLLIN)
        self.poller.register(self.rpc, select.POLLIN)
        self.dead = False

    def _wait_start(self) -> Dict[str, Any]:
        ready, _, _ = select.select([self.ctl], [], [], _START_TIMEOUT)
        message: Any = None
        if ready:
            try:
                message = _protocol.recv(self.ctl)
            except (EOFError, OSError):
                message = None
        if isinstance(message, tuple) and message[0] == "ready":
            return dict(message[1])
        detail = message[1] if isinstance(message, tuple) and message[0] == "failed" else "no answer"
        raise InstanceStartError(f"the FC instance process could not start: {detail}; log: {self.read_logs()!r}")

    def read_logs(self, upto: int = -1) -> str:
        """What the instance logged since the last read (up to file offset ``upto``)."""
        try:
            if self._log is None:  # kept open: a warm call has a 1 ms budget
                self._log = open(self.log_path, "rb")
            self._log.seek(self.log_offset)
            data = self._log.read(upto - self.log_offset if upto >= self.log_offset else -1)
        except OSError:
            return ""
        self.log_offset += len(data)
        return data.decode("utf-8", "replace")

    def kill(self) -> None:
        """End the instance and everything it started (its process group), then its files."""
        self.stop()
        for sock in (getattr(self, "ctl", None), getattr(self, "rpc", None)):
            if sock is not None:
                sock.close()
        self.dead = True
        if self._log is not None:
            self._log.close()
            self._log = None
        shutil.rmtree(self.dir, ignore_errors=True)

    def stop(self) -> None:
        """SIGKILL the instance's process group (its files stay until ``kill``)."""
        if self.pid > 0:
            try:
                os.killpg(self.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            try:  # a child that left the group with setsid() is killed by its parent's death only
                os.kill(self.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass


class _Pool:
    """The instances of one Invoker (one test): reused while warm, killed at its end."""

    def __init__(self) -> None:
        self.instances: Dict[Any, ProcessInstance] = {}
        self.lock = threading.RLock()

    def close(self) -> None:
        with self.lock:
            instances, self.instances = list(self.instances.values()), {}
        for inst in instances:
            inst.kill()


_POOLS: weakref.WeakKeyDictionary[Any, _Pool] = weakref.WeakKeyDictionary()


def _pool(invoker: Any) -> _Pool:
    pool = _POOLS.get(invoker)
    if pool is None:
        pool = _POOLS[invoker] = _Pool()
        weakref.finalize(invoker, pool.close)
    return pool


def close_instances(invoker: Any) -> None:
    """Kill every process instance ``invoker`` started (the end of its test)."""
    pool = _POOLS.pop(invoker, None)
    if pool is not None:
        pool.close()


# --------------------------------------------------------------------------- config
def _memory_mb(context: Any, spec: Any) -> int:
    memory = getattr(getattr(context, "function", None), "memory", None)
    if memory is None and spec is not None:
        memory = getattr(spec, "memory", None)
    try:
        return int(memory) if memory else 0
    except (TypeError, ValueError):
        return 0


def _base_env(context: Any, spec: Any, code_dir: str) -> Dict[str, str]:
    """The instance's environment from scratch: PATH, locale, FC variables, the role's
    (fake) credentials from the context, then the function's own ``environment``."""
    exe_dir = os.path.dirname(sys.executable)
    env = {
        "PATH": os.pathsep.join([exe_dir, "/usr/local/bin", "/usr/bin", "/bin"]),
        "LANG": "C.UTF-8",
        "PYTHONUNBUFFERED": "1",
        "FC_FUNC_CODE_PATH": code_dir,
    }
    fn = getattr(context, "function", None)
    meta = vars(context).get("_fc_meta") if hasattr(context, "__dict__") else None
    creds = getattr(meta, "credentials", None) or getattr(context, "credentials", None)
    for name, value in (
        ("FC_REGION", getattr(context, "region", None)),
        ("FC_ACCOUNT_ID", getattr(context, "account_id", None)),
        ("FC_FUNCTION_NAME", getattr(fn, "name", None)),
        ("FC_FUNCTION_HANDLER", getattr(fn, "handler", None)),
        ("FC_FUNCTION_MEMORY_SIZE", getattr(fn, "memory", None)),
        ("FC_INSTANCE_ID", getattr(meta, "instance_id", None)),
        ("ALIBABA_CLOUD_ACCESS_KEY_ID", getattr(creds, "access_key_id", None)),
        ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", getattr(creds, "access_key_secret", None)),
        ("ALIBABA_CLOUD_SECURITY_TOKEN", getattr(creds, "security_token", None)),
    ):
        if isinstance(value, (str, int)) and value != "":
            env[name] = str(value)
    if spec is not None and getattr(spec, "environment", None):
        env.update({str(k): str(v) for k, v in spec.environment.items()})
    return env


def _instance_key(code_dir: Optional[str], spec: Any, memory: int) -> Tuple[Any, ...]:
    env = tuple(sorted((getattr(spec, "environment", None) or {}).items())) if spec is not None else ()
    return (code_dir, getattr(spec, "name", None), memory, env)


def _sendable(what: str, value: Any) -> None:
    try:
        pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception as exc:
        raise ConfigError(
            f"fc_invoke(..., isolate='process') runs the handler in another process, and {what} "
            f"cannot be sent there ({type(exc).__name__}: {exc}); pass a handler string like "
            f"'index.handler' with code_dir= (or a module-level function), or use isolate='none'"
        ) from None


# --------------------------------------------------------------------------- the call
def run_in_instance(
    invoker: Any,
    tgt: Any,
    event: bytes,
    context: Any,
    timeout: float,
    initializer: Any,
    call: Any,
    result: Any,
) -> Optional[BaseException]:
    """Run one invocation in the function's process instance; fill ``result`` as
    ``Invoker._invoke`` does and return the exception to raise when not catching."""
    __tracebackhide__ = True
    spec = tgt.spec
    code_dir = tgt.code_dir
    cwd = code_dir or os.getcwd()
    memory = _memory_mb(context, spec)
    target = tgt.handler_string if tgt.handler is None else tgt.handler
    request = {
        "target": target,
        "code_dir": code_dir,
        "event": event,
        "context": context,
        "initializer": initializer,
        "call": call,
        "timeout": float(timeout) + _CHILD_GRACE,
        "notify_phase": initializer is not None,
    }
    try:  # pickled once, here: a handler that cannot be sent fails before an instance starts
        message = pickle.dumps(("invoke", request), protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:
        for what, value in (
            ("the handler", target),
            ("the initializer", initializer),
            ("the context", context),
            ("the call", call),
        ):
            _sendable(what, value)
        raise
    pool = _pool(invoker)
    key = _instance_key(code_dir, spec, memory)
    with pool.lock:
        instance = pool.instances.get(key)
        if instance is not None and instance.dead:
            instance = None
        if instance is None:
            instance = ProcessInstance(
                {
                    "env": _base_env(context, spec, cwd),
                    "code_dir": cwd,
                    "sys_path": [p for p in sys.path if p],
                    "memory_mb": memory,
                    "seed": invoker.rng.randint(0, 2**62),
                    "runtime": getattr(invoker, "runtime", "python3.10"),
                    "context_defaults": dict(getattr(invoker, "context_defaults", {}) or {}),
                }
            )
            pool.instances[key] = instance
        init_timeout = float(getattr(spec, "initialization_timeout", None) or timeout)
        outcome = _Call(instance, invoker.cloud, request, message, timeout, init_timeout).run()
        failure = _finish(instance, outcome, tgt, result, timeout, init_timeout, memory)
        if instance.dead or outcome.get("kill") or outcome.get("discard"):
            instance.kill()
            pool.instances.pop(key, None)
    return failure


class _Call:
    """One invocation's exchange with its instance, under the deadline."""

    def __init__(
        self,
        instance: ProcessInstance,
        cloud: Any,
        request: Dict[str, Any],
        message: bytes,
        timeout: float,
        init_timeout: float,
    ) -> None:
        self.instance = instance
        self.cloud = cloud
        self.request = request
        self.message = message
        self.timeout = timeout
        self.init_timeout = init_timeout

    def run(self) -> Dict[str, Any]:
        inst = self.instance
        phase = "init" if self.request["notify_phase"] else "invoke"
        started = time.perf_counter()
        deadline = time.monotonic() + (self.init_timeout if phase == "init" else self.timeout)
        try:
            _protocol.send_pickled(inst.ctl, self.message)
        except OSError:
            return {"died": True, "phase": phase, "started": started, "kill": True}
        rpc_fd = inst.rpc.fileno()
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return {"expired": True, "phase": phase, "started": started, "kill": True}
            events = inst.poller.poll(max(1, int(remaining * 1000) + 1))
            for fd, _mask in events:
                try:
                    if fd == rpc_fd:
                        self._serve_rpc()
                        continue
                    kind, value = _protocol.recv(inst.ctl)
                except (EOFError, OSError):
                    return {"died": True, "phase": phase, "started": started, "kill": True}
                if kind == "phase":
                    phase = "invoke"
                    deadline = time.monotonic() + self.timeout
                elif kind == "done":
                    value["started"] = started
                    value["phase"] = phase
                    return dict(value)
            # a reply that arrives after the deadline is still a timeout (FC had killed it)
            if time.monotonic() > deadline:
                return {"expired": True, "phase": phase, "started": started, "kill": True}

    def _serve_rpc(self) -> None:
        service, args, kwargs = _protocol.recv(self.instance.rpc)
        try:
            reply: Tuple[str, Any] = ("ok", _dispatch(self.cloud, service, args, kwargs))
        except Exception as exc:
            cls = type(exc)
            reply = ("err", (cls.__module__, cls.__qualname__, str(exc)))
        _protocol.send(self.instance.rpc, reply)


def _dispatch(cloud: Any, service: str, args: Any, kwargs: Any) -> Any:
    """Serve one forwarded SDK request from the test's simulated cloud, exactly as the
    in-process seam would (same routes, same errors for what nothing serves)."""
    from urllib.parse import urlsplit

    from ..cloud.guard import blocked

    if service == "http":
        method, url, headers, body = args
        router = getattr(cloud, "_router", None) if cloud is not None else None
        if router is None:
            parts = urlsplit(url)
            raise blocked(parts.hostname or "", parts.port or (443 if parts.scheme == "https" else 80))
        from ._seams import request_from_wire

        return router._dispatch(request_from_wire(method, url, headers, body))
    if cloud is None:
        raise blocked(str(args[0]) if args else service)
    if service == "mns":
        return cloud.mns.handle(*args, **kwargs)
    if service == "tablestore":
        return cloud.tablestore.handle(*args, **kwargs)
    raise ConfigError(f"unknown forwarded service {service!r}")


# --------------------------------------------------------------------------- results
def _finish(
    inst: ProcessInstance,
    outcome: Dict[str, Any],
    tgt: Any,
    result: Any,
    timeout: float,
    init_timeout: float,
    memory: int,
) -> Optional[BaseException]:
    rid = result.request_id
    duration = (time.perf_counter() - outcome["started"]) * 1000.0
    if outcome.get("expired") or outcome.get("oom") or outcome.get("died") or outcome.get("fatal"):
        peak = _sandbox.peak_rss_megabytes(inst.pid)  # before the kill: a dead process has none
        inst.stop()
        logs = inst.read_logs(upto=outcome.get("log_size", -1) if outcome.get("oom") else -1)
        inst.kill()
        if outcome.get("expired"):
            return _timed_out(outcome["phase"], logs, tgt, result, timeout, init_timeout, peak, duration)
        if outcome.get("oom"):
            usage = max(peak, float(memory))
            message = _exited_message(duration, usage)
            result.error = {"errorMessage": message}
            text = (
                f"{tgt.label} ran out of memory in its FC instance (memorySize {memory} MB; the "
                f"instance was stopped, as FC stops it): {message}; raise the function's memorySize"
            )
            failure: BaseException = FCOutOfMemoryError(text, error=result.error, result=result)
        elif outcome.get("fatal"):
            result.error = {"errorMessage": _exited_message(duration, peak)}
            failure = FCInvokeError(
                f"the FC instance process of {tgt.label} failed outside the handler:\n{outcome['fatal']}",
                error=result.error,
                result=result,
            )
        else:
            result.error = {"errorMessage": _exited_message(duration, peak)}
            failure = FCInvokeError(
                f"{tgt.label}: the FC instance process exited unexpectedly (a crash, os._exit or a "
                f"kill): {result.error['errorMessage']}",
                error=result.error,
                result=result,
            )
        logs += f"{LOG_INVOKE_END}{rid}, Error: {result.error['errorMessage']}\n"
        _set_logs(result, logs)
        result.payload = json.dumps(result.error, separators=(",", ":")).encode("utf-8")
        result.duration_ms = duration
        return failure

    _set_logs(result, inst.read_logs())
    result.payload = outcome["payload"]
    result.error = error = outcome["error"]
    result.duration_ms = outcome["duration_ms"]
    if outcome.get("return_value") is not None:
        try:
            result.return_value = pickle.loads(outcome["return_value"])
        except Exception:  # a class only the instance can import: the payload still has it
            result.return_value = None
    if error is None:
        return None
    if outcome.get("user_error") is not None:
        try:
            exc = pickle.loads(outcome["user_error"])
        except Exception:
            exc = None
        if isinstance(exc, BaseException):
            exc.__cause__ = _RemoteTraceback(outcome.get("user_error_text") or "")
            return exc
    error_type = error.get("errorType")
    if error_type is None:  # the runtime's own platform errors (sys.exit, ...): FC ends the instance
        outcome["kill"] = True
        return FCInvokeError(f"{tgt.label}: {error.get('errorMessage')}", error=error, result=result)
    if outcome.get("user_error") is None and error_type in _LOAD_ERRORS:
        return _LOAD_ERRORS[error_type](
            f"{error.get('errorMessage')} (handler {tgt.label} in code dir {tgt.code_dir}, process instance)",
            error=error,
            result=result,
        )
    text = outcome.get("user_error_text") or ""
    return InstanceHandlerError(
        f"{tgt.label} raised {error_type}: {error.get('errorMessage')} in its FC instance process"
        + (f"\n{text}" if text else ""),
        error=error,
        result=result,
    )


def _set_logs(result: Any, logs: str) -> None:
    result.logs = logs
    if logs:  # still shown to pytest's capture, as in-process
        sys.stdout.write(logs)


def _exited_message(duration_ms: float, usage_mb: float) -> str:
    # FC's message when an instance process ends during a request (its doc page "What do I
    # do if a function abnormally exits and the 'Process exited unexpectedly before
    # completing request' message is reported?" lists running out of memory as a cause)
    return (
        f"Process exited unexpectedly before completing request "
        f"(duration: {int(duration_ms)}ms, maxMemoryUsage: {usage_mb:.2f}MB)"
    )


def _timed_out(
    phase: str,
    logs: str,
    tgt: Any,
    result: Any,
    timeout: float,
    init_timeout: float,
    peak: float,
    duration: float,
) -> BaseException:
    rid = result.request_id
    if phase == "init":
        message = f"Function initialization timed out after {_seconds(init_timeout)} seconds"
        init_rid = ""
        for line in logs.splitlines():
            if line.startswith(LOG_INIT_START):
                init_rid = line[len(LOG_INIT_START) :].strip()
        result.error = {"errorMessage": f"{message} (maxMemoryUsage: {peak:.2f}MB)"}
        logs += f"{LOG_INIT_END}{init_rid}, Error: {result.error['errorMessage']}\n"
        failure = FCTimeoutError(
            f"{message}: initializer of {tgt.label} (process instance killed)", error=result.error, result=result
        )
    else:
        message = f"Function timed out after {_seconds(timeout)} seconds"
        result.error = {"errorMessage": f"{message} (maxMemoryUsage: {peak:.2f}MB)"}
        logs += f"{LOG_INVOKE_END}{rid}, Error: {result.error['errorMessage']}\n"
        failure = FCTimeoutError(
            f"{message}: {tgt.label} (request {rid}; its process instance was killed); raise the "
            f"timeout with fc_invoke(..., timeout=N) or @pytest.mark.fc(timeout=N)",
            error=result.error,
            result=result,
        )
    _set_logs(result, logs)
    result.payload = json.dumps(result.error, separators=(",", ":")).encode("utf-8")
    result.duration_ms = duration
    return failure
