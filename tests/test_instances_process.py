"""Process instances (``isolate="process"``): an FC instance is a child process.

Each test drives the Invoker directly (the pytest wiring is in test_instances_plugin.py).
FC's execution model as the docs describe it: an instance is killed at the function's
timeout ("Function timed out after N seconds"), an instance that runs out of memory ends
with "Process exited unexpectedly before completing request" (FC docs: "What do I do if a
function abnormally exits and the 'Process exited unexpectedly before completing request'
message is reported?" lists OOM as a cause), the initializer runs once per instance and a
warm instance is reused.
"""

from __future__ import annotations

import json
import logging
import os
import select
import socket
import time
from pathlib import Path

import pytest

from pytest_fctrigger.instances import FCOutOfMemoryError, protection
from pytest_fctrigger.invoke import FCInvokeError, FCTimeoutError, Invoker
from pytest_fctrigger.loops import SelfTriggerLoop
from pytest_fctrigger.triggers.model import FunctionSpec, TriggerSpec

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="process instances fork a zygote (POSIX)")

DATA = Path(__file__).parent / "data"
CODE = str(DATA / "instances")


@pytest.fixture
def instance():
    invoker = Invoker(rng=7, isolate="process")
    yield invoker
    invoker.close()


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            state = fh.read().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")


def _gone_within(pid: int, seconds: float) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if not _alive(pid):
            return True
        time.sleep(0.02)
    return not _alive(pid)


# --------------------------------------------------------------------------- timeout
def test_c_code_holding_the_gil_is_killed_at_the_timeout(instance):
    first = instance("index.counter", {}, code_dir=CODE).json()
    started = time.monotonic()
    with pytest.raises(FCTimeoutError) as info:
        instance("index.spin", {}, code_dir=CODE, timeout=1)
    assert time.monotonic() - started < 2.0
    assert info.value.error["errorMessage"].startswith("Function timed out after 1 seconds (maxMemoryUsage: ")
    assert info.value.result.logs.rstrip().endswith(info.value.error["errorMessage"])
    assert _gone_within(first["pid"], 2.0)  # the killed instance is gone ...
    again = instance("index.counter", {}, code_dir=CODE).json()
    assert again["pid"] != first["pid"] and again["calls"] == 1  # ... and the next call gets a fresh one


# --------------------------------------------------------------------------- memory
def test_allocating_past_memory_size_is_fcs_out_of_memory_error(instance):
    spec = FunctionSpec(name="hungry", handler="index.allocate", code_dir=Path(CODE), memory=128)
    with pytest.raises(FCOutOfMemoryError) as info:
        instance(spec, {"mb": 256}, timeout=60)
    assert info.value.error["errorMessage"].startswith("Process exited unexpectedly before completing request")
    assert "memorySize 128 MB" in str(info.value)
    assert isinstance(info.value, MemoryError) and isinstance(info.value, FCInvokeError)


def test_allocating_within_memory_size_succeeds(instance):
    spec = FunctionSpec(name="roomy", handler="index.allocate", code_dir=Path(CODE), memory=512, timeout=60)
    assert instance(spec, {"mb": 256}).json() == {"allocated_mb": 256}


# --------------------------------------------------------------------------- environment
REAL_KEY = "LTAI5tRealLookingKey0123"
REAL_SECRET = "RealLookingSecretValue0123456789abcd"
DEV_PROXY = "http://127.0.0.1:9"


def test_real_credentials_in_the_environment_and_home_files_do_not_reach_the_instance(instance, monkeypatch, tmp_path):
    home = tmp_path / "home"
    (home / ".aliyun").mkdir(parents=True)
    (home / ".aliyun" / "config.json").write_text(
        json.dumps({"profiles": [{"name": "default", "access_key_id": REAL_KEY, "access_key_secret": REAL_SECRET}]})
    )
    (home / ".alibabacloud").mkdir()
    (home / ".alibabacloud" / "credentials").write_text(
        f"[default]\ntype = access_key\naccess_key_id = {REAL_KEY}\naccess_key_secret = {REAL_SECRET}\n"
    )
    monkeypatch.setenv("HOME", str(home))
    for name in (
        "ALIBABA_CLOUD_ACCESS_KEY_ID",
        "ALICLOUD_ACCESS_KEY",
        "OSS_ACCESS_KEY_ID",
        "ACCESS_KEY_ID",
        "OTS_ACCESS_KEY_ID",
        "alibaba_cloud_access_key_id",
    ):
        monkeypatch.setenv(name, REAL_KEY)
    monkeypatch.setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", REAL_SECRET)
    monkeypatch.setenv("HTTPS_PROXY", DEV_PROXY)
    result = instance("index.environment", {}, code_dir=CODE)
    seen = result.json()
    assert REAL_KEY not in result.text and REAL_SECRET not in result.text
    fake = result.context.credentials
    assert seen["environ"]["ALIBABA_CLOUD_ACCESS_KEY_ID"] == fake.access_key_id
    assert seen["environ"]["ALIBABA_CLOUD_ACCESS_KEY_SECRET"] == fake.access_key_secret
    assert seen["home"] != str(home) and seen["home_files"] == {}
    # the developer's proxy does not get in (the guard may set a refusing proxy of its own)
    assert seen["environ"].get("HTTPS_PROXY") != DEV_PROXY and f"HTTPS_PROXY={DEV_PROXY}\n" not in seen["child_env"]


