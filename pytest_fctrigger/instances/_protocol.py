"""Framing of the messages between the test process, the zygote and an instance.

A message is one pickled Python object behind a 4-byte big-endian length, over a
``socketpair`` (both ends are this package's own processes, started from the same
interpreter and code, so pickle is safe here and the fastest codec the standard
library has: a warm invoke is a few of these round trips and has a 1 ms budget).
"""

from __future__ import annotations

import pickle
import socket
import struct
from typing import Any

_HEADER = struct.Struct("!I")
_PROTOCOL = pickle.HIGHEST_PROTOCOL


class ChannelClosed(EOFError):
    """The other end closed its socket (the instance died or was killed)."""


def send(sock: socket.socket, obj: Any) -> None:
    data = pickle.dumps(obj, protocol=_PROTOCOL)
    sock.sendall(_HEADER.pack(len(data)) + data)


def send_pickled(sock: socket.socket, data: bytes) -> None:
    """Send a message already pickled with ``pickle.dumps``."""
    sock.sendall(_HEADER.pack(len(data)) + data)


def _exact(sock: socket.socket, size: int) -> bytes:
    chunk = sock.recv(size)
    if len(chunk) == size:
        return chunk
    parts = [chunk]
    got = len(chunk)
    while got < size:
        if not chunk:
            raise ChannelClosed("the other end of the instance channel closed it")
        chunk = sock.recv(size - got)
        parts.append(chunk)
        got += len(chunk)
    return b"".join(parts)


def recv(sock: socket.socket) -> Any:
    head = _exact(sock, _HEADER.size)
    (size,) = _HEADER.unpack(head)
    return pickle.loads(_exact(sock, size))
