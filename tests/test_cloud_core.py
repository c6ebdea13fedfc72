"""``Cloud`` (fc_cloud): lazy services, activation/restore, the shared HTTP router, the fixture."""

from __future__ import annotations

import subprocess
import sys

import pytest
import requests
from cloud_guard_helpers import Tripwire, TripwireHit, local_http_server

from pytest_fctrigger.cloud import Cloud, Journal, Write
from pytest_fctrigger.cloud.guard import NetworkGuard
from pytest_fctrigger.cloud.journal import DeferredEvent
from pytest_fctrigger.errors import NetworkBlockedError, NotSimulatedError


@pytest.fixture
def tripwire(monkeypatch):
    return Tripwire().install(monkeypatch)


@pytest.fixture
def local_server():
    with local_http_server() as url:
        yield url


# --------------------------------------------------------------------------- services
def test_services_are_created_on_first_use_and_cached():
    cloud = Cloud(3)
    assert cloud._services == {}
    oss = cloud.oss
    assert cloud.oss is oss and set(cloud._services) == {"oss"}
    assert oss.cloud is cloud
    assert cloud.rng.seed == 3


def test_activation_installs_every_service_and_restores_transport_and_sockets():
    import socket

    from mns.mns_http import MNSHttp
    from requests.adapters import HTTPAdapter
    from tablestore.connection import AsyncConnectionPool, ConnectionPool

    def seams():
        return (MNSHttp.send_request, ConnectionPool.send_receive, AsyncConnectionPool.send_receive)

    send_before, resolve_before, seams_before = HTTPAdapter.send, socket.getaddrinfo, seams()
    cloud = Cloud(1)
    with cloud.activate() as active:
        assert active is cloud and cloud.active
        # every SDK's seam is patched (the SDKs were imported before); the services behind
        # them are created by the first request they serve (or the test's fc_cloud.<service>)
        assert cloud._services == {}
        assert HTTPAdapter.send is not send_before
        assert all(now is not before for now, before in zip(seams(), seams_before))
        assert NetworkGuard.engaged()
        with cloud.activate():  # re-entrant: nothing installed twice
            assert cloud.active
        assert cloud.active
    assert not cloud.active
    assert HTTPAdapter.send is send_before and socket.getaddrinfo is resolve_before
    assert seams() == seams_before  # the MNS and Tablestore SDKs talk to their real transport again
    assert not NetworkGuard.engaged()


def test_a_cloud_can_be_activated_again_with_its_state():
    cloud = Cloud(1)
    with cloud.activate():
        cloud.oss.bucket("keep-me").put("a.txt", b"1")
    with cloud.activate():
        import oss2

        bucket = oss2.Bucket(oss2.Auth("ak", "sk"), "oss-cn-hangzhou.aliyuncs.com", "keep-me")
        assert bucket.get_object("a.txt").read() == b"1"


# --------------------------------------------------------------------------- the router
def test_unserved_alibaba_endpoint_raises_not_simulated_and_sends_nothing(tripwire):
    with Cloud(1).activate():
        with pytest.raises(NotSimulatedError) as info:
            requests.get("https://ecs.cn-hangzhou.aliyuncs.com/?Action=DescribeInstances")
    message = str(info.value)
    assert "not simulated" in message and "GET https://ecs.cn-hangzhou.aliyuncs.com/" in message
    assert "was not sent" in message and "oss" in message
    assert tripwire.hits == []


def test_other_hosts_get_the_guard_message_from_the_router(tripwire):
    with Cloud(1).activate():
        with pytest.raises(NetworkBlockedError) as info:
            requests.post("https://hooks.example.org/notify", json={"a": 1})
    assert info.value.host == "hooks.example.org" and info.value.port == 443
    assert "--fc-allow-network" in str(info.value)
    assert tripwire.hits == []


def test_loopback_urls_pass_through_to_a_local_server(local_server, tripwire):
    with Cloud(1).activate():
        assert requests.get(local_server + "/ping").text == "local:/ping"
    assert tripwire.hits == []


def test_allow_network_passes_unclaimed_urls_to_the_real_transport(tripwire):
    """With the opt-out, the request leaves the router; the tripwire beneath stops it here."""
    cloud = Cloud(1, allow_network=True)
    with cloud.activate():
        assert not NetworkGuard.engaged()
        with pytest.raises(requests.exceptions.ConnectionError, match="tripwire"):
            requests.get("http://service.example.org/", timeout=1)
        # OSS is still simulated
        cloud.oss.bucket("still-fake").put("k", b"v")
        import oss2

        bucket = oss2.Bucket(oss2.Auth("ak", "sk"), "oss-cn-hangzhou.aliyuncs.com", "still-fake")
        assert bucket.get_object("k").read() == b"v"
    assert tripwire.hits == [("getaddrinfo", ("service.example.org", 80))]


def test_redis_server_named_by_url_is_let_through_the_guard(monkeypatch):
    """A real Redis (CI service container) is the plugin's own traffic: its host is allowed."""

    class Pool:
        connection_kwargs = {"host": "redis.ci.internal", "port": 6379}

    class FakeRedisClient:
        connection_pool = Pool()

    tripwire = Tripwire().install(monkeypatch)
    cloud = Cloud(1, redis=FakeRedisClient)
    with cloud.activate():
        assert isinstance(cloud.redis, FakeRedisClient)
        import socket

        with pytest.raises(TripwireHit):  # passed the guard, stopped beneath it
            socket.getaddrinfo("redis.ci.internal", 6379)
        with pytest.raises(NetworkBlockedError):
            socket.getaddrinfo("other.ci.internal", 6379)
    assert tripwire.hits == [("getaddrinfo", ("redis.ci.internal", 6379))]


