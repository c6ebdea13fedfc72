"""The instance process: set up like an FC instance, then run invocations until killed.

Set-up, in this order: own process group and death with the zygote; user + network
namespaces when the kernel allows; stdin from /dev/null, stdout and stderr into the
instance's log file (so C-level writes and child processes' output are logged too);
an environment built from scratch; ``sys.path``; cwd = code dir; the memory limit; the
SDK seams forwarding to the test process. Then an in-process ``Invoker`` (with no
cloud: the seams are the cloud here) runs each invocation with the runtime's
semantics: handler loading and errors, context, FC variables, log markers and format,
initializer once per instance, payload serialisation.

Messages (``_protocol``) on the control socket: ``("invoke", {...})`` -> optional
``("phase", "invoke")`` when the initializer is done and the handler starts, then
``("done", {...})``. The RPC socket carries the forwarded SDK requests.
"""

from __future__ import annotations

import contextlib
import io
import os
import pickle
import signal
import socket
import sys
import time
import traceback
from typing import Any, Dict, Optional

from . import _protocol, _sandbox, _seams

_FILE = os.path.normcase(os.path.abspath(__file__)).rsplit(".", 1)[0]


class _PhaseCall:
    """Wraps the runtime's call: tells the test process when the handler itself starts
    (the initializer's deadline ends there) and keeps the handler's own exception."""

    def __init__(self, inner: Any, ctl: socket.socket, notify: bool) -> None:
        self.inner = inner
        self.ctl = ctl
        self.notify = notify
        self.raised: Optional[BaseException] = None
        self.log_size = -1

    def __call__(self, handler: Any, event: Any, context: Any) -> Any:
        __tracebackhide__ = True
        if self.notify:
            self.notify = False
            _protocol.send(self.ctl, ("phase", "invoke"))
        try:
            return self.inner(handler, event, context)
        except BaseException as exc:
            self.raised = exc
            if isinstance(exc, MemoryError):  # FC kills the instance here: its log ends here too
                try:
                    sys.stdout.flush()
                    sys.stderr.flush()
                    self.log_size = os.fstat(1).st_size
                except (OSError, ValueError):
                    pass
            raise

    def payload(self, value: Any) -> bytes:
        data: bytes = self.inner.payload(value)
        return data


_FORWARDER = _seams.Forwarder()
_SEAMS: Optional[contextlib.ExitStack] = None


def prepare(workdir: Optional[str] = None) -> None:
    """Install the forwarding seams once, in the zygote: every instance inherits them and
    only plugs in its own RPC socket (installing them costs tens of ms per process)."""
    global _SEAMS, _PREWARM_DIR
    if workdir is not None and _PREWARM_DIR is None:
        _PREWARM_DIR = os.path.join(workdir, "prewarm")
        os.makedirs(_PREWARM_DIR, exist_ok=True)
        with open(os.path.join(_PREWARM_DIR, "fctrigger_prewarm.py"), "w") as fh:
            fh.write("def handler(event, context):\n    return None\n")
    if _SEAMS is None:
        _SEAMS = _seams.install(_FORWARDER)
    from ..invoke import Invoker

    # this module's frames sit between the runtime's and the handler's: drop them from
    # stackTrace as the runtime's own are dropped (only instances see this). Done once
    # here: walking sys.modules in every instance would copy-on-write every module's page.
    for name, module in list(sys.modules.items()):
        harness = getattr(module, "_HARNESS_FILES", None) if name.startswith(Invoker.__module__) else None
        if isinstance(harness, frozenset):
            vars(module)["_HARNESS_FILES"] = harness | {_FILE}


def _isolate(netns: bool) -> Optional[str]:
    """What does not depend on the function (done while the instance waits as a spare):
    own process group, death with the zygote, FC's signal dispositions, the namespaces.
    Returns why there is no network namespace (None: there is one)."""
    os.setpgid(0, 0)  # the test process kills the whole group: the handler's children too
    _sandbox.die_with_parent()
    for sig in (signal.SIGCHLD, signal.SIGINT, signal.SIGTERM):  # the zygote's dispositions are not FC's
        signal.signal(sig, signal.SIG_DFL)
    return _sandbox.enter_network_namespace() if netns else "unavailable on this machine"


