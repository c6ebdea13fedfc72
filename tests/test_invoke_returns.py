"""Return-value serialisation (reference/fc-runtime-and-config.md 1.1 "Return value rules")."""

import datetime as dt
import decimal
import json

import pytest

from pytest_fctrigger.invoke import FCInvokeError, Invoker, invoke, to_json


def returning(value):
    def handler(event, context):
        return value

    return handler


@pytest.fixture
def run():
    invoker = Invoker(rng=1)
    return lambda value, **kw: invoker(returning(value), b"{}", **kw)


def test_str_is_returned_utf8_encoded_as_is(run):
    assert run("héllo {not json").payload == "héllo {not json".encode()


def test_bytes_are_returned_as_is(run):
    raw = bytes(range(256))
    assert run(raw).payload == raw


def test_dict_goes_through_json_dumps_indent_4_sort_keys(run):
    result = run({"b": 1, "a": [1, 2]})
    assert result.payload == b'{\n    "a": [\n        1,\n        2\n    ],\n    "b": 1\n}'
    assert result.json() == {"a": [1, 2], "b": 1}
    assert result.return_value == {"b": 1, "a": [1, 2]}


def test_decimal_becomes_float(run):
    assert run({"price": decimal.Decimal("12.50")}).json() == {"price": 12.5}


def test_datetime_and_date_become_isoformat(run):
    when = dt.datetime(2024, 5, 6, 7, 8, 9, 123000, tzinfo=dt.timezone.utc)
    data = run({"at": when, "day": dt.date(2024, 5, 6)}).json()
    assert data == {"at": "2024-05-06T07:08:09.123000+00:00", "day": "2024-05-06"}


def test_object_with_to_json_is_serialised_by_it(run):
    class Point:
        def to_json(self):
            return {"x": 1}

    assert run([Point()]).json() == [{"x": 1}]


def test_none_is_null(run):
    assert run(None).payload == b"null"


def test_numbers_and_bools(run):
    assert run(3).payload == b"3"
    assert run(True).payload == b"true"


def test_unserialisable_value_is_an_invocation_error(run):
    with pytest.raises(FCInvokeError) as info:
        run({"s": {1, 2}})
    err = info.value
    assert err.error["errorType"] == "TypeError"
    assert err.error["errorMessage"] == "{1, 2} is not JSON serializable"
    assert isinstance(err.__cause__, TypeError)
    assert err.result.logs.rstrip().endswith(", Error: Unhandled function error")


def test_unserialisable_value_with_catch(run):
    result = run(object(), catch=True)
    assert result.error["errorType"] == "TypeError"
    assert "is not JSON serializable" in result.error["errorMessage"]
    assert json.loads(result.payload) == result.error


def test_to_json_matches_the_runtime_rules():
    assert to_json({"z": decimal.Decimal("1"), "a": None}) == '{\n    "a": null,\n    "z": 1.0\n}'


def test_module_level_invoke():
    result = invoke(returning({"ok": True}), b"")
    assert result.json() == {"ok": True}
    assert result.error is None and result.ok


def test_one_off_invokes_get_fresh_request_ids():
    first, second = invoke(returning(1), b""), invoke(returning(1), b"")
    assert first.request_id != second.request_id
    assert invoke(returning(1), b"", rng=5).request_id == invoke(returning(1), b"", rng=5).request_id
