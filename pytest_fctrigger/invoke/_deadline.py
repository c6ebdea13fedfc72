"""Enforcing the function's timeout on a handler call.

FC kills an instance at its timeout; in one process the harness can only interrupt.
Three layers make "ran past its timeout" always end as FC's timeout error:

* ``SIGALRM`` (main thread) interrupts the handler, even in ``time.sleep``, and repeats
  every 0.2 s while the handler keeps running;
* once the time is up, a trace function raises the interrupt again at the next line
  of user code, so a bare ``except:`` in a loop cannot swallow it (the re-raise lands
  in the ``except`` body, outside the ``try``);
* whatever the handler did to the timer (``signal.signal(SIGALRM, SIG_IGN)``,
  ``setitimer(ITIMER_REAL, 0)``), a call that *returns* after its timeout is still a
  timeout: the elapsed time is checked on the way out.

What no in-process layer can stop: C code that holds the GIL (``sum(range(10**10))``)
runs to its end before any Python-level interrupt is delivered; it is then reported
as a timeout, but only process isolation (``--fc-isolate=process``) kills it on time.
"""

from __future__ import annotations

import _weakrefset
import functools
import gc
import importlib
import os
import signal
import sys
import threading
import time
import weakref
from typing import Any, Callable, Dict, List, Optional

from ._errors import _Expired

# the C function behind signal.signal (the signal module imported it): the same call
# without converting the handlers to and from enums, twice per invocation
_raw_signal: Callable[..., Any] = sys.modules["_signal"].signal

_PKG_DIR = os.path.dirname(os.path.abspath(__file__))


def _can_use_alarm() -> bool:
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


def _is_harness_code(filename: str) -> bool:
    return os.path.dirname(os.path.abspath(filename)) == _PKG_DIR


@functools.lru_cache(maxsize=4096)
def _never_interrupted(filename: str) -> bool:
    """Code the re-raise must not land in: the harness, and Python's import machinery.

    Raised at a line of importlib's own clean-up (the ``except`` that takes a failed
    module out of ``sys.modules``), the interrupt would leave a half-executed module
    behind, and every later call of the function would import that broken module
    (seen: a timeout during ``import tablestore`` made every next call fail with
    ``AttributeError`` from its protobuf modules). A killed FC instance takes its
    modules with it; here the import machinery must be left to finish its clean-up.

    Nor the weak-reference callbacks of the standard library (``WeakSet``,
    ``WeakValueDictionary``): the garbage collector runs them wherever it happens to
    collect, not as part of the handler's code, and an exception there is only printed
    ("Exception ignored in ...") while the handler runs on.
    """
    return (
        filename.startswith(("<frozen importlib", _IMPORTLIB_DIR))
        or filename in _WEAKREF_FILES
        or _is_harness_code(filename)
    )


_IMPORTLIB_DIR = os.path.join(os.path.dirname(os.path.abspath(importlib.__file__)), "")
_WEAKREF_FILES = frozenset(
    path for module in (weakref, _weakrefset) for path in (module.__file__, os.path.abspath(module.__file__ or ""))
)


# True while the garbage collector runs (its callbacks, weak-reference callbacks and
# __del__ methods run then): an exception raised in that code is only printed ("Exception
# ignored in ...") while the handler runs on, so the interrupt waits for the collection's end
_COLLECTING = [False]


def _collection_started(phase: str, info: Any) -> None:
    if phase == "start":
        _COLLECTING[0] = True


def _collection_stopped(phase: str, info: Any) -> None:
    if phase == "stop":
        _COLLECTING[0] = False


def _watch_collections() -> Callable[[], None]:
    """Mark collections while a deadline runs: first and last of ``gc.callbacks``, so every
    other callback (Hypothesis registers one) runs inside the mark; returns the undo."""
    callbacks = gc.callbacks
    callbacks.insert(0, _collection_started)
    callbacks.append(_collection_stopped)

    def undo() -> None:
        for callback in (_collection_started, _collection_stopped):
            try:
                callbacks.remove(callback)
            except ValueError:  # removed by someone else meanwhile
                pass
        _COLLECTING[0] = False

    return undo


