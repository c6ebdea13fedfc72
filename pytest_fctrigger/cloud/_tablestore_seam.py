"""The tablestore SDK's I/O seam: ``tablestore.connection.ConnectionPool.send_receive`` (and
``AsyncConnectionPool.send_receive``), patched per copy of the SDK.

What runs at the seam is here, apart from the service: the endpoint check (Tablestore
answers only on its own hosts) and the hand-over to whatever serves the request. The
service itself (``cloud.tablestore``: store, PlainBuffer codec, handlers) is looked up on
the first request, not when the SDK is imported: importing it with the SDK was most of
what ``fc_cloud`` added to a session's first ``import tablestore``
(benchmarks/bench_cloud_activation.py).
"""

from __future__ import annotations

import re
from typing import Any, Callable, Dict, List, Optional, Tuple

__all__ = ["ENDPOINT_FORMS", "ENDPOINT_RE", "check_endpoint", "endpoint_problem", "patch_copy"]

# The endpoint forms of the Tablestore docs ("Endpoints"): https://<instance>.<region>.ots.aliyuncs.com
# (public), .vpc.tablestore.aliyuncs.com (VPC), .ots-internal.aliyuncs.com (classic network),
# .tablestore.aliyuncs.com (dual-stack public); instance names are 3-16 letters, digits or '-',
# starting with a letter and not ending with '-'. Pattern text, matched with re.IGNORECASE:
# ``re`` compiles it on first use and caches it (not at import, before any request).
ENDPOINT_RE = (
    r"^https?://(?P<instance>[a-z][a-z0-9-]{1,14}[a-z0-9])\.(?P<region>[a-z]{2,}(?:-[a-z0-9]+)+)"
    r"(?:\.vpc\.tablestore|\.ots-internal|\.ots|\.tablestore)\.aliyuncs\.com(?::[0-9]{1,5})?/?$"
)
ENDPOINT_FORMS = (
    "https://<instance>.<region>.ots.aliyuncs.com",
    "https://<instance>.<region>.vpc.tablestore.aliyuncs.com",
    "https://<instance>.<region>.ots-internal.aliyuncs.com",
    "https://<instance>.<region>.tablestore.aliyuncs.com",
)


def match_endpoint(endpoint: Any) -> Optional[re.Match[str]]:
    """The match of ``endpoint`` against the Tablestore endpoints (groups ``instance``, ``region``)."""
    return re.match(ENDPOINT_RE, str(endpoint or ""), re.IGNORECASE)


def _endpoint_error_class() -> Any:
    from urllib3.exceptions import MaxRetryError

    from ..errors import FCTriggerError

    class TablestoreEndpointError(FCTriggerError, MaxRetryError):
        """What the SDK raises when the endpoint does not resolve (urllib3's ``MaxRetryError``,
        which ``OTSClient`` lets through), with a message naming the host and the valid forms."""

        def __init__(self, url: str, message: str) -> None:
            MaxRetryError.__init__(self, None, url, None)  # type: ignore[arg-type]
            self.args = (message,)
            self.message = message

        def __str__(self) -> str:
            return self.message

        def __reduce__(self) -> Any:
            return (type(self), (self.url, self.message))

    return TablestoreEndpointError


def endpoint_problem(endpoint: Any) -> Optional[str]:
    """Why Tablestore does not answer on ``endpoint`` (``None`` for a real endpoint)."""
    text = str(endpoint or "")
    if match_endpoint(text):
        return None
    hint = " (a placeholder of a sample endpoint was left unedited)" if "{" in text or "<" in text else ""
    return (
        f"Failed to resolve Tablestore endpoint {text!r}{hint}: no Tablestore endpoint has this host. "
        f'Valid endpoints: {"; ".join(ENDPOINT_FORMS)} (Tablestore docs: "Endpoints"); in FC, '
        "reach the instance by its VPC endpoint"
    )


def check_endpoint(endpoint: Any, url: str) -> None:
    """Fail as the SDK fails on a host that does not resolve, unless ``endpoint`` is Tablestore's."""
    problem = endpoint_problem(endpoint)
    if problem is not None:
        raise _endpoint_error_class()(f"{endpoint}{url}", problem)


def patch_copy(connection: Any, service: Callable[[], Any]) -> Callable[[], None]:
    """Patch the connection pools of one copy of ``tablestore.connection``; returns the undo.

    ``service()`` returns what serves a request (``handle(endpoint, url, headers, body)``):
    the test's ``TablestoreService``, or an instance's forwarder.
    """
    from ._seams import patch_attribute

    def send_receive(
        pool: Any, url: str, request_headers: Dict[str, str], request_body: bytes
    ) -> Tuple[int, str, Dict[str, str], bytes]:
        check_endpoint(pool.host, url)
        result: Tuple[int, str, Dict[str, str], bytes] = service().handle(pool.host, url, request_headers, request_body)
        return result

    async def async_send_receive(
        pool: Any, url: str, request_headers: Dict[str, str], request_body: bytes
    ) -> Tuple[int, str, Dict[str, str], bytes]:
        check_endpoint(pool.host, url)
        result: Tuple[int, str, Dict[str, str], bytes] = service().handle(pool.host, url, request_headers, request_body)
        return result

    undo: List[Callable[[], None]] = []
    if hasattr(connection, "ConnectionPool"):
        undo.append(patch_attribute(connection.ConnectionPool, "send_receive", send_receive))
    if hasattr(connection, "AsyncConnectionPool"):
        undo.append(patch_attribute(connection.AsyncConnectionPool, "send_receive", async_send_receive))

    def restore() -> None:
        for step in reversed(undo):
            step()

    return restore
