"""fc_http driving FC 2.0 WSGI handlers and FC 3.0 HTTP-event handlers.

Environ: reference/fc-runtime-and-config.md 2.1; event and response: 2.2; headers FC
does not pass (request x-fc-* and seven named fields; response x-fc-* and ten) and the
forced ``content-disposition: attachment`` on the default domain: seeds/001
"HTTP触发器概述", 使用限制.
"""

import base64
import json
import os
import re

import pytest

from pytest_fctrigger.http import HttpDriver
from pytest_fctrigger.invoke import Invoker


@pytest.fixture
def http():
    return HttpDriver(Invoker(rng=5))


def echo_wsgi(environ, start_response):
    body = environ["wsgi.input"].read()
    start_response("200 OK", [("Content-Type", "application/json")])
    view = {k: v for k, v in environ.items() if isinstance(v, str)}
    view["body"] = body.decode()
    view["request_id"] = environ["fc.context"].request_id
    return [json.dumps(view).encode()]


def test_wsgi_handler_gets_the_runtime_environ(http):
    resp = http(
        echo_wsgi,
        "PUT",
        "/items/7?full=1",
        headers={"X-Token": "t", "Content-Type": "text/plain"},
        body="payload",
        client_ip="198.51.100.9",
    )
    env = resp.json()
    assert resp.status == 200
    assert (env["REQUEST_METHOD"], env["PATH_INFO"], env["QUERY_STRING"]) == ("PUT", "/items/7", "full=1")
    assert env["CONTENT_TYPE"] == "text/plain" and env["CONTENT_LENGTH"] == "7" and env["body"] == "payload"
    assert env["HTTP_X_TOKEN"] == "t" and env["REMOTE_ADDR"] == "198.51.100.9"
    assert env["fc.request_uri"] == "/2016-08-15/proxy/test-service/test-function/items/7?full=1"
    # the function's environment is in the environ, as the runtime copies os.environ
    assert env["FC_FUNCTION_NAME"] == "test-function"
    assert env["ALIBABA_CLOUD_ACCESS_KEY_ID"].startswith("STS.FCTEST")
    assert env["HTTP_HOST"].endswith(".cn-hangzhou.fc.aliyuncs.com")
    assert env["request_id"] == resp.request_id == resp.headers["X-Fc-Request-Id"]
    assert "FC_FUNCTION_NAME" not in os.environ


def test_wsgi_status_headers_and_body_assembly(http):
    def app(environ, start_response):
        write = start_response("404 Not Found", [("Content-Type", "text/plain"), ("X-Custom", "1")])
        write(b"written ")
        return ["str chunk ", b"bytes chunk"]

    resp = http(app, "GET", "/missing")
    assert resp.status == 404
    assert resp.body == b"written str chunk bytes chunk"
    assert resp.headers["X-Custom"] == "1" and resp.headers["Content-Length"] == str(len(resp.body))


def test_wsgi_fc_context_has_the_credentials(http):
    def app(environ, start_response):
        start_response("200 OK", [])
        return [environ["fc.context"].credentials.access_key_id.encode()]

    assert http(app).text.startswith("STS.FCTEST")


def test_wsgi_without_start_response_is_a_bad_response(http):
    resp = http(lambda environ, start_response: [b"x"])
    assert (resp.status, resp.error_code) == (502, "BadResponse")
    assert resp.headers["X-Fc-Error-Type"] == "UnhandledInvocationError"


def test_handler_exception_propagates_or_becomes_502(http):
    def broken(environ, start_response):
        raise LookupError("no route")

    with pytest.raises(LookupError):
        http(broken)
    resp = http(broken, catch=True)
    assert resp.status == 502 and resp.headers["X-Fc-Error-Type"] == "UnhandledInvocationError"
    assert resp.json()["errorType"] == "LookupError"
    # the stack trace starts at the user's code, not at fc_http's WSGI call
    assert [entry[2] for entry in resp.json()["stackTrace"]] == ["in broken"]
    assert resp.json()["stackTrace"][0][0] == f'File "{__file__}"'


