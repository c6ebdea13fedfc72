"""Handler strings resolved like the runtime, load errors typed like the runtime, no leaks.

The rules and messages are the runtime's (reference/fc-runtime-and-config.md 1.1:
``handler.rsplit('.', 1)``, dotted and '/' module paths, ImportModuleError,
UserCodeSyntaxError, InvalidHandleName, UserCodeError, HandlerNotFound).
"""

import json
import sys
import textwrap

import pytest

from pytest_fctrigger.invoke import (
    HandlerNotFound,
    ImportModuleError,
    InvalidHandleName,
    Invoker,
    UserCodeError,
    UserCodeSyntaxError,
)
from pytest_fctrigger.triggers.model import FunctionSpec


def write(root, rel, code):
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(code))
    return path


@pytest.fixture
def code(tmp_path):
    write(
        tmp_path,
        "index.py",
        """
        import helper
        CALLS = []

        def handler(event, context):
            CALLS.append(event)
            return {"calls": len(CALLS), "helper": helper.NAME, "event": event.decode()}
    """,
    )
    write(tmp_path, "helper.py", "NAME = 'helper-from-code-dir'\n")
    return tmp_path


def test_handler_string_in_code_dir(code):
    result = Invoker(rng=1)("index.handler", b"hi", code_dir=code)
    assert result.json() == {"calls": 1, "helper": "helper-from-code-dir", "event": "hi"}


def test_one_invoker_is_one_instance(code):
    invoker = Invoker(rng=1)
    invoker("index.handler", b"a", code_dir=code)
    assert invoker("index.handler", b"b", code_dir=code).json()["calls"] == 2
    # a new invoker (a new test) gets a fresh module
    assert Invoker(rng=1)("index.handler", b"c", code_dir=code).json()["calls"] == 1


def test_modules_and_sys_path_do_not_leak(code):
    path_before = list(sys.path)
    Invoker(rng=1)("index.handler", b"", code_dir=code)
    assert "index" not in sys.modules and "helper" not in sys.modules
    assert sys.path == path_before


def test_same_module_name_in_two_code_dirs(tmp_path):
    for name in ("one", "two"):
        write(tmp_path / name, "index.py", f"def handler(event, context):\n    return {name!r}\n")
    assert Invoker(rng=1)("index.handler", b"", code_dir=tmp_path / "one").text == "one"
    assert Invoker(rng=1)("index.handler", b"", code_dir=tmp_path / "two").text == "two"


def test_a_module_of_the_same_name_elsewhere_is_shadowed_and_restored(tmp_path, monkeypatch):
    import types

    foreign = types.ModuleType("helper")
    foreign.NAME = "foreign"
    monkeypatch.setitem(sys.modules, "helper", foreign)
    write(tmp_path, "index.py", "import helper\ndef handler(e, c):\n    return helper.NAME\n")
    write(tmp_path, "helper.py", "NAME = 'mine'\n")
    assert Invoker(rng=1)("index.handler", b"", code_dir=tmp_path).text == "mine"
    assert sys.modules["helper"] is foreign


def test_dotted_module_path(tmp_path):
    write(tmp_path, "test/__init__.py", "")
    write(tmp_path, "test/test_code/__init__.py", "")
    write(tmp_path, "test/test_code/main.py", "def func(e, c):\n    return __name__\n")
    # the module is loaded under its dotted name, from test/test_code/main.py
    assert Invoker(rng=1)("test.test_code.main.func", b"", code_dir=tmp_path).text == "test.test_code.main"


def test_slash_module_path(tmp_path):
    write(tmp_path, "src/app.py", "def handler(e, c):\n    return __file__\n")
    result = Invoker(rng=1)("src/app.handler", b"", code_dir=tmp_path)
    assert result.text == str(tmp_path / "src" / "app.py")


def test_missing_module(tmp_path):
    with pytest.raises(ImportModuleError) as info:
        Invoker(rng=1)("nothere.handler", b"", code_dir=tmp_path)
    err = info.value
    assert err.error["errorType"] == "ImportModuleError"
    assert err.error["errorMessage"] == "Unable to import module 'nothere'"
    assert err.error["stackTrace"] == ["ImportError: No module named 'nothere'"]  # as imp.find_module says
    assert str(tmp_path) in str(err)  # the message says where it looked
    assert err.result.logs.rstrip().endswith("Error: Unhandled function error")


def test_import_error_inside_the_module(tmp_path):
    write(tmp_path, "index.py", "import not_installed_anywhere\ndef handler(e, c): pass\n")
    result = Invoker(rng=1)("index.handler", b"", code_dir=tmp_path, catch=True)
    assert result.error["errorMessage"] == "Unable to import module 'index'"
    assert result.error["stackTrace"] == ["ModuleNotFoundError: No module named 'not_installed_anywhere'"]


def test_syntax_error(tmp_path):
    write(tmp_path, "index.py", "def handler(e, c)\n    return 1\n")
    with pytest.raises(UserCodeSyntaxError) as info:
        Invoker(rng=1)("index.handler", b"", code_dir=tmp_path)
    err = info.value.error
    assert err["errorMessage"] == "Syntax error in module 'index'"
    assert err["stackTrace"][0] == f'File "{tmp_path / "index.py"}"'
    assert err["stackTrace"][1] == "line 1"


