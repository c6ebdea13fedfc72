"""The network guard: no connection or DNS lookup for a non-loopback host leaves the process.

While a ``NetworkGuard`` is active, the socket layer refuses any name resolution or
connection that is not for a loopback address (or a Unix socket) and raises
``NetworkBlockedError`` naming the host and the opt-out (``--fc-allow-network``).
The check runs *before* the real function, so a blocked host is never resolved:
``getaddrinfo("example.com", 443)`` fails without a DNS query.

Patched (module attributes of ``socket``, so code that looks them up at call time
sees the guard; that is every HTTP client in the standard library, ``urllib3``,
``requests``, ``http.client``, ``asyncio`` and ``aiohttp``):

* resolution: ``getaddrinfo``, ``gethostbyname``, ``gethostbyname_ex``,
  ``gethostbyaddr``, ``getnameinfo``;
* connections: ``create_connection`` and the ``socket.socket`` methods ``connect``,
  ``connect_ex``, ``sendto`` and ``sendmsg`` (UDP, e.g. a hand-written DNS query).

Known gap: a module that bound ``from socket import getaddrinfo`` before the guard
was entered keeps the unpatched function for *lookups* (its connections are still
refused by the ``socket.socket`` methods).

Guards nest: the first one to enter installs the patches, the last one to leave
restores exactly the objects that were there before (including "not overridden on
``socket.socket``"). Whatever was installed beneath the first guard (for example a
test's tripwire) stays beneath it and only sees traffic the guard allows.
"""

from __future__ import annotations

import errno
import functools
import ipaddress
import socket
import threading
from typing import TYPE_CHECKING, Any, Callable, Dict, Iterable, List, Optional, Set, Tuple

from . import _children

if TYPE_CHECKING:  # imported when a connection is refused: most guards never refuse one
    from ..errors import NetworkBlockedError

__all__ = ["NetworkGuard", "is_loopback_host"]

_LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"})
_RESOLVERS = ("getaddrinfo", "gethostbyname", "gethostbyname_ex", "gethostbyaddr", "getnameinfo")
_SOCKET_METHODS = ("connect", "connect_ex", "sendto", "sendmsg")
_MISSING = object()


def _host_text(host: Any) -> Optional[str]:
    if host is None:
        return None
    if isinstance(host, (bytes, bytearray)):
        host = bytes(host).decode("ascii", "replace")  # IDNA names are ASCII on the wire
    return str(host).strip().rstrip(".").lower()


def is_loopback_host(host: Any) -> bool:
    """True for loopback / unspecified addresses and the usual names of the local host.

    Unspecified addresses (``0.0.0.0``, ``::``, ``None``, ``""``) connect to the local
    host on every platform FC code runs on, so they are local too. Any other name is
    *not* resolved to find out: resolving it would be the DNS lookup the guard exists
    to prevent.
    """
    text = _host_text(host)
    if not text:
        return True
    if text in _LOOPBACK_NAMES or text.endswith(".localhost"):
        return True
    text = text.strip("[]").split("%", 1)[0]  # "[::1]", "fe80::1%eth0"
    try:
        ip = ipaddress.ip_address(text)
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_loopback or ip.is_unspecified