class _Reraiser:
    """After expiry: a trace function raising ``_Expired`` at each line of user code."""

    def __init__(self) -> None:
        self.on = False
        self.previous: Any = None
        self.frames: List[Any] = []

    def local(self, frame: Any, event: str, arg: Any) -> Any:
        if self.on and event == "line" and not _COLLECTING[0] and not _never_interrupted(frame.f_code.co_filename):
            raise _Expired()
        return self.local

    def global_(self, frame: Any, event: str, arg: Any) -> Any:
        return self.local if self.on else None

    def start(self, frame: Optional[Any]) -> None:
        # CPython drops the trace function after it raised once: re-armed at every alarm.
        frames = []
        while frame is not None and not _is_harness_code(frame.f_code.co_filename):
            frames.append(frame)
            frame = frame.f_back
        if not self.on:
            self.previous = sys.gettrace()  # a debugger's or coverage's tracer: put back after
        self.on = True
        # nothing below calls Python code: a traced callee of the harness must not raise
        sys.settrace(self.global_)
        for frame in frames:  # the frames already running (the handler's loop)
            frame.f_trace = self.local
            frame.f_trace_lines = True
        self.frames = frames

    def stop(self) -> None:
        if not self.on:
            return
        self.on = False
        for frame in self.frames:
            frame.f_trace = None
        self.frames.clear()
        sys.settrace(self.previous)
        self.previous = None


def _run_with_deadline(fn: Callable[[], Any], seconds: float) -> Any:
    """Run ``fn``; raise ``_Expired`` if it is still running (or returns) after ``seconds``."""
    __tracebackhide__ = True
    started = time.monotonic()
    if _can_use_alarm():
        armed = [True]
        fired = [False]
        reraiser = _Reraiser()

        def on_alarm(signum: int, frame: Any) -> None:
            if armed[0]:
                fired[0] = True
                reraiser.start(frame)
                if not _COLLECTING[0]:  # else the re-raise comes at the collection's end
                    raise _Expired()

        unwatch = _watch_collections()
        previous_handler = _raw_signal(signal.SIGALRM, on_alarm)
        # repeat every 0.2 s: a handler that swallows the first _Expired (bare except)
        # is interrupted again
        previous_delay, previous_interval = signal.setitimer(signal.ITIMER_REAL, seconds, 0.2)
        try:
            try:
                value = fn()
            except Exception:
                if fired[0] or time.monotonic() - started > seconds:
                    raise _Expired() from None  # whatever it raised after its time was up, FC had stopped it
                raise
            if fired[0] or time.monotonic() - started > seconds:
                raise _Expired()  # it swallowed the interrupt or disarmed the timer: FC had stopped it
            return value
        finally:
            armed[0] = False
            reraiser.stop()
            unwatch()
            signal.setitimer(signal.ITIMER_REAL, 0)
            _raw_signal(signal.SIGALRM, previous_handler)
            if previous_delay > 0:  # an outer timer (nested invoke, pytest-timeout) keeps running
                left = previous_delay - (time.monotonic() - started)
                signal.setitimer(signal.ITIMER_REAL, max(left, 0.001), previous_interval)

    box: Dict[str, Any] = {}
    stopper = _Reraiser()

    def worker() -> None:
        if hasattr(signal, "pthread_sigmask"):
            # Python runs signal handlers in the main thread only: the kernel must never pick
            # this thread (maybe abandoned, asleep) for a later call's SIGALRM
            signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
        traced = sys.gettrace() is None  # a debugger's or coverage's tracer stays in charge
        if traced:
            sys.settrace(stopper.global_)  # a call hook returning None until the deadline
        try:
            box["value"] = fn()
        except BaseException as exc:  # handed to the caller below
            box["error"] = exc
        finally:
            if traced:
                sys.settrace(None)

    thread = threading.Thread(target=worker, name="fc-invoke", daemon=True)
    thread.start()
    thread.join(seconds)
    if thread.is_alive():
        _raise_in_thread(thread, stopper)
        raise _Expired()
    if time.monotonic() - started > seconds:
        raise _Expired()
    if "error" in box:
        raise box["error"]
    return box.get("value")


def _raise_in_thread(thread: threading.Thread, stopper: _Reraiser) -> None:
    """Stop an abandoned worker at its next line of user code (its re-raise trace, armed).

    Not ``PyThreadState_SetAsyncExc``: an asynchronous exception pending for a thread
    that sleeps in C keeps CPython 3.11's eval breaker set for every thread, and the main
    thread then spins at the entry of its SIGALRM handler until that sleep ends (seen: a
    later call's 1 s timeout took 29 s). A sleeping worker is left to wake; it is then
    stopped at its next line, and until then refused writes like any outliving thread.
    """
    frame = sys._current_frames().get(thread.ident) if thread.ident is not None else None
    frames = []
    while frame is not None and not _is_harness_code(frame.f_code.co_filename):
        frames.append(frame)
        frame = frame.f_back
    stopper.on = True  # new frames of the thread get the raising trace too (global_)
    for user_frame in frames:
        user_frame.f_trace = stopper.local
        user_frame.f_trace_lines = True


def _format_seconds(seconds: float) -> str:
    return str(int(seconds)) if float(seconds).is_integer() else f"{seconds:g}"
