"""botocore (boto3) beside ``fc_cloud``: its HTTP seam and its AWS writes.

botocore sends through its own urllib3 session, not ``requests``, so the
``responses``-based router never sees it. While an ``fc_cloud`` is active:

* ``URLLib3Session.send`` (the one call every botocore client makes to put bytes on
  the wire) answers URLs a simulated service serves in-process (OSS's S3-compatible
  API); a request for any other non-loopback host fails at once with the guard's
  error (or ``NotSimulatedError`` for an Alibaba host) instead of being retried by
  botocore. moto answers AWS hosts *before* this seam (its ``before-send`` hook), so
  ``mock_aws`` works unchanged beside it, started before or after ``fc_cloud``.
* ``BaseClient._make_api_call`` journals each successful *write* to a non-Alibaba
  endpoint (AWS, as served by moto) as a ``Write`` with the botocore service name, the
  API and the resource it addressed: ``InvokeResult.writes`` lists them. No FC
  trigger listens to AWS, so the loop detector ignores them.

Both are class attributes, patched while a router is active so clients created at
any time (even at import of a handler module) are covered. botocore costs about half
a second to import: when it is not imported yet, an import hook patches it the
moment something imports ``botocore.client``, and nothing is imported otherwise.
"""

from __future__ import annotations

import io
from typing import Any, Callable, Dict, Iterator
from urllib.parse import unquote, urlsplit

__all__ = ["patch_client", "is_write_operation", "aws_resource"]


# API-name prefixes of operations that only read (everything else is journaled as a
# write). Why a prefix list: botocore's service models carry no read-only flag, and
# AWS names its read APIs with these verbs across services.
_READ_PREFIXES = (
    "Get",
    "List",
    "Describe",
    "Head",
    "Query",
    "Scan",
    "BatchGet",
    "Select",
    "Lookup",
    "Search",
    "Receive",
    "Check",
    "Validate",
    "Test",
    "Estimate",
    "Preview",
    "Simulate",
    "Generate",
    "Download",
)


def is_write_operation(operation: str) -> bool:
    """True for an AWS API that changes state (``PutObject``, ``SendMessage``, ``PutItem`` ...)."""
    return not operation.startswith(_READ_PREFIXES)


# --------------------------------------------------------------------------- install
def patch_client(client_module: Any) -> Callable[[], None]:
    """Patch botocore (the copy whose ``botocore.client`` this is); returns the undo.

    A seam of the cloud's ``SeamPatcher``: applied at once when botocore is imported,
    else the moment something imports ``botocore.client``; nothing is imported for it.
    """
    import importlib

    base_client = client_module.BaseClient
    session_class = importlib.import_module(client_module.__name__.rpartition(".")[0] + ".httpsession").URLLib3Session
    real_send = session_class.__dict__["send"]
    real_call = base_client.__dict__["_make_api_call"]
    session_class.send = _wrap_send(real_send)
    base_client._make_api_call = _wrap_call(real_call)

    def undo() -> None:
        session_class.send = real_send
        base_client._make_api_call = real_call

    return undo


# --------------------------------------------------------------------------- the HTTP seam
class _BotoRequest:
    """An ``AWSPreparedRequest`` seen as the router's callbacks expect a request."""

    __slots__ = ("method", "url", "headers", "body")

    def __init__(self, request: Any) -> None:
        self.method = request.method
        self.url = request.url
        # botocore keeps some values as bytes (the signature); the handlers read text
        self.headers = {
            str(k).lower(): v.decode("latin-1") if isinstance(v, bytes) else str(v) for k, v in request.headers.items()
        }
        body = request.body
        if body is not None and hasattr(body, "read"):
            # a seekable stream botocore may rewind for a retry: read it from where it stands
            position = body.tell() if hasattr(body, "tell") else None
            data = body.read()
            if position is not None and hasattr(body, "seek"):
                body.seek(position)
            body = data
        self.body = body


