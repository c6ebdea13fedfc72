"""One ``responses`` mock shared by every requests-based SDK (oss2, oss-v2, aliyun-log).

Services register URL patterns with callbacks. A request no service claims is never
sent: an Alibaba Cloud endpoint (``*.aliyuncs.com``) fails with ``NotSimulatedError``
naming the method and URL, any other host with the network guard's
``NetworkBlockedError``. Loopback URLs pass through to the real transport (a test's
own local server), and with ``allow_network=True`` every unclaimed URL does. When
another mock of ``requests`` was started before the router (a test's own ``responses``
mock in a fixture), unclaimed requests go to that mock instead.

Composition with mocks started *after* the router (moto's ``mock_aws``, a test's own
``responses`` mock): the one started last patches ``requests`` on top of ours, and its
passthrough goes to the *original* transport, not to us. While a router is active,
every ``responses.RequestsMock`` therefore hands a request for a URL a simulated
service serves to the router (``_http_mock.patch_responses``, a seam on the ``responses``
module): Alibaba hosts stay with ``fc_cloud``, AWS hosts with moto, and the guard
beneath both refuses the rest.

botocore (boto3) does not use ``requests``: ``_botocore.py`` serves the same routes
at botocore's own HTTP seam and journals the AWS writes moto answers.

One catch-all registration (for every method the services answer) dispatches to the
routes itself: ``responses`` pops the first of several matching registrations, which
would reorder routes.

This module is the router every activation creates; what only the requests-based SDKs
need (the mocks, the unclaimed-request errors, the ``responses`` seam) is in
``_http_mock.py``, imported on their first request.
"""

from __future__ import annotations

import re
import threading
from typing import Any, Callable, List, Optional, Pattern, Tuple, Union

Callback = Callable[[object], Tuple[int, dict, Union[bytes, str]]]


class HttpRouter:
    """Routes intercepted ``requests`` calls to the simulated services."""

    def __init__(self, *, allow_network: bool = False, journal: Any = None) -> None:
        self.allow_network = allow_network
        self.journal = journal  # where the AWS writes of boto3 calls are recorded (None: nowhere)
        self._routes: List[Tuple[str, Pattern[str], Callback]] = []
        self._mock: Any = None  # the first attached copy's mock (tests read its history)
        self._undo: List[Callable[[], None]] = []
        self._prepare: Optional[Callable[[], None]] = None
        self._build_installed: Optional[Callable[[], Any]] = None  # builds the installed copy's mock

    def add(self, service: str, url_pattern: str | Pattern[str], callback: Callback) -> None:
        """Register ``callback(request) -> (status, headers, body)`` for URLs matching the regex.

        ``request`` is the ``requests.PreparedRequest`` (``.method``, ``.url``,
        ``.headers``, ``.body`` as bytes). Routes are tried in registration order.
        """
        pattern = re.compile(url_pattern) if isinstance(url_pattern, str) else url_pattern
        self._routes.append((service, pattern, callback))

    @property
    def services(self) -> List[str]:
        return sorted({s for s, _, _ in self._routes})

    def before_first_route(self, prepare: Callable[[], None]) -> None:
        """Run ``prepare()`` (e.g. create the services, which add their routes) just before
        the first request is routed: a test that sends none never pays for it."""
        self._prepare = prepare

    def route_for(self, url: str) -> Optional[Callback]:
        if self._prepare is not None:
            prepare, self._prepare = self._prepare, None
            prepare()
        for _service, pattern, callback in self._routes:
            if pattern.match(url):
                return callback
        return None

    def start(self) -> None:
        """Serve the copy of ``requests`` already imported, if any (``attach`` serves the others).

        Kept for callers of the old API; ``Cloud`` attaches each copy of ``requests.adapters``
        as it is imported (vendored copies included), so nothing is imported here.
        """
        import sys

        adapters = sys.modules.get("requests.adapters")
        if adapters is not None and not self._undo:
            self._undo.append(self.attach(adapters))

    def attach(self, adapters: Any) -> Callable[[], None]:
        """Intercept ``HTTPAdapter.send`` of one copy of ``requests.adapters``; returns the undo.

        Each copy (the installed one, or one vendored into a code dir) gets its own
        ``responses`` mock whose passthrough is that copy's own ``send``. The mock is built
        on the first request: this runs while the copy is still being imported, when
        ``responses`` (which imports ``requests``) cannot be imported yet.
        """
        adapter_class = adapters.HTTPAdapter
        saved = adapter_class.__dict__.get("send")
        # What sends requests beneath us: the copy's real transport, or a test's own mock
        # (e.g. a `responses` mock started in a fixture before fc_cloud). Requests no
        # service claims go on to a mock beneath; the network guard still stands below it.
        beneath = adapter_class.send
        delegate = getattr(beneath, "__module__", None) != adapters.__name__
        built: List[Any] = []

        def first_send(adapter: Any, request: Any, *args: Any, **kwargs: Any) -> Any:
            if not built:
                built.append(self._mock_for(beneath, delegate))
                if adapter_class.__dict__.get("send") is first_send:
                    adapter_class.send = built[0].unbound_on_send()  # later requests go straight to it
            return built[0].unbound_on_send()(adapter, request, *args, **kwargs)

        adapter_class.send = first_send

        def build() -> Any:
            if not built:
                built.append(self._mock_for(beneath, delegate))
            return built[0]

        if adapters.__name__ == "requests.adapters" and self._build_installed is None:
            # a mock started after ours (moto) never calls first_send: patch_responses asks for it
            self._build_installed = build

        def undo() -> None:
            if saved is None:
                try:
                    del adapter_class.send
                except AttributeError:
                    pass
            else:
                adapter_class.send = saved
            for mock in built:
                mock.reset()
                if self._mock is mock:
                    self._mock = None

        return undo

    def _mock_for(self, beneath: Any, delegate: bool) -> Any:
        from ._http_mock import build_mock

        return build_mock(self, beneath, delegate)

    def own_mock(self) -> Any:
        """The mock serving the installed ``requests`` (built now if no request built it yet)."""
        if self._mock is None and self._build_installed is not None:
            self._build_installed()
        return self._mock

    def unclaimed_error(self, method: str, url: str) -> Exception:
        """What a request no service serves fails with (the router did not send it)."""
        from ._http_mock import unclaimed_error

        return unclaimed_error(self, method, url)

    def _dispatch(self, request):
        callback = getattr(request, "_fctrigger_route", None) or self.route_for(str(request.url))
        if callback is not None:
            from .._outliving import refuse_if_outlived  # not at import: every activation imports this module

            refuse_if_outlived(f"{request.method} {request.url}")  # a thread of an ended invocation
            return callback(request)
        raise self.unclaimed_error(request.method, str(request.url))

    def activate(self) -> None:
        """Make this the router that serves botocore and mocks started after it (innermost wins)."""
        with _STATE_LOCK:
            _ACTIVE.append(self)

    def deactivate(self) -> None:
        with _STATE_LOCK:
            if self in _ACTIVE:
                _ACTIVE.remove(self)

    def stop(self) -> None:
        self.deactivate()
        undo, self._undo = self._undo, []
        for step in reversed(undo):
            step()


# --------------------------------------------------------------------------- composition
# Process-wide, like the network guard: the patched objects are global. The innermost
# active router serves (the patches themselves are the cloud's seams).
_ACTIVE: List[HttpRouter] = []
_STATE_LOCK = threading.RLock()


def active_router() -> Optional[HttpRouter]:
    """The router of the innermost active ``fc_cloud`` (``None`` when none is active)."""
    active = _ACTIVE
    return active[-1] if active else None
