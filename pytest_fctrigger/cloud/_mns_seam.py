"""The MNS SDK's I/O seam: ``mns.mns_http.MNSHttp.send_request``, patched per copy of the SDK.

What runs at the seam is here, apart from the service: the endpoint check (MNS answers
only on its own hosts) and the hand-over to whatever serves the request. The service
itself (``cloud.mns``: store, handlers, journal) is looked up on the first request, not
when the SDK is imported: importing it with the SDK was most of what ``fc_cloud`` added
to a session's first ``import mns.account`` (benchmarks/bench_cloud_activation.py).
"""

from __future__ import annotations

import re
from typing import Any, Callable, Optional

__all__ = ["ENDPOINT_FORMS", "HOST_RE", "endpoint_problem", "patch_copy"]

# {uid}.mns.{region}[-internal[-vpc]].aliyuncs.com[:port] (MNS docs, "Endpoints": public,
# internal (classic network) and VPC endpoints of a region; the account id is the
# numeric Alibaba Cloud account ID). Pattern text, matched with re.IGNORECASE: ``re``
# compiles it on first use and caches it (compiling it at import was ~3.5M instructions
# of the first ``import mns.account``, before any request).
HOST_RE = (
    r"^(?P<uid>[0-9]{1,32})\.mns\.(?P<region>[a-z]{2,}(?:-[a-z0-9]+)+?)(?P<kind>-internal(?:-vpc)?)?"
    r"\.aliyuncs\.com(?::[0-9]{1,5})?$"
)
ENDPOINT_FORMS = (
    "http(s)://<account id>.mns.<region>.aliyuncs.com",
    "http(s)://<account id>.mns.<region>-internal.aliyuncs.com",
    "http(s)://<account id>.mns.<region>-internal-vpc.aliyuncs.com",
)

SDK_NEW, SDK_OLD = "aliyun-mns-sdk", "aliyun-mns"


def match_host(host: Any) -> Optional[re.Match[str]]:
    """The match of ``host`` against the MNS endpoint hosts (groups ``uid``, ``region``, ``kind``)."""
    return re.match(HOST_RE, str(host or ""), re.IGNORECASE)


def endpoint_problem(host: Any) -> Optional[str]:
    """Why MNS does not answer on ``host`` (``None`` for a real MNS endpoint host).

    Any other host would fail to resolve, or reach something that is not MNS: the
    message names the host and the valid forms, since the usual cause is a sample
    endpoint left unedited (``http://{AccountID}.mns.{Region}.aliyuncs.com``).
    """
    text = str(host or "")
    if match_host(text):
        return None
    hint = ""
    if "{" in text or "}" in text:
        hint = " (a placeholder of a sample endpoint was left unedited)"
    return (
        f"Failed to resolve MNS endpoint host {text!r}{hint}: no MNS endpoint has this host. "
        f"Valid endpoints: {'; '.join(ENDPOINT_FORMS)}, e.g. "
        f'http://<account id>.mns.cn-hangzhou-internal.aliyuncs.com (MNS docs: "Endpoints"); '
        f"in FC, build it from context.account_id and context.region"
    )


def patch_copy(mns_http: Any, service: Callable[[], Any]) -> Optional[Callable[[], None]]:
    """Patch one copy of ``mns.mns_http`` (installed or vendored); returns the undo.

    ``service()`` returns what serves a request (``handle(host, method, uri, headers,
    body, sdk=)``): the test's ``MnsService``, or an instance's forwarder.
    """
    from ._seams import patch_attribute

    http_class = getattr(mns_http, "MNSHttp", None)
    if http_class is None or not hasattr(http_class, "send_request"):
        return None
    original = http_class.send_request
    # aliyun-mns-sdk 1.3.0 hands the body on as str, aliyun-mns 1.1.5 as bytes: the
    # patched method must return what the installed version's callers expect.
    # (under a nested activation, the method found is an outer cloud's patch: reuse its finding)
    returns_str = getattr(original, "fctrigger_returns_str", None)
    if returns_str is None:
        code = getattr(original, "__code__", None)
        returns_str = code is None or "decode" in code.co_names
    sdk = SDK_NEW if returns_str else SDK_OLD

    def send_request(http: Any, req_inter: Any) -> Any:  # the SDK's (untyped) MNSHttp, RequestInternal
        problem = endpoint_problem(http.host)
        if problem is not None:
            # what the SDK raises when the host does not resolve (it wraps every
            # transport error so): the handler's own error handling sees the real thing
            raise mns_http.MNSClientNetworkException("NetWorkException", problem, req_inter.get_req_id())
        status, headers, body = service().handle(
            http.host, req_inter.method, req_inter.uri, req_inter.header, req_inter.data, sdk=sdk
        )
        data = body if returns_str else body.encode("utf-8")
        return mns_http.ResponseInternal(status=status, header=headers, data=data)

    send_request.fctrigger_returns_str = returns_str  # type: ignore[attr-defined]
    return patch_attribute(http_class, "send_request", send_request)
