"""One ``responses`` mock shared by every requests-based SDK (oss2, oss-v2, aliyun-log).

Services register URL patterns with callbacks; a request no service claims fails
with a ``NotSimulatedError`` naming the method and URL instead of reaching the network.
One catch-all callback per method dispatches to the routes itself: ``responses``
pops the first of several matching registrations, which would reorder routes.
"""

from __future__ import annotations

import re
from typing import Callable, List, Pattern, Tuple, Union

from ..errors import NotSimulatedError

Callback = Callable[[object], Tuple[int, dict, Union[bytes, str]]]
_METHODS = ("GET", "PUT", "POST", "DELETE", "HEAD", "OPTIONS", "PATCH")


class HttpRouter:
    """Routes intercepted ``requests`` calls to the simulated services."""

    def __init__(self) -> None:
        self._routes: List[Tuple[str, Pattern[str], Callback]] = []
        self._mock = None

    def add(self, service: str, url_pattern: "str | Pattern[str]", callback: Callback) -> None:
        """Register ``callback(request) -> (status, headers, body)`` for URLs matching the regex.

        ``request`` is the ``requests.PreparedRequest`` (``.method``, ``.url``,
        ``.headers``, ``.body`` as bytes). Routes are tried in registration order.
        """
        pattern = re.compile(url_pattern) if isinstance(url_pattern, str) else url_pattern
        self._routes.append((service, pattern, callback))

    def start(self) -> None:
        import responses

        self._mock = responses.RequestsMock(assert_all_requests_are_fired=False)
        self._mock.start()
        catch_all = re.compile(r".*")
        for method in _METHODS:
            self._mock.add_callback(method, catch_all, callback=self._dispatch)

    def _dispatch(self, request):
        url = request.url
        for _service, pattern, callback in self._routes:
            if pattern.match(url):
                return callback(request)
        raise NotSimulatedError(
            "HTTP", f"{request.method} {url}",
            "no simulated service serves this URL (served: "
            + (", ".join(sorted({s for s, _, _ in self._routes})) or "none")
            + "); the request was not sent",
        )

    def stop(self) -> None:
        if self._mock is not None:
            self._mock.stop()
            self._mock.reset()
            self._mock = None
