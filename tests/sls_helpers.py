"""Shared pieces of the SLS tests: clouds on both cursor-store backends, seed-style handlers."""

from __future__ import annotations

import contextlib
import json
import os
from typing import Any, Callable, Dict, Iterator, List, Optional

import pytest

from pytest_fctrigger.cloud import Cloud
from pytest_fctrigger.cloud.cursor_store import make_redis

REAL_REDIS_URL = os.environ.get("FC_TEST_REDIS_URL") or None
NO_REAL_REDIS = "FC_TEST_REDIS_URL is not set: no real Redis server to test against (CI starts one)"

# parametrize a test over the two cursor-store backends
BACKENDS = [
    pytest.param("fakeredis", id="fakeredis"),
    pytest.param("redis", id="real-redis", marks=pytest.mark.skipif(REAL_REDIS_URL is None, reason=NO_REAL_REDIS)),
]


def redis_client(backend: str) -> Any:
    return make_redis(REAL_REDIS_URL if backend == "redis" else None)


@contextlib.contextmanager
def active_cloud(
    seed: int = 7, *, backend: str = "fakeredis", namespace: Optional[str] = None, region: Optional[str] = None
) -> Iterator[Cloud]:
    """An activated ``Cloud`` whose cursor store is on ``backend`` (closed afterwards)."""
    from pytest_fctrigger.events._random import FCRandom

    client = redis_client(backend)
    ns = namespace or f"fctrigger-test:{os.environ.get('PYTEST_XDIST_WORKER', 'main')}:{os.getpid()}:{id(client)}"
    cloud = Cloud(FCRandom(seed, region=region), redis=lambda: client, namespace=ns)
    try:
        with cloud.activate():
            yield cloud
    finally:
        with contextlib.suppress(Exception):
            cloud.sls.cursor_store.clear()
        client.close()


def make_etl_handler(
    seen: List[Dict[str, Any]],
    *,
    compress: Optional[bool] = None,
    count: int = 10,
    stop: str = "cursor",
    fail_times: int = 0,
    calls: Optional[List[Dict[str, Any]]] = None,
) -> Callable[[bytes, Any], str]:
    """A handler written like the seeds' sample (seeds/001 "9.2 配置SLS触发器" Python code).

    It reads ``event['source']``, builds a ``LogClient`` from the endpoint and the
    context's credentials and loops ``pull_logs(project, logstore, shard, cursor,
    count, end_cursor)``: until the next cursor equals the cursor (``stop='cursor'``,
    as the seed) or until a pull returns no LogGroup (``stop='count'``). It appends
    every log to ``seen`` and the event to ``calls``; its first ``fail_times``
    invocations raise after reading.
    """
    state = {"failures": 0}

    def handler(event: bytes, context: Any) -> str:
        from aliyun.log import LogClient

        info = json.loads(event.decode())
        if calls is not None:
            calls.append(info)
        src = info["source"]
        creds = context.credentials
        client = LogClient(src["endpoint"], creds.access_key_id, creds.access_key_secret, creds.security_token)
        cursor = src["beginCursor"]
        batch = []
        while True:
            res = client.pull_logs(
                src["projectName"],
                src["logstoreName"],
                src["shardId"],
                cursor,
                count,
                src["endCursor"],
                compress=compress,
            )
            for group in res.get_loggroup_json_list():
                batch.extend(group["logs"])
            next_cursor = res.get_next_cursor()
            if stop == "count" and res.get_loggroup_count() == 0:
                break
            if next_cursor == cursor:
                break
            cursor = next_cursor
        if state["failures"] < fail_times:
            state["failures"] += 1
            raise RuntimeError(f"simulated failure #{state['failures']}")
        seen.extend(batch)
        return "hello world"

    return handler


def log_trigger(
    project: str,
    logstore: str,
    *,
    interval: int = 60,
    retries: int = 3,
    parameter: Optional[dict] = None,
    name: str = "log-trigger",
) -> Any:
    from pytest_fctrigger.triggers.model import TriggerSpec

    return TriggerSpec.from_marker(
        "log",
        name=name,
        project=project,
        logstore=logstore,
        jobConfig={"triggerInterval": interval, "maxRetryTime": retries},
        functionParameter=parameter if parameter is not None else {},
        logConfig={"project": project, "logstore": "fc-trigger-log"},
    )