class _GuardState:
    """Process-wide patch state shared by every active guard (the socket module is global)."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.active: List[NetworkGuard] = []
        self.saved_module: Dict[str, Any] = {}
        self.saved_methods: Dict[str, Any] = {}
        # (namespace, owner, name, wrapper) of every patch in place, for ``reassert``
        self.installed: List[Tuple[Any, Any, str, Callable]] = []

    def allowed(self, host: Any, port: Any = None, *, lookup: bool = False) -> bool:
        """Loopback, or a host the active guards allow: on any port (``allow=["h"]``) or on
        exactly the port given (``allow=["h:6379"]``). A lookup (no connection yet) of a
        host allowed on some port passes; the connection is checked with its port."""
        if is_loopback_host(host):
            return True
        text = _host_text(host)
        number = _port(port)
        with self.lock:
            for guard in self.active:
                for allowed_host, allowed_port in guard._allowed:
                    if allowed_host == text and (lookup or allowed_port is None or allowed_port == number):
                        return True
        return False

    def check(self, host: Any, port: Any = None, *, lookup: bool = False) -> None:
        if not self.allowed(host, port, lookup=lookup):
            raise blocked(host, port)

    def learn(self, host: Any, addresses: Iterable[str]) -> None:
        """An allowed *name* resolved to these addresses: connecting to them is allowed too
        (on the same port as the name)."""
        text = _host_text(host)
        found = [_host_text(a) for a in addresses]
        with self.lock:
            for guard in self.active:
                for allowed_host, allowed_port in list(guard._allowed):
                    if allowed_host == text:
                        guard._allowed.update((a, allowed_port) for a in found)


_STATE = _GuardState()


def blocked(host: Any, port: Any = None) -> NetworkBlockedError:
    """The guard's error, shaped like a refused connection.

    ``errno``/``strerror`` are set because some clients report only those of the
    ``OSError`` they catch (aiohttp: "Cannot connect to host ... [<strerror>]").
    """
    from ..errors import NetworkBlockedError

    err = NetworkBlockedError(str(_host_text(host)), _port(port))
    err.errno = errno.ECONNREFUSED
    err.strerror = str(err)
    return err


def _port(port: Any) -> Optional[int]:
    try:
        return int(port) if port is not None else None
    except (TypeError, ValueError):
        return None


def _allow_entry(entry: Any) -> Tuple[Optional[str], Optional[int]]:
    """``"host"``, ``"host:port"``, ``"[v6]:port"`` or ``(host, port)`` -> (host, port or None)."""
    if isinstance(entry, tuple):
        return _host_text(entry[0]), _port(entry[1] if len(entry) > 1 else None)
    text = str(entry).strip()
    if text.startswith("[") and "]:" in text:
        host, _, port = text[1:].partition("]:")
        return _host_text(host), _port(port)
    if text.count(":") == 1:
        host, _, port = text.partition(":")
        if port.isdigit():
            return _host_text(host), int(port)
    return _host_text(text), None


def _inet_target(address: Any) -> Optional[Tuple[Any, Any]]:
    """(host, port) of an AF_INET/AF_INET6 address tuple; None for Unix and other families."""
    if isinstance(address, tuple) and len(address) >= 2 and isinstance(address[0], (str, bytes, bytearray)):
        return address[0], address[1]
    return None


# --------------------------------------------------------------------------- wrappers
def _local_name(host: Any) -> Any:
    """``*.localhost`` is loopback by definition (RFC 6761): answered here, never sent to DNS."""
    text = _host_text(host)
    if text and text.endswith(".localhost"):
        return "127.0.0.1"
    return host


def _wrap_getaddrinfo(real: Callable) -> Callable:
    @functools.wraps(real)
    def getaddrinfo(host, port, *args, **kwargs):
        _STATE.check(host, port, lookup=True)
        host = _local_name(host)
        result = real(host, port, *args, **kwargs)
        if not is_loopback_host(host):  # an explicitly allowed name (e.g. the Redis server)
            _STATE.learn(host, (info[4][0] for info in result))
        return result

    return getaddrinfo


def _wrap_host_first(real: Callable) -> Callable:
    @functools.wraps(real)
    def resolver(host, *args, **kwargs):
        _STATE.check(host, lookup=True)
        return real(_local_name(host), *args, **kwargs)

    return resolver


def _wrap_address(pick: Callable[[tuple, dict], Any]) -> Callable[[Callable], Callable]:
    """A wrapper factory for functions taking a socket address; ``pick`` finds it in the call."""

    def wrap(real: Callable) -> Callable:
        @functools.wraps(real)
        def guarded(*args, **kwargs):
            target = _inet_target(pick(args, kwargs))
            if target is not None:
                _STATE.check(*target)
            return real(*args, **kwargs)

        return guarded

    return wrap


def _arg(index: int, name: str) -> Callable[[tuple, dict], Any]:
    return lambda args, kwargs: args[index] if len(args) > index else kwargs.get(name)


_MODULE_WRAPPERS = {
    "getaddrinfo": _wrap_getaddrinfo,
    "gethostbyname": _wrap_host_first,
    "gethostbyname_ex": _wrap_host_first,
    "gethostbyaddr": _wrap_host_first,
    "getnameinfo": _wrap_address(_arg(0, "sockaddr")),
    "create_connection": _wrap_address(_arg(0, "address")),
}
_METHOD_WRAPPERS = {  # args[0] is the socket
    "connect": _wrap_address(_arg(1, "address")),
    "connect_ex": _wrap_address(_arg(1, "address")),
    # sendto(data, address) / sendto(data, flags, address): the address comes last
    "sendto": _wrap_address(lambda args, kwargs: args[-1] if len(args) >= 3 else None),
    # sendmsg(buffers[, ancdata[, flags[, address]]])
    "sendmsg": _wrap_address(_arg(4, "address")),
}


# (name, real function) -> its wrapper: a guard is entered and left around every
# invocation without a cloud (and in every process instance), and building ten wrappers
# with functools.wraps each time was most of that cost; a wrapper holds no state
_WRAPPED: Dict[Tuple[str, Any], Callable] = {}


def _wrapped(name: str, wrap: Callable[[Callable], Callable], real: Callable) -> Callable:
    try:
        key = (name, real)
        wrapper = _WRAPPED.get(key)
    except TypeError:  # an unhashable stand-in someone installed: wrap it afresh
        return wrap(real)
    if wrapper is None:
        wrapper = _WRAPPED[key] = wrap(real)
    return wrapper


def _install() -> None:
    _hook_audit()
    _children.enter(_STATE)
    installed = _STATE.installed
    for name, wrap in _MODULE_WRAPPERS.items():
        real = getattr(socket, name)
        _STATE.saved_module[name] = real
        wrapper = _wrapped(name, wrap, real)
        setattr(socket, name, wrapper)
        installed.append((vars(socket), socket, name, wrapper))
    cls = socket.socket
    for name, wrap in _METHOD_WRAPPERS.items():
        if not hasattr(cls, name):  # sendmsg is missing on some platforms
            continue
        _STATE.saved_methods[name] = cls.__dict__.get(name, _MISSING)
        wrapper = _wrapped("socket." + name, wrap, getattr(cls, name))
        setattr(cls, name, wrapper)
        installed.append((cls.__dict__, cls, name, wrapper))


def _uninstall() -> None:
    for name, real in _STATE.saved_module.items():
        setattr(socket, name, real)
    cls = socket.socket
    for name, real in _STATE.saved_methods.items():
        if real is _MISSING:
            delattr(cls, name)  # it was inherited from _socket.socket: remove our override
        else:
            setattr(cls, name, real)
    _STATE.saved_module.clear()
    _STATE.saved_methods.clear()
    _STATE.installed.clear()
    _children.exit()


def reassert(children: bool) -> None:
    """Put the active guard's patches back where code replaced them (an instance-long guard,
    checked between invocations: the same state a guard entered afresh would install, for
    a fraction of the cost); with ``children``, also the C environment of future children
    (the caller saw ``os.putenv``/``os.unsetenv`` of one of its names)."""
    with _STATE.lock:
        if not _STATE.active:
            return
        for namespace, owner, name, wrapper in _STATE.installed:
            if namespace.get(name) is not wrapper:
                setattr(owner, name, wrapper)
        if children:
            _children.enter(_STATE)


# --------------------------------------------------------------------------- audit hook
# CPython raises these audit events inside its C socket functions, beneath every
# Python-level patch: ``_socket.socket().connect``, a ``socket.connect`` bound before the
# plugin loaded, ``socket.socket.connect`` called through the class of another module.
# ``ctypes.dlsym`` is a handler fetching libc's ``connect``/``getaddrinfo`` to call them
# behind Python's back. Audit hooks cannot be removed: the hook checks ``_STATE.active``.
_AUDIT_ADDRESS_EVENTS = ("socket.connect", "socket.sendto", "socket.sendmsg")
_AUDIT_HOST_EVENTS = ("socket.getaddrinfo", "socket.gethostbyname", "socket.gethostbyaddr")
_LIBC_NETWORK_SYMBOLS = frozenset(
    {
        "connect",
        "getaddrinfo",
        "gethostbyname",
        "gethostbyname2",
        "gethostbyname_r",
        "gethostbyaddr",
        "sendto",
        "sendmsg",
        "res_query",
        "res_search",
        "res_nquery",
    }
)
_AUDIT_HOOKED: List[bool] = []


def _on_audit(event: str, args: Tuple[Any, ...]) -> None:
    if not _STATE.active:
        return
    if event in _AUDIT_ADDRESS_EVENTS:
        target = _inet_target(args[1] if len(args) > 1 else None)
        if target is not None:
            _STATE.check(*target)
    elif event == "ctypes.dlsym":
        name = args[1] if len(args) > 1 else None
        if isinstance(name, (str, bytes)) and _host_text(name) in _LIBC_NETWORK_SYMBOLS:
            raise blocked(f"<ctypes {_host_text(name)}>")
    elif args:  # a lookup: a *.localhost name reaching C was not answered by the wrappers
        host = args[0]
        text = _host_text(host)
        if text and text.endswith(".localhost"):
            raise blocked(host)
        _STATE.check(host, args[1] if event == "socket.getaddrinfo" and len(args) > 1 else None, lookup=True)


def _hook_audit() -> None:
    if not _AUDIT_HOOKED:
        from .. import _audit

        _audit.on(_AUDIT_ADDRESS_EVENTS + _AUDIT_HOST_EVENTS + ("ctypes.dlsym",), _on_audit)
        _AUDIT_HOOKED.append(True)


class NetworkGuard:
    """Context manager: refuse DNS lookups and connections for non-loopback hosts.

    ``allow`` names extra hosts (names or addresses) that may be reached, e.g. a real
    Redis server given by URL; the addresses an allowed name resolves to are allowed
    as well. ``allow_host()`` adds one while the guard is active.
    """

    def __init__(self, allow: Iterable[Any] = ()) -> None:
        self._allowed: Set[Tuple[Optional[str], Optional[int]]] = {_allow_entry(h) for h in allow}
        self._entered = False

    def allow_host(self, host: str, port: Optional[int] = None) -> None:
        """Allow ``host`` (on ``port`` only, when given) while this guard is active."""
        with _STATE.lock:
            self._allowed.add((_host_text(host), _port(port)) if port is not None else _allow_entry(host))

    @property
    def active(self) -> bool:
        return self._entered

    def __enter__(self) -> NetworkGuard:
        with _STATE.lock:
            if self._entered:
                raise RuntimeError("this NetworkGuard is already active; create a new one to nest")
            if not _STATE.active:
                _install()
            _STATE.active.append(self)
            self._entered = True
        return self

    def __exit__(self, *exc_info: Any) -> None:
        with _STATE.lock:
            if not self._entered:
                return
            _STATE.active.remove(self)
            self._entered = False
            if not _STATE.active:
                _uninstall()

    @staticmethod
    def engaged() -> bool:
        """True while at least one guard is active in this process."""
        with _STATE.lock:
            return bool(_STATE.active)
