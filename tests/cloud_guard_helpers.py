"""A tripwire beneath the network guard: tests of the guard can never send real traffic.

``Tripwire.install(monkeypatch)`` replaces the socket layer's resolution and connect
functions *before* a guard is entered, so the guard wraps the tripwire. Every
non-loopback attempt that gets past the guard is recorded and refused with
``TripwireHit``; loopback traffic goes on to the real functions. A test asserts
``tripwire.hits == []`` after showing the guard refused the attempt: if the guard
ever regresses, the test fails on the tripwire instead of reaching the network.
"""

from __future__ import annotations

import contextlib
import http.server
import socket
import threading
from typing import Any, Iterator, List, Tuple

from pytest_fctrigger.cloud.guard import is_loopback_host


class TripwireHit(ConnectionError):
    """A non-loopback attempt reached the socket layer beneath the guard."""


class Tripwire:
    def __init__(self) -> None:
        self.hits: List[Tuple[str, Any]] = []

    def _trip(self, what: str, target: Any) -> None:
        self.hits.append((what, target))
        raise TripwireHit(f"tripwire: {what} {target!r} got past the network guard")

    def install(self, monkeypatch: Any) -> "Tripwire":
        real_getaddrinfo = socket.getaddrinfo
        real_gethostbyname = socket.gethostbyname
        real_connect = socket.socket.connect
        real_connect_ex = socket.socket.connect_ex
        real_sendto = socket.socket.sendto
        trip = self._trip

        def getaddrinfo(host, port, *args, **kwargs):
            if not is_loopback_host(host):
                trip("getaddrinfo", (host, port))
            return real_getaddrinfo(host, port, *args, **kwargs)

        def gethostbyname(host):
            if not is_loopback_host(host):
                trip("gethostbyname", host)
            return real_gethostbyname(host)

        def _inet(address):
            return isinstance(address, tuple) and len(address) >= 2 and not is_loopback_host(address[0])

        def connect(sock, address):
            if _inet(address):
                trip("connect", address)
            return real_connect(sock, address)

        def connect_ex(sock, address):
            if _inet(address):
                trip("connect_ex", address)
            return real_connect_ex(sock, address)

        def sendto(sock, data, *args):
            if args and _inet(args[-1]):
                trip("sendto", args[-1])
            return real_sendto(sock, data, *args)

        monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
        monkeypatch.setattr(socket, "gethostbyname", gethostbyname)
        monkeypatch.setattr(socket.socket, "connect", connect)
        monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
        monkeypatch.setattr(socket.socket, "sendto", sendto)
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
