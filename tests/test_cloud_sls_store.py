"""The simulated SLS store: cursors, shards, log groups, storage upgrades (no HTTP)."""

import datetime as dt

import pytest

from pytest_fctrigger.cloud.sls.store import SlsApiError, SlsStore, decode_cursor, encode_cursor
from pytest_fctrigger.errors import FCTriggerError
from pytest_fctrigger.events._random import FCRandom


@pytest.fixture
def sls():
    return SlsStore(FCRandom(11))


def test_cursor_codec_matches_the_seed_samples():
    # seeds/002 "Log Service trigger": beginCursor/endCursor of one range
    assert decode_cursor("MTUyOTQ4MDIwOTY1NTk3ODQ2Mw==") == 1529480209655978463
    assert decode_cursor("MTUyOTQ4MDIwOTY1NTk3ODQ2NA==") == 1529480209655978464
    assert encode_cursor(1529480209655978463) == "MTUyOTQ4MDIwOTY1NTk3ODQ2Mw=="
    # the API reference writes cursors without padding too
    assert decode_cursor("MTQ0NzMyOTQwMTEwMjEzMDkwNA") == 1447329401102130904


@pytest.mark.parametrize("bad", ["", "not base64!", "aGVsbG8=", "LTE=", None])
def test_cursor_codec_rejects_what_is_not_a_cursor(bad):
    with pytest.raises(ValueError):
        decode_cursor(bad)


def test_each_group_moves_the_cursor_by_one_and_shards_never_share_cursors(sls):
    store = sls.logstore("p", "l", shards=3)
    ranges = [store.append(0, [{"n": str(i)}]) for i in range(3)]
    begins = [decode_cursor(b) for b, _ in ranges]
    ends = [decode_cursor(e) for _, e in ranges]
    assert ends == [b + 1 for b in begins]
    assert begins[1:] == ends[:-1]
    assert store.get_cursor(0, "begin") == ranges[0][0]
    assert store.get_cursor(0, "end") == ranges[-1][1]
    # cursor numbers look like the seeds' (19 digits, ns-scale)
    assert len(str(begins[0])) == 19
    # every shard has its own cursor numbers: shard 1's begin is not a position of shard 0
    other = decode_cursor(store.get_cursor(1, "begin"))
    s0 = store.shards[0]
    assert not s0.begin <= other <= s0.end


def test_get_cursor_by_time_follows_the_receive_time(sls):
    store = sls.logstore("p", "l", shards=1)
    t0 = sls.now
    store.append(0, [{"a": "1"}])
    sls.advance(30)
    second, _ = store.append(0, [{"a": "2"}])
    sls.advance(30)
    third, end = store.append(0, [{"a": "3"}])
    assert store.get_cursor(0, t0 - 100) == store.get_cursor(0, "begin")
    assert store.get_cursor(0, t0 + 1) == second
    assert store.get_cursor(0, t0 + 30) == second
    assert store.get_cursor(0, dt.datetime.fromtimestamp(t0 + 31, dt.timezone.utc)) == third
    assert store.get_cursor(0, t0 + 10_000) == end


def test_append_stores_contents_time_topic_source_and_tags(sls):
    store = sls.logstore("p", "l", shards=2)
    store.append(
        1,
        [{"__time__": 1700000000, "msg": "hi", "code": 200}, {"msg": "x", "__time__": 1700000001.5}],
        topic="web",
        source="10.0.0.1",
        tags={"__hostname__": "h1"},
    )
    logs = store.logs(1)
    assert logs[0] == {
        "__time__": 1700000000,
        "__topic__": "web",
        "__source__": "10.0.0.1",
        "__tag__:__hostname__": "h1",
        "msg": "hi",
        "code": "200",
    }
    assert logs[1]["__time__"] == 1700000001 and logs[1]["__time_ns_part__"] == 500000000
    assert store.logs(0) == []
    assert store.group_count() == 1


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda s: s.append(5, [{"a": "b"}]), "has shards 0..1; got shard 5"),
        (lambda s: s.append(0, []), "at least one log"),
        (lambda s: s.append(0, ["text"]), "log #0 must be a dict"),
        (lambda s: s.append(0, [{"a": {"nested": 1}}]), "log #0 field 'a'"),
        (lambda s: s.append(0, [{"a": "b", "__time__": "yesterday"}]), "__time__ must be a unix time"),
        (lambda s: s.get_cursor(0, "tomorrow"), "get_cursor start time"),
        (lambda s: s.fake_logs(3, kind="audit"), "valid kinds: access, app"),
    ],
)
def test_bad_test_side_input_gets_one_clear_error(sls, call, message):
    store = sls.logstore("p", "l", shards=2)
    with pytest.raises(FCTriggerError, match=message.replace("(", r"\(").replace(")", r"\)")):
        call(store)


