"""``fc_cloud.sls`` under pytest: fixtures, markers, real Redis, xdist workers."""

import os
import subprocess
import sys
import time
import uuid

import pytest

pytest.importorskip("aliyun.log")

from sls_helpers import NO_REAL_REDIS, REAL_REDIS_URL

HANDLER = """
import json
from aliyun.log import LogClient

SEEN = []

def handler(event, context):
    info = json.loads(event.decode())
    src = info["source"]
    creds = context.credentials
    client = LogClient(src["endpoint"], creds.access_key_id, creds.access_key_secret, creds.security_token)
    cursor = src["beginCursor"]
    while True:
        res = client.pull_logs(src["projectName"], src["logstoreName"], src["shardId"], cursor, 10, src["endCursor"])
        SEEN.extend(log["id"] for group in res.get_loggroup_json_list() for log in group["logs"])
        if res.get_next_cursor() == cursor:
            break
        cursor = res.get_next_cursor()
    return "hello world"
"""


def test_fc_cloud_sls_with_a_marker_declared_trigger(pytester: pytest.Pytester):
    pytester.makepyfile(etl=HANDLER)
    pytester.makepyfile(
        test_inner="""
        import pytest
        import etl

        @pytest.mark.fc_trigger("log", project="proj", logstore="src",
                                jobConfig={"triggerInterval": 30, "maxRetryTime": 1},
                                functionParameter={"dest": "clean"})
        def test_etl(fc_cloud, fc_triggers):
            etl.SEEN.clear()
            store = fc_cloud.sls.logstore("proj", "src", shards=3)
            job = fc_cloud.sls.job(etl.handler, fc_triggers[0])
            for tick in range(6):
                store.append(tick % 3, [{"id": f"{tick}-{n}"} for n in range(4)])
                job.tick()
            assert sorted(etl.SEEN) == sorted(f"{t}-{n}" for t in range(6) for n in range(4))
            assert job.invocations[0].event.data["parameter"] == {"dest": "clean"}
            assert job.interval == 30 and job.failed_ranges == []
            # the cursor store is namespaced by run, worker, seed and test
            assert fc_cloud.namespace.endswith(":test_inner.py::test_etl")
            assert job.store.namespace == fc_cloud.namespace
        """
    )
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)


def test_the_job_can_invoke_through_fc_invoke_and_its_settings(pytester: pytest.Pytester):
    pytester.makepyfile(etl=HANDLER)
    pytester.makepyfile(
        test_inner="""
        import pytest
        import etl

        @pytest.fixture
        def fc_context_defaults():
            return {"function_name": "access-etl", "memory": 512}

        @pytest.mark.fc_trigger("log", project="proj", logstore="src")
        def test_etl(fc_cloud, fc_triggers, fc_invoke):
            store = fc_cloud.sls.logstore("proj", "src", shards=1)
            store.append(0, [{"id": "1"}])
            job = fc_cloud.sls.job(etl.handler, fc_triggers[0], invoker=fc_invoke)
            (call,) = job.tick()
            assert call.ok
            assert call.result.context.function.name == "access-etl"
            assert call.result.context.function.memory == 512
        """
    )
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)


@pytest.mark.skipif(REAL_REDIS_URL is None, reason=NO_REAL_REDIS)
def test_fc_redis_url_option_puts_the_cursor_store_on_that_server(pytester: pytest.Pytester, monkeypatch):
    import redis

    pytester.makepyfile(etl=HANDLER)
    pytester.makepyfile(
        test_inner="""
        import redis
        import etl
        from pytest_fctrigger.triggers.model import TriggerSpec

        def test_real(fc_cloud):
            assert type(fc_cloud.redis) is redis.Redis  # not fakeredis
            store = fc_cloud.sls.logstore("proj", "src", shards=1)
            store.append(0, [{"id": "a"}])
            job = fc_cloud.sls.job(etl.handler, TriggerSpec.from_marker("log", project="proj", logstore="src"))
            job.tick()
            keys = fc_cloud.redis.smembers(fc_cloud.namespace + ":keys")
            assert keys and all(k.startswith(fc_cloud.namespace) for k in keys)
        """
    )
    # the environment variable is not needed when the option is given
    env_url = os.environ["FC_TEST_REDIS_URL"]
    monkeypatch.delenv("FC_TEST_REDIS_URL")
    pytester.runpytest("-p", "no:cacheprovider", f"--fc-redis-url={env_url}").assert_outcomes(passed=1)
    assert redis.Redis.from_url(env_url).ping()