def test_request_headers_fc_does_not_pass(http):
    resp = http(echo_wsgi, headers={"X-Fc-Trace": "spoofed", "Connection": "close", "Keep-Alive": "5", "X-Real": "yes"})
    env = resp.json()
    assert "HTTP_X_FC_TRACE" not in env and "HTTP_CONNECTION" not in env and "HTTP_KEEP_ALIVE" not in env
    assert env["HTTP_X_REAL"] == "yes"
    assert env["HTTP_X_FC_FUNCTION_HANDLER"] == "index.handler"  # set by the runtime itself
    assert ("X-Fc-Trace", "spoofed") in resp.dropped_headers


# seeds/001 "HTTP触发器概述", 使用限制, the two lists verbatim
SEED_REQUEST_HEADERS = [
    "accept-encoding",
    "connection",
    "keep-alive",
    "proxy-authorization",
    "te",
    "trailer",
    "transfer-encoding",
]
SEED_RESPONSE_HEADERS = [
    "connection",
    "content-length",
    "content-encoding",
    "date",
    "keep-alive",
    "proxy-authenticate",
    "server",
    "trailer",
    "transfer-encoding",
    "upgrade",
]


@pytest.mark.parametrize("style", ["wsgi", "event"])
def test_every_request_header_the_seed_lists_is_withheld(http, style):
    sent = {name.title(): "v" for name in SEED_REQUEST_HEADERS}
    sent.update({"X-Fc-Custom": "v", "X-Kept": "v"})
    if style == "wsgi":
        seen = {k[5:].replace("_", "-").lower() for k in http(echo_wsgi, headers=sent).json() if k.startswith("HTTP_")}
    else:
        resp = http(lambda e, c: json.loads(e)["headers"], headers=sent, style="event")
        seen = {k.lower() for k in resp.json()}
    assert seen.isdisjoint(SEED_REQUEST_HEADERS + ["x-fc-custom"]) and "x-kept" in seen


def test_every_response_header_the_seed_lists_is_dropped(http):
    def app(environ, start_response):
        start_response("200 OK", [(name, "v") for name in SEED_RESPONSE_HEADERS] + [("X-Fc-X", "v"), ("X-Kept", "v")])
        return [b"ok"]

    resp = http(app)
    dropped = sorted(k for k, _ in resp.dropped_headers)
    assert dropped == sorted(SEED_RESPONSE_HEADERS + ["X-Fc-X"])
    assert resp.headers["X-Kept"] == "v"
    assert resp.headers.get_all("Content-Encoding") == [] and resp.headers.get_all("Upgrade") == []


def test_response_headers_fc_replaces(http):
    def app(environ, start_response):
        start_response(
            "200 OK",
            [
                ("Server", "gunicorn"),
                ("Date", "yesterday"),
                ("Content-Length", "999"),
                ("Connection", "close"),
                ("Keep-Alive", "timeout=5"),
                ("X-Fc-Status", "404"),
                ("Content-Disposition", "inline"),
                ("Content-Type", "text/html"),
            ],
        )
        return [b"<p>hi</p>"]

    resp = http(app)
    headers = resp.headers
    assert headers.get_all("Server") == [] and headers.get_all("Connection") == []
    assert headers.get_all("Keep-Alive") == [] and headers.get_all("X-Fc-Status") == []
    assert headers["Content-Length"] == "9"
    assert headers["Date"].endswith(" GMT") and headers["Date"] != "yesterday"
    assert headers["Content-Disposition"] == "attachment"  # forced on the default domain
    assert headers["Content-Type"] == "text/html"
    assert sorted(k for k, _ in resp.dropped_headers) == sorted(
        ["Server", "Date", "Content-Length", "Connection", "Keep-Alive", "X-Fc-Status", "Content-Disposition"]
    )


