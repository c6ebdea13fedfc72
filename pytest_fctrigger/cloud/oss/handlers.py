"""HTTP side of the simulated OSS: one request in, one OSS-shaped response out.

``OssHandler`` is the ``HttpRouter`` callback. It parses the URL (``urls.py``), names
the OSS API from method + sub-resource (the way OSS itself dispatches), applies the
access rules, runs the API against ``OssStore`` and renders the reply the SDKs parse:
XML bodies without a namespace, quoted upper-case ``ETag`` headers, the CRC-64 header,
``x-oss-request-id`` on every reply, errors as ``<Error>`` XML (for ``HEAD``, base64 in
the ``x-oss-err`` header, as OSS does since HEAD replies have no body).

An API that is not implemented raises ``NotSimulatedError`` naming it; both SDKs
surface it to the caller (oss2 as is, the v2 SDK wrapped in ``OperationError``).

Access: a request without any signature (header or presigned URL) is anonymous and,
as in OSS, is refused with ``AccessDenied`` unless the bucket (or the object) ACL
allows it. Signatures themselves are not verified.
"""

from __future__ import annotations

import base64
import datetime as _dt
import functools
import hashlib
import json
import operator
import re
import xml.etree.ElementTree as ET
from email.utils import format_datetime
from typing import Any, Dict, List, Optional, Sequence, Tuple, Union
from urllib.parse import parse_qsl, quote, unquote

from ...errors import NotSimulatedError
from .errors import (
    AccessDenied,
    InvalidArgument,
    InvalidBucketName,
    InvalidDigest,
    InvalidRange,
    MalformedXML,
    MissingArgument,
    NoSuchBucket,
    NotSymlink,
    OssError,
)
from .store import (
    ACLS,
    OBJECT_ACLS,
    STORED_HEADERS,
    BucketState,
    Change,
    OssObject,
    check_preconditions,
)
from .urls import OssTarget, endpoint_host, is_valid_bucket_name, parse_url

XmlValue = Union[None, str, int, bool, List[Tuple[str, Any]]]
Response = Tuple[int, Dict[str, str], bytes]

# query parameters that select nothing (listing, presigning, response overrides, ...)
_PLAIN_PARAMS = frozenset(
    {
        "prefix",
        "marker",
        "max-keys",
        "delimiter",
        "encoding-type",
        "list-type",
        "continuation-token",
        "start-after",
        "fetch-owner",
        "key-marker",
        "upload-id-marker",
        "max-uploads",
        "max-parts",
        "part-number-marker",
        "position",
        "partNumber",
        "uploadId",
        "OSSAccessKeyId",
        "Signature",
        "Expires",
        "security-token",
        "x-oss-signature-version",
        "x-oss-credential",
        "x-oss-date",
        "x-oss-expires",
        "x-oss-signature",
        "x-oss-additional-headers",
        "x-oss-security-token",
        "x-oss-traffic-limit",
        "x-oss-ac-source-ip",
        "x-oss-ac-subnet-mask",
        "x-oss-ac-vpc-id",
        "x-oss-ac-forward-allow",
        "response-content-type",
        "response-content-language",
        "response-expires",
        "response-cache-control",
        "response-content-disposition",
        "response-content-encoding",
        "x-oss-process",
        "regionList",
    }
)
# the sub-resources OSS dispatches on (as the SDKs sign them)
_SUBRESOURCES = frozenset(
    {
        "acl",
        "uploads",
        "delete",
        "website",
        "location",
        "objectInfo",
        "objectMeta",
        "cors",
        "lifecycle",
        "restore",
        "qos",
        "referer",
        "stat",
        "bucketInfo",
        "append",
        "live",
        "comp",
        "status",
        "vod",
        "symlink",
        "tagging",
        "encryption",
        "versions",
        "versioning",
        "versionId",
        "policy",
        "requestPayment",
        "qosInfo",
        "asyncFetch",
        "sequential",
        "inventory",
        "worm",
        "wormId",
        "wormExtend",
        "replication",
        "replicationLocation",
        "replicationProgress",
        "transferAcceleration",
        "cname",
        "metaQuery",
        "resourceGroup",
        "style",
        "x-oss-async-process",
        "regions",
        "x-oss-write-get-object-response",
        "bucketArchiveDirectRead",
        "httpsConfig",
        "redundancyTransition",
        "accessPoint",
        "accessPointPolicy",
        "publicAccessBlock",
        "requesterQosInfo",
        "logging",
        "select",
        "callback",
    }
)
_RESPONSE_OVERRIDES = {
    "response-content-type": "Content-Type",
    "response-content-language": "Content-Language",
    "response-expires": "Expires",
    "response-cache-control": "Cache-Control",
    "response-content-disposition": "Content-Disposition",
    "response-content-encoding": "Content-Encoding",
}
# sub-resource -> API name where "<Verb><Bucket|Object><Resource>" is not what OSS calls it
_SPECIAL_NAMES = {
    "restore": "RestoreObject",
    "select": "SelectObject",
    "x-oss-async-process": "AsyncProcessObject",
    "versions": "ListObjectVersions",
    "regions": "DescribeRegions",
    "live": "LiveChannel",
    "x-oss-write-get-object-response": "WriteGetObjectResponse",
    "objectInfo": "GetObjectInfo",
}
_VERBS = {"GET": "Get", "PUT": "Put", "DELETE": "Delete", "POST": "Post", "HEAD": "Head", "OPTIONS": "Option"}
_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
_STORED_LOWER = tuple((h, h.lower()) for h in STORED_HEADERS)
_STORED_NAMES = tuple(low for _, low in _STORED_LOWER)
_V4_CREDENTIAL = re.compile(r"Credential=([^/,\s]+)")
_is_meta = operator.methodcaller("startswith", "x-oss-meta-")


# --------------------------------------------------------------------------- rendering
def _build(parent: ET.Element, children: Sequence[Tuple[str, XmlValue]]) -> None:
    for tag, value in children:
        if value is None:
            continue
        node = ET.SubElement(parent, tag)
        if isinstance(value, list):
            _build(node, value)
        elif isinstance(value, bool):
            node.text = "true" if value else "false"
        else:
            node.text = str(value)


def xml_body(root: str, children: Sequence[Tuple[str, XmlValue]] = (), text: Optional[str] = None) -> bytes:
    """``<?xml ...?><root>...</root>`` with no namespace (oss2 finds tags unqualified)."""
    node = ET.Element(root)
    node.text = text
    _build(node, children)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(node, encoding="utf-8")


