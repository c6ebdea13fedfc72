"""HTTP trigger limits at their exact boundaries.

seeds/001 "HTTP触发器概述" / "Request限制项": over a limit -> 400 and InvalidArgument;
"Headers中的所有Key和Value的总大小不得超过4 KB", "包括所有的Query Params，Path的总大小不得超过
4 KB", "HTTP Body的总大小不得超过6 MB". "Response限制项": response headers over 4 KB ->
502 and BadResponse.
"""

import pytest

from pytest_fctrigger.http import HttpDriver, HttpLimits
from pytest_fctrigger.invoke import Invoker

KB4 = 4096
MB6 = 6 * 1024 * 1024


def ok_app(environ, start_response):
    start_response("200 OK", [])
    return [b"ok"]


@pytest.fixture
def http():
    return HttpDriver(Invoker(rng=2))


def headers_of_size(total):
    # "Host" + "h" = 5 bytes; the rest in one header: "X-Pad" (5) + value
    return {"Host": "h", "X-Pad": "a" * (total - 5 - 5)}


def assert_invalid_argument(resp, what):
    assert resp.status == 400
    assert resp.error_code == "InvalidArgument"
    assert resp.headers["X-Fc-Error-Type"] == "FcCommonError"
    assert resp.json()["errorCode"] == "InvalidArgument"
    assert what in resp.json()["errorMessage"]
    assert resp.invocation is None  # the handler never ran


@pytest.mark.parametrize("style", ["wsgi", "event"])
def test_request_headers_4096_pass_4097_fail(http, style):
    app = ok_app if style == "wsgi" else (lambda e, c: "ok")
    assert http(app, headers=headers_of_size(KB4), style=style).status == 200
    resp = http(app, headers=headers_of_size(KB4 + 1), style=style)
    assert_invalid_argument(resp, "request headers")
    assert "4097 bytes" in resp.json()["errorMessage"]


def test_header_size_counts_utf8_bytes_of_keys_and_values(http):
    # "é" is two bytes: 5 + 5 + 2 * 2043 = 4096
    assert http(ok_app, headers={"Host": "h", "X-Pad": "é" * 2043}).status == 200
    assert http(ok_app, headers={"Host": "h", "X-Pad": "é" * 2043 + "a"}).status == 400


def test_repeated_headers_count_every_value(http):
    half = "a" * (KB4 // 2 - 5)  # two X-Pad headers of 5 + 2043 bytes = 4096
    assert http(ok_app, headers=[("X-Pad", half), ("X-Pad", half)]).status == 200
    assert http(ok_app, headers=[("X-Pad", half), ("X-Pad", half + "a")]).status == 400


def test_path_with_query_4096_pass_4097_fail(http):
    path = "/" + "p" * 100
    query = "q=" + "v" * (KB4 - len(path) - 1 - 2)  # path + "?" + query == 4096
    assert len(f"{path}?{query}") == KB4
    assert http(ok_app, "GET", f"{path}?{query}").status == 200
    resp = http(ok_app, "GET", f"{path}?{query}v")
    assert_invalid_argument(resp, "request path")


def test_path_limit_counts_the_encoded_path(http):
    # a space travels as %20: 3 bytes of the 4096
    path = "/" + " " * 1365  # 1 + 1365 * 3 = 4096
    assert http(ok_app, "GET", path).status == 200
    assert http(ok_app, "GET", path + "a").status == 400


def test_body_6mb_pass_6mb_plus_one_fail(http):
    def size_app(environ, start_response):
        start_response("200 OK", [])
        return [environ["CONTENT_LENGTH"].encode()]

    assert http(size_app, "POST", "/", body=b"x" * MB6).text == str(MB6)
    resp = http(size_app, "POST", "/", body=b"x" * (MB6 + 1))
    assert_invalid_argument(resp, "request body")


def response_headers_app(total):
    def app(environ, start_response):
        start_response("200 OK", [("X-Pad", "a" * (total - 5))])
        return [b"ok"]

    return app


@pytest.mark.parametrize("style", ["wsgi", "event"])
def test_response_headers_4096_pass_4097_fail(http, style):
    def make(total):
        if style == "wsgi":
            return response_headers_app(total)
        return lambda e, c: {"statusCode": 200, "headers": {"X-Pad": "a" * (total - 5)}, "body": "ok"}

    assert http(make(KB4), style=style).status == 200
    resp = http(make(KB4 + 1), style=style)
    assert resp.status == 502 and resp.error_code == "BadResponse"
    assert resp.headers["X-Fc-Error-Type"] == "UnhandledInvocationError"
    assert "4097 bytes" in resp.json()["errorMessage"]
    assert resp.invocation is not None and resp.invocation.ok  # the handler ran; FC refused its answer


def test_limits_can_follow_newer_docs():
    # current FC docs: 8 KB headers, 32 MB synchronous body (doc 191345)
    http = HttpDriver(Invoker(rng=1), limits=HttpLimits(request_headers=8192, body=32 * 1024 * 1024))
    assert http(ok_app, headers=headers_of_size(8192)).status == 200
    assert http(ok_app, headers=headers_of_size(8193)).status == 400