def test_the_environment_is_built_from_scratch(instance, monkeypatch):
    monkeypatch.setenv("H10_DEVELOPER_ONLY", "1")
    spec = FunctionSpec(
        name="env-fn", handler="index.environment", code_dir=Path(CODE), environment={"STAGE": "test"}, memory=256
    )
    seen = instance(spec, {}).json()
    env = seen["environ"]
    assert "H10_DEVELOPER_ONLY" not in env and "H10_DEVELOPER_ONLY" not in seen["proc_environ"]
    assert env["STAGE"] == "test"
    assert env["FC_FUNCTION_NAME"] == "env-fn" and env["FC_FUNCTION_MEMORY_SIZE"] == "256"
    assert env["FC_FUNC_CODE_PATH"] == CODE and seen["cwd"] == CODE
    assert seen["tmpdir"] and not seen["tmpdir"].startswith(seen["home"]) and seen["home"] != os.path.expanduser("~")


# --------------------------------------------------------------------------- instance life
def test_the_initializer_runs_once_per_instance_and_a_warm_instance_is_reused(instance):
    calls = [instance("index.counter", {}, code_dir=CODE, initializer="index.initializer").json() for _ in range(3)]
    assert [c["calls"] for c in calls] == [1, 2, 3]
    assert {c["init"] for c in calls} == {1}
    assert len({c["pid"] for c in calls}) == 1 and calls[0]["pid"] != os.getpid()
    other = Invoker(rng=8, isolate="process")  # another test: another instance
    try:
        fresh = other("index.counter", {}, code_dir=CODE, initializer="index.initializer").json()
    finally:
        other.close()
    assert fresh["pid"] != calls[0]["pid"] and fresh["init"] == 1 and fresh["calls"] == 1
    instance.close()
    assert _gone_within(calls[0]["pid"], 2.0)


def test_a_warm_instances_next_invocation_is_isolated_again_after_a_handler_undid_it(instance):
    # the guard, the environment and the root logger are set up once per instance (not per
    # call): what one invocation undoes must be whole again for the next one. The handler
    # replaces the socket functions with tripwires (so nothing could leave even if the guard
    # were gone), clears the children's proxy variables, leaves a variable, a log level and
    # a log handler behind and changes directory.
    first = instance("index.tamper", {}, code_dir=CODE).json()
    seen = instance("index.inspect", {}, code_dir=CODE).json()
    assert seen["pid"] == first["pid"]  # the same, warm instance
    assert seen["lookup"] == seen["create_connection"] == seen["connect"] == "NetworkBlockedError"
    assert seen["tripped"] == 0  # the guard refused before anything beneath it ran
    child_env = seen["child_env"]
    assert child_env["https_proxy"] == child_env["http_proxy"] == child_env["HTTPS_PROXY"]
    assert child_env["https_proxy"].startswith("http://127.0.0.1:")  # the refusing proxy
    assert child_env["FCTRIGGER_CHILD_GUARD"] == "1" and child_env["PYTHONPATH"] != "/nowhere"
    assert seen["left_behind"] is None and "H10_LEFT_BEHIND" not in child_env
    assert seen["root_level"] == logging.INFO and seen["root_handlers"] == ["FCLogHandler"]
    assert seen["cwd"] == CODE
    assert instance("index.inspect", {}, code_dir=CODE).json() == seen  # and the one after


def test_threads_and_children_end_with_the_instance(instance, tmp_path):
    beat = tmp_path / "beat"
    started = instance("index.linger", {"beat": str(beat)}, code_dir=CODE).json()
    time.sleep(0.1)
    assert _alive(started["child"]) and beat.stat().st_size > 0
    instance.close()  # what the end of the test does
    assert _gone_within(started["pid"], 2.0) and _gone_within(started["child"], 2.0)
    size = beat.stat().st_size
    time.sleep(0.2)
    assert beat.stat().st_size == size  # the thread stopped with its process