def _prewarm() -> None:
    """Throwaway no-op invocations while the instance is a spare (a callable, and a handler
    string from a code dir, the zygote's): the pages the invocation path writes to
    (reference counts, caches) are copied from the zygote now, not in the test's first call."""
    from ..invoke import Invoker

    invoker = Invoker(rng=0)
    invoker.run(_noop, b"", catch=True)
    if _PREWARM_DIR is not None:
        invoker.run("fctrigger_prewarm.handler", b"", code_dir=_PREWARM_DIR, catch=True)


_PREWARM_DIR: Optional[str] = None


def _noop(event: Any, context: Any) -> None:
    return None


def _setup(config: Dict[str, Any], rpc: socket.socket) -> Dict[str, Any]:
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    log = os.open(config["log_path"], os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    os.dup2(log, 1)
    os.dup2(log, 2)
    os.close(log)
    # line-buffered and written through: a killed instance has logged everything up to its end
    streams = {
        "stdout": io.TextIOWrapper(
            io.FileIO(1, "w", closefd=False), encoding="utf-8", line_buffering=True, write_through=True
        ),
        "stderr": io.TextIOWrapper(
            io.FileIO(2, "w", closefd=False), encoding="utf-8", errors="backslashreplace", line_buffering=True
        ),
        "stdin": io.TextIOWrapper(io.FileIO(0, "r", closefd=False), encoding="utf-8"),
    }
    for name, stream in streams.items():  # the zygote's were /dev/null and a log of its own
        setattr(sys, name, stream)
        setattr(sys, f"__{name}__", stream)

    os.environ.clear()  # also clears the C-level environment (os.unsetenv per key)
    os.environ.update(config["env"])
    import tempfile

    tempfile.tempdir = None  # re-read TMPDIR
    sys.path[:] = list(config["sys_path"])
    os.chdir(config["code_dir"])

    from ..invoke import Invoker

    _FORWARDER.sock = rpc
    if _SEAMS is None:  # not prepared in a zygote (e.g. a platform without fork)
        prepare()
    invoker = Invoker(rng=config["seed"], runtime=config["runtime"], context_defaults=config["context_defaults"])
    _instance_wide()
    headroom = _sandbox.limit_memory(config["memory_mb"]) if config["memory_mb"] else None
    return {"invoker": invoker, "headroom_mb": headroom}


class _GuardWatch:
    """Between invocations: is the instance-long network guard still whole? Its patches are
    compared (cheap); the C environment children inherit is re-set only when something
    called ``os.putenv``/``os.unsetenv`` on one of its names (seen by the audit hook)."""

    touched = False
    names: Any = frozenset()
    guard: Any = None  # the guard module, once the instance entered its guard

    @classmethod
    def on_event(cls, event: str, args: Any) -> None:
        try:
            if args and args[0] in cls.names:
                cls.touched = True
        except TypeError:  # an unhashable name: os.putenv itself refuses it right after
            cls.touched = True

    @classmethod
    def reassert(cls) -> None:
        touched, cls.touched = cls.touched, False
        if cls.guard is not None:
            cls.guard.reassert(children=touched)


def _instance_wide() -> None:
    """What each invocation's scope would otherwise set up and take down again, done once
    for the instance (an instance is this process: nothing outside it needs it undone).

    * the network guard stays entered; each invocation's own guard nests in it for free,
      and ``_GuardWatch.reassert`` puts back, after every invocation, whatever the handler
      changed of it: the next invocation starts with the guard a fresh one would install;
    * the root logger's level is the runtime's (INFO): the scope sets it for the call and
      restores it after, and setting a level clears every logger's cache (thousands of
      loggers once the SDKs are imported), twice per call when the levels differ.
    """
    import logging

    from .. import _audit
    from ..cloud import guard
    from ..cloud._children import MANAGED_NAMES

    guard.NetworkGuard().__enter__()  # left only with the process
    _GuardWatch.names = MANAGED_NAMES
    _GuardWatch.guard = guard
    _audit.on(("os.putenv", "os.unsetenv"), _GuardWatch.on_event)
    logging.getLogger().setLevel(logging.INFO)


def _maybe_pickled(value: Any) -> Optional[bytes]:
    try:
        return pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:
        return None


def _user_traceback(exc: BaseException) -> str:
    """The handler's traceback without the harness frames in front of its own."""
    from ..invoke import _result

    is_harness = getattr(_result, "_is_harness_file", lambda filename: False)
    tb = exc.__traceback__
    while tb is not None and (is_harness(tb.tb_frame.f_code.co_filename) or _same(tb.tb_frame.f_code.co_filename)):
        tb = tb.tb_next
    return "".join(traceback.format_exception(type(exc), exc, tb))


def _same(filename: str) -> bool:
    return os.path.normcase(os.path.abspath(filename)).rsplit(".", 1)[0] == _FILE


def _invoke(state: Dict[str, Any], request: Dict[str, Any], ctl: socket.socket) -> Dict[str, Any]:
    invoker = state["invoker"]
    call = _PhaseCall(request["call"], ctl, notify=request["notify_phase"])
    result = invoker.run(
        request["target"],
        request["event"],
        request["context"],
        code_dir=request["code_dir"],
        timeout=request["timeout"],
        initializer=request["initializer"],
        catch=True,
        call=call,
    )
    sys.stdout.flush()
    sys.stderr.flush()
    error = result.error
    reply: Dict[str, Any] = {
        "payload": result.payload,
        "error": error,
        "duration_ms": result.duration_ms,
        "return_value": _maybe_pickled(result.return_value) if error is None else None,
        "user_error": None,
        "user_error_text": None,
        "oom": bool(error) and error.get("errorType") == "MemoryError",
        "log_size": call.log_size,
        # the runtime dropped its instance (sys.exit, its own timeout): FC starts a new one
        "discard": request["code_dir"] not in getattr(invoker, "_instances", {request["code_dir"]: None}),
    }
    raised = call.raised
    if error is not None and raised is not None and error.get("errorType") == type(raised).__name__:
        reply["user_error"] = _maybe_pickled(raised)
        reply["user_error_text"] = _user_traceback(raised)
    return reply


def main(ctl_fd: int, rpc_fd: int, netns: bool) -> int:
    ctl = socket.socket(fileno=ctl_fd)
    rpc = socket.socket(fileno=rpc_fd)
    why_not = _isolate(netns)
    try:
        _prewarm()
    except Exception:  # only an optimisation
        pass
    try:
        kind, config = _protocol.recv(ctl)  # a spare waits here until a test claims it
    except (EOFError, OSError):
        return 0
    if kind != "init":
        return 2
    started = time.perf_counter()
    try:
        state = _setup(config, rpc)
    except BaseException as exc:  # reported to the test process as the instance's start-up failure
        _protocol.send(ctl, ("failed", f"{type(exc).__name__}: {exc}"))
        return 1
    _protocol.send(
        ctl,
        (
            "ready",
            {
                "pid": os.getpid(),
                "netns": why_not is None,
                "netns_error": why_not or "",
                "setup_ms": (time.perf_counter() - started) * 1000.0,
                "headroom_mb": state["headroom_mb"],
            },
        ),
    )
    while True:
        try:
            kind, request = _protocol.recv(ctl)
        except (EOFError, OSError):
            return 0
        if kind != "invoke":
            return 0
        try:
            reply = _invoke(state, request, ctl)
        except MemoryError:
            reply = {"oom": True, "error": None, "fatal": "MemoryError"}
        except BaseException as exc:  # the harness itself failed: end the instance, say why
            reply = {"fatal": "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))}
        try:
            _protocol.send(ctl, ("done", reply))
        except MemoryError:
            _protocol.send(ctl, ("done", {"oom": True, "fatal": "MemoryError"}))
        # after the reply: the test process reads it meanwhile, and the next request waits
        # for this (a killed instance needs none of it)
        _GuardWatch.reassert()