def test_logstore_is_get_or_create_and_checks_conflicts(sls):
    store = sls.logstore("p", "l", shards=4)
    assert sls.logstore("p", "l") is store
    with pytest.raises(FCTriggerError, match="already exists with 4 shards, not 2"):
        sls.logstore("p", "l", shards=2)
    with pytest.raises(FCTriggerError, match="already exists in region cn-hangzhou"):
        sls.logstore("p", "other", region="cn-beijing")
    with pytest.raises(FCTriggerError, match="shards must be a positive int"):
        sls.logstore("p", "zero", shards=0)


def test_storage_upgrade_moves_the_cursor_without_data(sls):
    # seeds/001 "9.1 SLS触发器概述": the cursor changes although no data was written
    store = sls.logstore("p", "l", shards=2)
    before = [store.get_cursor(s, "end") for s in (0, 1)]
    store.storage_upgrade()
    after = [store.get_cursor(s, "end") for s in (0, 1)]
    assert [decode_cursor(a) - decode_cursor(b) for a, b in zip(after, before)] == [1, 1]
    shard = store.shards[0]
    groups, nxt = shard.read(shard.position(before[0]), shard.position(after[0]), 10)
    assert groups == [] and nxt == shard.position(after[0])
    assert store.logs() == []


def test_read_honours_count_and_range_end(sls):
    store = sls.logstore("p", "l", shards=1)
    for i in range(5):
        store.append(0, [{"i": str(i)}])
    shard = store.shards[0]
    groups, nxt = shard.read(shard.begin, shard.end, 2)
    assert [g.logs[0].contents for g in groups] == [(("i", "0"),), (("i", "1"),)]
    assert nxt == shard.begin + 2
    groups, nxt = shard.read(shard.begin + 3, shard.begin + 4, 10)
    assert len(groups) == 1 and nxt == shard.begin + 4
    groups, nxt = shard.read(shard.end, shard.end, 10)
    assert groups == [] and nxt == shard.end


def test_fake_logs_are_realistic_strings_and_seeded():
    a = SlsStore(FCRandom(3)).logstore("p", "l")
    b = SlsStore(FCRandom(3)).logstore("p", "l")
    access = a.fake_logs(20, kind="access")
    assert access == b.fake_logs(20, kind="access")
    assert all(isinstance(v, str) for log in access for v in log.values())
    assert {"remote_addr", "request_method", "request_uri", "status", "http_user_agent"} <= set(access[0])
    assert all(log["status"].isdigit() for log in access)
    app = a.fake_logs(5, kind="app")
    assert {"level", "logger", "message", "trace_id"} <= set(app[0])
    appended = a.append_fake(1, 250, kind="access", group_size=100)
    assert len(appended) == 250 and a.group_count(1) == 3
    assert len(a.logs(1)) == 250


def test_api_lookups_answer_like_the_service(sls):
    store = sls.logstore("p", "l", shards=2)
    with pytest.raises(SlsApiError) as e:
        sls.api_project("nope", "cn-hangzhou")
    assert (e.value.status, e.value.code) == (404, "ProjectNotExist")
    assert e.value.message.startswith("The Project does not exist : nope")
    with pytest.raises(SlsApiError) as e:
        sls.api_project("p", "cn-beijing")  # right name, wrong region's endpoint
    assert e.value.code == "ProjectNotExist" and "simulated in region cn-hangzhou" in e.value.message
    with pytest.raises(SlsApiError) as e:
        sls.api_logstore("p", "nope", None)
    assert (e.value.status, e.value.code) == (404, "LogStoreNotExist")
    with pytest.raises(SlsApiError) as e:
        store.api_shard("9")
    assert (e.value.status, e.value.code, e.value.message.split(" (")[0]) == (
        400,
        "ShardNotExist",
        "Shard 9 does not exist",
    )
    with pytest.raises(SlsApiError) as e:
        store.shards[0].position(store.get_cursor(1, "begin"))
    assert (e.value.code, e.value.message.split(" (")[0]) == ("InvalidCursor", "this cursor is invalid")
    with pytest.raises(SlsApiError) as e:
        store.shards[0].position("%%%")
    assert (e.value.code, e.value.message) == ("ParameterInvalid", "Invalid cursor %%%.")
