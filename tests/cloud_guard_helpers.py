"""A tripwire beneath the network guard: tests of the guard can never send real traffic.

``Tripwire.install(monkeypatch)`` replaces every resolution and connect/send function of
the socket layer that the guard patches (and ``create_connection`` reaches through
them) *before* a guard is entered, so the guard wraps the tripwire. Every non-loopback
attempt that gets past the guard is recorded and refused with ``TripwireHit``; loopback
traffic goes on to the real functions. A test asserts ``tripwire.hits == []`` after
showing the guard refused the attempt: if the guard ever regresses, the test fails on
the tripwire instead of reaching the network.

The tripwire decides what is loopback with its own check (``_local``), not the guard's
``is_loopback_host``: a regression there must not open the tripwire as well.

``tests/conftest.py`` keeps one tripwire installed for the whole session, beneath every
test's own tripwire and guard (pytester's in-process runs included), so no test of the
suite can reach the network even if both the guard and the router regress.
"""

from __future__ import annotations

import contextlib
import http.server
import ipaddress
import socket
import threading
from typing import Any, Callable, Iterable, Iterator, List, Optional, Set, Tuple

_LOCAL_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"})


def _host(value: Any) -> str:
    if isinstance(value, (bytes, bytearray)):
        value = bytes(value).decode("ascii", "replace")
    return str(value or "").strip().rstrip(".").lower().strip("[]").split("%", 1)[0]


def _local(host: Any) -> bool:
    """Loopback, unspecified or a local name (deliberately independent of the guard's check)."""
    text = _host(host)
    if not text or text in _LOCAL_NAMES or text.endswith(".localhost"):
        return True
    try:
        ip = ipaddress.ip_address(text)
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_loopback or ip.is_unspecified


def _inet_host(address: Any) -> Optional[Any]:
    """The host of an AF_INET/AF_INET6 address tuple; None for Unix paths and the like."""
    if isinstance(address, tuple) and len(address) >= 2:
        return address[0]
    return None


class TripwireHit(ConnectionError):
    """A non-loopback attempt reached the socket layer beneath the guard."""


# name -> how to find the host in (args, kwargs); module functions of ``socket``
_RESOLVERS = {
    "getaddrinfo": lambda a, k: a[0] if a else k.get("host"),
    "gethostbyname": lambda a, k: a[0] if a else k.get("hostname"),
    "gethostbyname_ex": lambda a, k: a[0] if a else k.get("hostname"),
    "gethostbyaddr": lambda a, k: a[0] if a else k.get("ip_address"),
    "getnameinfo": lambda a, k: _inet_host(a[0] if a else k.get("sockaddr")),
}
# name -> how to find the address in (args, kwargs), args[0] being the socket
_METHODS = {
    "connect": lambda a, k: a[1] if len(a) > 1 else k.get("address"),
    "connect_ex": lambda a, k: a[1] if len(a) > 1 else k.get("address"),
    "sendto": lambda a, k: a[-1] if len(a) >= 3 else None,  # sendto(data[, flags], address)
    "sendmsg": lambda a, k: a[4] if len(a) > 4 else k.get("address"),
}


class Tripwire:
    """Records and refuses every non-loopback resolution, connection and datagram.

    ``allow`` names hosts that may pass (the real Redis of ``FC_TEST_REDIS_URL`` when it
    is not on loopback); the addresses such a name resolves to may be connected to.
    """

    def __init__(self, allow: Iterable[str] = ()) -> None:
        self.hits: List[Tuple[str, Any]] = []
        self.allowed: Set[str] = {_host(h) for h in allow if h}

    def _passes(self, host: Any) -> bool:
        return _local(host) or _host(host) in self.allowed

    def _trip(self, what: str, target: Any) -> None:
        self.hits.append((what, target))
        raise TripwireHit(f"tripwire: {what} {target!r} got past the network guard")

    def _resolver(self, name: str, real: Callable) -> Callable:
        pick = _RESOLVERS[name]

        def resolver(*args, **kwargs):
            host = pick(args, kwargs)
            if not self._passes(host):
                target = (host, args[1] if len(args) > 1 else kwargs.get("port")) if name == "getaddrinfo" else host
                self._trip(name, target)
            result = real(*args, **kwargs)
            if name == "getaddrinfo" and _host(host) in self.allowed:
                self.allowed.update(_host(info[4][0]) for info in result)
            return result

        return resolver

    def _method(self, name: str, real: Callable) -> Callable:
        pick = _METHODS[name]

        def method(*args, **kwargs):
            address = pick(args, kwargs)
            host = _inet_host(address)
            if host is not None and not self._passes(host):
                self._trip(name, address)
            return real(*args, **kwargs)

        return method

    def install(self, monkeypatch: Any) -> Tripwire:
        for name in _RESOLVERS:
            monkeypatch.setattr(socket, name, self._resolver(name, getattr(socket, name)))
        for name in _METHODS:
            if hasattr(socket.socket, name):  # sendmsg is missing on some platforms
                monkeypatch.setattr(socket.socket, name, self._method(name, getattr(socket.socket, name)))
        return self


@contextlib.contextmanager
def local_http_server() -> Iterator[str]:
    """A real HTTP server on 127.0.0.1 (an ephemeral port); yields its base URL.

    ``GET /path`` answers ``local:/path``: loopback traffic the guard must let through.
    """

    class Echo(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            body = f"local:{self.path}".encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Echo)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