def test_the_router_keeps_no_history_of_the_requests_it_served():
    """responses records every call; the router drops that record, so a test uploading
    many large objects holds each one once (in the store), not twice."""
    import oss2

    cloud = Cloud(1)
    with cloud.activate():
        cloud.oss.bucket("big-objects")
        bucket = oss2.Bucket(oss2.Auth("ak", "sk"), "oss-cn-hangzhou.aliyuncs.com", "big-objects")
        for i in range(5):
            bucket.put_object(f"blob-{i}", b"x" * 1_000_000)
        assert len(cloud._router._mock.calls) <= 1
        assert all(len(r.calls) <= 1 for r in cloud._router._mock.registered())
        assert len(cloud.oss.bucket("big-objects")) == 5


# --------------------------------------------------------------------------- journal
def test_journal_marks_listeners_and_describe():
    journal = Journal()
    seen = []
    unsubscribe = journal.subscribe(seen.append)
    first = journal.record(Write(service="oss", api="PutObject", resource={"bucket": "b", "key": "k"}))
    mark = journal.mark()
    journal.record(Write(service="mns", api="PublishMessage", resource={"topic": "t"}, attributes={"tag": "x"}))
    unsubscribe()
    journal.record(Write(service="tablestore", api="PutRow", resource={"instance": "i", "table": "t"}))
    assert seen[0] is first and len(seen) == 2
    assert [w.api for w in journal.since(mark)] == ["PublishMessage", "PutRow"]
    assert [w.describe() for w in journal] == [
        "PutObject oss://b/k",
        "PublishMessage topic 't' with tag 'x'",
        "PutRow table i/t",
    ]
    assert len(journal) == 3


def test_a_deferred_event_is_built_on_first_read_and_kept():
    built = []

    def build():
        built.append(1)
        return {"events": ["built"]}

    write = Write(service="oss", api="PutObject", resource={"bucket": "b", "key": "k"}, event=DeferredEvent(build))
    assert built == []
    first = write.event
    assert first == {"events": ["built"]} and write.event is first and built == [1]
    assert write == Write(service="oss", api="PutObject", resource={"bucket": "b", "key": "k"}, event=first)
    write.event = None  # still a plain, settable field
    assert write.event is None and Write(service="sls", api="PutLogs", resource={}).event is None


# --------------------------------------------------------------------------- import cost
def test_importing_the_cloud_package_stays_light():
    code = (
        "import sys, pytest_fctrigger.cloud, pytest_fctrigger.cloud.guard;"
        "heavy = [m for m in ('responses', 'requests', 'oss2', 'alibabacloud_oss_v2', 'faker',"
        " 'tablestore', 'mns', 'aliyun', 'redis', 'fakeredis') if m in sys.modules];"
        "print(heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# --------------------------------------------------------------------------- the fixture
def test_fc_cloud_fixture_is_fresh_per_test_and_guards_the_network(tripwire, pytester):
    # the inner run is in-process: the tripwire installed here sits beneath its guard too
    pytester.makepyfile(
        """
        import oss2, pytest, requests
        from pytest_fctrigger.cloud.guard import NetworkGuard
        from pytest_fctrigger.errors import NetworkBlockedError

        def _bucket():
            return oss2.Bucket(oss2.Auth("ak", "sk"), "oss-cn-hangzhou.aliyuncs.com", "shared-name")

        @pytest.mark.parametrize("run", [1, 2])
        def test_writes_do_not_leak(fc_cloud, run):
            assert fc_cloud.oss.buckets == {}
            assert list(fc_cloud.journal) == []
            fc_cloud.oss.bucket("shared-name", region="cn-hangzhou")
            _bucket().put_object("only-%d.txt" % run, b"x")
            assert fc_cloud.oss.bucket("shared-name").keys() == ["only-%d.txt" % run]

        def test_guard_is_on(fc_cloud):
            assert NetworkGuard.engaged()
            with pytest.raises(NetworkBlockedError, match="example.net"):
                requests.get("https://example.net/")

        def test_nothing_active_without_the_fixture():
            assert not NetworkGuard.engaged()

        @pytest.mark.fc(allow_network=True)
        def test_marker_opt_out(fc_cloud):
            assert fc_cloud.allow_network and not NetworkGuard.engaged()
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=5)
    assert tripwire.hits == []


def test_fc_allow_network_option_turns_the_guard_off(pytester):
    pytester.makepyfile(
        """
        from pytest_fctrigger.cloud.guard import NetworkGuard

        def test_off(fc_cloud):
            assert fc_cloud.allow_network
            assert not NetworkGuard.engaged()
        """
    )
    pytester.runpytest("-p", "no:cacheprovider", "--fc-allow-network").assert_outcomes(passed=1)


@pytest.fixture
def outer_mock():
    import responses

    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.get("https://api.example.org/price", json={"price": 3})
        yield mock


def test_a_users_responses_mock_started_first_serves_what_the_cloud_does_not(tripwire, outer_mock, fc_cloud):
    import oss2
    import responses

    assert requests.get("https://api.example.org/price").json() == {"price": 3}
    fc_cloud.oss.bucket("mixed-apis").put("k", b"v")
    bucket = oss2.Bucket(oss2.Auth("ak", "sk"), "oss-cn-hangzhou.aliyuncs.com", "mixed-apis")
    assert bucket.get_object("k").read() == b"v"  # the router still serves OSS
    with pytest.raises(requests.exceptions.ConnectionError, match="Connection refused by Responses"):
        requests.get("https://api.example.org/other")  # the user's mock refuses what it lacks
    assert len(outer_mock.calls) == 2 and isinstance(outer_mock, responses.RequestsMock)
    assert tripwire.hits == []
