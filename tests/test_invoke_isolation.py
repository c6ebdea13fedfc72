"""In-process isolation: what a handler changes is undone, and what outlives its call is refused.

FC runs a handler in an instance (its own process), killed at its timeout (FC docs
"Function instance lifecycle", "Configure the timeout period"); these tests pin the
parts one process can give: each was a leak between tests before (issue "FC instances").
"""

from __future__ import annotations

import ctypes
import importlib
import logging
import os
import signal
import sys
import threading
import time
import urllib.request

import pytest

from pytest_fctrigger.invoke import FCTimeoutError, ImportModuleError, Invoker


# --------------------------------------------------------------------------- timeouts
def test_handler_that_disarms_the_timer_and_returns_late_is_a_timeout():
    def disarm(event, context):
        signal.setitimer(signal.ITIMER_REAL, 0)
        time.sleep(0.8)
        return "late"

    with pytest.raises(FCTimeoutError):
        Invoker(rng=1)(disarm, b"", timeout=0.5)
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


def test_handler_that_ignores_sigalrm_and_returns_late_is_a_timeout():
    def ignore(event, context):
        signal.signal(signal.SIGALRM, signal.SIG_IGN)
        time.sleep(0.8)
        return "late"

    before = signal.getsignal(signal.SIGALRM)
    with pytest.raises(FCTimeoutError):
        Invoker(rng=1)(ignore, b"", timeout=0.5)
    assert signal.getsignal(signal.SIGALRM) == before


def test_bare_except_in_an_endless_loop_cannot_swallow_the_timeout():
    def endless(event, context):
        until = time.monotonic() + 8  # bounded so that a regression fails instead of hanging
        while time.monotonic() < until:
            try:
                time.sleep(5)
            except:  # noqa: E722 - what the test is about
                pass
        return "escaped"

    started = time.monotonic()
    with pytest.raises(FCTimeoutError):
        Invoker(rng=1)(endless, b"", timeout=0.5)
    assert time.monotonic() - started < 2.0
    assert sys.gettrace() is None or "coverage" in type(sys.gettrace()).__module__


# --------------------------------------------------------------------------- state restored
def test_cwd_sys_path_and_root_logger_handlers_are_restored(tmp_path):
    before = (os.getcwd(), list(sys.path), list(logging.getLogger().handlers), logging.getLogger().level)

    def meddle(event, context):
        os.chdir(tmp_path)
        sys.path.insert(0, str(tmp_path))
        logging.getLogger().addHandler(logging.StreamHandler())
        logging.getLogger().setLevel(logging.DEBUG)

    Invoker(rng=1)(meddle, b"")
    assert (os.getcwd(), sys.path, logging.getLogger().handlers, logging.getLogger().level) == before


def test_cwd_change_does_not_break_the_next_handler_string(tmp_path, monkeypatch):
    # before: the second call resolved "index.handler" in the cwd the first handler left
    (tmp_path / "index.py").write_text("def handler(e, c):\n    return 'ok'\n")
    monkeypatch.chdir(tmp_path)
    Invoker(rng=1)(lambda e, c: os.chdir("/"), b"")
    assert Invoker(rng=1)("index.handler", b"").text == "ok"  # code dir: the cwd


def test_tz_and_tzset_are_undone():
    before = (time.tzname, time.timezone)

    def zone(event, context):
        os.environ["TZ"] = "Asia/Shanghai" if time.timezone != -8 * 3600 else "America/New_York"
        time.tzset()
        return time.timezone

    changed = Invoker(rng=1)(zone, b"").return_value
    assert changed != before[1]
    assert (time.tzname, time.timezone) == before


def _c_getenv(name: str):
    libc = ctypes.CDLL(None)
    libc.getenv.restype = ctypes.c_char_p
    return libc.getenv(name.encode())


def test_c_level_putenv_and_unsetenv_are_undone(monkeypatch):
    monkeypatch.setenv("FCTEST_KEPT", "yes")

    def c_level(event, context):
        os.putenv("FCTEST_PUT_BY_HANDLER", "1")
        os.unsetenv("FCTEST_KEPT")

    Invoker(rng=1)(c_level, b"")
    assert _c_getenv("FCTEST_PUT_BY_HANDLER") is None
    assert _c_getenv("FCTEST_KEPT") == b"yes"


def test_rebinding_os_environ_is_undone():
    real = os.environ

    def rebind(event, context):
        os.environ = {b"K": b"v"}  # noqa: B003 - what the test is about

    Invoker(rng=1)(rebind, b"")
    assert os.environ is real and "PATH" in os.environ


@pytest.mark.parametrize("handler", ["../outside.handler", "{abs}.handler"])
def test_handler_strings_resolve_inside_the_code_dir_only(tmp_path, handler):
    code = tmp_path / "code"
    code.mkdir()
    (tmp_path / "outside.py").write_text("def handler(e, c):\n    return 'escaped'\n")
    handler = handler.format(abs=str(tmp_path / "outside"))
    with pytest.raises(ImportModuleError, match="Unable to import module"):
        Invoker(rng=1)(handler, b"", code_dir=code)
    assert "outside" not in sys.modules and "../outside" not in sys.modules


PROXIES = {"HTTP_PROXY": "http://127.0.0.1:9", "https_proxy": "http://127.0.0.1:9", "All_Proxy": "socks5://h:1"}