def test_custom_domain_keeps_content_disposition_and_request_uri():
    def app(environ, start_response):
        start_response("200 OK", [("Content-Disposition", "inline")])
        return [environ["fc.request_uri"].encode()]

    resp = HttpDriver(Invoker(rng=1), custom_domain=True)(app, "GET", "/p?q=1")
    assert resp.headers["Content-Disposition"] == "inline"
    assert resp.text == "/p?q=1"


# --------------------------------------------------------------------------- FC 3.0 event style
def event_app(event, context):
    request = json.loads(event)
    return {
        "statusCode": 201,
        "headers": {"Content-Type": "application/json"},
        "isBase64Encoded": False,
        "body": json.dumps({"request": request, "request_id": context.request_id}),
    }


def test_event_handler_gets_the_http_event_and_maps_the_response(http):
    resp = http.event(event_app, "POST", "/orders?x=1", headers={"accept": "*/*"}, body='{"n": 1}')
    assert resp.status == 201 and resp.headers["Content-Type"] == "application/json"
    data = resp.json()
    request = data["request"]
    assert request["rawPath"] == "/orders" and request["queryParameters"] == {"x": "1"}
    assert request["headers"]["Accept"] == "*/*"
    assert request["body"] == '{"n": 1}' and request["isBase64Encoded"] is False
    assert request["requestContext"]["requestId"] == data["request_id"] == resp.request_id
    assert request["requestContext"]["http"]["method"] == "POST"
    assert request["headers"]["Host"] == request["requestContext"]["domainName"]


def test_event_response_base64_body(http):
    def png(event, context):
        return {
            "statusCode": 200,
            "headers": {"Content-Type": "image/png"},
            "isBase64Encoded": True,
            "body": base64.b64encode(b"\x89PNG").decode(),
        }

    assert http.event(png).body == b"\x89PNG"


@pytest.mark.parametrize(
    "value, body, content_type",
    [
        ("plain text", b"plain text", None),
        ({"no": "statusCode"}, b'{\n    "no": "statusCode"\n}', "application/json"),
    ],
)
def test_event_return_without_status_code_is_a_200(http, value, body, content_type):
    resp = http.event(lambda e, c: value)
    assert resp.status == 200 and resp.body == body
    assert resp.headers.get("Content-Type") == content_type


def test_event_invalid_status_code_is_a_bad_response(http):
    resp = http.event(lambda e, c: {"statusCode": "teapot", "body": ""})
    assert (resp.status, resp.error_code) == (502, "BadResponse")
    assert "teapot" in resp.json()["errorMessage"]


def test_style_follows_the_runtime():
    driver = HttpDriver(Invoker(rng=1, runtime="python3.12"))
    assert driver(event_app).status == 201  # python3.12 is FC 3.0: event style


def test_bad_style_is_named(http):
    from pytest_fctrigger.errors import ConfigError

    with pytest.raises(ConfigError, match="wsgi, event"):
        http(echo_wsgi, style="asgi")


def test_fc_http_fixture(pytester):
    pytester.makepyfile(
        """
        def app(environ, start_response):
            start_response("200 OK", [("Content-Type", "text/plain")])
            return [("hello " + environ["fc.context"].function.name).encode()]

        def test_it(fc_http):
            resp = fc_http(app, "GET", "/")
            assert resp.status == 200 and resp.text == "hello test-function"
            assert resp.invocation.logs.startswith("FC Invoke Start RequestId: ")
        """
    )
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)


@pytest.mark.parametrize("style", ["wsgi", "event"])
def test_bad_request_values_are_config_errors_before_the_handler_runs(http, style):
    from pytest_fctrigger.errors import ConfigError

    for kwargs, message in (
        ({"method": 5}, "fc_http(method=): expected a string"),
        ({"client_ip": 1}, "fc_http(client_ip=): expected a string"),
        ({"headers": 5}, "fc_http(headers=): expected a dict"),
        ({"body": {1, 2}}, "body: expected bytes, str or a JSON-able value"),
    ):
        with pytest.raises(ConfigError, match=re.escape(message)):
            http(echo_wsgi, style=style, **kwargs)
