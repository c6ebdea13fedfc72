"""The ETL job behind a ``log`` trigger, driving seed-style handlers through the real SDK.

Seeds: 001 "9.1 SLS触发器概述" (time-triggered per shard, no new data -> no call, the
storage-upgrade empty trigger), 001 "9.2 配置SLS触发器" (interval [3,600], retries
[0,100], the Python sample handler), 002 "Log Service trigger" (the event).
"""

import random
import re

import pytest

pytest.importorskip("aliyun.log")

from sls_helpers import BACKENDS, active_cloud, log_trigger, make_etl_handler

from pytest_fctrigger.cloud.cursor_store import reconnect
from pytest_fctrigger.cloud.sls.store import decode_cursor
from pytest_fctrigger.errors import ConfigError, FCTriggerError

PROJECT, LOGSTORE = "etl-project", "access-log"


def _append_random(cloud, store, rnd, tick, expected, pending, horizon):
    """Between ticks: 0-3 groups of 1-40 logs on random shards, some received after
    the coming trigger time (so they lie beyond that range's end cursor while the
    handler runs) but before ``horizon``."""
    for g in range(rnd.choice([0, 0, 1, 2, 3])):
        step = min(rnd.choice([0, 15, 35, 50]), horizon - cloud.sls.now)
        if step > 0:
            cloud.sls.advance(step)
        shard = rnd.randrange(len(store.shards))
        logs = [{"id": f"t{tick}-g{g}-{n}", "shard": str(shard)} for n in range(rnd.randint(1, 40))]
        store.append(shard, logs)
        expected.extend(log["id"] for log in logs)
        pending.append((shard, cloud.sls.now))


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize(
    "compress, stop", [(None, "cursor"), (False, "count")], ids=["lz4-stop-on-cursor", "uncompressed-stop-on-count"]
)
def test_every_log_is_seen_once_across_3_shards_and_20_triggers(backend, compress, stop):
    with active_cloud(101, backend=backend) as cloud:
        store = cloud.sls.logstore(PROJECT, LOGSTORE, shards=3)
        seen = []
        handler = make_etl_handler(seen, compress=compress, stop=stop, count=3)
        job = cloud.sls.job(handler, log_trigger(PROJECT, LOGSTORE, interval=30))
        rnd, expected, pending, beyond_end = random.Random(5), [], [], 0
        for tick in range(1, 21):
            if tick <= 18:  # the last writes arrive before the 20th trigger time
                _append_random(cloud, store, rnd, tick, expected, pending, horizon=job.now + 55)
            calls = job.tick()
            due = {shard for shard, t in pending if t <= job.now}
            beyond_end += sum(1 for _, t in pending if t > job.now)
            pending = [(shard, t) for shard, t in pending if t > job.now]
            # one invocation per shard with new data up to the trigger time, none for the others
            assert sorted(c.shard_id for c in calls) == sorted(due), tick
            assert all(c.ok and c.attempt == 1 and c.tick == tick for c in calls)
        store.append(0, [{"id": "after-the-last-trigger", "shard": "0"}])
        assert len(expected) > 100 and beyond_end > 5 and pending == []
        assert sorted(l["id"] for l in seen) == sorted(expected)
        assert len({l["id"] for l in seen}) == len(seen)  # nothing twice
        assert job.failed_ranges == []
        assert job.ticks == 20
        # consecutive ranges of a shard tile it: each begins where the previous ended
        for shard in range(3):
            ranges = [(c.begin_cursor, c.end_cursor) for c in job.invocations if c.shard_id == shard]
            assert all(a[1] == b[0] for a, b in zip(ranges, ranges[1:]))


@pytest.mark.parametrize("backend", BACKENDS)
def test_fail_twice_then_succeed_is_retried_with_the_same_range(backend):
    with active_cloud(7, backend=backend) as cloud:
        store = cloud.sls.logstore(PROJECT, LOGSTORE, shards=2)
        begin, _ = store.append(1, [{"id": str(i)} for i in range(5)])
        _, end = store.append(1, [{"id": "5"}])
        seen, calls, checkpoint_during_call = [], [], []
        inner = make_etl_handler(seen, fail_times=2, calls=calls)

        def handler(event, context):
            checkpoint_during_call.append(job.checkpoints[1])
            return inner(event, context)

        job = cloud.sls.job(handler, log_trigger(PROJECT, LOGSTORE, retries=3))
        attempts = job.tick()
        assert [(a.shard_id, a.attempt, a.ok) for a in attempts] == [(1, 1, False), (1, 2, False), (1, 3, True)]
        assert {(c["source"]["beginCursor"], c["source"]["endCursor"]) for c in calls} == {(begin, end)}
        assert len({c["taskId"] for c in calls}) == 1  # the same deterministic invocation
        assert attempts[0].error["errorType"] == "RuntimeError"
        assert checkpoint_during_call == [begin, begin, begin]  # not moved by the failures
        assert job.checkpoints[1] == end  # moved once, by the success
        assert [l["id"] for l in seen] == [str(i) for i in range(6)]
        assert job.failed_ranges == []
        assert job.tick() == []  # nothing new: no invocation


