"""Handler exceptions: unchanged without catch, FC's error payload with catch=True."""

import json
import sys

import pytest

from pytest_fctrigger.invoke import FCInvokeError, Invoker


class PaymentDeclined(Exception):
    pass


def failing(event, context):
    amount = json.loads(event)["amount"]
    raise PaymentDeclined(f"card declined for {amount}")


def test_exception_propagates_unchanged():
    with pytest.raises(PaymentDeclined) as info:
        Invoker(rng=1)(failing, b'{"amount": 3}')
    assert str(info.value) == "card declined for 3"
    # the traceback still reaches the handler's own line
    assert any(frame.name == "failing" for frame in info.traceback)


def test_catch_gives_the_runtime_error_payload():
    result = Invoker(rng=1)(failing, b'{"amount": 3}', catch=True)
    err = result.error
    assert sorted(err) == ["errorMessage", "errorType", "stackTrace"]
    assert err["errorMessage"] == "card declined for 3"
    assert err["errorType"] == "PaymentDeclined"
    # one entry per user frame: ['File "<path>"', 'line <n>', 'in <func>', '<source>']; harness frames removed
    assert len(err["stackTrace"]) == 1
    file_part, line_part, func_part, source = err["stackTrace"][0]
    assert file_part == f'File "{__file__}"'
    assert line_part.startswith("line ") and func_part == "in failing"
    assert source == 'raise PaymentDeclined(f"card declined for {amount}")'
    assert json.loads(result.payload) == err
    assert result.payload.startswith(b'{\n    "errorMessage"')  # to_json: indent 4, sorted keys
    assert not result.ok


def test_nested_frames_are_listed_in_order():
    def inner():
        raise KeyError("missing")

    def handler(event, context):
        inner()

    trace = Invoker(rng=1)(handler, b"", catch=True).error["stackTrace"]
    assert [entry[2] for entry in trace] == ["in handler", "in inner"]
    assert Invoker(rng=1)(handler, b"", catch=True).error["errorMessage"] == "'missing'"


def test_error_is_logged_between_the_markers():
    result = Invoker(rng=1)(failing, b'{"amount": 3}', catch=True)
    lines = result.logs.splitlines()
    assert lines[0] == f"FC Invoke Start RequestId: {result.request_id}"
    assert lines[-1] == f"FC Invoke End RequestId: {result.request_id}, Error: Unhandled function error"
    assert "[ERROR]" in result.logs and '"errorType": "PaymentDeclined"' in result.logs


def test_sys_exit_is_a_process_exit():
    def quitter(event, context):
        sys.exit(3)

    with pytest.raises(FCInvokeError, match="Process exited unexpectedly before completing request") as info:
        Invoker(rng=1)(quitter, b"")
    assert isinstance(info.value.__cause__, SystemExit)
    result = Invoker(rng=1)(quitter, b"", catch=True)
    assert result.error["errorMessage"].startswith("Process exited unexpectedly before completing request (duration: ")
    assert "maxMemoryUsage: " in result.error["errorMessage"]
    assert result.payload == json.dumps(result.error, separators=(",", ":")).encode()


def test_keyboard_interrupt_is_never_swallowed():
    def interrupted(event, context):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        Invoker(rng=1)(interrupted, b"", catch=True)


def test_bad_target_and_event_are_config_errors():
    from pytest_fctrigger.errors import ConfigError

    with pytest.raises(ConfigError, match="callable, a handler string"):
        Invoker(rng=1)(42, b"")
    with pytest.raises(ConfigError, match="event must be bytes"):
        Invoker(rng=1)(lambda e, c: None, 3.5)
    with pytest.raises(ConfigError, match="initializer must be a callable taking the context or a handler string"):
        Invoker(rng=1)(lambda e, c: None, b"", initializer=5)
    with pytest.raises(ConfigError, match="invoke timeout must be > 0 seconds"):
        Invoker(rng=1)(lambda e, c: None, b"", timeout=-1)
