"""SDK interception loads per service on first use, and SDK import warnings stay the SDK's.

* Activating ``fc_cloud`` imports no SDK (it used to import all five, ~0.5 s on the
  first test of a session); a handler's SDK is patched as it is imported.
* ``pytest -W error`` (common in libraries): the tablestore SDK's ``ImportWarning`` about
  its missing C++ extension must not turn every test that uses ``fc_invoke`` into an error.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

pytest_plugins = ["pytester"]

pytest.importorskip("tablestore")  # imported before any in-process pytester run (numpy loads once)

SDK_MODULES = ("oss2", "alibabacloud_oss_v2", "aliyun.log", "tablestore", "mns", "requests", "responses")


def test_activating_the_cloud_imports_no_sdk():
    code = textwrap.dedent(
        f"""
        import sys
        from pytest_fctrigger.cloud import Cloud

        cloud = Cloud(1)
        with cloud.activate():
            cloud.oss.bucket("photos")
            cloud.mns.topic("orders")
            cloud.tablestore.table("inst1", "orders")
            cloud.sls.logstore("proj", "access")
            loaded = [m for m in {SDK_MODULES!r} if m in sys.modules]
        print(loaded)
        """
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def test_an_sdk_imported_while_the_cloud_is_active_is_served():
    code = textwrap.dedent(
        """
        from pytest_fctrigger._credentials import fake_credentials
        from pytest_fctrigger.cloud import Cloud

        cloud = Cloud(1)
        with cloud.activate():
            cloud.mns.topic("orders")
            from mns.account import Account
            from mns.topic import TopicMessage

            c = fake_credentials(cloud.rng)
            endpoint = f"http://{cloud.rng.account_id}.mns.cn-hangzhou.aliyuncs.com"
            Account(endpoint, c.access_key_id, c.access_key_secret, c.security_token).get_topic(
                "orders").publish_message(TopicMessage("hi"))
            print(len(cloud.mns.topic("orders").published))
        """
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "1"


def test_sdk_import_warnings_do_not_fail_tests_under_W_error(pytester):
    pytester.makepyfile(
        index="""
        def handler(event, context):
            import tablestore  # warns ImportWarning when its C++ extension is missing
            import mns.account
            import oss2
            return "ok"
        """
    )
    pytester.makepyfile(
        test_handler="""
        def test_handler(fc_invoke):
            assert fc_invoke("index.handler", b"{}", timeout=120).return_value == "ok"
        """
    )
    # a fresh process: the SDKs are imported for the first time inside the test
    result = pytester.runpytest_subprocess("-W", "error", "-p", "no:randomly", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)