def test_sys_exit_ends_the_instance_with_fcs_error(instance):
    first = instance("index.counter", {}, code_dir=CODE).json()
    with pytest.raises(FCInvokeError) as info:
        instance("index.exits", {}, code_dir=CODE)
    assert info.value.error["errorMessage"].startswith("Process exited unexpectedly before completing request")
    assert instance("index.counter", {}, code_dir=CODE).json()["pid"] != first["pid"]


# --------------------------------------------------------------------------- results
def test_handler_errors_have_the_in_process_payload(instance):
    in_process = Invoker(rng=7)("index.boom", {}, code_dir=CODE, catch=True)
    in_instance = instance("index.boom", {}, code_dir=CODE, catch=True)
    assert in_instance.error == in_process.error
    assert in_instance.error["errorType"] == "ValueError"
    assert in_instance.payload == in_process.payload
    with pytest.raises(ValueError, match="boom in the handler") as info:
        instance("index.boom", {}, code_dir=CODE)
    assert 'index.py", line' in str(info.value.__cause__)  # the handler's traceback, from the instance


def test_logs_come_back_including_c_level_writes_and_children(instance):
    result = instance("index.logs", {}, code_dir=CODE)
    logs = result.logs
    assert logs.startswith(f"FC Invoke Start RequestId: {result.request_id}\n")
    assert logs.endswith(f"FC Invoke End RequestId: {result.request_id}\n")
    for line in (
        "printed by the handler",
        f"{result.request_id} [INFO] logged by the handler",
        "written to fd 1 by C-level code",
        "echoed by a child process",
    ):
        assert line in logs


def test_a_handler_that_cannot_be_sent_to_the_instance_is_a_clear_error(instance):
    from pytest_fctrigger.errors import ConfigError

    with pytest.raises(ConfigError, match="isolate='process'.*handler string"):
        instance(lambda event, context: "x", {})


def test_bad_isolation_modes_are_refused():
    from pytest_fctrigger.errors import ConfigError

    with pytest.raises(ConfigError, match="isolation mode must be one of 'none', 'process'"):
        Invoker(isolate="processes")
    with pytest.raises(ConfigError, match=r"fc_invoke\(\.\.\., isolate=\.\.\.\)"):
        Invoker()("index.counter", {}, code_dir=CODE, isolate="thread")


# --------------------------------------------------------------------------- the cloud, through the parent
def test_oss_writes_and_self_trigger_loops_go_through_the_test_process(fc_cloud, oss_event):
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
    bucket = fc_cloud.oss.bucket("images")
    bucket.put("source/cat.png", png)
    event = oss_event(bucket="images", key="source/cat.png")
    code = str(DATA / "loops" / "oss_resize")
    safe = TriggerSpec.from_marker("oss", name="resize", bucket="images", prefix="source/")
    invoker = Invoker(cloud=fc_cloud, triggers=[safe], isolate="process")
    try:
        result = invoker("index.handler", event, code_dir=code)
        assert [w.describe() for w in result.writes] == ["ProcessObject oss://images/processed/cat.png"]
        assert bucket.get("processed/cat.png") == png
    finally:
        invoker.close()
    whole = TriggerSpec.from_marker("oss", name="resize", bucket="images")
    looping = Invoker(cloud=fc_cloud, triggers=[whole], isolate="process")
    try:
        with pytest.raises(SelfTriggerLoop) as info:
            looping("index.handler", event, code_dir=code)
    finally:
        looping.close()
    assert info.value.chain.endswith("-> fires oss trigger 'resize' again")


def test_mns_and_tablestore_requests_go_through_the_test_process(
    fc_cloud, mns_topic_event, tablestore_event, tablestore_record
):
    fc_cloud.mns.topic("orders")
    results = fc_cloud.mns.topic("orders-results")
    order = json.dumps({"id": 7, "items": [{"price": 3, "qty": 2}, {"price": 5, "qty": 1}]})
    topic = TriggerSpec.from_marker("mns_topic", name="orders", topic="orders", format="JSON")
    invoker = Invoker(cloud=fc_cloud, triggers=[topic], isolate="process")
    try:
        event = mns_topic_event(message=order, format="JSON", topic="orders")
        result = invoker("index.forward", event, code_dir=str(DATA / "loops" / "mns_republish"))
        assert [w.describe() for w in result.writes] == ["PublishMessage topic 'orders-results'"]
        assert json.loads(results.published[-1].body)["total"] == 11
        with pytest.raises(SelfTriggerLoop):
            invoker("index.republish", event, code_dir=str(DATA / "loops" / "mns_republish"))
    finally:
        invoker.close()
    fc_cloud.tablestore.table("shop", "orders")
    fc_cloud.tablestore.table("shop", "orders_audit")
    record = tablestore_record(type="PutRow", primary_key=[("id", 42)], columns=[("status", "new")])
    stream = TriggerSpec.from_marker("tablestore", name="orders-stream", instance="shop", table="orders")
    ots = Invoker(cloud=fc_cloud, triggers=[stream], isolate="process")
    try:
        result = ots("index.audit", tablestore_event(records=[record]), code_dir=str(DATA / "loops" / "ots_mark"))
        assert [w.describe() for w in result.writes] == ["PutRow table shop/orders_audit"]
    finally:
        ots.close()


