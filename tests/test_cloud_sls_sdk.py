"""The simulated SLS as ``aliyun-log-python-sdk`` sees it (reference/sdk-wire.md section 3)."""

import json

import lz4.block
import pytest

aliyun_log = pytest.importorskip("aliyun.log")
from aliyun.log import ListLogstoresRequest, LogClient, LogItem, PutLogsRequest  # noqa: E402
from aliyun.log.logexception import LogException  # noqa: E402
from aliyun.log.proto import LogGroup, LogGroupList  # noqa: E402
from sls_helpers import active_cloud  # noqa: E402

from pytest_fctrigger.cloud.sls.store import decode_cursor, encode_cursor  # noqa: E402

ENDPOINT = "cn-hangzhou-intranet.log.aliyuncs.com"


@pytest.fixture
def cloud():
    with active_cloud(21) as c:
        yield c


@pytest.fixture
def client():
    return LogClient(ENDPOINT, "STS.test", "secret", securityToken="token")


@pytest.fixture
def store(cloud):
    s = cloud.sls.logstore("etl-project", "access-log", shards=3)
    for i in range(5):
        s.append(0, [{"i": str(i), "half": "a"}, {"i": str(i), "half": "b"}], topic="web")
    return s


def _pull_all(client, shard, begin, end, **kw):
    seen, cursor, calls = [], begin, 0
    while True:
        res = client.pull_logs("etl-project", "access-log", shard, cursor, end_cursor=end, **kw)
        calls += 1
        seen += [(log["i"], log["half"]) for g in res.get_loggroup_json_list() for log in g["logs"]]
        if res.get_next_cursor() == cursor:
            return seen, calls
        cursor = res.get_next_cursor()


@pytest.mark.parametrize("compress", [None, False], ids=["lz4-default", "uncompressed"])
def test_pull_loop_stops_exactly_at_the_end_cursor(store, client, compress):
    begin = client.get_begin_cursor("etl-project", "access-log", 0).get_cursor()
    end = encode_cursor(decode_cursor(begin) + 3)  # the first three groups only
    seen, calls = _pull_all(client, 0, begin, end, count=2, compress=compress)
    assert seen == [(str(i), h) for i in range(3) for h in "ab"]
    assert calls == 3  # 2 groups, 1 group, then no data with the same cursor


def test_pull_response_headers_and_lz4_body_are_what_the_sdk_expects(store, client):
    import requests

    begin = store.get_cursor(0, "begin")
    url = f"http://etl-project.{ENDPOINT}:80/logstores/access-log/shards/0"
    params = {"type": "log", "cursor": begin, "count": "4"}
    lz = requests.get(url, params=params, headers={"Accept-Encoding": "lz4", "Accept": "application/x-protobuf"})
    raw = requests.get(url, params=params, headers={"Accept-Encoding": "", "Accept": "application/x-protobuf"})
    assert lz.status_code == raw.status_code == 200
    assert lz.headers["x-log-compresstype"] == "lz4" and "x-log-compresstype" not in raw.headers
    assert lz.headers["x-log-count"] == raw.headers["x-log-count"] == "4"
    assert lz.headers["x-log-cursor"] == encode_cursor(decode_cursor(begin) + 4)
    size = int(lz.headers["x-log-bodyrawsize"])
    assert size == len(raw.content) == int(raw.headers["x-log-bodyrawsize"])
    # lz4 block without the size prefix (the SDK passes x-log-bodyrawsize to decompress)
    assert lz4.block.decompress(lz.content, uncompressed_size=size) == raw.content
    groups = LogGroupList()
    groups.ParseFromString(raw.content)
    assert [g.Topic for g in groups.LogGroups] == ["web"] * 4
    assert [c.Value for c in groups.LogGroups[1].Logs[0].Contents] == ["1", "a"]
    assert len(lz.headers["x-log-requestid"]) == 24


def test_get_cursor_begin_end_and_by_time(cloud, client):
    s = cloud.sls.logstore("etl-project", "access-log", shards=1)
    t0 = int(cloud.sls.now)
    first, _ = s.append(0, [{"i": "0", "half": "a"}])
    cloud.sls.advance(60)
    second, end = s.append(0, [{"i": "1", "half": "a"}])
    get = lambda start: client.get_cursor("etl-project", "access-log", 0, start).get_cursor()  # noqa: E731
    assert get("begin") == first
    assert get("end") == end
    assert get(t0 + 30) == second
    assert get(t0 - 3600) == first
    assert client.get_cursor_time("etl-project", "access-log", 0, second).get_cursor_time() == t0 + 60


def test_list_shards_covers_the_hash_space(store, client):
    shards = client.list_shards("etl-project", "access-log").get_shards_info()
    assert [s["shardID"] for s in shards] == [0, 1, 2]
    assert {s["status"] for s in shards} == {"readwrite"}
    assert shards[0]["inclusiveBeginKey"] == "0" * 32 and shards[-1]["exclusiveEndKey"] == "f" * 32
    assert [s["exclusiveEndKey"] for s in shards[:-1]] == [s["inclusiveBeginKey"] for s in shards[1:]]


