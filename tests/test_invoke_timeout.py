"""Timeouts: a handler running past its timeout ends as FC's timeout error, promptly.

FC's message: ``Function timed out after N seconds (maxMemoryUsage: X.XXMB)``
(seen in FC invocation responses, e.g. dyc87112/OpenAIProxy issue #3).
"""

import json
import re
import signal
import threading
import time

import pytest

from pytest_fctrigger.invoke import FCTimeoutError, Invoker

MESSAGE = re.compile(r"^Function timed out after 1 seconds \(maxMemoryUsage: \d+\.\d\dMB\)$")


def sleeper(event, context):
    time.sleep(30)


def test_sleeping_handler_times_out_within_timeout_plus_one_second():
    started = time.monotonic()
    with pytest.raises(FCTimeoutError) as info:
        Invoker(rng=1)(sleeper, b"", timeout=1)
    elapsed = time.monotonic() - started
    assert 1.0 <= elapsed < 2.0
    assert MESSAGE.match(info.value.error["errorMessage"])
    result = info.value.result
    assert result.logs.splitlines()[-1] == (
        f"FC Invoke End RequestId: {result.request_id}, Error: {info.value.error['errorMessage']}"
    )


def test_timeout_with_catch_is_the_platform_payload():
    result = Invoker(rng=1)(sleeper, b"", timeout=1, catch=True)
    assert list(result.error) == ["errorMessage"] and MESSAGE.match(result.error["errorMessage"])
    assert json.loads(result.payload) == result.error
    assert 1000 <= result.duration_ms < 2000


def test_handler_catching_exception_cannot_swallow_the_timeout():
    def stubborn(event, context):
        for _ in range(30):
            try:
                time.sleep(1)
            except Exception:
                pass

    started = time.monotonic()
    with pytest.raises(FCTimeoutError):
        Invoker(rng=1)(stubborn, b"", timeout=1)
    assert time.monotonic() - started < 2.0


def test_bare_except_is_interrupted_again():
    def very_stubborn(event, context):
        for _ in range(3):
            try:
                time.sleep(30)
            except BaseException:
                continue
        return "escaped"

    started = time.monotonic()
    with pytest.raises(FCTimeoutError):
        Invoker(rng=1)(very_stubborn, b"", timeout=1)
    assert time.monotonic() - started < 2.0


def test_busy_loop_times_out():
    def spin(event, context):
        while True:
            pass

    with pytest.raises(FCTimeoutError):
        Invoker(rng=1)(spin, b"", timeout=0.5)


def test_timeout_comes_from_the_context_default_and_is_shown_in_it():
    seen = []
    Invoker(rng=1, timeout=7)(lambda e, c: seen.append(c.function.timeout), b"")
    Invoker(rng=1)(lambda e, c: seen.append(c.function.timeout), b"")
    assert seen == [7, 3]


def test_fast_handler_leaves_no_alarm_behind():
    Invoker(rng=1)(lambda e, c: "quick", b"", timeout=1)
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    assert signal.getsignal(signal.SIGALRM) in (signal.SIG_DFL, signal.default_int_handler, None)


def test_an_outer_alarm_keeps_running():
    fired = []
    previous = signal.signal(signal.SIGALRM, lambda *a: fired.append(True))
    try:
        signal.setitimer(signal.ITIMER_REAL, 0.6)
        Invoker(rng=1)(lambda e, c: "quick", b"", timeout=5)
        time.sleep(1.0)
        assert fired == [True]
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def test_timeout_outside_the_main_thread():
    box = {}

    def run():
        started = time.monotonic()
        try:
            Invoker(rng=1)(sleeper, b"", timeout=1)
        except FCTimeoutError as exc:
            box["error"] = exc
        box["elapsed"] = time.monotonic() - started

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(10)
    assert isinstance(box.get("error"), FCTimeoutError)
    assert box["elapsed"] < 2.0


def test_instance_is_recycled_after_a_timeout():
    inits = []
    invoker = Invoker(rng=1)
    invoker(sleeper, b"", timeout=0.3, initializer=inits.append, catch=True)
    invoker(lambda e, c: "ok", b"", initializer=inits.append)
    assert len(inits) == 2


def test_a_worker_left_asleep_does_not_delay_a_later_main_thread_timeout():
    # A timed-out call outside the main thread leaves its worker asleep in C. An async
    # exception pending for it kept CPython's eval breaker set, and the next main-thread
    # call's 1 s timeout fired only when that sleep ended (29 s).
    def run():
        with pytest.raises(FCTimeoutError):
            Invoker(rng=1)(sleeper, b"", timeout=0.5)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(10)
    started = time.monotonic()
    with pytest.raises(FCTimeoutError):
        Invoker(rng=1)(sleeper, b"", timeout=1)
    assert time.monotonic() - started < 2.0


def test_a_busy_worker_outside_the_main_thread_is_stopped_after_its_timeout():
    stopped = threading.Event()

    def spin(event, context):
        try:
            while True:
                pass
        finally:
            stopped.set()

    box = {}

    def run():
        try:
            Invoker(rng=1)(spin, b"", timeout=0.3)
        except FCTimeoutError as exc:
            box["error"] = exc

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(10)
    assert isinstance(box.get("error"), FCTimeoutError)
    assert stopped.wait(2.0)  # the abandoned worker does not spin on for the rest of the session


def test_the_interrupt_never_lands_in_a_garbage_collector_callback():
    # Hypothesis (and others) register gc callbacks; the collector runs them wherever it
    # collects, and an exception there is only printed ("Exception ignored in ...") while
    # the handler runs on: seen once in CI as a PytestUnraisableExceptionWarning
    import gc
    import sys

    ran = []

    def busy_callback(phase, info):
        for _ in range(50):  # most lines run while the deadline passes are in here
            ran.append(phase)
        ran.clear()

    def collecting(event, context):
        while True:
            gc.collect(0)

    unraisable = []
    hook = sys.unraisablehook
    sys.unraisablehook = unraisable.append
    gc.callbacks.append(busy_callback)
    try:
        for _ in range(3):
            with pytest.raises(FCTimeoutError):
                Invoker(rng=1)(collecting, b"", timeout=0.3)
    finally:
        gc.callbacks.remove(busy_callback)
        sys.unraisablehook = hook
    assert [u.exc_type.__name__ for u in unraisable] == []
    assert gc.callbacks.count(busy_callback) == 0 and not any(
        getattr(c, "__module__", "").startswith("pytest_fctrigger") for c in gc.callbacks
    )  # the collection mark is gone with the call
