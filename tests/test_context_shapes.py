"""make_context: field names, types and both runtime shapes.

Source of truth: reference/fc-runtime-and-config.md section 1.2 (FC 2.0 / Python
3.6-3.10 classes) and 1.3 (Python 3.12: "Python 3.12移除了上下文字段credentials").
"""

import base64
import json
import logging
import re

import pytest

from pytest_fctrigger._credentials import FAKE_AK_PREFIX, secret_for
from pytest_fctrigger.context import FCContext, FCContext312, make_context, new_request_id
from pytest_fctrigger.errors import ConfigError, UnknownFieldError
from pytest_fctrigger.events._random import FCRandom

REQUEST_ID = re.compile(r"^1-[0-9a-f]{8}-[0-9a-f]{24}$")
FC2_RUNTIMES = ["python3", "python3.6", "python3.9", "python3.10"]


@pytest.fixture
def ctx():
    return make_context("python3.10", rng=FCRandom(7, region="cn-shanghai"))


def test_request_id_fields(ctx):
    assert REQUEST_ID.match(ctx.request_id)
    assert ctx.requestId == ctx.request_id
    # plain attributes, as the runtime sets them: not linked to each other
    ctx.request_id = "other"
    assert ctx.requestId != "other"


def test_request_id_comes_from_the_seeded_clock():
    # FC's request ids start with the invocation time in hex seconds (1-640989e8-...)
    rng = FCRandom(4)
    rid = rng.fc_request_id()
    assert REQUEST_ID.match(rid)
    issued = int(rid.split("-")[1], 16)
    assert rng.base_time.timestamp() <= issued <= rng.time().timestamp()
    assert new_request_id(FCRandom(4)) == rid  # one implementation for context, invoke and events


def test_credentials_group(ctx):
    creds = ctx.credentials
    assert creds.access_key_id.startswith(FAKE_AK_PREFIX)
    assert creds.access_key_id.startswith("STS.")  # STS-shaped
    assert creds.security_token.startswith("CAIS")
    assert secret_for(creds.access_key_id) == creds.access_key_secret
    assert (creds.accessKeyId, creds.accessKeySecret, creds.securityToken) == (
        creds.access_key_id,
        creds.access_key_secret,
        creds.security_token,
    )
    assert creds.to_dict() == {
        "accessKeyId": creds.access_key_id,
        "accessKeySecret": creds.access_key_secret,
        "securityToken": creds.security_token,
    }
    assert creds.access_key_secret not in repr(creds)


def test_a_given_key_id_gets_its_derived_secret():
    creds = make_context(rng=1, access_key_id="STS.FCTESTMYKEY").credentials
    assert creds.access_key_id == "STS.FCTESTMYKEY"
    assert creds.access_key_secret == secret_for("STS.FCTESTMYKEY")  # simulated services can verify it
    assert creds.security_token.startswith("CAIS")
    mine = make_context(rng=1, access_key_id="STS.FCTESTMYKEY", access_key_secret="s").credentials
    assert mine.access_key_secret == "s"


def test_credentials_never_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", "LTAI-real-key")
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "real-secret")
    monkeypatch.setenv("ALIBABA_CLOUD_SECURITY_TOKEN", "real-token")
    creds = make_context(rng=1).credentials
    assert "real" not in creds.access_key_id + creds.access_key_secret + creds.security_token
    assert creds.access_key_id.startswith(FAKE_AK_PREFIX)


def test_function_group(ctx):
    fn = ctx.function
    assert (fn.name, fn.handler) == ("test-function", "index.handler")
    assert type(fn.memory) is int and fn.memory == 128  # FunctionMeta(..., int(memory), ...)
    assert type(fn.timeout) is int and fn.timeout == 3
    assert fn.to_dict() == {"name": "test-function", "handler": "index.handler", "memory": 128, "timeout": 3}
    # the Python runtime's FunctionMeta has no initializer fields (only Node.js/PHP do)
    assert not hasattr(fn, "initializer")


def test_service_group(ctx):
    svc = ctx.service
    assert svc.name == "test-service"
    assert svc.log_project.startswith("aliyun-fc-cn-shanghai-")
    assert svc.log_store == "function-log"
    assert svc.qualifier == "LATEST"
    assert svc.version_id is None
    assert svc.to_dict() == {
        "name": svc.name,
        "logProject": svc.log_project,
        "logStore": svc.log_store,
        "qualifier": "LATEST",
        "versionId": None,
    }


def test_region_and_account_follow_the_rng():
    rng = FCRandom(3, region="ap-southeast-1")
    ctx = make_context(rng=rng)
    assert ctx.region == "ap-southeast-1"
    assert ctx.account_id == rng.account_id
    assert re.fullmatch(r"1\d{15}", ctx.account_id)


def test_retry_count_and_tracing(ctx):
    assert ctx.retry_count == 0
    assert ctx.tracing.to_dict() == {
        "openTracingSpanContext": None,
        "openTracingSpanBaggages": {},
        "jaegerEndpoint": None,
    }
    traced = make_context(
        rng=1,
        retry_count=2,
        span_context="5f1c:4e2a:0:1",
        span_baggages={"user": "alice"},
        jaeger_endpoint="http://tracing/api/traces",
    )
    assert traced.retry_count == 2
    assert traced.tracing.span_context == "5f1c:4e2a:0:1"
    assert traced.tracing.span_baggages == {"user": "alice"}
    assert traced.tracing.jaeger_endpoint == "http://tracing/api/traces"
    # baggages also accepted as the base64 JSON header value; garbage decodes to {} like the runtime
    b64 = base64.b64encode(json.dumps({"k": "v"}).encode()).decode()
    assert make_context(rng=1, span_baggages=b64).tracing.span_baggages == {"k": "v"}
    assert make_context(rng=1, span_baggages="%%%").tracing.span_baggages == {}


