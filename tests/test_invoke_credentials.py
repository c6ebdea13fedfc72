"""Real credentials are unreachable from a handler through every SDK credential chain.

FC hands a function only its role's STS credentials (FC docs "Grant Function Compute
permissions to access other Alibaba Cloud services"); a test must never run a handler
with the developer's real key: not from the environment (any SDK's variable names, any
casing, the C environment, child processes), not from credential files under HOME, not
from providers built when the handler module was imported at collection time.
"""

from __future__ import annotations

import ctypes
import json
import os
import subprocess
import sys

import pytest

from pytest_fctrigger._credentials import FAKE_AK_PREFIX
from pytest_fctrigger.invoke import Invoker

REAL = {
    "ACCESS_KEY_ID": "LTAI5tRealBare",
    "ACCESS_KEY_SECRET": "real-bare-secret",
    "OTS_ACCESS_KEY_ID": "LTAI5tRealOts",
    "MNS_ACCESS_KEY_SECRET": "real-mns-secret",
    "SLS_ACCESS_KEY_ID": "LTAI5tRealSls",
    "TABLESTORE_ACCESS_KEY_SECRET": "real-ts-secret",
    "alibaba_cloud_access_key_id": "LTAI5tRealLower",
    "OSS_ACCESS_KEY_ID": "LTAI5tRealOss",
}


def _c_getenv(name: str):
    libc = ctypes.CDLL(None)
    libc.getenv.restype = ctypes.c_char_p
    return libc.getenv(name.encode())


def test_every_sdk_variable_is_hidden_from_python_c_and_children(monkeypatch):
    for key, value in REAL.items():
        monkeypatch.setenv(key, value)

    def look(event, context):
        child = subprocess.run(["env"], capture_output=True, text=True, check=True).stdout
        return {
            "python": {k: v for k, v in os.environ.items() if v in REAL.values()},
            "c": [k for k in REAL if _c_getenv(k) is not None],
            "child": [line for line in child.splitlines() if any(v in line for v in REAL.values())],
            "ak": os.environ["ALIBABA_CLOUD_ACCESS_KEY_ID"],
        }

    seen = Invoker(rng=1)(look, b"").return_value
    assert seen["python"] == {} and seen["c"] == [] and seen["child"] == []
    assert seen["ak"].startswith(FAKE_AK_PREFIX)
    assert all(os.environ[k] == v for k, v in REAL.items())  # the test's own environment is back


def test_credential_files_under_home_are_out_of_reach(tmp_path, monkeypatch):
    (tmp_path / ".aliyun").mkdir()
    (tmp_path / ".aliyun" / "config.json").write_text(json.dumps({"profiles": [{"access_key_id": "LTAI5tFile"}]}))
    (tmp_path / ".alibabacloud").mkdir()
    (tmp_path / ".alibabacloud" / "credentials").write_text("[default]\naccess_key_id = LTAI5tFile\n")
    monkeypatch.setenv("HOME", str(tmp_path))

    def look(event, context):
        home = os.path.expanduser("~")
        # a handler leaving a file in its HOME does not hand it to the next call
        with open(os.path.join(home, "left-behind"), "w") as fh:
            fh.write("x")
        return {
            "home": home,
            "aliyun": os.path.exists(os.path.expanduser("~/.aliyun/config.json")),
            "alibabacloud": os.path.exists(os.path.expanduser("~/.alibabacloud/credentials")),
        }

    invoker = Invoker(rng=1)
    first = invoker(look, b"").return_value
    assert first["home"] != str(tmp_path) and not first["aliyun"] and not first["alibabacloud"]
    assert invoker(lambda e, c: os.listdir(os.path.expanduser("~")), b"").return_value == []
    assert os.environ["HOME"] == str(tmp_path)


def test_a_second_test_never_sees_the_first_tests_fake_key():
    keys = [
        Invoker(rng=seed)(lambda e, c: os.environ["ALIBABA_CLOUD_ACCESS_KEY_ID"], b"").return_value for seed in (1, 2)
    ]
    assert keys[0] != keys[1] and all(k.startswith(FAKE_AK_PREFIX) for k in keys)
    assert keys[0] not in os.environ.values()  # nothing of the first call stays in the process


COLLECTED = """
import os

import alibabacloud_oss_v2 as oss

# what a handler module does at import, imported by the test module at collection time
AT_IMPORT = {k: v for k, v in os.environ.items() if v.startswith("LTAI5tReal")}
PROVIDER = oss.credentials.EnvironmentVariableCredentialsProvider


def handler(event, context):
    try:
        creds = PROVIDER().get_credentials()
        key = creds.access_key_id
    except Exception:
        key = None
    return {"at_import": AT_IMPORT, "provider": key}
"""

TEST = """
import index


def test_collected(fc_invoke):
    seen = fc_invoke(index.handler, b"").return_value
    with open("/proc/self/environ", "rb") as fh:
        proc = fh.read()
    assert seen["at_import"] == {}, seen
    assert seen["provider"] is None or seen["provider"].startswith("STS.FCTEST"), seen
    assert b"LTAI5tReal" not in proc and b"real-secret" not in proc


def test_opted_out(fc_invoke):
    pass
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc/self/environ is Linux's")
def test_handler_modules_imported_at_collection_see_no_real_key(pytester: pytest.Pytester, monkeypatch):
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", "LTAI5tRealKey")
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "real-secret")
    monkeypatch.setenv("OSS_ACCESS_KEY_ID", "LTAI5tRealOss")
    monkeypatch.setenv("OSS_ACCESS_KEY_SECRET", "real-secret")
    pytester.makepyfile(index=COLLECTED, test_index=TEST)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-p", "no:randomly", "-k", "collected")
    result.assert_outcomes(passed=1)


def test_integration_suites_can_keep_real_credentials(pytester: pytest.Pytester, monkeypatch):
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", "LTAI5tRealKey")
    pytester.makepyfile(
        """
        import os

        AT_COLLECTION = os.environ.get("ALIBABA_CLOUD_ACCESS_KEY_ID")

        def test_kept(fc_invoke):
            assert AT_COLLECTION == "LTAI5tRealKey"
            # a handler still sees only the fake one
            ak = fc_invoke(lambda e, c: os.environ["ALIBABA_CLOUD_ACCESS_KEY_ID"], b"").return_value
            assert ak.startswith("STS.FCTEST")
        """
    )
    pytester.runpytest("-p", "no:cacheprovider", "--fc-real-credentials").assert_outcomes(passed=1)
    assert os.environ["ALIBABA_CLOUD_ACCESS_KEY_ID"] == "LTAI5tRealKey"
