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
service serves to the router (``_on_request`` below): Alibaba hosts stay with
``fc_cloud``, AWS hosts with moto, and the guard beneath both refuses the rest.

botocore (boto3) does not use ``requests``: ``_botocore.py`` serves the same routes
at botocore's own HTTP seam and journals the AWS writes moto answers.

One catch-all registration (for every method the services answer) dispatches to the
routes itself: ``responses`` pops the first of several matching registrations, which
would reorder routes.
"""

from __future__ import annotations

import re
import threading
from typing import Any, Callable, List, Optional, Pattern, Tuple, Union
from urllib.parse import urlsplit

from ..errors import NotSimulatedError
from .guard import blocked

Callback = Callable[[object], Tuple[int, dict, Union[bytes, str]]]
_METHODS = frozenset(("GET", "PUT", "POST", "DELETE", "HEAD", "OPTIONS", "PATCH"))
_ALIBABA_HOST = re.compile(r"(^|\.)(aliyuncs\.com|aliyun\.com|alibabacloud\.com)$")
_AWS_HOST = re.compile(r"(^|\.)(amazonaws\.com|amazonaws\.com\.cn|api\.aws)$")


def is_alibaba_host(host: str) -> bool:
    return bool(_ALIBABA_HOST.search(host.lower()))


class HttpRouter:
    """Routes intercepted ``requests`` calls to the simulated services."""

    def __init__(self, *, allow_network: bool = False, journal: Any = None) -> None:
        self.allow_network = allow_network
        self.journal = journal  # where the AWS writes of boto3 calls are recorded (None: nowhere)
        self._routes: List[Tuple[str, Pattern[str], Callback]] = []
        self._mock = None
        self._registered: List[object] = []

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

    def route_for(self, url: str) -> Optional[Callback]:
        for _service, pattern, callback in self._routes:
            if pattern.match(url):
                return callback
        return None

    def start(self) -> None:
        import responses
        from requests.adapters import HTTPAdapter

        from .guard import is_loopback_host

        # What sends requests beneath us: the real transport, or a test's own mock
        # (e.g. a `responses` mock started in a fixture before fc_cloud). Requests no
        # service claims go on to a mock beneath; the network guard still stands below it.
        beneath = HTTPAdapter.send
        delegate = beneath is not getattr(responses, "_real_send", beneath)
        self._mock = responses.RequestsMock(assert_all_requests_are_fired=False, real_adapter_send=beneath)
        router = self

        class Claimed(responses.CallbackResponse):
            """One registration for every method: ``responses`` asks each registration
            whether it matches, so one that answers for all methods costs one call per
            request where a registration per method cost seven."""

            def matches(self, request):
                if request.method not in _METHODS:
                    return False, "method not served"  # -> passthrough below, as before
                url = str(request.url)
                callback = router.route_for(url)
                # kept for _dispatch, which responses calls next with this same request object
                request._fctrigger_route = callback
                if callback is not None:
                    return True, ""
                if delegate or router.allow_network or is_loopback_host(urlsplit(url).hostname):
                    return False, "left to the transport beneath"  # -> passthrough below
                return True, ""  # _dispatch refuses it with a clear error

        catch_all = re.compile(r".*")
        # content_type=None: a service's headers are exactly what it returns
        self._registered = [self._mock.add(Claimed("*", catch_all, callback=self._dispatch, content_type=None))]
        # unclaimed requests the matcher let go of are sent for real
        self._mock.add_passthru(catch_all)
        self._mock.start()
        _activate(self)

    def unclaimed_error(self, method: str, url: str) -> Exception:
        """What a request no service serves fails with (the router did not send it)."""
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        if _ALIBABA_HOST.search(host):
            return NotSimulatedError(
                "HTTP",
                f"{method} {url}",
                "no simulated service serves this Alibaba Cloud endpoint (served: "
                + (", ".join(self.services) or "none")
                + "); the request was not sent",
            )
        err = blocked(host, parts.port or (443 if parts.scheme == "https" else 80))
        if _AWS_HOST.search(host):
            hint = " AWS endpoints are served by moto: use the fc_aws fixture or moto's mock_aws."
            text = (err.strerror or err.args[0]) + hint
            err.args = (text,)
            err.strerror = text
        return err

    def _dispatch(self, request):
        # responses keeps every call (request and response, bodies included) until the mock
        # stops; nobody reads this mock's history, and a test uploading many large objects
        # would hold each one twice (the store and the history): keep none
        self._mock.calls.reset()
        for registered in self._registered:
            registered.calls.reset()
        callback = getattr(request, "_fctrigger_route", None) or self.route_for(str(request.url))
        if callback is not None:
            return callback(request)
        raise self.unclaimed_error(request.method, str(request.url))

    def stop(self) -> None:
        _deactivate(self)
        if self._mock is not None:
            self._mock.stop()
            self._mock.reset()
            self._mock = None
            self._registered = []


# --------------------------------------------------------------------------- composition
# Process-wide, like the network guard: the patched objects are global. The innermost
# active router serves; the patches go when the last router stops.
_ACTIVE: List[HttpRouter] = []
_STATE_LOCK = threading.RLock()
_SAVED_ON_REQUEST: List[Any] = []  # [the RequestsMock._on_request we replaced]


def active_router() -> Optional[HttpRouter]:
    """The router of the innermost active ``fc_cloud`` (``None`` when none is active)."""
    active = _ACTIVE
    return active[-1] if active else None


def _activate(router: HttpRouter) -> None:
    with _STATE_LOCK:
        _ACTIVE.append(router)
        if len(_ACTIVE) == 1:
            _patch_responses()
            from . import _botocore

            _botocore.install()


def _deactivate(router: HttpRouter) -> None:
    with _STATE_LOCK:
        if router not in _ACTIVE:
            return
        _ACTIVE.remove(router)
        if not _ACTIVE:
            from . import _botocore

            _botocore.uninstall()
            _unpatch_responses()


def _patch_responses() -> None:
    """Every ``RequestsMock`` hands the router's URLs to the router.

    Why a class-level patch: a mock started after ours (moto's module-level mock, a
    test's ``responses.activate``) is outermost and passes unknown URLs to the
    transport captured when ``responses`` was imported, past our mock; moto's own hook
    for this (``override_responses_real_send``) would loop when moto started *first*.
    Patching the one method every mock dispatches through works in either order and
    needs no knowledge of which mock is which. Only URLs a simulated service serves are
    taken; everything else goes on to the mock's own registrations and passthrough.
    """
    import responses

    cls = responses.RequestsMock
    original = cls.__dict__["_on_request"]
    _SAVED_ON_REQUEST.append(original)

    def _on_request(mock: Any, adapter: Any, request: Any, *args: Any, **kwargs: Any) -> Any:
        router = active_router()
        if router is not None:
            own = router._mock
            if own is not None and mock is not own and router.route_for(str(request.url)) is not None:
                return own._on_request(adapter, request, *args, **kwargs)
        return original(mock, adapter, request, *args, **kwargs)

    _on_request.__wrapped__ = original  # type: ignore[attr-defined]
    cls._on_request = _on_request  # type: ignore[method-assign,assignment]


def _unpatch_responses() -> None:
    if not _SAVED_ON_REQUEST:
        return
    import responses

    responses.RequestsMock._on_request = _SAVED_ON_REQUEST.pop()  # type: ignore[method-assign]
