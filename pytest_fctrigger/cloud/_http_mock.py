"""The ``requests`` side of ``_http.HttpRouter``: the ``responses`` mock of each copy of
``requests``, the error of an unclaimed request, and the ``responses`` seam.

Apart from ``_http.py`` because only the requests-based SDKs (oss2, alibabacloud-oss-v2,
aliyun-log) and boto3 ever need it, and then only on their first request (or when
``responses`` is imported): every ``fc_cloud`` activation imports ``_http.py``, and this
half of it was most of what that import cost a test using MNS or Tablestore only.
"""

from __future__ import annotations

import re
from typing import Any, Callable
from urllib.parse import urlsplit

_METHODS = frozenset(("GET", "PUT", "POST", "DELETE", "HEAD", "OPTIONS", "PATCH"))
# Pattern text, compiled by ``re`` on first use and kept in its cache: compiling at import
# cost every fc_cloud activation ~1.3M instructions, for requests most tests never make.
_ALIBABA_HOST = r"(^|\.)(aliyuncs\.com|aliyun\.com|alibabacloud\.com)$"
_AWS_HOST = r"(^|\.)(amazonaws\.com|amazonaws\.com\.cn|api\.aws)$"


def is_alibaba_host(host: str) -> bool:
    return bool(re.search(_ALIBABA_HOST, host.lower()))


def build_mock(router: Any, beneath: Any, delegate: bool) -> Any:
    """The ``responses`` mock serving ``router``'s routes for one copy of ``requests``
    (``beneath``: what sends requests no route claims; ``delegate``: that is a mock of
    the test's own, which gets every unclaimed request)."""
    import responses

    from .guard import is_loopback_host

    mock = responses.RequestsMock(assert_all_requests_are_fired=False, real_adapter_send=beneath)

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

    def dispatch(request):
        # responses keeps every call (request and response, bodies included) until the
        # mock stops; nobody reads this mock's history, and a test uploading many large
        # objects would hold each one twice (the store and the history): keep none
        mock.calls.reset()
        for item in registered:
            item.calls.reset()
        return router._dispatch(request)

    catch_all = re.compile(r".*")
    # content_type=None: a service's headers are exactly what it returns
    registered = [mock.add(Claimed("*", catch_all, callback=dispatch, content_type=None))]
    # unclaimed requests the matcher let go of are sent for real
    mock.add_passthru(catch_all)
    if router._mock is None:
        router._mock = mock
    return mock


def unclaimed_error(router: Any, method: str, url: str) -> Exception:
    """What a request no service serves fails with (the router did not send it)."""
    from ..errors import NotSimulatedError
    from .guard import blocked

    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if re.search(_ALIBABA_HOST, host):
        return NotSimulatedError(
            "HTTP",
            f"{method} {url}",
            "no simulated service serves this Alibaba Cloud endpoint (served: "
            + (", ".join(router.services) or "none")
            + "); the request was not sent",
        )
    err = blocked(host, parts.port or (443 if parts.scheme == "https" else 80))
    if re.search(_AWS_HOST, host):
        hint = " AWS endpoints are served by moto: use the fc_aws fixture or moto's mock_aws."
        text = (err.strerror or err.args[0]) + hint
        err.args = (text,)
        err.strerror = text
    return err


def patch_responses(module: Any, active_router: Callable[[], Any]) -> Callable[[], None]:
    """Every ``RequestsMock`` of this copy of ``responses`` hands the router's URLs to the router.

    Why a class-level patch: a mock started after ours (moto's module-level mock, a
    test's ``responses.activate``) is outermost and passes unknown URLs to the
    transport captured when ``responses`` was imported, past our mock; moto's own hook
    for this (``override_responses_real_send``) would loop when moto started *first*.
    Patching the one method every mock dispatches through works in either order and
    needs no knowledge of which mock is which. Only URLs a simulated service serves are
    taken; everything else goes on to the mock's own registrations and passthrough.
    A seam on the ``responses`` module (``SeamPatcher``): nothing is imported for it.
    ``active_router()`` is ``_http.active_router`` (passed in: ``_http`` imports this module).
    """
    cls = module.RequestsMock
    saved = cls.__dict__["_on_request"]

    def _on_request(mock: Any, adapter: Any, request: Any, *args: Any, **kwargs: Any) -> Any:
        router = active_router()
        if router is not None and router.route_for(str(request.url)) is not None:
            own = router.own_mock()
            if own is not None and mock is not own:
                return own._on_request(adapter, request, *args, **kwargs)
        return saved(mock, adapter, request, *args, **kwargs)

    _on_request.__wrapped__ = saved  # type: ignore[attr-defined]
    cls._on_request = _on_request

    def undo() -> None:
        cls._on_request = saved

    return undo
