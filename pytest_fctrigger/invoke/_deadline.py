"""Enforcing the function's timeout on a handler call."""

from __future__ import annotations

import signal
import threading
import time
from typing import Any, Callable, Dict

from ._errors import _Expired


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


def _format_seconds(seconds: float) -> str:
    return str(int(seconds)) if float(seconds).is_integer() else f"{seconds:g}"
