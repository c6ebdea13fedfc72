"""MNS push retry strategies, Tablestore per-partition retry, timers and SLS ticks in flows.

Sources: MNS "NotifyStrategy" and FC API MNSTopicTriggerConfig (BACKOFF_RETRY: 3 retries,
10..20 s apart; EXPONENTIAL_DECAY_RETRY: 1, 2, 4, ... 512 s); seeds/001 10.1 Tablestore触发器
注意事项 ("若函数执行出现异常，函数将无限重试直到Tablestore中的日志数据过期"); seeds/001 定时触发器
(CRON_TZ, DST "可能会出现重复执行或少执行"); seeds/001 SLS触发器 (jobConfig.triggerInterval).
"""

from __future__ import annotations

import datetime as dt

import pytest
from flows_helpers import eventbridge, mns, ots, timer, write_app

from pytest_fctrigger.errors import ConfigError
from pytest_fctrigger.flows import Flow, FlowRunaway, make_flow
from pytest_fctrigger.triggers.loader import load_app

UTC = dt.timezone.utc


# --------------------------------------------------------------------------- MNS
def _topic_app(tmp_path, strategy):
    return write_app(tmp_path, worker={"handler": "echo", "triggers": [mns("in", "jobs", notifyStrategy=strategy)]})


def test_backoff_retry_pushes_again_after_10_to_20_seconds(tmp_path, fc_cloud):
    flow = make_flow(_topic_app(tmp_path, "BACKOFF_RETRY"), fc_cloud)
    start = flow.clock.now
    flow.reject("worker", status=503, times=3)
    fc_cloud.mns.topic("jobs").publish("m")
    (inv,) = flow.run()
    # three refused pushes, each retried after a random 10..20 s: the 4th push is accepted
    assert 30 <= inv.time - start <= 60 and inv.ok


def test_backoff_retry_gives_up_after_three_retries(tmp_path, fc_cloud):
    flow = make_flow(_topic_app(tmp_path, "BACKOFF_RETRY"), fc_cloud)
    flow.reject("worker", status=503, times=4)
    fc_cloud.mns.topic("jobs").publish("m")
    run = flow.run()
    assert run.invocations == [] and "BACKOFF_RETRY" in run.dead_letters[0].reason


def test_exponential_decay_retry_intervals_on_the_virtual_clock(tmp_path, fc_cloud):
    flow = make_flow(_topic_app(tmp_path, "EXPONENTIAL_DECAY_RETRY"), fc_cloud)
    start = flow.clock.now
    flow.reject("worker", status=500, times=5)
    fc_cloud.mns.topic("jobs").publish("m")
    (inv,) = flow.run()
    assert inv.time - start == 1 + 2 + 4 + 8 + 16


def test_same_seed_same_backoff_intervals(tmp_path, fc_cloud):
    from pytest_fctrigger.cloud import Cloud

    times = []
    for _ in range(2):
        cloud = Cloud(rng=7)
        with cloud.activate():
            flow = make_flow(_topic_app(tmp_path, "BACKOFF_RETRY"), cloud)
            flow.reject("worker", times=3, status=503)
            cloud.mns.topic("jobs").publish("m")
            times.append([i.time for i in flow.run()] + [i.result.request_id for i in flow.history])
    assert times[0] == times[1]


# --------------------------------------------------------------------------- Tablestore
def _ots_app(tmp_path, fail_times):
    env = {"FAIL_ID": "1", "FAIL_TIMES": fail_times}
    return write_app(tmp_path, stream={"handler": "stream", "env": env, "triggers": [ots("rows", "shop", "orders")]})


def _put(fc_cloud, part, id_):
    from tablestore import Condition, OTSClient, Row, RowExistenceExpectation

    from pytest_fctrigger._credentials import fake_credentials

    creds = fake_credentials(fc_cloud.rng.child("test-client"))
    client = OTSClient(
        "https://shop.cn-hangzhou.ots.aliyuncs.com",
        creds.access_key_id,
        creds.access_key_secret,
        "shop",
        sts_token=creds.security_token,
    )
    client.put_row("orders", Row([("part", part), ("id", id_)], [("v", 1)]), Condition(RowExistenceExpectation.IGNORE))


def test_tablestore_retry_blocks_later_records_of_the_partition(tmp_path, fc_cloud):
    fc_cloud.tablestore.table("shop", "orders", primary_key=[("part", "STRING"), ("id", "STRING")])
    flow = make_flow(_ots_app(tmp_path, 2), fc_cloud)
    _put(fc_cloud, "p1", "1")  # fails twice
    _put(fc_cloud, "p1", "2")  # same partition: waits behind it
    _put(fc_cloud, "p2", "3")  # other partition: not blocked
    run = flow.run()
    seen = [(i.event.data["Records"][0]["PrimaryKey"][1]["Value"], i.ok) for i in run.invocations]
    assert seen == [("1", False), ("3", True), ("1", False), ("1", True), ("2", True)]
    assert all(i.invocation_type == "Sync" for i in run.invocations)


def test_tablestore_retries_until_the_stream_data_expires(tmp_path, fc_cloud):
    fc_cloud.tablestore.table("shop", "orders", primary_key=[("part", "STRING"), ("id", "STRING")])
    flow = Flow(load_app(_ots_app(tmp_path, 10**6)), fc_cloud, tablestore_expiry=300)
    _put(fc_cloud, "p1", "1")
    _put(fc_cloud, "p1", "2")
    run = flow.run()
    (dead,) = run.dead_letters
    assert "stream data expired" in dead.reason
    assert run.invocations[-1].ok and run.invocations[-1].event.data["Records"][0]["PrimaryKey"][1]["Value"] == "2"


