"""OSS's S3-compatible API: boto3 / botocore (or any S3 client) on an OSS endpoint.

OSS answers the S3 protocol on its own endpoints (``https://<bucket>.oss-<region>
[-internal].aliyuncs.com``). What marks a request as S3 rather than OSS is its
signature and headers: ``Authorization: AWS4-HMAC-SHA256 ...`` (SigV4) or
``AWS <ak>:<sig>`` (SigV2), presigned ``X-Amz-Signature`` / ``AWSAccessKeyId`` query
parameters, or any ``x-amz-*`` header; OSS's own SDKs send ``OSS4-HMAC-SHA256`` /
``OSS <ak>:<sig>`` and ``x-oss-*`` headers. Signatures are not verified, as for the
OSS protocol.

An S3 request is translated to the OSS request it is equivalent to (``x-amz-meta-*``
-> ``x-oss-meta-*``, ``x-amz-copy-source`` -> ``x-oss-copy-source``, canned ACLs,
storage classes, XML namespaces dropped) and run by the OSS handler's own operations
against the same ``OssStore``: the same buckets as oss2 sees, the same access rules,
the same journaled writes with the OSS events FC would deliver, hence the same loop
detection. Replies get their S3 header names back (``x-amz-meta-*``,
``x-amz-request-id``). Served: the operations OSS lists as S3-compatible (see
``S3_OPERATIONS``) that the simulated OSS implements.
"""

from __future__ import annotations

import re
from typing import Any, Dict, Optional

from ...errors import NotSimulatedError
from .handlers import OssHandler, OssRequest, Response, http_date, operation_name
from .s3_errors import S3_COMPATIBILITY_PAGE, chunked_not_implemented, path_style_forbidden
from .store import OssError
from .urls import OssTarget, parse_url

__all__ = ["S3Handler", "OssDialects", "is_s3_request", "S3_OPERATIONS"]

#: OSS API (as ``operation_name`` names it) -> S3 API, for the operations of OSS's list of
#: S3-compatible APIs that the simulated OSS serves (OSS docs, *Compatibility with Amazon S3*)
S3_OPERATIONS = {
    "PutObject": "PutObject",
    "GetObject": "GetObject",
    "HeadObject": "HeadObject",
    "DeleteObject": "DeleteObject",
    "DeleteMultipleObjects": "DeleteObjects",
    "CopyObject": "CopyObject",
    "GetObjectACL": "GetObjectAcl",
    "PutObjectACL": "PutObjectAcl",
    "InitiateMultipartUpload": "CreateMultipartUpload",
    "UploadPart": "UploadPart",
    "UploadPartCopy": "UploadPartCopy",
    "CompleteMultipartUpload": "CompleteMultipartUpload",
    "AbortMultipartUpload": "AbortMultipartUpload",
    "ListParts": "ListParts",
    "ListObjects": "ListObjects",
    "ListObjectsV2": "ListObjectsV2",
    "PutBucket": "CreateBucket",
    "DeleteBucket": "DeleteBucket",
    "GetBucketAcl": "GetBucketAcl",
    "PutBucketAcl": "PutBucketAcl",
    "GetBucketLocation": "GetBucketLocation",
    "HeadBucket": "HeadBucket",
}
# on OSS's list but not simulated (the OSS protocol's versions are not simulated either)
_LISTED_NOT_SIMULATED = {
    "GetBucketLifecycle": "GetBucketLifecycleConfiguration",
    "PutBucketLifecycle": "PutBucketLifecycleConfiguration",
    "GetBucketLogging": "GetBucketLogging",
    "PutBucketLogging": "PutBucketLogging",
    "PostObject": "PostObject",
}