@pytest.mark.parametrize("backend", BACKENDS)
def test_always_failing_range_is_reported_and_the_next_range_still_arrives(backend):
    with active_cloud(8, backend=backend) as cloud:
        store = cloud.sls.logstore(PROJECT, LOGSTORE, shards=1)
        begin, end = store.append(0, [{"id": "poison"}])
        broken = {"on": True}
        seen = []
        inner = make_etl_handler(seen)

        def handler(event, context):
            if broken["on"]:
                raise ValueError("cannot parse poison record")
            return inner(event, context)

        job = cloud.sls.job(handler, log_trigger(PROJECT, LOGSTORE, retries=2))
        attempts = job.tick()
        assert [a.attempt for a in attempts] == [1, 2, 3] and not any(a.ok for a in attempts)
        (failed,) = job.failed_ranges
        assert (failed.shard_id, failed.begin_cursor, failed.end_cursor, failed.attempts, failed.tick) == (
            0,
            begin,
            end,
            3,
            1,
        )
        assert failed.error["errorType"] == "ValueError" and "poison" in failed.error["errorMessage"]
        assert failed.task_id == attempts[0].task_id
        broken["on"] = False
        nxt, _ = store.append(0, [{"id": "good"}])
        (call,) = job.tick()
        assert call.ok and call.begin_cursor == nxt == end
        assert [l["id"] for l in seen] == ["good"]
        assert len(job.failed_ranges) == 1


def test_zero_retries_gives_one_attempt():
    with active_cloud(9) as cloud:
        cloud.sls.logstore(PROJECT, LOGSTORE, shards=1).append(0, [{"a": "b"}])

        def handler(event, context):
            raise RuntimeError("no")

        job = cloud.sls.job(handler, log_trigger(PROJECT, LOGSTORE, retries=0))
        assert [a.attempt for a in job.tick()] == [1]
        assert job.failed_ranges[0].attempts == 1


@pytest.mark.parametrize("backend", BACKENDS)
def test_storage_upgrade_gives_each_shard_one_extra_empty_trigger(backend):
    # seeds/001 "9.1": 每个Shard会额外空触发一次; the handler finds no data and ignores it
    with active_cloud(10, backend=backend) as cloud:
        store = cloud.sls.logstore(PROJECT, LOGSTORE, shards=3)
        store.append(2, [{"id": "x"}])
        seen, calls = [], []
        job = cloud.sls.job(make_etl_handler(seen, stop="count", calls=calls), log_trigger(PROJECT, LOGSTORE))
        done = job.tick(storage_upgrade=True)
        # shard 2's data first, then one empty range per shard
        assert [c.shard_id for c in done] == [2, 0, 1, 2]
        assert decode_cursor(done[0].end_cursor) - decode_cursor(done[0].begin_cursor) == 1
        for c in done[1:]:
            assert decode_cursor(c.end_cursor) - decode_cursor(c.begin_cursor) == 1
        assert [l["id"] for l in seen] == ["x"]
        assert all(c.ok for c in done)
        assert job.tick() == []  # the upgrade happened once


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_recreated_job_continues_from_the_stored_checkpoints(backend):
    with active_cloud(12, backend=backend) as cloud:
        store = cloud.sls.logstore(PROJECT, LOGSTORE, shards=2)
        trigger = log_trigger(PROJECT, LOGSTORE, interval=10)
        seen = []
        first = cloud.sls.job(make_etl_handler(seen), trigger)
        for tick in range(3):
            store.append(tick % 2, [{"id": f"before-{tick}"}])
            first.tick()
        checkpoints, now = first.checkpoints, first.now
        del first  # the process "restarts": only Redis remembers
        fresh_client = reconnect(cloud.redis)
        try:
            second = cloud.sls.job(make_etl_handler(seen), trigger, redis=fresh_client)
            assert second.checkpoints == checkpoints and second.now == now and second.ticks == 3
            assert second.tick() == []  # nothing new: nothing re-delivered
            store.append(1, [{"id": "after"}])
            (call,) = second.tick()
            assert call.begin_cursor == checkpoints[1] and call.tick == 5
        finally:
            fresh_client.close()
        assert [l["id"] for l in seen] == ["before-0", "before-1", "before-2", "after"]


