"""Environment during an invocation: fake credentials in, real ones out, everything restored.

Variables: the runtime's kept FC_* set ("SAFE_ENV", reference 1.2) and the credential
variables ALIBABA_CLOUD_ACCESS_KEY_ID / _SECRET / SECURITY_TOKEN (FC docs "环境变量").
"""

import os

import pytest

from pytest_fctrigger._credentials import FAKE_AK_PREFIX
from pytest_fctrigger.invoke import Invoker

REAL = {
    "ALIBABA_CLOUD_ACCESS_KEY_ID": "LTAI5tRealKeyId",
    "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "real-secret",
    "ALIBABA_CLOUD_SECURITY_TOKEN": "real-token",
    "ALIBABA_CLOUD_CREDENTIALS_FILE": "/home/me/.alibabacloud/credentials",
    "ALICLOUD_ACCESS_KEY": "LTAI5tTerraform",
    "ALIYUN_ACCESS_KEY_ID": "LTAI5tCli",
    "OSS_ACCESS_KEY_ID": "LTAI5tOss",
    "OSS_ACCESS_KEY_SECRET": "oss-secret",
    "FC_TEST_LEFTOVER": "x",
}


def snapshot_env(event, context):
    return dict(os.environ)


@pytest.fixture
def real_env(monkeypatch):
    for key, value in REAL.items():
        monkeypatch.setenv(key, value)


def test_fake_credentials_set_and_real_ones_hidden(real_env):
    result = Invoker(rng=1)(snapshot_env, b"")
    env = result.return_value
    creds = result.context.credentials
    assert env["ALIBABA_CLOUD_ACCESS_KEY_ID"] == creds.access_key_id
    assert env["ALIBABA_CLOUD_ACCESS_KEY_SECRET"] == creds.access_key_secret
    assert env["ALIBABA_CLOUD_SECURITY_TOKEN"] == creds.security_token
    assert creds.access_key_id.startswith(FAKE_AK_PREFIX)
    for key in (
        "ALIBABA_CLOUD_CREDENTIALS_FILE",
        "ALICLOUD_ACCESS_KEY",
        "ALIYUN_ACCESS_KEY_ID",
        "OSS_ACCESS_KEY_ID",
        "OSS_ACCESS_KEY_SECRET",
        "FC_TEST_LEFTOVER",
    ):
        assert key not in env, key
    assert not any(value in REAL.values() for value in env.values())


def test_environment_restored_exactly(real_env):
    before = dict(os.environ)

    def meddle(event, context):
        os.environ["ADDED_BY_HANDLER"] = "1"
        os.environ["PATH"] = "/nowhere"
        del os.environ["HOME"]

    Invoker(rng=1)(meddle, b"")
    assert dict(os.environ) == before


def test_environment_restored_after_an_exception(real_env):
    before = dict(os.environ)

    def boom(event, context):
        os.environ["X"] = "y"
        raise RuntimeError

    with pytest.raises(RuntimeError):
        Invoker(rng=1)(boom, b"")
    assert dict(os.environ) == before


def test_runtime_variables_fc2(tmp_path):
    (tmp_path / "index.py").write_text("import os\ndef handler(e, c):\n    return dict(os.environ)\n")
    result = Invoker(rng=1, context_defaults={"function_name": "thumb", "memory": 256})(
        "index.handler", b"", code_dir=tmp_path
    )
    env, ctx = result.json(), result.context
    assert env["FC_FUNC_CODE_PATH"] == str(tmp_path)
    assert env["FC_FUNCTION_NAME"] == "thumb"
    assert env["FC_FUNCTION_HANDLER"] == "index.handler"
    assert env["FC_FUNCTION_MEMORY_SIZE"] == "256"
    assert env["FC_REGION"] == ctx.region and env["FC_ACCOUNT_ID"] == ctx.account_id
    assert env["FC_SERVICE_NAME"] == ctx.service.name and env["FC_QUALIFIER"] == "LATEST"
    assert env["FC_INSTANCE_ID"].startswith("c-")


def test_python312_credentials_only_in_the_environment():
    def handler(event, context):
        return {"has_attr": hasattr(context, "credentials"), "ak": os.environ["ALIBABA_CLOUD_ACCESS_KEY_ID"]}

    data = Invoker(rng=1, runtime="python3.12")(handler, b"").json()
    assert data["has_attr"] is False
    assert data["ak"].startswith(FAKE_AK_PREFIX)


def test_one_instance_keeps_its_credentials_and_instance_id_but_not_its_request_id():
    invoker = Invoker(rng=1)
    a, b = invoker(snapshot_env, b""), invoker(snapshot_env, b"")
    assert a.request_id != b.request_id
    assert a.context.credentials.access_key_id == b.context.credentials.access_key_id
    assert a.return_value["FC_INSTANCE_ID"] == b.return_value["FC_INSTANCE_ID"]