# x-amz-* request headers that carry the same thing as an x-oss-* one
_HEADER_MAP = {
    "x-amz-copy-source": "x-oss-copy-source",
    "x-amz-copy-source-range": "x-oss-copy-source-range",
    "x-amz-copy-source-if-match": "x-oss-copy-source-if-match",
    "x-amz-copy-source-if-none-match": "x-oss-copy-source-if-none-match",
    "x-amz-copy-source-if-modified-since": "x-oss-copy-source-if-modified-since",
    "x-amz-copy-source-if-unmodified-since": "x-oss-copy-source-if-unmodified-since",
    "x-amz-metadata-directive": "x-oss-metadata-directive",
    "x-amz-tagging": "x-oss-tagging",
    "x-amz-security-token": "x-oss-security-token",
    "x-amz-server-side-encryption": "x-oss-server-side-encryption",
}
# S3 storage classes -> OSS's
_STORAGE_CLASSES = {
    "STANDARD": "Standard",
    "STANDARD_IA": "IA",
    "ONEZONE_IA": "IA",
    "GLACIER": "Archive",
    "GLACIER_IR": "Archive",
    "DEEP_ARCHIVE": "ColdArchive",
}
_XMLNS = re.compile(rb'\s+xmlns(?::\w+)?="[^"]*"')
_V4_CREDENTIAL = re.compile(r"Credential=([^/,\s]+)")
_S3_QUERY_AUTH = ("X-Amz-Signature", "X-Amz-Credential", "AWSAccessKeyId")
_QUERY_AUTH_PREFIXES = ("X-Amz-", "AWSAccessKeyId")


def is_s3_request(headers: Any, url: str) -> bool:
    """True when a request speaks the S3 protocol (see the module docstring)."""
    auth = headers.get("Authorization") or headers.get("authorization") or ""
    if auth.startswith(("AWS4-HMAC-SHA256", "AWS ")):
        return True
    if auth.startswith(("OSS", "oss")):
        return False
    if "?" in url and any(p + "=" in url for p in _S3_QUERY_AUTH):
        return True
    return any(str(name).lower().startswith("x-amz-") for name in headers)


class _Translated:
    """The OSS request an S3 request is equivalent to (what ``OssRequest`` reads)."""

    __slots__ = ("method", "url", "headers", "body")

    def __init__(self, method: str, url: str, headers: Dict[str, str], body: Any) -> None:
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body


class S3Handler:
    """Serves S3-protocol requests on OSS endpoints with the OSS handler's operations."""

    def __init__(self, oss: OssHandler) -> None:
        self.oss = oss
        self.service = oss.service
        self.store = oss.store

    def __call__(self, prepared: Any, target: OssTarget, raw_query: Optional[Dict[str, str]] = None) -> Response:
        request_id = self.service.new_request_id()
        headers = {str(k).lower(): v for k, v in prepared.headers.items()}
        req = OssRequest(_Translated(prepared.method, str(prepared.url), _oss_headers(headers), prepared.body), target)
        self._identify(req, headers, target.query if raw_query is None else raw_query)
        op = "HeadBucket" if req.method == "HEAD" and not req.key and target.style != "service" else None
        op = op or operation_name(req)
        try:
            with self.store.lock:
                self._check_shape(req, headers)
                if op == "HeadBucket":
                    status, reply, body = self._head_bucket(req)
                else:
                    method = getattr(self.oss, "op_" + op, None) if op in S3_OPERATIONS else None
                    if method is None:
                        raise _not_served(op, req)
                    self.oss._check_digest(req)  # of the bytes as sent
                    if req.body and op in ("DeleteMultipleObjects", "CompleteMultipartUpload", "PutBucket"):
                        req.body = _XMLNS.sub(b"", req.body, count=1)  # S3 clients qualify the root
                    status, reply, body = method(req, request_id)
        except OssError as err:
            status, reply, body = self.oss._error(err, req, request_id)
        reply = _s3_headers(reply)
        reply["x-oss-request-id"] = reply["x-amz-request-id"] = request_id
        reply["Date"] = http_date(self.service.now())
        reply["Server"] = "AliyunOSS"
        if req.method == "HEAD":
            body = b""
        return status, reply, body

    # --- request shape -----------------------------------------------------------------
    @staticmethod
    def _identify(req: OssRequest, headers: Dict[str, str], query: Dict[str, str]) -> None:
        """Who signed, and how (journaled as ``auth`` / ``access_key_id`` / ``sdk``)."""
        auth = (headers.get("authorization") or "").strip()
        if auth.startswith("AWS4-HMAC-SHA256"):
            m = _V4_CREDENTIAL.search(auth)
            req.auth_kind, req.access_key_id = "s3-v4", m.group(1) if m else None
        elif auth.startswith("AWS "):
            req.auth_kind, req.access_key_id = "s3-v2", auth[4:].split(":", 1)[0]
        elif "X-Amz-Credential" in query:
            req.auth_kind, req.access_key_id = "s3-v4", query["X-Amz-Credential"].split("/", 1)[0]
        elif "AWSAccessKeyId" in query:
            req.auth_kind, req.access_key_id = "s3-v2", query["AWSAccessKeyId"]
        else:
            req.auth_kind, req.access_key_id = "anonymous", None
        req.security_token = headers.get("x-amz-security-token") or query.get("X-Amz-Security-Token")
        ua = headers.get("user-agent", "")
        req.sdk = "boto3" if ua.startswith("Boto3/") else "botocore" if ua.startswith("Botocore/") else "s3"

    @staticmethod
    def _check_shape(req: OssRequest, headers: Dict[str, str]) -> None:
        if req.target.style == "path":
            raise path_style_forbidden()
        sha = headers.get("x-amz-content-sha256", "")
        if sha.startswith("STREAMING-") or "aws-chunked" in headers.get("content-encoding", ""):
            raise chunked_not_implemented(sha or "aws-chunked")

    def _head_bucket(self, req: OssRequest) -> Response:
        bucket = self.oss._bucket(req, "read")
        return 200, {"x-oss-bucket-region": bucket.region}, b""


