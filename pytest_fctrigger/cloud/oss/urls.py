"""Which OSS endpoint, bucket and key a request URL addresses.

Served host forms (any region, optional ``:port``, http or https), each either bare
(path-style ``/bucket/key``, or the service itself for ``GET /``) or prefixed with
``<bucket>.`` (virtual-hosted, what oss2 and the v2 SDK send by default):

=====================================  ===========  ======================================
host                                   kind         produced by
=====================================  ===========  ======================================
``oss-<region>.aliyuncs.com``          public       ``oss2.Bucket(auth, endpoint, ...)``, v2 default
``oss-<region>-internal.aliyuncs.com`` internal     FC samples; v2 ``use_internal_endpoint``
``vpc100-oss-<region>.aliyuncs.com``   internal     legacy VPC endpoints
``<region>.oss.aliyuncs.com``          dualstack    v2 ``use_dualstack_endpoint``
``oss-accelerate.aliyuncs.com``        accelerate   transfer acceleration (no region)
``oss-accelerate-overseas.aliyuncs...`` accelerate  idem, outside mainland China
=====================================  ===========  ======================================

Keys are percent-decoded from the path: oss2 encodes ``/`` as ``%2F``, the v2 SDK
does not; both address the same key.
"""

from __future__ import annotations

import functools
import re
from typing import Dict, NamedTuple, Optional, Tuple
from urllib.parse import parse_qsl, unquote

_REGION = r"[a-z]{2,}(?:-[a-z0-9]+)+"
_BUCKET_LABEL = r"[a-z0-9][a-z0-9-]{1,61}[a-z0-9]"
# any DNS label is routed here, so a bad name gets OSS's InvalidBucketName, not "not simulated"
_HOST_LABEL = r"[a-z0-9_][a-z0-9_-]*"
_ENDPOINT = (
    r"(?:(?P<accel>oss-accelerate(?:-overseas)?)"
    rf"|vpc100-oss-(?P<vpc_region>{_REGION})"
    rf"|oss-(?P<region>{_REGION}?)(?P<internal>-internal)?"
    rf"|(?P<ds_region>{_REGION})\.oss)"
    r"\.aliyuncs\.com"
)
#: what the HttpRouter matches; ``parse_url`` does the detailed work
URL_PATTERN = re.compile(rf"^https?://(?:{_HOST_LABEL}\.)?{_ENDPOINT}(?::\d+)?(?:[/?#]|$)", re.IGNORECASE)
# scheme, authority, path, query of any URL (cheap: the endpoint's host is parsed once, below)
_URL_PARTS = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://([^/?#]*)([^?#]*)(?:\?([^#]*))?")
_AUTHORITY = re.compile(rf"(?:(?P<bucket>{_HOST_LABEL})\.)?(?P<host>{_ENDPOINT})(?::\d+)?", re.IGNORECASE)

_BUCKET_NAME = re.compile(rf"^{_BUCKET_LABEL}$")


class OssTarget(NamedTuple):
    """The parts of one OSS request URL (immutable; a tuple, built for every request)."""

    host: str  # the endpoint host without the bucket, e.g. "oss-cn-hangzhou-internal.aliyuncs.com"
    kind: str  # "public" | "internal" | "dualstack" | "accelerate"
    region: Optional[str]  # None for the acceleration endpoints
    style: str  # "virtual" | "path" | "service"
    bucket: Optional[str]
    key: str  # "" for bucket- and service-level requests
    query: Dict[str, str]

    @property
    def endpoint(self) -> str:
        return self.host


def is_valid_bucket_name(name: str) -> bool:
    """OSS rules: 3-63 characters, lower-case letters, digits and '-', no '-' at either end."""
    return bool(_BUCKET_NAME.match(name or ""))


def endpoint_host(region: str, kind: str = "public") -> str:
    """The endpoint host of ``region`` (the inverse of ``parse_url`` for a bucket's region)."""
    if kind == "internal":
        return f"oss-{region}-internal.aliyuncs.com"
    if kind == "dualstack":
        return f"{region}.oss.aliyuncs.com"
    return f"oss-{region}.aliyuncs.com"


def parse_url(url: str) -> Optional[OssTarget]:
    """Split an OSS request URL; ``None`` when the host is not an OSS endpoint."""
    m = _URL_PARTS.match(url)
    if m is None:
        return None
    scheme, authority, path, raw_query = m.groups()
    endpoint = _endpoint(authority) if scheme.lower() in ("http", "https") else None
    if endpoint is None:
        return None
    host, kind, region, bucket, end = endpoint
    if end < len(authority):  # what follows the port belongs to the path, as URL_PATTERN allows
        path = authority[end:] + path
    if "%" in path:
        # oss2 escapes every "/" of a key as %2F: replacing those is unquote's result when no
        # other escape is left (str.replace is C; unquote is a Python loop)
        plain = path.replace("%2F", "/")
        path = plain if "%" not in plain else unquote(path)
    path = path or "/"
    if bucket:
        style, key = "virtual", path[1:]
    else:
        rest = path[1:]
        if not rest:
            style, key = "service", ""
        else:
            style = "path"
            bucket, _, key = rest.partition("/")
    query = dict(parse_qsl(raw_query, keep_blank_values=True)) if raw_query else {}
    return OssTarget(host, kind, region, style, bucket, key, query)


@functools.lru_cache(maxsize=512)  # a test talks to a handful of endpoints, each many times
def _endpoint(authority: str) -> Optional[Tuple[str, str, Optional[str], Optional[str], int]]:
    """(endpoint host, kind, region, bucket or None, end of ``host[:port]``) of a URL's authority."""
    m = _AUTHORITY.match(authority)
    if m is None:
        return None
    if m.group("accel"):
        kind, region = "accelerate", None
    elif m.group("vpc_region"):
        kind, region = "internal", m.group("vpc_region").lower()
    elif m.group("ds_region"):
        kind, region = "dualstack", m.group("ds_region").lower()
    else:
        kind = "internal" if m.group("internal") else "public"
        region = m.group("region").lower()
    bucket = m.group("bucket")
    # host names are case-insensitive
    return m.group("host").lower(), kind, region, bucket.lower() if bucket else None, m.end()