def test_list_logstores(cloud, client):
    cloud.sls.logstore("etl-project", "b")
    cloud.sls.logstore("etl-project", "a")
    res = client.list_logstores(ListLogstoresRequest("etl-project"))
    assert res.get_logstores() == ["a", "b"]


@pytest.mark.parametrize("compress", [None, False], ids=["lz4", "raw"])
def test_put_logs_are_stored_readable_and_journaled(cloud, client, compress):
    target = cloud.sls.logstore("etl-project", "clean", shards=2)
    items = [LogItem(timestamp=1700000000 + i, contents=[("msg", f"m{i}"), ("level", "INFO")]) for i in range(3)]
    client.put_logs(PutLogsRequest("etl-project", "clean", "etl", "10.1.2.3", items, compress=compress))
    logs = target.logs()
    assert [(log["msg"], log["__time__"], log["__topic__"], log["__source__"]) for log in logs] == [
        (f"m{i}", 1700000000 + i, "etl", "10.1.2.3") for i in range(3)
    ]
    (write,) = list(cloud.journal)
    assert (write.service, write.api, write.resource) == (
        "sls",
        "PutLogs",
        {"project": "etl-project", "logstore": "clean"},
    )
    assert write.region == "cn-hangzhou" and write.sdk == "aliyun-log-python-sdk"
    # the event FC would deliver for this write points at exactly the new group
    src = write.event.data["source"]
    assert write.event.trigger_type == "log"
    assert (src["projectName"], src["logstoreName"], src["shardId"]) == (
        "etl-project",
        "clean",
        write.attributes["shard"],
    )
    res = client.pull_logs("etl-project", "clean", src["shardId"], src["beginCursor"], 10, src["endCursor"])
    assert [log["msg"] for log in res.get_loggroup_json_list()[0]["logs"]] == ["m0", "m1", "m2"]


def test_put_logs_with_a_hash_key_routes_to_the_owning_shard(cloud, client):
    target = cloud.sls.logstore("etl-project", "routed", shards=4)
    req = PutLogsRequest("etl-project", "routed", "", "", [LogItem(contents=[("k", "v")])], hashKey="c" + "0" * 31)
    client.put_logs(req)
    assert target.group_count(3) == 1 and target.group_count() == 1


def test_put_log_raw_round_trips_the_sdk_protobuf(cloud, client):
    target = cloud.sls.logstore("etl-project", "raw", shards=1)
    group = LogGroup()
    log = group.Logs.add()
    log.Time = 1700000000
    content = log.Contents.add()
    content.Key, content.Value = "k", "v"
    client.put_log_raw("etl-project", "raw", group)
    assert [(x["k"], x["__time__"]) for x in target.logs()] == [("v", 1700000000)]


@pytest.mark.parametrize(
    "endpoint, region",
    [
        ("cn-shanghai.log.aliyuncs.com", "cn-shanghai"),
        ("https://cn-shanghai-intranet.log.aliyuncs.com", "cn-shanghai"),
        ("http://ap-southeast-1.log.aliyuncs.com:80", "ap-southeast-1"),
        ("eu-central-1-vpc.log.aliyuncs.com", "eu-central-1"),
    ],
)
def test_any_region_public_or_intranet_endpoint(endpoint, region):
    with active_cloud(3, region=region) as cloud:
        s = cloud.sls.logstore("p-" + region, "l", shards=1)
        s.append(0, [{"a": "1"}])
        c = LogClient(endpoint, "ak", "sk")
        res = c.pull_logs("p-" + region, "l", 0, s.get_cursor(0, "begin"), 10)
        assert res.get_log_count() == 1


def _err(call):
    with pytest.raises(LogException) as e:
        call()
    return e.value.get_error_code(), e.value.resp_status, e.value.get_error_message()


