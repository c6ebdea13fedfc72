"""apigw_event, http_event and wsgi_environ: the documented shapes and types.

* API Gateway event: seeds/001 "API网关触发器" (event格式示例) and seeds/002 "API Gateway trigger".
* FC 3.0 HTTP event: doc "HTTP触发器调用函数" request struct (reference/fc-runtime-and-config.md 2.2).
* FC 2.0 WSGI environ: reference/fc-runtime-and-config.md 2.1 (the runtime's get_environ).
"""

import base64
import datetime as dt
import io
import json
import re

import pytest

from pytest_fctrigger.context import make_context
from pytest_fctrigger.errors import UnknownFieldError
from pytest_fctrigger.events._random import FCRandom
from pytest_fctrigger.events.http import apigw_event, canonical_header_key, http_event, wsgi_environ

# The doc's request struct, the value types asserted key path by key path
HTTP_DOC_SAMPLE = {
    "version": "v1",
    "rawPath": "/example",
    "body": "Hello FC!",
    "isBase64Encoded": False,
    "headers": {"header1": "value1", "header2": "value1,value2"},
    "queryParameters": {"parameter1": "value1", "parameter2": "value1,value2"},
    "requestContext": {
        "accountId": "123456*********",
        "domainName": "<http-trigger-id>.<region-id>.fcapp.run",
        "domainPrefix": "<http-trigger-id>",
        "http": {
            "method": "GET",
            "path": "/example",
            "protocol": "HTTP/1.1",
            "sourceIp": "11.11.11.**",
            "userAgent": "PostmanRuntime/7.32.3",
        },
        "requestId": "1-64f6cd87-*************",
        "time": "2023-09-05T06:41:11Z",
        "timeEpoch": "1693896071895",
    },
}


def shape(node, prefix=""):
    out = {}
    for key, value in node.items():
        path = f"{prefix}{key}"
        out[path] = type(value).__name__
        if isinstance(value, dict) and key not in ("headers", "queryParameters", "pathParameters"):
            out.update(shape(value, path + "."))
    return out


# --------------------------------------------------------------------------- API Gateway
def test_apigw_event_has_the_documented_keys_and_types():
    event = apigw_event(
        rng=1, method="POST", path="/users/42", query={"q": "x"}, path_params={"id": 42}, body={"name": "n"}
    )
    assert event.trigger_type == "apigw"
    assert shape(event.data) == {
        "path": "str",
        "httpMethod": "str",
        "headers": "dict",
        "queryParameters": "dict",
        "pathParameters": "dict",
        "body": "str",
        "isBase64Encoded": "bool",
    }
    assert event.data["pathParameters"] == {"id": "42"}
    assert event.data["queryParameters"] == {"q": "x"}
    assert json.loads(bytes(event)) == event.data


