"""The cursor store on fakeredis and on a real Redis (``FC_TEST_REDIS_URL``)."""

import os

import pytest
from sls_helpers import BACKENDS, NO_REAL_REDIS, REAL_REDIS_URL, redis_client

from pytest_fctrigger.cloud.cursor_store import CursorStore, make_redis, reconnect
from pytest_fctrigger.errors import ConfigError, FCTriggerError


@pytest.fixture(params=BACKENDS)
def client(request):
    c = redis_client(request.param)
    yield c
    c.close()


def _ns(tag: str) -> str:
    # node ids carry glob characters; namespaces must work with them verbatim
    return f"fctrigger-test:{os.getpid()}:{tag}:tests/x.py::test[a*b?]"


def test_make_redis_defaults_to_a_fresh_fakeredis_server_per_call():
    a, b = make_redis(None), make_redis("fakeredis://")
    a.set("k", "v")
    assert b.get("k") is None  # separate servers: tests never share state
    assert a.get("k") == "v"  # decoded str, like the real client below


def test_make_redis_rejects_a_malformed_url_naming_the_options():
    with pytest.raises(ConfigError, match=r"invalid Redis URL 'mysql://x'.*--fc-redis-url"):
        make_redis("mysql://x")


def test_unreachable_server_is_one_clear_error():
    import socket

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nothing listens there now
    store = CursorStore(make_redis(f"redis://127.0.0.1:{port}/0"), "ns")
    with pytest.raises(FCTriggerError, match=rf"cannot reach redis at 127.0.0.1:{port}/0 .*FC_TEST_REDIS_URL") as info:
        store.ping()
    assert info.value.__context__ is None and info.value.__cause__ is None  # no redis traceback behind it


@pytest.mark.skipif(REAL_REDIS_URL is None, reason=NO_REAL_REDIS)
def test_an_error_answer_of_the_server_is_one_clear_error():
    from urllib.parse import urlsplit

    url = urlsplit(REAL_REDIS_URL)
    client = make_redis(f"redis://{url.hostname}:{url.port or 6379}/99")  # no such database
    try:
        with pytest.raises(
            FCTriggerError,
            match=r"got an error from redis at .*/99 while trying to connect: "
            r"DB index is out of range .*--fc-redis-url",
        ) as info:
            CursorStore(client, "ns").ping()
        assert info.value.__context__ is None
    finally:
        client.close()


def test_checkpoints_state_and_failed_ranges_round_trip(client):
    store = CursorStore(client, _ns("roundtrip"))
    try:
        assert store.checkpoints("job") == {} and store.state("job") == {}
        assert store.init_checkpoints("job", {0: "A", 1: "B"}) == {0: "A", 1: "B"}
        # init never overwrites: a re-created job keeps its progress
        assert store.init_checkpoints("job", {0: "Z", 2: "C"}) == {0: "A", 1: "B", 2: "C"}
        store.set_checkpoint("job", 1, "B2", now=123.5, ticks=4)
        assert store.checkpoint("job", 1) == "B2"
        assert store.state("job") == {"now": 123.5, "ticks": 4}
        store.add_failed("job", {"shard_id": 0, "begin_cursor": "A", "end_cursor": "A2"}, shard=0, next_cursor="A2")
        assert store.checkpoint("job", 0) == "A2"
        assert store.failed("job") == [{"shard_id": 0, "begin_cursor": "A", "end_cursor": "A2"}]
        assert store.jobs() == ["job"]
    finally:
        store.clear()


def test_namespaces_do_not_see_each_other_and_clear_is_scoped(client):
    gw0 = CursorStore(client, _ns("gw0"))
    gw1 = CursorStore(client, _ns("gw1"))
    try:
        gw0.set_checkpoint("job", 0, "from-gw0")
        gw1.set_checkpoint("job", 0, "from-gw1")
        assert gw0.checkpoint("job", 0) == "from-gw0"
        assert gw1.checkpoint("job", 0) == "from-gw1"
        assert gw0.clear() == 2  # its checkpoints hash and its state hash... not gw1's
        assert gw0.checkpoints("job") == {}
        assert gw1.checkpoint("job", 0) == "from-gw1"
    finally:
        gw0.clear()
        gw1.clear()


def test_keys_expire_so_a_shared_server_does_not_fill_up(client):
    store = CursorStore(client, _ns("ttl"), ttl=600)
    try:
        store.set_checkpoint("job", 0, "c")
        ttl = client.ttl(store.key("job", "checkpoints"))
        assert 0 < ttl <= 600
    finally:
        store.clear()


def test_reconnect_reaches_the_same_server(client):
    ns = _ns("reconnect")
    CursorStore(client, ns).set_checkpoint("job", 3, "kept")
    other = reconnect(client)
    try:
        assert other is not client
        assert CursorStore(other, ns).checkpoint("job", 3) == "kept"
    finally:
        CursorStore(other, ns).clear()
        other.close()


def test_a_server_that_lost_its_checkpoints_is_noticed_not_redelivered(client):
    """A Redis restarted without persistence (as CI runs it) comes back empty; a job
    re-created on it would start over and deliver every log again, silently."""
    from pytest_fctrigger.cloud.cursor_store import CheckpointsLostError

    ns = _ns("lost")
    store = CursorStore(client, ns)
    try:
        store.init_checkpoints("job", {0: "A"})
        store.set_checkpoint("job", 0, "A40")
        for key in [store.key("job", k) for k in ("checkpoints", "state", "failed")] + [ns + ":keys", ns + ":epoch"]:
            client.delete(key)  # what a restart without persistence does to this namespace
        with pytest.raises(CheckpointsLostError, match="lost its checkpoints.*restarted without persistence"):
            store.checkpoints("job")
        again = CursorStore(reconnect(client), ns)  # a re-created job on a new connection
        with pytest.raises(CheckpointsLostError):
            again.init_checkpoints("job", {0: "A"})
        store.clear()  # starting over on purpose
        assert store.init_checkpoints("job", {0: "A"}) == {0: "A"}
    finally:
        store.clear()


def test_a_fresh_namespace_is_not_a_lost_one(client):
    store = CursorStore(client, _ns("fresh"))
    try:
        assert store.checkpoints("job") == {}
        assert store.init_checkpoints("job", {0: "A"}) == {0: "A"}
    finally:
        store.clear()