def _not_served(op: str, req: OssRequest) -> NotSimulatedError:
    if op in _LISTED_NOT_SIMULATED:
        name = _LISTED_NOT_SIMULATED[op]
        hint = "OSS lists it as S3-compatible but the simulated OSS does not implement it"
    else:
        name = op
        hint = f"it is not among the operations OSS serves over the S3 protocol ({S3_COMPATIBILITY_PAGE})"
    return NotSimulatedError("OSS (S3 API)", name, f"{req.method} {req.url} was not sent; {hint}")


def _oss_headers(headers: Dict[str, str]) -> Dict[str, str]:
    """The request's headers as OSS names them (lower-case keys)."""
    out: Dict[str, str] = {}
    for name, value in headers.items():
        if not name.startswith("x-amz-"):
            if name != "authorization":  # so OssRequest does not read an S3 signature as OSS's
                out[name] = value
            continue
        if name.startswith("x-amz-meta-"):
            out["x-oss-meta-" + name[11:]] = value
        elif name in _HEADER_MAP:
            out[_HEADER_MAP[name]] = value
        elif name == "x-amz-acl":
            out["x-oss-object-acl"] = value
            out["x-oss-acl"] = value
        elif name == "x-amz-storage-class":
            out["x-oss-storage-class"] = _STORAGE_CLASSES.get(value.upper(), value)
        # the rest (date, content-sha256, checksums, sdk bookkeeping) have no OSS meaning
    return out


def _s3_headers(headers: Dict[str, str]) -> Dict[str, str]:
    """Reply headers with S3's names where an S3 client reads one (metadata, version)."""
    out: Dict[str, str] = {}
    for name, value in headers.items():
        low = name.lower()
        if low.startswith("x-oss-meta-"):
            out["x-amz-meta-" + name[11:]] = value
        elif low == "x-oss-storage-class":
            out["x-amz-storage-class"] = value
        else:
            out[name] = value
    return out


class OssDialects:
    """The router callback of the simulated OSS: S3-protocol requests to ``S3Handler``,
    the others to ``OssHandler``."""

    def __init__(self, oss: OssHandler) -> None:
        self.oss = oss
        self.s3 = S3Handler(oss)

    def __call__(self, prepared: Any) -> Response:
        headers = prepared.headers
        auth = headers.get("Authorization") or headers.get("authorization")
        # the usual oss2 / v2 request decides on its first header: no scan of the rest
        if auth is not None and auth.startswith(("OSS ", "OSS4-")):
            return self.oss(prepared)
        url = str(prepared.url)
        if not is_s3_request(headers, url):
            return self.oss(prepared)
        target: Optional[OssTarget] = parse_url(url)
        if target is None:
            return self.oss(prepared)
        query = target.query
        if query:
            # botocore names the API in the URL (x-id), and a presigned URL carries its
            # signature there: neither selects an operation
            plain = {k: v for k, v in query.items() if k != "x-id" and not k.startswith(_QUERY_AUTH_PREFIXES)}
            if len(plain) != len(query):
                return self.s3(prepared, target._replace(query=plain), query)
        return self.s3(prepared, target, query)