def test_apigw_encodes_every_body_but_a_form():
    # seeds/001 FAQ: API网关对FORM形式的body传输是不进行Base64编码的, 其他形式body都会进行Base64编码
    encoded = apigw_event(rng=1, body=b"\x89PNG binary")
    assert encoded.data["isBase64Encoded"] is True and encoded.variant == "base64"
    assert base64.b64decode(encoded.data["body"]) == b"\x89PNG binary"
    form = apigw_event(rng=1, body="a=1&b=2", headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert form.data["isBase64Encoded"] is False and form.data["body"] == "a=1&b=2"
    assert form.variant == "plain"
    forced = apigw_event(rng=1, body="text", base64=False)
    assert forced.data["body"] == "text" and forced.data["httpMethod"] == "POST"


def test_apigw_without_body_is_a_get():
    event = apigw_event(rng=1)
    assert event.data["httpMethod"] == "GET" and event.data["body"] == "" and not event.data["isBase64Encoded"]


def test_apigw_overrides_and_unknown_names():
    event = apigw_event(rng=1, overrides={"httpMethod": "DELETE"})
    assert event.data["httpMethod"] == "DELETE"
    with pytest.raises(UnknownFieldError, match="pathParameters"):
        apigw_event(rng=1, overrides={"pathParams": {}})
    with pytest.raises(UnknownFieldError, match="path_params"):
        apigw_event(rng=1, pathParameters={})


# --------------------------------------------------------------------------- FC 3.0 HTTP event
def test_http_event_matches_the_doc_sample_shape():
    event = http_event(
        rng=1,
        path="/example",
        headers={"header2": ["value1", "value2"]},
        body="Hello FC!",
        query={"parameter2": ["value1", "value2"]},
    )
    assert shape(event.data) == shape(HTTP_DOC_SAMPLE)
    assert event.data["version"] == "v1"
    assert event.data["headers"]["Header2"] == "value1,value2"  # canonical key, values comma-joined
    assert event.data["queryParameters"] == {"parameter2": "value1,value2"}
    assert event.data["body"] == "Hello FC!" and event.data["isBase64Encoded"] is False


def test_http_event_request_context_is_consistent():
    rng = FCRandom(4, region="cn-shanghai")
    event = http_event(rng=rng, method="post", path="/a", domain_prefix="my-func-abcdefghij")
    ctx = event.data["requestContext"]
    assert ctx["accountId"] == rng.account_id
    assert ctx["domainName"] == "my-func-abcdefghij.cn-shanghai.fcapp.run"
    assert ctx["http"]["method"] == "POST"
    assert re.fullmatch(r"1-[0-9a-f]{8}-[0-9a-f]{24}", ctx["requestId"])
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", ctx["time"])
    when = dt.datetime.strptime(ctx["time"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.timezone.utc)
    assert ctx["timeEpoch"].isdigit() and int(ctx["timeEpoch"]) // 1000 == int(when.timestamp())


def test_raw_path_is_encoded_and_http_path_decoded():
    event = http_event(rng=1, path="/files/my report.pdf?v=1")
    assert event.data["rawPath"] == "/files/my%20report.pdf"
    assert event.data["requestContext"]["http"]["path"] == "/files/my report.pdf"
    assert event.data["queryParameters"] == {"v": "1"}


def test_binary_body_is_base64():
    event = http_event(rng=1, method="POST", body=b"\x00\xff", headers={"Content-Type": "application/octet-stream"})
    assert event.data["isBase64Encoded"] is True and base64.b64decode(event.data["body"]) == b"\x00\xff"
    text = http_event(rng=1, method="POST", body='{"a":1}', headers={"content-type": "application/json"})
    assert text.data["isBase64Encoded"] is False


@pytest.mark.parametrize(
    "key, canonical",
    [
        ("accept-encoding", "Accept-Encoding"),
        ("X-FOO-bar", "X-Foo-Bar"),
        ("content-type", "Content-Type"),
        ("bad key", "bad key"),
    ],
)
def test_header_keys_are_go_canonical(key, canonical):
    # FC FAQ "使用HTTP触发器调用时, Header key首字母为什么变成了大写"
    assert canonical_header_key(key) == canonical


def test_http_event_is_deterministic():
    assert http_event(rng=FCRandom(9)) == http_event(rng=FCRandom(9))
    assert http_event(rng=FCRandom(9)) != http_event(rng=FCRandom(10))


# --------------------------------------------------------------------------- FC 2.0 WSGI environ
def test_wsgi_environ_is_the_runtime_environ():
    ctx = make_context(rng=1, function_name="web", service_name="site", handler="main.handler")
    environ = wsgi_environ(
        method="post",
        path="/api/items",
        query={"page": "2"},
        body=b'{"a":1}',
        headers={"Content-Type": "application/json", "X-Trace": ["a", "b"], "Host": "h"},
        client_ip="198.51.100.7",
        context=ctx,
        base_environ={"MY_VAR": "1"},
    )
    fixed = {
        "CONTENT_LENGTH": "7",
        "HTTP": "on",
        "SCRIPT_NAME": "",
        "SERVER_NAME": "FCRUNTIME",
        "SERVER_PORT": "9000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "SERVER_SOFTWARE": "FCRUNTIME/1.0",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.multithread": False,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }
    assert {k: environ[k] for k in fixed} == fixed
    assert environ["MY_VAR"] == "1"  # every process variable is in the environ
    assert environ["REQUEST_METHOD"] == "POST" and environ["PATH_INFO"] == "/api/items"
    assert environ["QUERY_STRING"] == "page=2"
    assert environ["CONTENT_TYPE"] == "application/json" and "HTTP_CONTENT_TYPE" not in environ
    assert environ["HTTP_X_TRACE"] == "a,b" and environ["HTTP_HOST"] == "h"
    assert environ["REMOTE_ADDR"] == "198.51.100.7"
    assert environ["fc.request_uri"] == "/2016-08-15/proxy/site/web/api/items?page=2"
    assert environ["fc.context"] is ctx
    assert environ["HTTP_X_FC_FUNCTION_HANDLER"] == "main.handler"
    assert isinstance(environ["wsgi.input"], io.BytesIO) and environ["wsgi.input"].read() == b'{"a":1}'


def test_wsgi_environ_defaults():
    environ = wsgi_environ(rng=1, base_environ={})
    assert environ["CONTENT_TYPE"] == "application/octet-stream"
    assert environ["QUERY_STRING"] == "" and environ["CONTENT_LENGTH"] == "0"
    assert environ["fc.context"].function.name == "test-function"


def test_wsgi_environ_overrides_and_unknown_names():
    assert wsgi_environ(rng=1, base_environ={}, overrides={"SERVER_PORT": "80"})["SERVER_PORT"] == "80"
    with pytest.raises(UnknownFieldError, match="SERVER_PORT"):
        wsgi_environ(rng=1, base_environ={}, overrides={"NO_SUCH": 1})
    with pytest.raises(UnknownFieldError, match="client_ip"):
        wsgi_environ(rng=1, remote_addr="1.2.3.4")