# Each inner test waits (on the real server) until the same test has started in the
# other session, so the same test ids run at the same time on both sessions' workers.
XDIST_INNER = """
import os
import time

import pytest
import redis
import etl
from pytest_fctrigger.triggers.model import TriggerSpec

TOKEN = os.environ["FCT_XDIST_TOKEN"]


def _rendezvous(nodeid):
    r = redis.Redis.from_url(os.environ["FC_TEST_REDIS_URL"])
    key = f"sls-xdist-rendezvous:{TOKEN}:{nodeid}"
    r.incr(key)
    r.expire(key, 300)
    deadline = time.time() + 90
    while int(r.get(key)) < 2:
        assert time.time() < deadline, "the other session never started this test"
        time.sleep(0.05)


@pytest.mark.fc(seed=42)  # same seed everywhere: same cursors, same job name, same namespace tail
@pytest.mark.parametrize("copy", range(4))
def test_same_job_everywhere(fc_cloud, copy, request):
    _rendezvous(request.node.nodeid)
    assert os.environ["PYTEST_XDIST_WORKER"] in fc_cloud.namespace
    etl.SEEN.clear()
    store = fc_cloud.sls.logstore("proj", "src", shards=2)
    job = fc_cloud.sls.job(etl.handler, TriggerSpec.from_marker("log", project="proj", logstore="src"))
    for tick in range(12):
        store.append(tick % 2, [{"id": f"{tick}"}])
        job.tick()
        time.sleep(0.03)  # stay alive while the twin runs
    assert etl.SEEN == [str(t) for t in range(12)]
    assert job.ticks == 12 and len(job.invocations) == 12
"""


@pytest.mark.skipif(REAL_REDIS_URL is None, reason=NO_REAL_REDIS)
def test_two_sessions_of_two_xdist_workers_share_one_real_redis_without_interfering(pytester: pytest.Pytester):
    pytest.importorskip("xdist")
    pytester.makepyfile(etl=HANDLER)
    pytester.makepyfile(test_inner=XDIST_INNER)
    # not SLS_*: the plugin hides SLS_* (and other SDK credential prefixes) from sessions
    env = dict(os.environ, FCT_XDIST_TOKEN=uuid.uuid4().hex)
    # no:randomly: both sessions must run the same tests in the same order for the
    # rendezvous (each random seed orders them differently, and the twins then wait
    # for each other until the deadline: the flaky failures under pytest-randomly)
    cmd = [sys.executable, "-m", "pytest", "-p", "xdist", "-n", "2", "-p", "no:randomly"]
    cmd += ["-p", "no:cacheprovider", "-q", "test_inner.py"]
    procs = [
        subprocess.Popen(
            cmd, cwd=str(pytester.path), env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        for _ in range(2)
    ]
    outputs = []
    started = time.time()
    for proc in procs:
        out, _ = proc.communicate(timeout=300)
        outputs.append(out)
    for out, proc in zip(outputs, procs):
        assert proc.returncode == 0, out
        assert "4 passed" in out, out
    assert time.time() - started < 300


def test_the_complete_example_of_the_docs_page_passes(pytester: pytest.Pytester):
    import pathlib
    import re

    page = pathlib.Path(__file__).resolve().parents[1] / "docs" / "cloud" / "sls.md"
    blocks = re.findall(r"```python\n(.*?)```", page.read_text(encoding="utf-8"), re.S)
    index_py = next(b for b in blocks if b.startswith("# index.py"))
    test_py = next(b for b in blocks if b.startswith("# test_index.py"))
    pytester.makepyfile(index=index_py, test_index=test_py)
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)