def test_invalid_handler_name(tmp_path):
    with pytest.raises(InvalidHandleName) as info:
        Invoker(rng=1)("index", b"", code_dir=tmp_path)
    assert info.value.error["errorMessage"] == "Invalid handler 'index'"


def test_value_error_while_loading_is_an_invalid_handler_like_in_the_runtime(tmp_path):
    write(tmp_path, "index.py", "int('x')\n")
    with pytest.raises(InvalidHandleName, match="Invalid handler 'index'"):
        Invoker(rng=1)("index.handler", b"", code_dir=tmp_path)


def test_module_initialization_error(tmp_path):
    write(tmp_path, "index.py", "raise RuntimeError('no config')\n")
    with pytest.raises(UserCodeError) as info:
        Invoker(rng=1)("index.handler", b"", code_dir=tmp_path)
    assert info.value.error["errorMessage"] == "Module initialization error: 'no config'"
    assert "index" not in sys.modules


def test_handler_not_found(tmp_path):
    write(tmp_path, "index.py", "def main(e, c): pass\n")
    with pytest.raises(HandlerNotFound) as info:
        Invoker(rng=1)("index.handler", b"", code_dir=tmp_path)
    assert info.value.error["errorMessage"] == "Handler 'handler' is missing on module 'index'"


def test_initializer_runs_once_per_invoker(tmp_path):
    write(
        tmp_path,
        "index.py",
        """
        STATE = {"inits": 0}

        def init(context):
            STATE["inits"] += 1

        def handler(event, context):
            return STATE
    """,
    )
    invoker = Invoker(rng=1)
    first = invoker("index.handler", b"", code_dir=tmp_path, initializer="index.init")
    second = invoker("index.handler", b"", code_dir=tmp_path, initializer="index.init")
    assert first.json() == second.json() == {"inits": 1}
    init_lines = [line for line in first.logs.splitlines() if "Initialize" in line]
    assert init_lines[0].startswith("FC Initialize Start RequestId: 1-")
    assert init_lines[1].startswith("FC Initialize End RequestId: 1-")
    assert "Initialize" not in second.logs
    assert first.logs.index("FC Initialize End") < first.logs.index("FC Invoke Start")


def test_failing_initializer_is_retried_on_the_next_call():
    calls = []

    def init(context):
        calls.append(1)
        if len(calls) == 1:
            raise ConnectionError("db down")

    invoker = Invoker(rng=1)
    result = invoker(lambda e, c: "ok", b"", initializer=init, catch=True)
    assert result.error["errorType"] == "ConnectionError"
    assert "FC Invoke Start" not in result.logs  # the handler did not run
    assert invoker(lambda e, c: "ok", b"", initializer=init).text == "ok"
    assert len(calls) == 2


def test_function_spec_target(tmp_path):
    write(
        tmp_path,
        "main.py",
        """
        import os

        def init(context):
            os.environ["INIT_SEEN"] = "yes"

        def handler(event, context):
            return {"name": context.function.name, "memory": context.function.memory,
                    "timeout": context.function.timeout, "env": os.environ["BUCKET"],
                    "init": os.environ.get("INIT_SEEN"), "service": context.service.name}
    """,
    )
    spec = FunctionSpec(
        name="resize",
        handler="main.handler",
        code_dir=tmp_path,
        timeout=20,
        memory=1024,
        environment={"BUCKET": "images"},
        initializer="main.init",
        service="media",
    )
    data = Invoker(rng=1)(spec, b"").json()
    assert data == {"name": "resize", "memory": 1024, "timeout": 20, "env": "images", "init": "yes", "service": "media"}


def test_function_spec_without_code_dir_or_python():
    from pytest_fctrigger.errors import ConfigError

    with pytest.raises(ConfigError, match="no code dir"):
        Invoker(rng=1)(FunctionSpec(name="f"), b"")
    with pytest.raises(ConfigError, match="nodejs18"):
        Invoker(rng=1)(FunctionSpec(name="f", runtime="nodejs18", code_dir="."), b"")


@pytest.mark.parametrize(
    "event, expected",
    [
        (b"\x00raw", b"\x00raw"),
        ("text é", "text é".encode()),
        ({"a": 1}, b'{"a": 1}'),
        (None, b""),
    ],
)
def test_event_is_delivered_as_bytes(event, expected):
    seen = []
    Invoker(rng=1)(lambda e, c: seen.append(e), event)
    assert seen == [expected] and type(seen[0]) is bytes


def test_fc_event_arrives_as_plain_bytes():
    from pytest_fctrigger.events._base import FCEvent

    event = FCEvent.from_json({"k": "v"}, "timer")
    seen = []
    result = Invoker(rng=1)(lambda e, c: seen.append(e), event)
    assert type(seen[0]) is bytes and seen[0] == bytes(event)
    assert result.event is event
    assert json.loads(seen[0]) == {"k": "v"}
