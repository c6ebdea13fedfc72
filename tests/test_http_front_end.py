"""The HTTP trigger's front end answers before the function runs (seeds/001 7.2,
"错误排查"): 403 for a method the trigger does not allow, 400 without Date/Authorization
and 403 on a bad or expired signature with ``authType: function``, 404 for a function
without an HTTP trigger. The signature is FC's (Function Compute docs, "Signature
authentication")."""

from __future__ import annotations

import datetime as _dt

from pytest_fctrigger import _fc_signature as fcsig
from pytest_fctrigger.http import HttpDriver
from pytest_fctrigger.invoke import Invoker
from pytest_fctrigger.triggers.model import TriggerSpec

pytest_plugins = ["pytester"]

HANDLER = """
def handler(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"ran"]
"""


def test_a_method_the_trigger_does_not_allow_is_403_and_never_runs(pytester):
    pytester.makepyfile(index=HANDLER)
    pytester.makepyfile(
        test_web="""
        import pytest

        @pytest.mark.fc_trigger("http", methods=["GET"])
        def test_post_to_a_get_only_trigger(fc_http):
            response = fc_http("index.handler", "POST", "/orders", body=b"{}")
            assert response.status == 403
            assert response.headers["X-Fc-Error-Type"] == "FcCommonError"
            assert response.invocation is None  # the function never ran
            assert fc_http("index.handler", "GET", "/orders").text == "ran"
        """
    )
    pytester.runpytest_inprocess("-p", "no:randomly").assert_outcomes(passed=1)


def test_auth_type_function_needs_a_valid_recent_signature(pytester):
    pytester.makepyfile(index=HANDLER)
    pytester.makepyfile(
        test_web="""
        import datetime as dt
        import pytest

        pytestmark = pytest.mark.fc_trigger("http", authType="function", methods=["GET", "POST"])

        def test_unsigned_is_400(fc_http):
            response = fc_http("index.handler", "GET", "/")
            assert response.status == 400 and "Date and Authorization" in response.error_message

        def test_signed_reaches_the_function(fc_http):
            assert fc_http("index.handler", "POST", "/a b", query={"x": "1"}, body=b"{}", sign=True).text == "ran"

        def test_tampered_is_403(fc_http):
            headers = fc_http.sign("GET", "/orders")
            response = fc_http("index.handler", "GET", "/other", headers=headers)
            assert response.status == 403 and response.error_code == "SignatureNotMatch"

        def test_expired_is_403(fc_http):
            stale = fc_http.server_time() - dt.timedelta(minutes=16)
            response = fc_http("index.handler", "GET", "/", headers=fc_http.sign("GET", "/", date=stale))
            assert response.status == 403 and "15 minutes" in response.error_message
            recent = fc_http.server_time() - dt.timedelta(minutes=14)
            assert fc_http("index.handler", "GET", "/", headers=fc_http.sign("GET", "/", date=recent)).status == 200
        """
    )
    pytester.runpytest_inprocess("-p", "no:randomly").assert_outcomes(passed=4)


def test_a_function_without_an_http_trigger_is_404(pytester):
    pytester.makepyfile(index=HANDLER)
    pytester.makepyfile(
        test_web="""
        import pytest

        @pytest.mark.fc_trigger("timer", cronExpression="@every 5m")
        def test_http_request_to_a_timer_function(fc_http):
            response = fc_http("index.handler", "GET", "/")
            assert response.status == 404 and response.invocation is None
        """
    )
    pytester.runpytest_inprocess("-p", "no:randomly").assert_outcomes(passed=1)


def test_signature_matches_the_documented_algorithm():
    """The doc's worked example: path decoded, parameters sorted, x-fc-* headers canonical."""
    headers = [
        ("Content-Type", "application/json"),
        ("Date", "Mon, 02 Jan 2006 15:04:05 GMT"),
        ("X-Fc-Trace", "b"),
        ("x-fc-account-id", "a"),
    ]
    text = fcsig.string_to_sign(
        "get",
        "/2016-08-15/proxy/service-name/func-name/path-with-%20-space/action",
        "x=1&a=2&x=3&with%20space=foo%20bar",
        headers,
    )
    assert text == (
        "GET\n\napplication/json\nMon, 02 Jan 2006 15:04:05 GMT\n"
        "x-fc-account-id:a\nx-fc-trace:b\n"
        "/2016-08-15/proxy/service-name/func-name/path-with- -space/action\n"
        "a=2\nwith space=foo bar\nx=1\nx=3"
    )
    assert fcsig.authorization("ak", "sk", text).startswith("FC ak:")


def test_plain_handler_without_trigger_markers_is_served_as_before():
    driver = HttpDriver(Invoker(rng=5))

    def app(environ, start_response):
        start_response("200 OK", [])
        return [b"ok"]

    assert driver(app, "DELETE", "/").status == 200


def test_function_spec_trigger_config_applies():
    driver = HttpDriver(Invoker(rng=5, triggers=[TriggerSpec.from_marker("http", methods=["PUT"])]))

    def app(environ, start_response):
        start_response("200 OK", [])
        return [b"ok"]

    assert driver(app, "GET", "/").status == 403
    assert driver(app, "PUT", "/").status == 200
    assert fcsig.date_problem("yesterday", _dt.datetime(2026, 1, 1, tzinfo=_dt.timezone.utc)) is not None