_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@functools.lru_cache(maxsize=256)  # the same instants recur (Date, Last-Modified)
def http_date(when: _dt.datetime) -> str:
    """``Sun, 06 Nov 1994 08:49:37 GMT``: ``email.utils.format_datetime(when, usegmt=True)``,
    formatted here for UTC instants (the simulated clock's) at a third of its cost."""
    if when.tzinfo is not _dt.timezone.utc:
        return format_datetime(when, usegmt=True)
    return (
        f"{_WEEKDAYS[when.weekday()]}, {when.day:02d} {_MONTHS[when.month - 1]} {when.year:04d} "
        f"{when.hour:02d}:{when.minute:02d}:{when.second:02d} GMT"
    )


def oss_time(when: _dt.datetime) -> str:
    """``2025-05-07T12:43:56.000Z``: OSS XML times have whole seconds (oss2 parses exactly this)."""
    return when.astimezone(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def quoted(etag: str) -> str:
    return f'"{etag}"'


def _encode_key(key: str, url_encoding: bool) -> str:
    return quote(key, safe="/") if url_encoding else key


def _parse_xml(body: bytes, root: str) -> ET.Element:
    try:
        node = ET.fromstring(body)
    except ET.ParseError:
        raise MalformedXML() from None
    if node.tag != root:
        raise MalformedXML(f"The root element must be <{root}>, got <{node.tag}>.")
    return node


def _int_param(value: Optional[str], name: str, default: int, low: int, high: int) -> int:
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        number = low - 1
    if not low <= number <= high:
        raise InvalidArgument(
            f"Argument {name} must be an integer between {low} and {high}.",
            name=name,
            value=value,
        )
    return number


# --------------------------------------------------------------------------- the request
class OssRequest:
    """The parts of one intercepted request the handlers need."""

    def __init__(self, prepared: Any, target: OssTarget) -> None:
        self.method = prepared.method.upper()
        self.url = str(prepared.url)
        self.scheme = self.url.partition(":")[0]
        # lower-cased names once, so each of the dozen look-ups per request is a plain dict get
        headers = prepared.headers
        lower_items = getattr(headers, "lower_items", None)  # requests' CaseInsensitiveDict
        self.headers: Dict[str, str] = (
            dict(lower_items()) if lower_items is not None else {str(k).lower(): v for k, v in headers.items()}
        )
        self.body = read_body(prepared.body)
        self.target = target
        self.query = target.query
        self.bucket_name = target.bucket
        self.key = target.key
        self.auth_kind, self.access_key_id, self.security_token = self._auth()
        ua = self.headers.get("user-agent", "")
        if ua.startswith("aliyun-sdk-python"):
            self.sdk = "oss2"
        elif ua.startswith("alibabacloud-python-sdk-v2"):
            self.sdk = "alibabacloud_oss_v2"
        else:
            self.sdk = "http"

    def header(self, name: str, default: Optional[str] = None) -> Optional[str]:
        """A request header by name, case-insensitively (as HTTP names are)."""
        return self.headers.get(name.lower(), default)

    def flag(self, name: str) -> bool:
        value = self.headers.get(name.lower())
        return value is not None and value.strip().lower() == "true"

    def user_meta(self) -> Dict[str, str]:
        headers = self.headers
        if not any(map(_is_meta, headers)):  # the usual case, without a Python-level loop
            return {}
        return {k: v for k, v in headers.items() if k.startswith("x-oss-meta-")}

    def stored_headers(self) -> Dict[str, str]:
        headers = self.headers
        if not any(map(headers.__contains__, _STORED_NAMES)):  # the usual case, no Python loop
            return {}
        return {h: headers[low] for h, low in _STORED_LOWER if low in headers}

    def _auth(self) -> Tuple[str, Optional[str], Optional[str]]:
        """(``v1``|``v4``|``anonymous``, access key id, STS token)."""
        token = (
            self.headers.get("x-oss-security-token")
            or self.query.get("security-token")
            or self.query.get("x-oss-security-token")
        )
        auth = (self.headers.get("authorization") or "").strip()
        if auth.startswith("OSS4-HMAC-SHA256"):
            m = _V4_CREDENTIAL.search(auth)
            return "v4", m.group(1) if m else None, token
        if auth.startswith("OSS "):
            return "v1", auth[4:].split(":", 1)[0], token
        if "x-oss-credential" in self.query:
            return "v4", self.query["x-oss-credential"].split("/", 1)[0], token
        if "OSSAccessKeyId" in self.query:
            return "v1", self.query["OSSAccessKeyId"], token
        return "anonymous", None, None


def read_body(body: Any) -> bytes:
    """The request body as bytes (responses reads file objects; iterables are joined here)."""
    if body is None:
        return b""
    if isinstance(body, bytes):
        return body
    if isinstance(body, str):
        return body.encode("utf-8")
    if isinstance(body, (bytearray, memoryview)):
        return bytes(body)
    if hasattr(body, "read"):
        return read_body(body.read())
    return b"".join(read_body(chunk) for chunk in body)


# --------------------------------------------------------------------------- API names
# (method, sub-resource) -> API, where the name is not "<Verb><Object|Bucket><Sub-resource>"
# or the request line alone decides it (built once: every request looks a name up)
_OBJECT_APIS = {
    ("GET", ""): "GetObject",
    ("HEAD", ""): "HeadObject",
    ("DELETE", ""): "DeleteObject",
    ("POST", "append"): "AppendObject",
    ("POST", "uploads"): "InitiateMultipartUpload",
    ("PUT", "symlink"): "PutSymlink",
    ("GET", "symlink"): "GetSymlink",
    ("PUT", "acl"): "PutObjectACL",
    ("GET", "acl"): "GetObjectACL",
    ("PUT", "tagging"): "PutObjectTagging",
    ("GET", "tagging"): "GetObjectTagging",
    ("DELETE", "tagging"): "DeleteObjectTagging",
    ("OPTIONS", ""): "OptionObject",
}
_BUCKET_APIS = {
    ("PUT", ""): "PutBucket",
    ("DELETE", ""): "DeleteBucket",
    ("GET", "acl"): "GetBucketAcl",
    ("PUT", "acl"): "PutBucketAcl",
    ("GET", "location"): "GetBucketLocation",
    ("GET", "bucketInfo"): "GetBucketInfo",
    ("GET", "uploads"): "ListMultipartUploads",
    ("POST", "delete"): "DeleteMultipleObjects",
}


def operation_name(req: OssRequest) -> str:
    """The OSS API a request calls, named as in the OSS API reference."""
    method, query = req.method, req.query
    if req.target.style == "service":
        if method == "GET" and "regions" not in query:
            return "ListBuckets"
        return "DescribeRegions" if "regions" in query else f"{_VERBS.get(method, method)}Service"
    if not query:
        return _base_operation(req, "")
    subresources = [q for q in query if q not in _PLAIN_PARAMS]
    # a listing parameter of an unsimulated API (e.g. version-id-marker) must not hide its
    # sub-resource (versions): name the request after the sub-resource OSS dispatches on
    subresources.sort(key=lambda q: q not in _SUBRESOURCES)
    if "versionId" in subresources:
        rest = [q for q in subresources if q != "versionId"]
        return _base_operation(req, rest[0] if rest else "") + " (with versionId)"
    return _base_operation(req, subresources[0] if subresources else "")


def _base_operation(req: OssRequest, sub: str) -> str:
    """The API of a request whose first sub-resource is ``sub`` (``""``: none)."""
    method, query = req.method, req.query
    if sub in _SPECIAL_NAMES:
        return _SPECIAL_NAMES[sub]
    if req.key:
        if not sub:
            if method == "PUT":
                copy = "x-oss-copy-source" in req.headers
                if "partNumber" in query and "uploadId" in query:
                    return "UploadPartCopy" if copy else "UploadPart"
                return "CopyObject" if copy else "PutObject"
            if "uploadId" in query:
                if method == "GET":
                    return "ListParts"
                if method == "POST":
                    return "CompleteMultipartUpload"
                if method == "DELETE":
                    return "AbortMultipartUpload"
            if method == "POST" and "x-oss-process" in query:
                return "ProcessObject"
        elif method == "HEAD" and sub == "objectMeta":
            return "GetObjectMeta"
        name = _OBJECT_APIS.get((method, sub))
        return name or f"{_VERBS.get(method, method.title())}Object{sub[:1].upper()}{sub[1:]}"
    if not sub:
        if method == "GET":
            return "ListObjectsV2" if query.get("list-type") == "2" else "ListObjects"
        if method == "POST" and "multipart/form-data" in (req.header("Content-Type") or ""):
            return "PostObject"
    name = _BUCKET_APIS.get((method, sub))
    return name or f"{_VERBS.get(method, method.title())}Bucket{sub[:1].upper()}{sub[1:]}"


class OssHandler:
    """The ``HttpRouter`` callback of the simulated OSS."""

    def __init__(self, service: Any) -> None:
        self.service = service
        self.store = service.store

    # --- entry point --------------------------------------------------------------------
    def __call__(self, prepared: Any) -> Response:
        target = parse_url(str(prepared.url))
        if target is None:  # the router only sends OSS URLs here
            raise NotSimulatedError("OSS", f"{prepared.method} {prepared.url}", "not an OSS endpoint")
        req = OssRequest(prepared, target)
        request_id = self.service.new_request_id()
        op = operation_name(req)
        method = getattr(self, "op_" + op, None)
        if method is None:
            raise NotSimulatedError(
                "OSS", op, f"{req.method} {req.url} was not sent; served APIs are listed in docs/cloud/oss.md"
            )
        if "x-oss-callback" in req.headers or "callback" in req.query:
            raise NotSimulatedError(
                "OSS", f"{op} with x-oss-callback", "upload callbacks would call your server from OSS"
            )
        try:
            with self.store.lock:
                self._check_digest(req)
                status, headers, body = method(req, request_id)
        except OssError as err:
            status, headers, body = self._error(err, req, request_id)
        headers["x-oss-request-id"] = request_id
        headers["Date"] = http_date(self.service.now())
        headers["Server"] = "AliyunOSS"
        if req.method == "HEAD":
            body = b""
        return status, headers, body

    # --- shared checks ------------------------------------------------------------------------
    @staticmethod
    def _check_digest(req: OssRequest) -> None:
        md5 = req.headers.get("content-md5")
        if md5 and req.body is not None:
            actual = base64.b64encode(hashlib.md5(req.body).digest()).decode()
            if md5.strip() != actual:
                raise InvalidDigest(md5)

    def _error(self, err: OssError, req: OssRequest, request_id: str) -> Response:
        if err.status == 304:
            return 304, dict(err.headers), b""
        body = xml_body(
            "Error",
            [
                ("Code", err.code),
                ("Message", err.message),
                ("RequestId", request_id),
                ("HostId", f"{req.bucket_name}.{req.target.host}" if req.bucket_name else req.target.host),
                *err.details.items(),
            ],
        )
        headers = {"Content-Type": "application/xml", **err.headers}
        if req.method == "HEAD":
            headers["x-oss-err"] = base64.b64encode(body).decode()
        return err.status, headers, body

    def _bucket(self, req: OssRequest, access: str, anonymous: Optional[bool] = None) -> BucketState:
        """The addressed bucket after the endpoint and access checks of OSS.

        ``anonymous`` overrides what the request's headers say (PostObject signs in the form).
        """
        name = req.bucket_name or ""
        bucket = self.store.buckets.get(name)
        if bucket is None:  # (a stored bucket's name was checked when it was created)
            if not is_valid_bucket_name(name):
                raise InvalidBucketName(name)
            raise NoSuchBucket(name)
        region = req.target.region
        if region is not None and region != bucket.region:
            right = endpoint_host(bucket.region, "internal" if req.target.kind == "internal" else "public")
            raise AccessDenied(
                "The bucket you are attempting to access must be addressed "
                "using the specified endpoint. Please send all future requests to this endpoint.",
                bucket=name,
                endpoint=right,
            )
        if anonymous if anonymous is not None else req.auth_kind == "anonymous":
            allowed = ("public-read", "public-read-write") if access == "read" else ("public-read-write",)
            obj = bucket.objects.get(req.key) if req.key else None
            acl = obj.acl if obj is not None and obj.acl != "default" else bucket.acl
            if acl not in allowed:
                raise AccessDenied("You have no right to access this object because of bucket acl.")
        return bucket

    def _record(self, req: OssRequest, request_id: str, change: Change) -> None:
        self.service.record(
            change,
            request_id=request_id,
            sdk=req.sdk,
            endpoint_kind=req.target.kind,
            access_key_id=req.access_key_id,
            auth=req.auth_kind,
        )

    def _record_plain(self, req: OssRequest, request_id: str, api: str, bucket: BucketState, key: str = "") -> None:
        """A mutating call no OSS trigger fires for (ACLs, tags, bucket create/delete)."""
        self._record(req, request_id, Change(api=api, bucket=bucket, key=key, event_name=None))

    def _location(self, req: OssRequest, bucket: str, key: str) -> str:
        return f"{req.scheme}://{bucket}.{req.target.host}/{quote(key)}"

    @staticmethod
    def _object_headers(obj: OssObject, served: OssObject) -> Dict[str, str]:
        headers = {
            "Content-Type": served.content_type,
            "ETag": quoted(served.etag),
            "Last-Modified": http_date(obj.last_modified),
            "x-oss-object-type": obj.object_type,
            "x-oss-storage-class": served.storage_class,
            "x-oss-hash-crc64ecma": str(served.crc64),
            "Accept-Ranges": "bytes",
            **served.headers,
            **obj.user_meta,
        }
        md5 = served.content_md5
        if md5:
            headers["Content-MD5"] = md5
        if obj.object_type == "Appendable":
            headers["x-oss-next-append-position"] = str(obj.size)
        if served.tags:
            headers["x-oss-tagging-count"] = str(len(served.tags))
        return headers

    @staticmethod
    def _tags_header(value: Optional[str]) -> Dict[str, str]:
        return dict(parse_qsl(value, keep_blank_values=True)) if value else {}

    def _object_acl(self, req: OssRequest) -> str:
        acl = req.headers.get("x-oss-object-acl") or "default"
        if acl not in OBJECT_ACLS:
            raise InvalidArgument(
                f"no such object access control exists: {acl}",
                name="x-oss-object-acl",
                value=acl,
            )
        return acl

    def _copy_source(self, req: OssRequest) -> Tuple[BucketState, str]:
        raw = req.header("x-oss-copy-source") or ""
        path, _, query = raw.partition("?")
        if "versionId" in dict(parse_qsl(query)):
            raise NotSimulatedError("OSS", "CopyObject (with versionId)", "versioning is not simulated")
        bucket_name, _, key = unquote(path).lstrip("/").partition("/")
        if not key:
            raise InvalidArgument(
                "Copy Source must mention the source bucket and key: /sourcebucket/sourcekey.",
                name="x-oss-copy-source",
                value=raw,
            )
        bucket = self.store.buckets.get(bucket_name)
        if bucket is None:
            raise NoSuchBucket(bucket_name)
        if req.auth_kind == "anonymous" and bucket.acl == "private":
            raise AccessDenied("You have no right to access the copy source.")
        return bucket, key

    # --- objects: writes -------------------------------------------------------------------
    def op_PutObject(self, req: OssRequest, rid: str) -> Response:
        bucket = self._bucket(req, "write")
        headers = req.headers
        change = self.store.put_object(
            bucket,
            req.key,
            req.body,
            content_type=headers.get("content-type"),
            user_meta=req.user_meta(),
            headers=req.stored_headers(),
            acl=self._object_acl(req),
            tags=self._tags_header(headers.get("x-oss-tagging")),
            storage_class=headers.get("x-oss-storage-class"),
            forbid_overwrite=req.flag("x-oss-forbid-overwrite"),
        )
        self._record(req, rid, change)
        obj = change.obj
        return (
            200,
            {"ETag": quoted(obj.etag), "x-oss-hash-crc64ecma": str(obj.crc64), "Content-MD5": obj.content_md5},
            b"",
        )

    def op_AppendObject(self, req: OssRequest, rid: str) -> Response:
        bucket = self._bucket(req, "write")
        raw = req.query.get("position")
        if raw is None or not raw.isdigit():
            raise InvalidArgument(
                "Argument position must be a non-negative integer.",
                name="position",
                value=raw or "",
            )
        change = self.store.append_object(
            bucket,
            req.key,
            req.body,
            int(raw),
            content_type=req.header("Content-Type"),
            user_meta=req.user_meta(),
            headers=req.stored_headers(),
        )
        self._record(req, rid, change)
        obj = change.obj
        return (
            200,
            {
                "ETag": quoted(obj.etag),
                "x-oss-next-append-position": str(obj.size),
                "x-oss-hash-crc64ecma": str(obj.crc64),
            },
            b"",
        )

    def op_CopyObject(self, req: OssRequest, rid: str) -> Response:
        bucket = self._bucket(req, "write")
        src_bucket, src_key = self._copy_source(req)
        directive = (req.header("x-oss-metadata-directive") or "COPY").upper()
        if directive not in ("COPY", "REPLACE"):
            raise InvalidArgument(
                "Unknown metadata directive.",
                name="x-oss-metadata-directive",
                value=directive,
            )
        change = self.store.copy_object(
            src_bucket,
            src_key,
            bucket,
            req.key,
            replace_meta=directive == "REPLACE",
            content_type=req.header("Content-Type"),
            user_meta=req.user_meta(),
            headers=req.stored_headers(),
            forbid_overwrite=req.flag("x-oss-forbid-overwrite"),
            if_match=req.header("x-oss-copy-source-if-match"),
            if_none_match=req.header("x-oss-copy-source-if-none-match"),
        )
        acl = req.header("x-oss-object-acl")
        if acl:
            change.obj.acl = self._object_acl(req)
        self._record(req, rid, change)
        obj = change.obj
        return _copy_reply("CopyObjectResult", obj.etag, obj.last_modified, obj.crc64)

    def op_DeleteObject(self, req: OssRequest, rid: str) -> Response:
        bucket = self._bucket(req, "write")
        change = self.store.delete_object(bucket, req.key)
        if change is not None:
            self._record(req, rid, change)
        return 204, {}, b""

    def op_DeleteMultipleObjects(self, req: OssRequest, rid: str) -> Response:
        bucket = self._bucket(req, "write")
        if not req.header("Content-MD5"):
            raise MissingArgument("Content-MD5")
        root = _parse_xml(req.body, "Delete")
        quiet = (root.findtext("Quiet") or "false").strip().lower() == "true"
        keys = [node.findtext("Key") or "" for node in root.findall("Object")]
        if not keys or len(keys) > 1000:
            raise MalformedXML("The number of keys to delete must be between 1 and 1000.")
        if any(node.find("VersionId") is not None for node in root.findall("Object")):
            raise NotSimulatedError("OSS", "DeleteMultipleObjects (with versionId)", "versioning is not simulated")
        url = req.query.get("encoding-type") == "url"
        deleted: List[Tuple[str, XmlValue]] = []
        for key in keys:
            change = self.store.delete_object(
                bucket, key, api="DeleteObjects", event_name="ObjectRemoved:DeleteObjects"
            )
            if change is not None:
                self._record(req, rid, change)
            if not quiet:
                deleted.append(("Deleted", [("Key", _encode_key(key, url))]))
        if url:
            deleted.append(("EncodingType", "url"))
        return 200, {"Content-Type": "application/xml"}, xml_body("DeleteResult", deleted)

    def op_PutSymlink(self, req: OssRequest, rid: str) -> Response:
        bucket = self._bucket(req, "write")
        raw = req.header("x-oss-symlink-target")
        if not raw:
            raise MissingArgument("x-oss-symlink-target")
        change = self.store.put_symlink(
            bucket,
            req.key,
            unquote(raw),
            content_type=req.header("Content-Type"),
            user_meta=req.user_meta(),
            forbid_overwrite=req.flag("x-oss-forbid-overwrite"),
        )
        self._record(req, rid, change)
        return 200, {"ETag": quoted(change.obj.etag)}, b""

    def op_PostObject(self, req: OssRequest, rid: str) -> Response:
        fields, file_name, data, file_type = parse_form(req)
        signed = "OSSAccessKeyId" in fields or "x-oss-credential" in fields
        bucket = self._bucket(req, "write", anonymous=not signed)
        if signed:  # the form carries the signature: record who signed it
            credential = fields.get("x-oss-credential")
            req.auth_kind = "v4" if credential else "v1"
            req.access_key_id = credential.split("/", 1)[0] if credential else fields["OSSAccessKeyId"]
        key = fields.get("key")
        if not key:
            raise InvalidArgument("Bucket POST must contain a field named 'key'.", name="key")
        if "callback" in fields:
            raise NotSimulatedError(
                "OSS", "PostObject with callback", "upload callbacks would call your server from OSS"
            )
        key = key.replace("${filename}", file_name or "")
        if signed and "policy" not in fields:
            raise InvalidArgument("Bucket POST must contain a field named 'policy'.", name="policy")
        meta = {k.lower(): v for k, v in fields.items() if k.lower().startswith("x-oss-meta-")}
        stored = {h: fields[k] for h in STORED_HEADERS for k in fields if k.lower() == h.lower()}
        ctype = next((v for k, v in fields.items() if k.lower() == "content-type"), None) or file_type
        change = self.store.put_object(
            bucket,
            key,
            data,
            content_type=ctype,
            user_meta=meta,
            headers=stored,
            api="PostObject",
            event_name="ObjectCreated:PostObject",
            forbid_overwrite=(fields.get("x-oss-forbid-overwrite") or "").lower() == "true",
        )
        self._record(req, rid, change)
        obj = change.obj
        status = fields.get("success_action_status", "204")
        headers = {
            "ETag": quoted(obj.etag),
            "x-oss-hash-crc64ecma": str(obj.crc64),
            "Location": self._location(req, bucket.name, key),
        }
        if status == "201":
            body = xml_body(
                "PostResponse",
                [("Bucket", bucket.name), ("Location", headers["Location"]), ("Key", key), ("ETag", quoted(obj.etag))],
            )
            return 201, {**headers, "Content-Type": "application/xml"}, body
        return (200 if status == "200" else 204), headers, b""

    def op_ProcessObject(self, req: OssRequest, rid: str) -> Response:
        """``x-oss-process`` + ``|sys/saveas``: the saved object holds the *source bytes*.

        Nothing is really resized or converted (no image library is involved); the saved
        object gets the source's bytes and a Content-Type guessed from the target key
        (the source's when the key has no known extension). The write is journaled as
        API ``ProcessObject`` with event ``ObjectCreated:PutObject``: the FC OSS trigger
        event list has no process-specific name, the save is a whole-object write like a
        simple upload, and ``PutObject`` is the event the image-resize sample of FC's
        "Configure a native OSS trigger" listens on, so this is the choice that exposes
        its loop risk.
        """
        source_bucket = self._bucket(req, "write")
        text = req.body.decode("utf-8", "replace").strip()
        if text.startswith("x-oss-process="):
            text = text[len("x-oss-process=") :]
        if "%" in text:
            text = unquote(text)
        steps = text.split("|")
        saveas = [s for s in steps if s.startswith("sys/saveas")]
        if not saveas:
            raise InvalidArgument(
                "ProcessObject needs a sys/saveas step, e.g. "
                "'image/resize,w_100|sys/saveas,o_<base64 key>,b_<base64 bucket>'.",
                name="x-oss-process",
                value=text,
            )
        params = {p[:1]: p[2:] for p in saveas[0].split(",")[1:] if len(p) > 2 and p[1] == "_"}
        if "o" not in params:
            raise InvalidArgument(
                "sys/saveas needs the target object: o_<url-safe base64 of the key>.",
                name="x-oss-process",
                value=text,
            )
        target_key = _b64_param(params["o"], "o")
        target_bucket = self.store.buckets.get(_b64_param(params["b"], "b")) if "b" in params else source_bucket
        if target_bucket is None:
            raise NoSuchBucket(_b64_param(params["b"], "b"))
        _link, source = self.store.resolve(source_bucket, req.key)
        from .store import guess_content_type

        guessed = guess_content_type(target_key)
        ctype = guessed if guessed != "application/octet-stream" else source.content_type
        change = self.store.put_object(
            target_bucket,
            target_key,
            source.data,
            content_type=ctype,
            api="ProcessObject",
            event_name="ObjectCreated:PutObject",
        )
        change.extra["process"] = text
        change.extra["source"] = f"{source_bucket.name}/{req.key}"
        self._record(req, rid, change)
        body = json.dumps(
            {"bucket": target_bucket.name, "fileSize": change.obj.size, "object": target_key, "status": "OK"}
        ).encode()
        return 200, {"Content-Type": "application/json"}, body

    # --- objects: reads ---------------------------------------------------------------------
    def op_GetObject(self, req: OssRequest, rid: str) -> Response:
        bucket = self._bucket(req, "read")
        obj, served = self.store.resolve(bucket, req.key)
        check_preconditions(served, req.headers.get("if-match"), req.headers.get("if-none-match"))
        headers = self._object_headers(obj, served)
        query = req.query
        if query:
            for param, header in _RESPONSE_OVERRIDES.items():
                if param in query:
                    headers[header] = query[param]
        data = served.data
        if "x-oss-process" in req.query:
            # image processing is not simulated: the original bytes are served (see docs)
            for h in ("x-oss-hash-crc64ecma", "Content-MD5", "ETag"):
                headers.pop(h, None)
            return 200, headers, data
        rng = req.headers.get("range")
        if rng:
            span = _byte_range(rng, len(data), req.headers.get("x-oss-range-behavior") == "standard")
            if span is not None:
                start, end = span
                headers["Content-Range"] = f"bytes {start}-{end}/{len(data)}"
                headers.pop("x-oss-hash-crc64ecma", None)  # the crc is of the whole object
                headers.pop("Content-MD5", None)
                return 206, headers, data[start : end + 1]
        return 200, headers, data

    def op_HeadObject(self, req: OssRequest, rid: str) -> Response:
        bucket = self._bucket(req, "read")
        obj, served = self.store.resolve(bucket, req.key)
        check_preconditions(served, req.header("If-Match"), req.header("If-None-Match"))
        headers = self._object_headers(obj, served)
        headers["Content-Length"] = str(served.size)
        return 200, headers, b""

    def op_GetObjectMeta(self, req: OssRequest, rid: str) -> Response:
        bucket = self._bucket(req, "read")
        obj, served = self.store.resolve(bucket, req.key)
        return (
            200,
            {
                "ETag": quoted(served.etag),
                "Content-Length": str(served.size),
                "Last-Modified": http_date(obj.last_modified),
                "x-oss-hash-crc64ecma": str(served.crc64),
            },
            b"",
        )

    def op_GetSymlink(self, req: OssRequest, rid: str) -> Response:
        bucket = self._bucket(req, "read")
        obj = self.store.get(bucket, req.key)
        if obj.object_type != "Symlink":
            raise NotSymlink(req.key)
        # oss2 url-decodes this header, the v2 SDK passes it through: keep "/" readable for both
        return (
            200,
            {
                "x-oss-symlink-target": quote(obj.symlink_target or "", safe="/"),
                "ETag": quoted(obj.etag),
                "Last-Modified": http_date(obj.last_modified),
                **obj.user_meta,
            },
            b"",
        )

    # --- object ACL and tags -------------------------------------------------------------------
    def _owner(self) -> List[Tuple[str, XmlValue]]:
        account = self.service.account_id
        return [("ID", account), ("DisplayName", account)]

    def op_PutObjectACL(self, req: OssRequest, rid: str) -> Response:
        bucket = self._bucket(req, "write")
        obj = self.store.get(bucket, req.key)
        obj.acl = self._object_acl(req)
        self._record_plain(req, rid, "PutObjectACL", bucket, req.key)
        return 200, {}, b""

    def op_GetObjectACL(self, req: OssRequest, rid: str) -> Response:
        bucket = self._bucket(req, "read")
        obj = self.store.get(bucket, req.key)
        body = xml_body("AccessControlPolicy", [("Owner", self._owner()), ("AccessControlList", [("Grant", obj.acl)])])
        return 200, {"Content-Type": "application/xml"}, body

    def op_PutObjectTagging(self, req: OssRequest, rid: str) -> Response:
        bucket = self._bucket(req, "write")
        obj = self.store.get(bucket, req.key)
        root = _parse_xml(req.body, "Tagging")
        obj.tags = {t.findtext("Key") or "": t.findtext("Value") or "" for t in root.iter("Tag")}
        self._record_plain(req, rid, "PutObjectTagging", bucket, req.key)
        return 200, {}, b""

    def op_GetObjectTagging(self, req: OssRequest, rid: str) -> Response:
        bucket = self._bucket(req, "read")
        obj = self.store.get(bucket, req.key)
        tags = [("Tag", [("Key", k), ("Value", v)]) for k, v in obj.tags.items()]
        return 200, {"Content-Type": "application/xml"}, xml_body("Tagging", [("TagSet", tags)])

    def op_DeleteObjectTagging(self, req: OssRequest, rid: str) -> Response:
        bucket = self._bucket(req, "write")
        self.store.get(bucket, req.key).tags = {}
        self._record_plain(req, rid, "DeleteObjectTagging", bucket, req.key)
        return 204, {}, b""

    # --- multipart --------------------------------------------------------------------------
    def op_InitiateMultipartUpload(self, req: OssRequest, rid: str) -> Response:
        bucket = self._bucket(req, "write")
        upload, change = self.store.initiate_multipart(
            bucket,
            req.key,
            content_type=req.header("Content-Type"),
            user_meta=req.user_meta(),
            headers=req.stored_headers(),
            forbid_overwrite=req.flag("x-oss-forbid-overwrite"),
        )
        self._record(req, rid, change)
        url = req.query.get("encoding-type") == "url"
        body = xml_body(
            "InitiateMultipartUploadResult",
            [
                ("Bucket", bucket.name),
                ("Key", _encode_key(req.key, url)),
                ("UploadId", upload.upload_id),
                ("EncodingType", "url" if url else None),
            ],
        )
        return 200, {"Content-Type": "application/xml"}, body

    def op_UploadPart(self, req: OssRequest, rid: str) -> Response:
        bucket = self._bucket(req, "write")
        number = _int_param(req.query.get("partNumber"), "partNumber", 0, 1, 10000)
        part, change = self.store.upload_part(bucket, req.key, req.query.get("uploadId", ""), number, req.body)
        self._record(req, rid, change)
        return 200, {"ETag": quoted(part.etag), "x-oss-hash-crc64ecma": str(part.crc64)}, b""

    def op_UploadPartCopy(self, req: OssRequest, rid: str) -> Response:
        bucket = self._bucket(req, "write")
        number = _int_param(req.query.get("partNumber"), "partNumber", 0, 1, 10000)
        src_bucket, src_key = self._copy_source(req)
        _link, source = self.store.resolve(src_bucket, src_key)
        check_preconditions(
            source, req.header("x-oss-copy-source-if-match"), req.header("x-oss-copy-source-if-none-match"), copy=True
        )
        data = source.data
        rng = req.header("x-oss-copy-source-range")
        if rng:
            span = _byte_range(rng, len(data), strict=True)
            if span is not None:
                data = data[span[0] : span[1] + 1]
        part, change = self.store.upload_part(
            bucket,
            req.key,
            req.query.get("uploadId", ""),
            number,
            data,
            api="UploadPartCopy",
            source=f"{src_bucket.name}/{src_key}",
        )
        self._record(req, rid, change)
        return _copy_reply("CopyPartResult", part.etag, part.last_modified, part.crc64)

    def op_CompleteMultipartUpload(self, req: OssRequest, rid: str) -> Response:
        bucket = self._bucket(req, "write")
        upload_id = req.query.get("uploadId", "")
        if (req.header("x-oss-complete-all") or "").lower() == "yes":
            if req.body:
                raise InvalidArgument(
                    "Should not specify both complete all header and http body.",
                    name="x-oss-complete-all",
                )
            parts = None
        else:
            root = _parse_xml(req.body, "CompleteMultipartUpload")
            parts = []
            for node in root.findall("Part"):
                try:
                    parts.append((int(node.findtext("PartNumber") or ""), node.findtext("ETag") or ""))
                except ValueError:
                    raise MalformedXML("PartNumber must be an integer.") from None
        change = self.store.complete_multipart(
            bucket, req.key, upload_id, parts, forbid_overwrite=req.flag("x-oss-forbid-overwrite")
        )
        self._record(req, rid, change)
        obj = change.obj
        url = req.query.get("encoding-type") == "url"
        body = xml_body(
            "CompleteMultipartUploadResult",
            [
                ("EncodingType", "url" if url else None),
                ("Location", self._location(req, bucket.name, req.key)),
                ("Bucket", bucket.name),
                ("Key", _encode_key(req.key, url)),
                ("ETag", quoted(obj.etag)),
            ],
        )
        return (
            200,
            {"Content-Type": "application/xml", "ETag": quoted(obj.etag), "x-oss-hash-crc64ecma": str(obj.crc64)},
            body,
        )

    def op_AbortMultipartUpload(self, req: OssRequest, rid: str) -> Response:
        bucket = self._bucket(req, "write")
        change = self.store.abort_multipart(bucket, req.key, req.query.get("uploadId", ""))
        self._record(req, rid, change)
        return 204, {}, b""

    def op_ListParts(self, req: OssRequest, rid: str) -> Response:
        bucket = self._bucket(req, "read")
        upload_id = req.query.get("uploadId", "")
        upload = self.store.upload(bucket, req.key, upload_id)
        marker = _int_param(req.query.get("part-number-marker"), "part-number-marker", 0, 0, 10000)
        limit = _int_param(req.query.get("max-parts"), "max-parts", 1000, 1, 1000)
        numbers = [n for n in sorted(upload.parts) if n > marker]
        shown, truncated = numbers[:limit], len(numbers) > limit
        url = req.query.get("encoding-type") == "url"
        parts: List[Tuple[str, XmlValue]] = [
            (
                "Part",
                [
                    ("PartNumber", n),
                    ("LastModified", oss_time(upload.parts[n].last_modified)),
                    ("ETag", quoted(upload.parts[n].etag)),
                    ("HashCrc64ecma", upload.parts[n].crc64),
                    ("Size", upload.parts[n].size),
                ],
            )
            for n in shown
        ]
        body = xml_body(
            "ListPartsResult",
            [
                ("Bucket", bucket.name),
                ("Key", _encode_key(req.key, url)),
                ("UploadId", upload_id),
                ("StorageClass", bucket.storage_class),
                ("PartNumberMarker", marker),
                ("NextPartNumberMarker", shown[-1] if shown else marker),
                ("MaxParts", limit),
                ("IsTruncated", truncated),
                ("EncodingType", "url" if url else None),
                *parts,
            ],
        )
        return 200, {"Content-Type": "application/xml"}, body

    def op_ListMultipartUploads(self, req: OssRequest, rid: str) -> Response:
        bucket = self._bucket(req, "read")
        prefix = req.query.get("prefix", "")
        key_marker = req.query.get("key-marker", "")
        limit = _int_param(req.query.get("max-uploads"), "max-uploads", 1000, 1, 1000)
        uploads = sorted(
            (u for u in bucket.uploads.values() if u.key.startswith(prefix) and u.key > key_marker),
            key=lambda u: (u.key, u.initiated),
        )
        shown, truncated = uploads[:limit], len(uploads) > limit
        url = req.query.get("encoding-type") == "url"
        body = xml_body(
            "ListMultipartUploadsResult",
            [
                ("Bucket", bucket.name),
                ("KeyMarker", key_marker),
                ("UploadIdMarker", ""),
                ("NextKeyMarker", _encode_key(shown[-1].key, url) if truncated else ""),
                ("NextUploadIdMarker", shown[-1].upload_id if truncated else ""),
                ("Delimiter", ""),
                ("Prefix", prefix),
                ("MaxUploads", limit),
                ("IsTruncated", truncated),
                ("EncodingType", "url" if url else None),
                *[
                    (
                        "Upload",
                        [
                            ("Key", _encode_key(u.key, url)),
                            ("UploadId", u.upload_id),
                            ("Initiated", oss_time(u.initiated)),
                        ],
                    )
                    for u in shown
                ],
            ],
        )
        return 200, {"Content-Type": "application/xml"}, body

    # --- listing ------------------------------------------------------------------------------
    def _contents(self, objects: List[OssObject], url: bool, owner: bool = True) -> List[Tuple[str, XmlValue]]:
        return [
            (
                "Contents",
                [
                    ("Key", _encode_key(o.key, url)),
                    ("LastModified", oss_time(o.last_modified)),
                    ("ETag", quoted(o.etag)),
                    ("Type", o.object_type),
                    ("Size", o.size),
                    ("StorageClass", o.storage_class),
                    ("Owner", self._owner() if owner else None),
                ],
            )
            for o in objects
        ]

    def op_ListObjects(self, req: OssRequest, rid: str) -> Response:
        bucket = self._bucket(req, "read")
        q = req.query
        prefix, marker, delimiter = q.get("prefix", ""), q.get("marker", ""), q.get("delimiter", "")
        limit = _int_param(q.get("max-keys"), "max-keys", 100, 1, 1000)
        objects, prefixes, next_marker = self.store.list_keys(bucket, prefix, marker, delimiter, limit)
        url = q.get("encoding-type") == "url"
        body = xml_body(
            "ListBucketResult",
            [
                ("Name", bucket.name),
                ("Prefix", _encode_key(prefix, url)),
                ("Marker", _encode_key(marker, url)),
                ("MaxKeys", limit),
                ("Delimiter", _encode_key(delimiter, url)),
                ("IsTruncated", next_marker is not None),
                ("NextMarker", _encode_key(next_marker, url) if next_marker is not None else None),
                ("EncodingType", "url" if url else None),
                *self._contents(objects, url),
                *[("CommonPrefixes", [("Prefix", _encode_key(p, url))]) for p in prefixes],
            ],
        )
        return 200, {"Content-Type": "application/xml"}, body

    def op_ListObjectsV2(self, req: OssRequest, rid: str) -> Response:
        bucket = self._bucket(req, "read")
        q = req.query
        prefix, delimiter = q.get("prefix", ""), q.get("delimiter", "")
        start_after = q.get("start-after", "")
        token = q.get("continuation-token")
        position = start_after
        if token:
            try:
                position = base64.urlsafe_b64decode(token.encode()).decode("utf-8")
            except (ValueError, UnicodeDecodeError):
                raise InvalidArgument(
                    "The continuation token provided is incorrect.",
                    name="continuation-token",
                    value=token,
                ) from None
        limit = _int_param(q.get("max-keys"), "max-keys", 100, 1, 1000)
        objects, prefixes, last = self.store.list_keys(bucket, prefix, position, delimiter, limit)
        url = q.get("encoding-type") == "url"
        next_token = base64.urlsafe_b64encode(last.encode("utf-8")).decode() if last is not None else None
        body = xml_body(
            "ListBucketResult",
            [
                ("Name", bucket.name),
                ("Prefix", _encode_key(prefix, url)),
                ("StartAfter", _encode_key(start_after, url) if start_after else None),
                ("ContinuationToken", token),
                ("MaxKeys", limit),
                ("Delimiter", _encode_key(delimiter, url)),
                ("IsTruncated", last is not None),
                ("NextContinuationToken", next_token),
                ("EncodingType", "url" if url else None),
                ("KeyCount", len(objects) + len(prefixes)),
                *self._contents(objects, url, owner=q.get("fetch-owner") == "true"),
                *[("CommonPrefixes", [("Prefix", _encode_key(p, url))]) for p in prefixes],
            ],
        )
        return 200, {"Content-Type": "application/xml"}, body

    # --- buckets ------------------------------------------------------------------------------
    def op_PutBucket(self, req: OssRequest, rid: str) -> Response:
        if req.target.region is None:
            raise InvalidArgument(
                "Buckets cannot be created through an acceleration endpoint; use the endpoint of the bucket's region.",
            )
        if req.auth_kind == "anonymous":
            raise AccessDenied("AccessDenied: anonymous users cannot create buckets.")
        storage_class = "Standard"
        if req.body:
            root = _parse_xml(req.body, "CreateBucketConfiguration")
            storage_class = root.findtext("StorageClass") or storage_class
        bucket, created = self.store.create_bucket(
            req.bucket_name or "",
            req.target.region,
            acl=req.header("x-oss-acl") or "private",
            storage_class=storage_class,
        )
        if created:
            self._record_plain(req, rid, "PutBucket", bucket)
        return 200, {"Location": f"/{bucket.name}"}, b""

    def op_DeleteBucket(self, req: OssRequest, rid: str) -> Response:
        bucket = self._bucket(req, "write")
        self.store.delete_bucket(bucket.name)
        self._record_plain(req, rid, "DeleteBucket", bucket)
        return 204, {}, b""

    def op_GetBucketAcl(self, req: OssRequest, rid: str) -> Response:
        bucket = self._bucket(req, "read")
        body = xml_body(
            "AccessControlPolicy", [("Owner", self._owner()), ("AccessControlList", [("Grant", bucket.acl)])]
        )
        return 200, {"Content-Type": "application/xml"}, body

    def op_PutBucketAcl(self, req: OssRequest, rid: str) -> Response:
        bucket = self._bucket(req, "write")
        acl = req.header("x-oss-acl") or ""
        if acl not in ACLS:
            raise InvalidArgument(
                f"no such bucket access control exists: {acl}",
                name="x-oss-acl",
                value=acl,
            )
        bucket.acl = acl
        self._record_plain(req, rid, "PutBucketAcl", bucket)
        return 200, {}, b""

    def op_GetBucketLocation(self, req: OssRequest, rid: str) -> Response:
        bucket = self._bucket(req, "read")
        return 200, {"Content-Type": "application/xml"}, xml_body("LocationConstraint", text=f"oss-{bucket.region}")

    def _bucket_fields(self, bucket: BucketState) -> List[Tuple[str, XmlValue]]:
        return [
            ("CreationDate", oss_time(bucket.created)),
            ("ExtranetEndpoint", endpoint_host(bucket.region)),
            ("IntranetEndpoint", endpoint_host(bucket.region, "internal")),
            ("Location", f"oss-{bucket.region}"),
            ("Name", bucket.name),
            ("Region", bucket.region),
            ("StorageClass", bucket.storage_class),
        ]

    def op_GetBucketInfo(self, req: OssRequest, rid: str) -> Response:
        bucket = self._bucket(req, "read")
        body = xml_body(
            "BucketInfo",
            [
                (
                    "Bucket",
                    [
                        *self._bucket_fields(bucket),
                        ("Owner", self._owner()),
                        ("AccessControlList", [("Grant", bucket.acl)]),
                        ("DataRedundancyType", "LRS"),
                        ("Versioning", None),
                        ("Comment", ""),
                    ],
                )
            ],
        )
        return 200, {"Content-Type": "application/xml"}, body

    def op_ListBuckets(self, req: OssRequest, rid: str) -> Response:
        if req.auth_kind == "anonymous":
            raise AccessDenied("AccessDenied: anonymous users cannot list buckets.")
        prefix, marker = req.query.get("prefix", ""), req.query.get("marker", "")
        limit = _int_param(req.query.get("max-keys"), "max-keys", 100, 1, 1000)
        names = [n for n in sorted(self.store.buckets) if n.startswith(prefix) and n > marker]
        shown, truncated = names[:limit], len(names) > limit
        body = xml_body(
            "ListAllMyBucketsResult",
            [
                ("Prefix", prefix or None),
                ("Marker", marker or None),
                ("MaxKeys", limit if "max-keys" in req.query else None),
                ("IsTruncated", truncated if truncated else None),
                ("NextMarker", shown[-1] if truncated else None),
                ("Owner", self._owner()),
                ("Buckets", [("Bucket", self._bucket_fields(self.store.buckets[n])) for n in shown]),
            ],
        )
        return 200, {"Content-Type": "application/xml"}, body


# --------------------------------------------------------------------------- helpers
def _copy_reply(root: str, etag: str, when: _dt.datetime, crc: int) -> Response:
    """CopyObject / UploadPartCopy: the XML result plus the ETag and CRC headers."""
    body = xml_body(root, [("ETag", quoted(etag)), ("LastModified", oss_time(when))])
    return 200, {"Content-Type": "application/xml", "ETag": quoted(etag), "x-oss-hash-crc64ecma": str(crc)}, body


def _b64_param(value: str, name: str) -> str:
    try:
        return base64.urlsafe_b64decode((value + "=" * (-len(value) % 4)).encode()).decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        raise InvalidArgument(
            f"sys/saveas parameter {name}_ must be url-safe base64.",
            name="x-oss-process",
            value=value,
        ) from None


def _byte_range(header: str, size: int, strict: bool) -> Optional[Tuple[int, int]]:
    """(first, last) byte of a single ``bytes=a-b`` range; ``None`` = serve everything.

    OSS ignores an invalid or unsatisfiable range and returns the whole object, unless
    the client asks for standard behaviour (``x-oss-range-behavior: standard``).
    """
    m = _RANGE.match(header.strip())
    span: Optional[Tuple[int, int]] = None
    if m and (m.group(1) or m.group(2)):
        first, last = m.group(1), m.group(2)
        if not first:  # suffix range: the last N bytes
            n = int(last)
            span = (max(0, size - n), size - 1) if n > 0 and size > 0 else None
        else:
            a = int(first)
            b = min(int(last), size - 1) if last else size - 1
            span = (a, b) if a <= b and a < size else None
    if span is None and strict:
        raise InvalidRange(header, size)
    return span


def parse_form(req: OssRequest) -> Tuple[Dict[str, str], Optional[str], bytes, Optional[str]]:
    """PostObject form: (fields, uploaded file name, file bytes, file part Content-Type)."""
    import email.parser
    import email.policy

    ctype = req.header("Content-Type") or ""
    raw = b"Content-Type: " + ctype.encode("latin-1") + b"\r\n\r\n" + req.body
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(raw)
    if not message.is_multipart():
        raise InvalidArgument("PostObject needs a multipart/form-data body.")
    fields: Dict[str, str] = {}
    file_name, data, file_type = None, None, None
    for part in message.iter_parts():
        param = part.get_param("name", header="content-disposition")
        # an RFC 2231-encoded name comes back as a (charset, language, value) tuple
        name = email.utils.collapse_rfc2231_value(param) if isinstance(param, tuple) else param
        payload = part.get_payload(decode=True)
        if not isinstance(payload, bytes):  # a nested multipart part has no bytes of its own
            payload = b""
        if name == "file":
            file_name = part.get_filename()
            data = payload
            file_type = part.get_content_type() if part.get("Content-Type") else None
            break  # OSS ignores fields after the file
        if name:
            fields[name] = payload.decode("utf-8")
    if data is None:
        raise InvalidArgument("Bucket POST must contain a field named 'file'.", name="file")
    return fields, file_name, data, file_type
