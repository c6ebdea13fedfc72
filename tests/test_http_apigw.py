"""API Gateway in front of an event function: the response format, else 503.

seeds/001 "API网关触发器": the function returns {"isBase64Encoded", "statusCode",
"headers", "body"}; "如果函数计算返回给API网关的结果不符合格式要求，API网关会返回503
Service Unavailable". The doc's own Python sample returns "isBase64Encoded": "false",
"statusCode": "200" and an object as body, so those are accepted.
"""

import base64
import json

import pytest

from pytest_fctrigger.http import HttpDriver, validate_apigw_response
from pytest_fctrigger.invoke import Invoker

GOOD = {"isBase64Encoded": False, "statusCode": 200, "headers": {"x-custom-header": "v"}, "body": "hi"}


@pytest.fixture
def http():
    return HttpDriver(Invoker(rng=3))


def returning(value):
    return lambda event, context: value


def doc_sample_handler(event, context):
    # seeds/001 "API网关触发器" Python sample, verbatim logic
    event = json.loads(event)
    content = {
        "path": event["path"],
        "method": event["httpMethod"],
        "headers": event["headers"],
        "queryParameters": event["queryParameters"],
        "pathParameters": event["pathParameters"],
        "body": event["body"],
    }
    rep = {"isBase64Encoded": "false", "statusCode": "200", "headers": {"x-custom-header": "no"}, "body": content}
    return json.dumps(rep)


def test_the_doc_sample_handler_works(http):
    resp = http.apigw(doc_sample_handler, "GET", "/books/1", query={"q": "x"}, path_params={"id": "1"})
    assert resp.status == 200 and resp.headers["x-custom-header"] == "no"
    body = resp.json()
    assert (body["path"], body["method"], body["queryParameters"], body["pathParameters"]) == (
        "/books/1",
        "GET",
        {"q": "x"},
        {"id": "1"},
    )


def test_good_response(http):
    resp = http.apigw(returning(GOOD))
    assert (resp.status, resp.body, resp.headers["x-custom-header"]) == (200, b"hi", "v")
    assert resp.invocation.ok


def test_base64_body_is_decoded(http):
    value = dict(GOOD, isBase64Encoded=True, body=base64.b64encode(b"\x89PNG").decode())
    assert http.apigw(returning(value)).body == b"\x89PNG"


@pytest.mark.parametrize("key", ["isBase64Encoded", "statusCode", "headers", "body"])
def test_each_missing_key_is_a_503_naming_it(http, key):
    value = {k: v for k, v in GOOD.items() if k != key}
    resp = http.apigw(returning(value))
    assert resp.status == 503 and resp.body == b""
    assert f"key {key!r} is missing" in resp.error_message
    assert resp.headers["X-Ca-Error-Message"] == resp.error_message


@pytest.mark.parametrize(
    "key, bad",
    [
        ("isBase64Encoded", "yes"),
        ("isBase64Encoded", 1),
        ("statusCode", "OK"),
        ("statusCode", 99),
        ("statusCode", 600),
        ("statusCode", True),
        ("statusCode", 200.0),
        ("headers", ["x", "y"]),
        ("headers", {"x": {"nested": 1}}),
        ("body", 42),
        ("body", None),
    ],
)
def test_each_wrong_value_is_a_503_naming_the_key(http, key, bad):
    resp = http.apigw(returning(dict(GOOD, **{key: bad})))
    assert resp.status == 503
    assert f"key {key!r}" in resp.error_message


@pytest.mark.parametrize("code", [100, 599, "200", " 404 "])
def test_status_code_boundaries_accepted(code):
    parsed, problem = validate_apigw_response(json.dumps(dict(GOOD, statusCode=code)).encode())
    assert problem is None and parsed[0] == int(str(code).strip())


def test_base64_flag_with_a_non_base64_body(http):
    resp = http.apigw(returning(dict(GOOD, isBase64Encoded=True, body="not base64!")))
    assert resp.status == 503 and "not valid base64" in resp.error_message


@pytest.mark.parametrize("value, what", [("plain text", "not JSON"), ([GOOD], "JSON list")])
def test_non_object_results(http, value, what):
    resp = http.apigw(returning(value))
    assert resp.status == 503 and what in resp.error_message


def test_a_failing_function_is_a_503_too(http):
    def broken(event, context):
        raise ValueError("db")

    with pytest.raises(ValueError):
        http.apigw(broken)
    resp = http.apigw(broken, catch=True)
    assert resp.status == 503
    assert "ValueError: db" in resp.error_message


def test_the_event_the_function_receives(http):
    seen = []
    http.apigw(lambda e, c: seen.append(json.loads(e)) or GOOD, "POST", "/u", body=b"\x00bin")
    event = seen[0]
    assert event["httpMethod"] == "POST" and event["isBase64Encoded"] is True
    assert base64.b64decode(event["body"]) == b"\x00bin"