def test_the_event_is_the_one_fc_sends():
    with active_cloud(13) as cloud:
        store = cloud.sls.logstore(PROJECT, LOGSTORE, shards=2)
        store.append(0, [{"a": "1"}])
        cloud.sls.advance(5)
        begin_last, end = store.append(0, [{"a": "2"}])
        received = int(cloud.sls.now)
        calls = []
        trigger = log_trigger(PROJECT, LOGSTORE, interval=60, parameter={"target": "clean", "batch": 3})
        job = cloud.sls.job(make_etl_handler([], calls=calls), trigger)
        (inv,) = job.tick()
        (event,) = calls
        # seeds/002 "Log Service trigger": every field, with its type
        assert set(event) == {"parameter", "source", "jobName", "taskId", "cursorTime"}
        assert event["parameter"] == {"target": "clean", "batch": 3}
        assert event["source"] == {
            "endpoint": "http://cn-hangzhou-intranet.log.aliyuncs.com",
            "projectName": PROJECT,
            "logstoreName": LOGSTORE,
            "shardId": 0,
            "beginCursor": store.get_cursor(0, "begin"),
            "endCursor": end,
        }
        assert re.fullmatch(r"[0-9a-f]{40}", event["jobName"]) and event["jobName"] == job.name
        assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", event["taskId"])
        assert event["cursorTime"] == received  # arrival of the range's last log
        assert inv.event.trigger_type == "log" and inv.event.data == event
    # deterministic: the same test world gives the same jobName and taskId
    with active_cloud(13) as again:
        s = again.sls.logstore(PROJECT, LOGSTORE, shards=2)
        s.append(0, [{"a": "1"}])
        again.sls.advance(5)
        s.append(0, [{"a": "2"}])
        calls2 = []
        again.sls.job(make_etl_handler([], calls=calls2), trigger).tick()
        assert (calls2[0]["jobName"], calls2[0]["taskId"]) == (event["jobName"], event["taskId"])


def test_ranges_follow_the_trigger_interval():
    with active_cloud(14) as cloud:
        store = cloud.sls.logstore(PROJECT, LOGSTORE, shards=1)
        job = cloud.sls.job(make_etl_handler([]), log_trigger(PROJECT, LOGSTORE, interval=45))
        start = job.now
        store.append(0, [{"a": "1"}])
        (first,) = job.tick()
        assert job.now == start + 45 and cloud.sls.now >= start + 45
        assert start <= first.cursor_time <= start + 45
        cloud.sls.advance(10)  # a write 10 s into the next interval
        store.append(0, [{"a": "2"}])
        (second,) = job.tick()
        assert second.cursor_time == int(start + 55) and job.now == start + 90


def test_start_end_skips_logs_written_before_the_job():
    with active_cloud(15) as cloud:
        store = cloud.sls.logstore(PROJECT, LOGSTORE, shards=1)
        store.append(0, [{"id": "old"}])
        seen = []
        job = cloud.sls.job(make_etl_handler(seen), log_trigger(PROJECT, LOGSTORE), start="end")
        assert job.tick() == []
        store.append(0, [{"id": "new"}])
        job.tick()
        assert [l["id"] for l in seen] == ["new"]


def test_run_and_run_job():
    with active_cloud(16) as cloud:
        store = cloud.sls.logstore(PROJECT, LOGSTORE, shards=2)
        store.append_fake(0, 120, kind="access", group_size=50)
        store.append_fake(1, 30, kind="app")
        seen = []
        job = cloud.sls.run_job(make_etl_handler(seen), log_trigger(PROJECT, LOGSTORE))
        assert len(seen) == 150 and job.ticks == 2  # one delivering tick, one empty tick
        assert job.run(3) == []
        with pytest.raises(FCTriggerError, match="did not reach its stop condition within 2 ticks"):
            job.run_until(lambda j: False, max_ticks=2)
        assert job.run_until(4) == [] and job.ticks == 2 + 3 + 2 + 4