def test_an_endpoint_nothing_simulates_is_refused_in_the_instance(fc_cloud, tmp_path):
    (tmp_path / "index.py").write_text(
        "import requests\n"
        "def handler(event, context):\n"
        "    try:\n"
        "        requests.get('https://example.com/x', timeout=2)\n"
        "    except Exception as exc:\n"
        "        return type(exc).__name__ + ': ' + str(exc)\n"
        "    return 'sent'\n"
    )
    invoker = Invoker(cloud=fc_cloud, isolate="process")
    try:
        text = invoker("index.handler", {}, code_dir=str(tmp_path)).text
    finally:
        invoker.close()
    assert text.startswith("NetworkBlockedError") and "example.com" in text


# --------------------------------------------------------------------------- network namespace
@pytest.mark.skipif("no network" not in protection(), reason="no unprivileged user+network namespaces here")
def test_the_instance_has_no_network_not_even_loopback(instance):
    # a listener on 127.0.0.1 stands in for the outside: in a fresh network namespace even
    # the host's loopback is unreachable, which proves the isolation without outside traffic
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(5)
    try:
        port = listener.getsockname()[1]
        outcomes = instance("index.connect", {"port": port}, code_dir=CODE).json()
        ready, _, _ = select.select([listener], [], [], 0.3)
    finally:
        listener.close()
    assert outcomes["raw_socket"] != "connected" and outcomes["child_process"] != "connected"
    assert outcomes["raw_socket"].startswith("OSError") or "unreachable" in outcomes["raw_socket"]
    assert ready == []  # nothing ever reached the stand-in


def test_an_exception_that_cannot_be_sent_back_keeps_its_payload(instance, tmp_path):
    from pytest_fctrigger.instances import InstanceHandlerError

    (tmp_path / "index.py").write_text(
        "import threading\n"
        "class Odd(Exception):\n"
        "    def __init__(self, text):\n"
        "        super().__init__(text)\n"
        "        self.lock = threading.Lock()  # does not pickle\n"
        "def handler(event, context):\n"
        "    raise Odd('odd')\n"
    )
    with pytest.raises(InstanceHandlerError) as info:
        instance("index.handler", {}, code_dir=str(tmp_path))
    assert info.value.error["errorType"] == "Odd" and info.value.error["errorMessage"] == "odd"
    assert "raise Odd('odd')" in str(info.value)


def test_fc_http_runs_the_wsgi_app_in_the_instance(instance, tmp_path):
    from pytest_fctrigger.http import HttpDriver

    (tmp_path / "index.py").write_text(
        "import os\n"
        "def handler(environ, start_response):\n"
        "    start_response('200 OK', [('Content-Type', 'text/plain')])\n"
        "    return [str(os.getpid()).encode()]\n"
    )
    response = HttpDriver(instance).wsgi("index.handler", "GET", "/x", code_dir=str(tmp_path))
    assert response.status == 200 and int(response.body) != os.getpid()


def test_an_initializer_past_its_initialization_timeout_is_killed(instance):
    spec = FunctionSpec(
        name="slow-start",
        handler="index.counter",
        code_dir=Path(CODE),
        initializer="index.slow_initializer",
        initialization_timeout=1,
        timeout=30,
    )
    # the zygote starts with the session's first process-mode call (~1 s, more on a loaded
    # machine): started by another function first, so only the initializer is timed
    instance("index.counter", {}, code_dir=CODE)
    started = time.monotonic()
    with pytest.raises(FCTimeoutError) as info:
        instance(spec, {})
    assert time.monotonic() - started < 2.0
    assert info.value.error["errorMessage"].startswith("Function initialization timed out after 1 seconds")
    assert "FC Initialize End RequestId: " in info.value.result.logs
