"""fc_invoke wiring: the simulated cloud, its write journal, and no network.

The handler here is a realistic OSS function: it reads the credentials from the
environment as FC handlers on Python 3.12 must, and writes with oss2.
"""

import socket

import pytest

from pytest_fctrigger.errors import NetworkBlockedError
from pytest_fctrigger.invoke import Invoker, invoke

COPY_HANDLER = """
import json, os
import oss2

def handler(event, context):
    record = json.loads(event)["events"][0]
    auth = oss2.StsAuth(os.environ["ALIBABA_CLOUD_ACCESS_KEY_ID"],
                        os.environ["ALIBABA_CLOUD_ACCESS_KEY_SECRET"],
                        os.environ["ALIBABA_CLOUD_SECURITY_TOKEN"])
    region = record["region"]
    bucket = oss2.Bucket(auth, f"https://oss-{region}-internal.aliyuncs.com", record["oss"]["bucket"]["name"])
    key = record["oss"]["object"]["key"]
    data = bucket.get_object(key).read()
    bucket.put_object("processed/" + key.rsplit("/", 1)[-1], data.upper())
    return {"copied": key}
"""


def test_writes_of_one_call_are_listed(pytester):
    pytester.makepyfile(index=COPY_HANDLER)
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.fc(runtime="python3.12")
        def test_copy(fc_invoke, fc_cloud, oss_event, pytester_dir):
            bucket = fc_cloud.oss.bucket("photos")
            bucket.put("in/a.txt", b"hello")
            event = oss_event(bucket="photos", key="in/a.txt")
            result = fc_invoke("index.handler", event, code_dir=pytester_dir)
            assert result.json() == {"copied": "in/a.txt"}
            assert [(w.api, w.resource["key"]) for w in result.writes] == [("PutObject", "processed/a.txt")]
            assert bucket.get("processed/a.txt") == b"HELLO"
            again = fc_invoke("index.handler", event, code_dir=pytester_dir)
            assert len(again.writes) == 1  # only this call's writes
        """
    )
    pytester.makeconftest(
        """
        import pytest

        @pytest.fixture
        def pytester_dir(request):
            return request.config.rootpath
        """
    )
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)


def test_plain_invoke_has_no_network():
    def phone_home(event, context):
        socket.create_connection(("203.0.113.7", 443), timeout=1)

    with pytest.raises(NetworkBlockedError, match="203.0.113.7"):
        invoke(phone_home, b"")


def test_network_guard_ends_with_the_call():
    Invoker(rng=1)(lambda e, c: None, b"")
    # after the call the guard is gone: resolving a loopback name works as before
    assert socket.getaddrinfo("localhost", 80)


def test_fc_invoke_fixture_settings(pytester):
    pytester.makepyfile(
        """
        import time
        import pytest
        from pytest_fctrigger import FCTimeoutError

        @pytest.mark.fc(timeout=1, region="cn-shenzhen")
        def test_marker_timeout(fc_invoke):
            with pytest.raises(FCTimeoutError):
                fc_invoke(lambda e, c: time.sleep(10), b"")
            result = fc_invoke(lambda e, c: c.region, b"")
            assert result.text == "cn-shenzhen"
        """
    )
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)


def test_failure_reports_show_the_test_and_the_handler_not_the_harness(pytester):
    pytester.makepyfile(
        """
        def handler(event, context):
            raise KeyError("missing")

        def app(environ, start_response):
            raise LookupError("no route")

        def test_handler_error(fc_invoke):
            fc_invoke(handler, b"")

        def test_load_error(fc_invoke, tmp_path):
            fc_invoke("nothere.handler", b"", code_dir=tmp_path)

        def test_wsgi_error(fc_http):
            fc_http(app, style="wsgi")
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider", "--tb=long")
    result.assert_outcomes(failed=3)
    out = result.stdout.str()
    assert (
        "pytest_fctrigger/invoke.py:" not in out
        and "pytest_fctrigger/invoke/" not in out
        and "pytest_fctrigger/http.py:" not in out
    )
    result.stdout.fnmatch_lines(
        [
            '>       fc_invoke(handler, b"")',
            "*",
            '>       raise KeyError("missing")',
            "E       KeyError: 'missing'",
        ]
    )
    result.stdout.fnmatch_lines(
        [
            "E       pytest_fctrigger.invoke.ImportModuleError: Unable to import module 'nothere' (handler "
            "'nothere.handler' in code dir *; ImportError: No module named 'nothere')",
        ]
    )
    result.stdout.fnmatch_lines(['>       raise LookupError("no route")'])