@pytest.mark.parametrize(
    "config, message",
    [
        ({"jobConfig": {"triggerInterval": 2}}, r"jobConfig.triggerInterval must be an integer in \[3, 600\], got 2"),
        (
            {"jobConfig": {"triggerInterval": 601}},
            r"jobConfig.triggerInterval must be an integer in \[3, 600\], got 601",
        ),
        ({"jobConfig": {"maxRetryTime": 101}}, r"jobConfig.maxRetryTime must be an integer in \[0, 100\], got 101"),
        ({"jobConfig": {"maxRetryTime": -1}}, r"jobConfig.maxRetryTime must be an integer in \[0, 100\], got -1"),
        ({"jobConfig": "fast"}, r"jobConfig must be a mapping"),
        ({"functionParameter": "{not json"}, r"functionParameter must be JSON"),
    ],
)
def test_invalid_trigger_config_is_one_config_error(config, message):
    with active_cloud(17) as cloud:
        cloud.sls.logstore(PROJECT, LOGSTORE)
        with pytest.raises(
            ConfigError, match=r"log trigger 'log-trigger' on logstore etl-project/access-log: " + message
        ):
            cloud.sls.job(lambda e, c: None, dict(name="log-trigger", project=PROJECT, logstore=LOGSTORE, **config))


def test_trigger_problems_name_the_fix():
    from pytest_fctrigger.triggers.model import TriggerSpec

    with active_cloud(18) as cloud:
        with pytest.raises(
            FCTriggerError, match=r"create it first: fc_cloud.sls.logstore\('etl-project', 'access-log'"
        ):
            cloud.sls.job(lambda e, c: None, log_trigger(PROJECT, LOGSTORE))
        cloud.sls.logstore(PROJECT, LOGSTORE)
        with pytest.raises(FCTriggerError, match="runs a 'log' trigger, got oss trigger"):
            cloud.sls.job(lambda e, c: None, TriggerSpec.from_marker("oss", bucket="bkt"))
        with pytest.raises(ConfigError, match="needs the source project"):
            cloud.sls.job(lambda e, c: None, {"logstore": LOGSTORE})
        # the FC API config (fc3 triggerConfig) with sourceArn works as well
        job = cloud.sls.job(
            lambda e, c: "ok",
            {
                "sourceArn": f"acs:log:cn-hangzhou:1234:project/{PROJECT}",
                "sourceConfig": {"logstore": LOGSTORE},
                "jobConfig": {"maxRetryTime": 1, "triggerInterval": 30},
                "functionParameter": '{"k": "v"}',
            },
        )
        assert (job.interval, job.max_retry, job.parameter) == (30, 1, {"k": "v"})


def _writer_handler(target_logstore=None):
    """Pulls nothing; writes one log into ``target_logstore`` (default: its own source)."""

    def handler(event, context):
        import json

        from aliyun.log import LogClient, LogItem, PutLogsRequest

        src = json.loads(event.decode())["source"]
        creds = context.credentials
        client = LogClient(src["endpoint"], creds.access_key_id, creds.access_key_secret, creds.security_token)
        client.put_logs(
            PutLogsRequest(
                src["projectName"],
                target_logstore or src["logstoreName"],
                "",
                "",
                [LogItem(contents=[("copied", "yes")])],
            )
        )
        return "ok"

    return handler


def test_writing_into_the_source_logstore_is_reported_as_a_loop():
    from pytest_fctrigger import SelfTriggerLoop

    with active_cloud(19) as cloud:
        store = cloud.sls.logstore(PROJECT, LOGSTORE, shards=1)
        begin, _ = store.append(0, [{"a": "1"}])
        job = cloud.sls.job(_writer_handler(), log_trigger(PROJECT, LOGSTORE))
        with pytest.raises(SelfTriggerLoop, match=f"{PROJECT}/{LOGSTORE}"):
            job.tick()
        assert job.checkpoints[0] == begin  # the loop stopped the run before the checkpoint moved


def test_writing_into_another_logstore_is_journaled_not_a_loop():
    with active_cloud(20) as cloud:
        store = cloud.sls.logstore(PROJECT, LOGSTORE, shards=1)
        clean = cloud.sls.logstore(PROJECT, "clean", shards=1)
        store.append(0, [{"a": "1"}])
        (call,) = cloud.sls.job(_writer_handler("clean"), log_trigger(PROJECT, LOGSTORE)).tick()
        assert call.ok
        (write,) = call.result.writes
        assert write.resource == {"project": PROJECT, "logstore": "clean"}
        assert [log["copied"] for log in clean.logs()] == ["yes"]