def test_a_handler_failing_forever_is_a_runaway_not_a_hang(tmp_path, fc_cloud):
    fc_cloud.tablestore.table("shop", "orders", primary_key=[("part", "STRING"), ("id", "STRING")])
    flow = make_flow(_ots_app(tmp_path, 10**6), fc_cloud, max_invocations=50)
    _put(fc_cloud, "p1", "1")
    with pytest.raises(FlowRunaway, match="ran 50 invocations.*'stream' 50"):
        flow.run()


# --------------------------------------------------------------------------- timers
def test_timer_fires_by_cron_tz_across_the_spring_dst_change(tmp_path, fc_cloud):
    # 2024-03-31 Europe/Berlin: 02:00 CET jumps to 03:00 CEST; 02:30 does not exist that day
    path = write_app(
        tmp_path, nightly={"handler": "echo", "triggers": [timer("t", "CRON_TZ=Europe/Berlin 0 30 2 * * *")]}
    )
    flow = make_flow(path, fc_cloud)
    flow.clock.set("2024-03-30T00:00:00Z")
    run = flow.advance(hours=72)
    assert [i.when for i in run] == [
        dt.datetime(2024, 3, 30, 1, 30, tzinfo=UTC),  # 02:30 CET
        dt.datetime(2024, 4, 1, 0, 30, tzinfo=UTC),  # 02:30 CEST; the 31st is skipped
    ]
    assert [i.result.json()["triggerTime"] for i in run] == ["2024-03-30T01:30:00Z", "2024-04-01T00:30:00Z"]
    assert all(i.invocation_type == "Async" for i in run)


def test_timer_fires_twice_in_the_autumn_fold(tmp_path, fc_cloud):
    path = write_app(
        tmp_path, nightly={"handler": "echo", "triggers": [timer("t", "CRON_TZ=Europe/Berlin 0 30 2 * * *")]}
    )
    flow = make_flow(path, fc_cloud)
    flow.clock.set("2024-10-26T12:00:00Z")
    run = flow.advance(hours=24)
    assert [i.when.hour for i in run] == [0, 1]  # 02:30 CEST and 02:30 CET


def test_disabled_timer_never_fires(tmp_path, fc_cloud):
    trig = timer("t", "0 * * * * *")
    trig["triggerConfig"]["enable"] = False
    flow = make_flow(write_app(tmp_path, f={"handler": "echo", "triggers": [trig]}), fc_cloud)
    assert flow.advance(hours=1).invocations == []
    assert flow.advance(minutes=1).end - flow.advance().start >= 0


def test_disabled_timer_fires_with_include_disabled(tmp_path, fc_cloud):
    # enable: false is a deployed-but-off trigger; include_disabled=True runs it on purpose
    trig = timer("t", "0 * * * * *")
    trig["triggerConfig"]["enable"] = False
    flow = make_flow(write_app(tmp_path, f={"handler": "echo", "triggers": [trig]}), fc_cloud, include_disabled=True)
    assert len(flow.advance(minutes=3)) == 3


def test_disabled_queue_trigger_fires_nothing_unless_included(tmp_path, fc_cloud):
    source = {"eventSourceType": "MNS", "eventSourceParameters": {"sourceMNSParameters": {"QueueName": "orders"}}}
    trig = eventbridge("q", source=source, triggerEnable=False)
    path = write_app(tmp_path, sink={"handler": "echo", "triggers": [trig]})
    off, on = make_flow(path, fc_cloud), make_flow(path, fc_cloud, include_disabled=True)
    fc_cloud.mns.queue("orders").send("order-1", encode_base64=False)
    assert off.run().invocations == []
    (inv,) = on.run()
    assert inv.function == "sink" and inv.result.json()["data"]["messageBody"] == "order-1"


def test_include_disabled_must_be_a_bool(tmp_path, fc_cloud):
    with pytest.raises(ConfigError, match=r"fc_flow\(include_disabled=...\) takes True or False, got 'yes'"):
        make_flow(write_app(tmp_path, f={"handler": "echo", "triggers": []}), fc_cloud, include_disabled="yes")


def test_run_does_not_fire_timers_advance_does(tmp_path, fc_cloud):
    flow = make_flow(write_app(tmp_path, f={"handler": "echo", "triggers": [timer("t", "0 */5 * * * *")]}), fc_cloud)
    assert flow.run().invocations == []
    assert len(flow.advance(minutes=15)) == 3


# --------------------------------------------------------------------------- SLS
def test_sls_job_ticks_on_advance(tmp_path, fc_cloud):
    trigger = {
        "triggerName": "logs",
        "triggerType": "log",
        "sourceArn": "acs:log:cn-hangzhou:0123456789012345:project/app",
        "triggerConfig": {
            "sourceConfig": {"logstore": "access"},
            "jobConfig": {"maxRetryTime": 1, "triggerInterval": 30},
            "logConfig": {"project": "app", "logstore": "fc-logs"},
            "enable": True,
        },
    }
    flow = make_flow(write_app(tmp_path, etl={"handler": "echo", "triggers": [trigger]}), fc_cloud)
    store = fc_cloud.sls.logstore("app", "access", shards=1)
    store.append(0, [{"path": "/a"}])
    assert flow.run().invocations == []  # the ETL job reads on its ticks, not per write
    run = flow.advance(seconds=30)
    (inv,) = run
    assert inv.via == "sls" and inv.invocation_type == "Sync"
    assert inv.result.json()["source"]["logstoreName"] == "access"
    assert flow.advance(seconds=30).invocations == []  # nothing new


def test_bad_cron_fails_at_flow_creation(tmp_path, fc_cloud):
    from pytest_fctrigger.triggers.cron import CronError

    with pytest.raises(CronError):
        make_flow(write_app(tmp_path, f={"handler": "echo", "triggers": [timer("t", "0 61 * * * *")]}), fc_cloud)