def test_logger_group(ctx):
    assert ctx.logger is None  # FC_CONCURRENT_LIMIT == 1
    assert ctx.getLogger() is logging.getLogger()
    concurrent = make_context(rng=1, instance_concurrency=4)
    assert concurrent.logger is not None and concurrent.logger.name == concurrent.request_id
    assert concurrent.getLogger() is concurrent.logger
    mine = logging.getLogger("mine")
    assert make_context(rng=1, logger=mine).getLogger() is mine


def test_to_json_is_the_runtime_json(ctx):
    data = json.loads(ctx.to_json())
    assert sorted(data) == [
        "accountId",
        "credentials",
        "function",
        "region",
        "requestId",
        "retryCount",
        "service",
        "tracing",
    ]
    assert data["credentials"] == ctx.credentials.to_dict()
    assert data["function"]["memory"] == 128
    assert data["service"]["logStore"] == "function-log"


@pytest.mark.parametrize("runtime", FC2_RUNTIMES)
def test_fc2_runtimes_share_the_shape(runtime):
    ctx = make_context(runtime, rng=2)
    assert isinstance(ctx, FCContext)
    assert ctx.runtime == runtime
    for name in (
        "request_id",
        "requestId",
        "credentials",
        "function",
        "service",
        "region",
        "account_id",
        "retry_count",
        "tracing",
        "logger",
    ):
        assert hasattr(ctx, name), name


def test_python312_shape():
    ctx = make_context("python3.12", rng=FCRandom(5, region="cn-beijing"))
    assert isinstance(ctx, FCContext312)
    assert not hasattr(ctx, "credentials")  # "Python 3.12移除了上下文字段credentials"
    assert not hasattr(ctx, "service") and not hasattr(ctx, "requestId")
    assert REQUEST_ID.match(ctx.request_id)
    assert ctx.region == "cn-beijing"
    assert ctx.log_project.startswith("aliyun-fc-cn-beijing-") and ctx.log_store == "function-log"
    fn = ctx.function
    assert (fn.name, fn.handler, fn.memory, fn.timeout) == ("test-function", "index.handler", 128, 3)
    assert fn.qualifier == "LATEST" and fn.version_id is None
    assert fn.to_dict()["qualifier"] == "LATEST"
    assert ctx.getLogger() is logging.getLogger()
    # the credentials still exist, for the ALIBABA_CLOUD_* variables the harness exports
    assert ctx._fc_meta.credentials.access_key_id.startswith(FAKE_AK_PREFIX)
    assert json.loads(ctx.to_json())["logProject"] == ctx.log_project


def test_python312_takes_version_and_qualifier():
    ctx = make_context("python3.12", rng=1, version_id="3", qualifier="prod")
    assert (ctx.function.version_id, ctx.function.qualifier) == ("3", "prod")


def test_overrides_apply():
    ctx = make_context(
        rng=1,
        function_name="resize",
        handler="app.main",
        memory=512,
        timeout=60,
        service_name="imgs",
        region="cn-qingdao",
        account_id="1234567890123456",
        request_id="1-00000000-000000000000000000000001",
        qualifier="prod",
        version_id="2",
        access_key_id="STS.FCTESTX",
        log_project="p",
        log_store="s",
    )
    assert (ctx.function.name, ctx.function.handler, ctx.function.memory, ctx.function.timeout) == (
        "resize",
        "app.main",
        512,
        60,
    )
    assert (ctx.service.name, ctx.service.qualifier, ctx.service.version_id) == ("imgs", "prod", "2")
    assert (ctx.region, ctx.account_id) == ("cn-qingdao", "1234567890123456")
    assert ctx.request_id == ctx.requestId == "1-00000000-000000000000000000000001"
    assert ctx.credentials.access_key_id == "STS.FCTESTX"
    assert (ctx.service.log_project, ctx.service.log_store) == ("p", "s")


def test_unknown_override_lists_the_valid_names():
    with pytest.raises(UnknownFieldError) as info:
        make_context(rng=1, memory_size=256)
    msg = str(info.value)
    assert "'memory_size'" in msg and "memory" in msg and "function_name" in msg
    # fields of the FC 2.0 shape do not exist on Python 3.12
    with pytest.raises(UnknownFieldError, match="service_name"):
        make_context("python3.12", rng=1, service_name="s")


def test_unknown_runtime_lists_the_valid_runtimes():
    with pytest.raises(ConfigError) as info:
        make_context("python3.11", rng=1)
    assert "python3.11" in str(info.value)
    for runtime in FC2_RUNTIMES + ["python3.12"]:
        assert runtime in str(info.value)


@pytest.mark.parametrize(
    "field, value",
    [("memory", "512"), ("memory", 0), ("timeout", -1), ("retry_count", 1.5), ("instance_concurrency", 0)],
)
def test_bad_override_types_are_named(field, value):
    with pytest.raises(ConfigError, match=field):
        make_context(rng=1, **{field: value})


def test_same_seed_same_context_and_fresh_ids_per_call():
    a, b = make_context(rng=FCRandom(11)), make_context(rng=FCRandom(11))
    assert a.to_json() == b.to_json()
    rng = FCRandom(11)
    first, second = make_context(rng=rng), make_context(rng=rng)
    assert first.request_id != second.request_id
