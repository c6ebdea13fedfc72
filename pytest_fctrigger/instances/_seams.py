"""Inside an instance: the SDKs' I/O seams forward every request to the test process.

The simulated services (their stores, the write journal, loop detection) live in the
test process. An instance installs, at the same seams the in-process mode patches,
a forwarder that sends the request over the instance's RPC socket and returns the
test process' reply:

* the ``requests``-based SDKs (oss2, oss-v2, aliyun-log): a ``responses`` mock whose
  one registration forwards method, URL, headers and body;
* MNS: ``MNSHttp.send_request`` (the same patch as ``cloud.mns``, with a forwarding service);
* Tablestore: ``ConnectionPool.send_receive`` (likewise, from ``cloud.tablestore``).

The test process answers with what the in-process mode would have returned, or with
the error it would have raised (``NotSimulatedError``, ``NetworkBlockedError``), which
is raised here in the handler's call.
"""

from __future__ import annotations

import contextlib
import importlib
import re
import socket
import threading
import types
from typing import Any, Dict, Optional, Tuple

from . import _protocol

_METHODS = frozenset(("GET", "PUT", "POST", "DELETE", "HEAD", "OPTIONS", "PATCH"))


class Forwarder:
    """Sends one request to the test process and waits for its reply (thread-safe)."""

    def __init__(self, sock: Optional[socket.socket] = None) -> None:
        self.sock = sock  # set in the instance (the zygote installs the seams before forking)
        self.lock = threading.Lock()

    def __call__(self, *request: Any) -> Any:
        if self.sock is None:
            raise ConnectionError("no test process to forward this request to (not inside an FC instance)")
        with self.lock:
            _protocol.send(self.sock, request)
            kind, value = _protocol.recv(self.sock)
        if kind == "ok":
            return value
        raise rebuild_error(value)


def rebuild_error(spec: Tuple[str, str, str]) -> BaseException:
    """The exception the test process raised, as the same class with the same message."""
    module_name, qualname, message = spec
    cls: Any = None
    try:
        cls = importlib.import_module(module_name)
        for part in qualname.split("."):
            cls = getattr(cls, part)
    except Exception:
        cls = None
    if not (isinstance(cls, type) and issubclass(cls, BaseException)):
        return ConnectionError(f"{qualname}: {message}")
    # without its __init__ (whose arguments vary by class): the class and the message are
    # what handler code can observe and catch
    exc = cls.__new__(cls)
    BaseException.__init__(exc, message)
    return exc


class _ServiceProxy:
    """Stands in for a simulated service in its ``install`` method: ``handle`` forwards.

    The service's own methods (its ``_patch_copy``) run bound to the proxy, so the child
    patches the SDK exactly as the test process does; ``cloud._seams`` is the child's
    seam patcher (every copy of the SDK, installed or vendored, as it is imported).
    """

    def __init__(self, forward: Forwarder, service: str, cls: type, seams: Any) -> None:
        self._forward = forward
        self._service = service
        self._cls = cls
        self.cloud = types.SimpleNamespace(_seams=seams)

    def handle(self, *args: Any, **kwargs: Any) -> Any:
        return self._forward(self._service, args, kwargs)

    def __getattr__(self, name: str) -> Any:
        member = getattr(self._cls, name)  # AttributeError names the class's missing member
        return member.__get__(self) if callable(member) else member


def install(forward: Forwarder) -> contextlib.ExitStack:
    """Install every seam this interpreter has an SDK for; the stack undoes them."""
    from ..cloud import QUIET_IMPORTS
    from ..cloud._seams import SeamPatcher

    stack = contextlib.ExitStack()
    _install_requests(forward, stack)
    seams = SeamPatcher(quiet=QUIET_IMPORTS)
    for service, path in (
        ("mns", "pytest_fctrigger.cloud.mns:MnsService"),
        ("tablestore", "pytest_fctrigger.cloud.tablestore:TablestoreService"),
    ):
        module_name, class_name = path.split(":")
        cls = getattr(importlib.import_module(module_name), class_name)
        # the service's own install, with a proxy as the service: the same patch, forwarding
        cls.install(_ServiceProxy(forward, service, cls, seams), None, stack)
    seams.start()
    stack.callback(seams.stop)
    return stack


def _install_requests(forward: Forwarder, stack: contextlib.ExitStack) -> None:
    import importlib.util

    if importlib.util.find_spec("requests") is None or importlib.util.find_spec("responses") is None:
        return
    import responses

    from ..cloud.oss.handlers import read_body

    def callback(request: Any) -> Tuple[int, Dict[str, str], Any]:
        headers = {str(k): str(v) for k, v in request.headers.items()}
        result: Tuple[int, Dict[str, str], Any] = forward(
            "http", (str(request.method), str(request.url), headers, read_body(request.body)), {}
        )
        return result

    class Forwarded(responses.CallbackResponse):
        def matches(self, request: Any) -> Tuple[bool, str]:
            return request.method in _METHODS, ""

    mock = responses.RequestsMock(assert_all_requests_are_fired=False)
    registered = mock.add(Forwarded("*", re.compile(r".*"), callback=_no_history(mock, callback), content_type=None))
    del registered
    mock.start()
    stack.callback(mock.stop)


def _no_history(mock: Any, callback: Any) -> Any:
    # responses keeps every request and response until the mock stops; an instance lives
    # for a whole test and may upload large bodies: keep none (as cloud._http does)
    def dispatch(request: Any) -> Any:
        mock.calls.reset()
        for registered in mock.registered():
            registered.calls.reset()
        return callback(request)

    return dispatch


def request_from_wire(method: str, url: str, headers: Dict[str, str], body: bytes) -> Any:
    """The test process' stand-in for the ``PreparedRequest`` a route callback receives."""
    from requests import PreparedRequest
    from requests.structures import CaseInsensitiveDict

    prepared = PreparedRequest()
    prepared.method = method
    prepared.url = url
    prepared.headers = CaseInsensitiveDict(headers)
    prepared.body = body
    return prepared