def test_proxy_variables_are_hidden_in_every_casing(monkeypatch):
    for key, value in PROXIES.items():
        monkeypatch.setenv(key, value)

    def look(event, context):
        return {
            "env": sorted(k for k in os.environ if k.lower().endswith("_proxy")),
            "urllib": urllib.request.getproxies(),
        }

    assert Invoker(rng=1)(look, b"").return_value == {"env": [], "urllib": {}}
    assert all(os.environ[k] == v for k, v in PROXIES.items())


def test_urllib_opener_installed_by_a_handler_does_not_reach_later_calls():
    before = urllib.request._opener

    def install(event, context):
        assert urllib.request._opener is None  # not a cached one from an earlier call
        proxy = urllib.request.ProxyHandler({"http": "http://127.0.0.1:9"})
        urllib.request.install_opener(urllib.request.build_opener(proxy))

    Invoker(rng=1)(install, b"")
    assert urllib.request._opener is before


# --------------------------------------------------------------------------- code outliving its call
def test_a_thread_outliving_its_invocation_cannot_write_change_the_env_or_connect():
    from cloud_guard_helpers import local_http_server
    from cloud_oss_helpers import oss2_bucket

    from pytest_fctrigger._outliving import FCOutlivedWarning, OutlivedInvocationError
    from pytest_fctrigger.cloud import Cloud

    go, done, outcome = threading.Event(), threading.Event(), {}

    def attempt(name, action):
        try:
            action()
            outcome[name] = "done"
        except OutlivedInvocationError:
            outcome[name] = "refused"
        except Exception as exc:  # e.g. the SDK wrapping the refusal
            outcome[name] = "refused" if "refused" in str(exc) and "invocation" in str(exc) else repr(exc)

    def handler(event, context):
        def late():
            go.wait(10)
            attempt("write", lambda: oss2_bucket("late-bucket").put_object("t1-late.txt", b"late"))
            attempt("env", lambda: os.environ.__setitem__("FCTEST_LATE", "1"))
            host, port = url[len("http://") :].split(":")
            # raw _socket (beneath every Python-level patch); the listener stands in for the outside
            attempt("net", lambda: _socket.socket().connect((host, int(port))))
            done.set()

        threading.Thread(target=late, name="late-writer", daemon=True).start()
        return "returned"

    import _socket

    with local_http_server() as url:
        first = Cloud(rng=1)
        with first.activate():
            first.oss.bucket("late-bucket")
            with pytest.warns(FCOutlivedWarning, match="late-writer"):
                Invoker(cloud=first)(handler, b"")
        second = Cloud(rng=2)  # the next test's cloud
        with second.activate():
            second.oss.bucket("late-bucket")
            go.set()
            assert done.wait(10)
    assert outcome == {"write": "refused", "env": "refused", "net": "refused"}, outcome
    assert "FCTEST_LATE" not in os.environ
    assert list(second.journal) == []  # never applied to the next test's cloud


def test_the_timeout_never_lands_in_the_import_machinery_clean_up():
    # Raised inside importlib's own `except` that takes a failed module out of sys.modules,
    # the re-raise left half-executed modules behind; later calls imported them broken
    # (seen: a timeout during `import tablestore`, then AttributeError on every call).
    from pytest_fctrigger.invoke._deadline import _never_interrupted

    assert _never_interrupted("<frozen importlib._bootstrap>")
    assert _never_interrupted("<frozen importlib._bootstrap_external>")
    assert _never_interrupted(os.path.join(os.path.dirname(importlib.__file__), "util.py"))
    assert not _never_interrupted(__file__)  # user code is interrupted


def test_a_load_error_after_a_timeout_during_import_says_why(tmp_path, monkeypatch):
    # A package whose import is interrupted cannot be unloaded in-process: its finished
    # submodules stay, and re-executing the package fails (`from .sub import *` no longer
    # binds `sub`). The next load error must say so and name the way out.
    from pytest_fctrigger.invoke import _invoker

    monkeypatch.setattr(_invoker, "_INTERRUPTED_IMPORTS", [])
    lib, code = tmp_path / "lib", tmp_path / "code"  # an installed package, outside the code dir
    package = lib / "fctslowpkg"
    package.mkdir(parents=True)
    code.mkdir()
    (package / "sub.py").write_text("VALUE = 1\n")
    flag = tmp_path / "slept"
    (package / "__init__.py").write_text(
        "import os, time\n"
        "from .sub import *\n"
        f"if not os.path.exists({str(flag)!r}):\n"
        f"    open({str(flag)!r}, 'w').close()\n"
        "    time.sleep(5)\n"
        "VALUE = sub.VALUE\n"
    )
    (code / "index.py").write_text("import fctslowpkg\n\ndef handler(event, context):\n    return 'ok'\n")
    monkeypatch.syspath_prepend(str(lib))
    try:
        invoker = Invoker()
        with pytest.raises(FCTimeoutError):
            invoker.run("index.handler", b"{}", code_dir=str(code), timeout=0.3)
        with pytest.raises(Exception, match=r"timed out while its modules were importing.*--fc-isolate=process"):
            invoker.run("index.handler", b"{}", code_dir=str(code), timeout=30)
    finally:
        for name in [n for n in sys.modules if n == "fctslowpkg" or n.startswith("fctslowpkg.")]:
            del sys.modules[name]