def test_bad_input_is_answered_with_the_services_codes(store, client):
    """Codes and messages of the SLS API reference (PullLogs/GetCursor/ListShards tables)."""
    begin0 = store.get_cursor(0, "begin")
    end0 = store.get_cursor(0, "end")
    begin1 = store.get_cursor(1, "begin")
    cases = {
        "unknown project": (
            lambda: client.pull_logs("nope", "access-log", 0, begin0, 1),
            ("ProjectNotExist", 404, "The Project does not exist : nope"),
        ),
        "unknown logstore": (
            lambda: client.pull_logs("etl-project", "nope", 0, begin0, 1),
            ("LogStoreNotExist", 404, "logstore nope does not exist"),
        ),
        "unknown shard": (
            lambda: client.pull_logs("etl-project", "access-log", 9, begin0, 1),
            ("ShardNotExist", 400, "Shard 9 does not exist"),
        ),
        "cursor of another shard": (
            lambda: client.pull_logs("etl-project", "access-log", 0, begin1, 1),
            ("InvalidCursor", 400, "this cursor is invalid"),
        ),
        "malformed cursor": (
            lambda: client.pull_logs("etl-project", "access-log", 0, "bm90LWEtY3Vyc29y", 1),
            ("ParameterInvalid", 400, "Invalid cursor bm90LWEtY3Vyc29y."),
        ),
        "end before begin": (
            lambda: client.pull_logs("etl-project", "access-log", 0, end0, 1, end_cursor=begin0),
            ("ParameterInvalid", 400, f"Invalid end_cursor {begin0}: it is before cursor {end0}."),
        ),
        "count too large": (
            lambda: client.pull_logs("etl-project", "access-log", 0, begin0, 1001),
            ("ParameterInvalid", 400, "ParameterCount should be in [0-1000]"),
        ),
        "bad get_cursor from": (
            lambda: client._send(
                "GET", "etl-project", None, "/logstores/access-log/shards/0", {"type": "cursor", "from": "soon"}, {}
            ),
            ("ParameterInvalid", 400, "Parameter From is not valid"),
        ),
        "list shards of unknown logstore": (
            lambda: client.list_shards("etl-project", "nope"),
            ("LogStoreNotExist", 404, "logstore nope does not exist"),
        ),
    }
    for name, (call, (code, status, message)) in cases.items():
        got = _err(call)
        assert got[:2] == (code, status), name
        # the service's own message first; a pytest-fctrigger hint may follow in parentheses
        assert got[2] == message or got[2].startswith(message + " (pytest-fctrigger: "), (name, got[2])


def test_cursor_error_hint_names_the_shard_range(store, client):
    code, _, message = _err(lambda: client.pull_logs("etl-project", "access-log", 0, store.get_cursor(2, "end"), 1))
    assert code == "InvalidCursor"
    assert "not a position of shard 0" in message and store.get_cursor(0, "begin") in message


def test_unsimulated_operations_fail_at_once_with_not_simulated(cloud, store, client, monkeypatch):
    import aliyun.log.logclient as logclient

    def no_sleep(seconds):  # a 5xx answer would make the SDK retry 10x with sleep(1)
        raise AssertionError("the SDK slept: the fake answered a retryable error")

    monkeypatch.setattr(logclient.time, "sleep", no_sleep)
    for call, op in [
        (lambda: client.get_log("etl-project", "access-log", 0, 100), "GetLogsV2"),
        (
            lambda: client.get_histograms(aliyun_log.GetHistogramsRequest("etl-project", "access-log", 0, 100)),
            "GetHistograms",
        ),
        (
            lambda: client.pull_logs(
                "etl-project", "access-log", 0, store.get_cursor(0, "begin"), 10, query="* | where i = '1'"
            ),
            "PullLogs with an SPL query",
        ),
        (lambda: client.get_project("etl-project"), "GET /"),
    ]:
        code, status, message = _err(call)
        assert (code, status) == ("NotSimulated", 400)
        assert f"SLS operation '{op}" in message and "is not simulated by pytest-fctrigger" in message
        assert "PullLogs, GetCursor" in message


def test_put_logs_errors(cloud, client):
    cloud.sls.logstore("etl-project", "clean", shards=1)
    headers = {"x-log-bodyrawsize": "10", "x-log-compresstype": "lz4", "Content-Type": "application/x-protobuf"}
    code, status, _ = _err(
        lambda: client._send("POST", "etl-project", b"\xff" * 8, "/logstores/clean/shards/lb", {}, dict(headers))
    )
    assert (code, status) == ("PostBodyUncompressError", 400)
    headers = {"x-log-bodyrawsize": "4", "Content-Type": "application/x-protobuf"}
    code, status, message = _err(
        lambda: client._send("POST", "etl-project", b"\x0a\x05ab", "/logstores/clean/shards/lb", {}, dict(headers))
    )
    assert (code, status, message) == ("PostBodyInvalid", 400, "Protobuffer content cannot be parsed.")
    code, _, _ = _err(
        lambda: client.put_logs(PutLogsRequest("etl-project", "nope", "", "", [LogItem(contents=[("a", "b")])]))
    )
    assert code == "LogStoreNotExist"
    assert list(cloud.journal) == []  # failed writes are not journaled


def test_json_error_body_shape(store):
    import requests

    r = requests.get(
        f"http://etl-project.{ENDPOINT}/logstores/access-log/shards/7", params={"type": "cursor", "from": "begin"}
    )
    assert r.status_code == 400 and r.headers["Content-Type"] == "application/json"
    body = json.loads(r.content)
    assert set(body) == {"errorCode", "errorMessage"} and body["errorCode"] == "ShardNotExist"