class _RawBody(io.BytesIO):
    """What botocore reads a response body from (``stream()`` and ``read()``)."""

    def stream(self, **_kwargs: Any) -> Iterator[bytes]:
        chunk = self.read(65536)
        while chunk:
            yield chunk
            chunk = self.read(65536)


def _wrap_send(real: Callable[..., Any]) -> Callable[..., Any]:
    from botocore.awsrequest import AWSResponse

    from ._http import active_router
    from .guard import is_loopback_host

    def send(session: Any, request: Any) -> Any:
        router = active_router()
        if router is None:
            return real(session, request)
        url = request.url
        callback = router.route_for(url)
        if callback is None:
            if router.allow_network or is_loopback_host(urlsplit(url).hostname):
                return real(session, request)
            raise router.unclaimed_error(request.method, url)
        status, headers, body = callback(_BotoRequest(request))
        if isinstance(body, str):
            body = body.encode("utf-8")
        body = body or b""
        if not any(k.lower() == "content-length" for k in headers):  # as on the wire (HEAD sets its own)
            headers = {**headers, "Content-Length": str(len(body))}
        return AWSResponse(url, status, headers, _RawBody(body))

    send.__wrapped__ = real  # type: ignore[attr-defined]
    return send


# --------------------------------------------------------------------------- AWS writes
def _wrap_call(real: Callable[..., Any]) -> Callable[..., Any]:
    from ._http import active_router
    from ._http_mock import is_alibaba_host

    def _make_api_call(client: Any, operation_name: str, api_params: Dict[str, Any]) -> Any:
        result = real(client, operation_name, api_params)
        router = active_router()
        if router is not None and router.journal is not None and is_write_operation(operation_name):
            host = urlsplit(client.meta.endpoint_url or "").hostname or ""
            if not is_alibaba_host(host):  # OSS's S3 API journals its own writes, with events
                _record(router.journal, client, operation_name, api_params, host)
        return result

    _make_api_call.__wrapped__ = real  # type: ignore[attr-defined]
    return _make_api_call


def _record(journal: Any, client: Any, operation: str, params: Dict[str, Any], host: str) -> None:
    from .journal import Write

    service = client.meta.service_model.service_name
    journal.record(
        Write(
            service=service,
            api=operation,
            resource=aws_resource(service, params),
            region=client.meta.region_name,
            attributes={"cloud": "aws", "endpoint": host},
            sdk="boto3",
        )
    )


def aws_resource(service: str, params: Dict[str, Any]) -> Dict[str, Any]:
    """What an AWS write addressed, by the names its service uses."""
    if service == "s3":
        resource: Dict[str, Any] = {"bucket": params.get("Bucket")}
        if "Key" in params:
            resource["key"] = params["Key"]
        delete = params.get("Delete")
        if isinstance(delete, dict):
            resource["keys"] = [o.get("Key") for o in delete.get("Objects", []) if isinstance(o, dict)]
        source = params.get("CopySource")
        if source is not None:
            resource["source"] = source if isinstance(source, (str, dict)) else str(source)
        return resource
    if service == "sqs":
        url = params.get("QueueUrl")
        name = unquote(urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1]) if isinstance(url, str) else None
        return {"queue": name or params.get("QueueName"), **({"queue_url": url} if url else {})}
    if service == "sns":
        arn = params.get("TopicArn") or params.get("TargetArn")
        if arn:
            return {"topic": arn}
        if params.get("PhoneNumber"):
            return {"phone_number": params["PhoneNumber"]}
        return {"topic": params.get("Name")}
    if service == "dynamodb":
        if "TableName" in params:
            return {"table": params["TableName"]}
        items = params.get("RequestItems") or params.get("TransactItems")
        if isinstance(items, dict):
            return {"tables": sorted(items)}
        return {}
    # any other service: the parameters that name what was written
    return {
        k: v
        for k, v in params.items()
        if isinstance(v, str) and (k in ("Bucket", "Key") or k.endswith(("Name", "Arn", "Url", "Id")))
    }
