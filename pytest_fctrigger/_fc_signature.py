"""FC's request signature, as an HTTP trigger with ``authType: function`` checks it.

Function Compute docs, "Signature authentication"
(https://help.aliyun.com/document_detail/53252.html)::

    signature = base64(hmac-sha256(secret, HTTP_METHOD + "\\n" + CONTENT-MD5 + "\\n"
                                   + CONTENT-TYPE + "\\n" + DATE + "\\n"
                                   + CanonicalizedFCHeaders + CanonicalizedResource))
    Authorization = "FC " + accessKeyID + ":" + signature

* ``CanonicalizedFCHeaders``: every ``x-fc-*`` header, name lower-cased, sorted,
  one ``name:value\\n`` each;
* ``CanonicalizedResource`` of an authenticated HTTP trigger request: the URL-decoded
  path, ``\\n``, then the decoded query parameters as ``key=value`` sorted and joined
  by ``\\n`` (just the path and ``\\n`` without parameters);
* ``Date`` (RFC 1123, GMT) must be within 15 minutes of the service's clock.

Written by hand: the algorithm is a few lines of stdlib HMAC, and FC's SDKs that
implement it (``fc2``) are not dependencies of the plugin.
"""

from __future__ import annotations

import base64
import datetime as _dt
import email.utils
import hashlib
import hmac
from typing import Iterable, Optional, Sequence, Tuple
from urllib.parse import parse_qsl, unquote

__all__ = ["string_to_sign", "signature", "authorization", "parse_authorization", "date_problem", "MAX_SKEW"]

#: how far the request's Date may be from FC's clock (the docs: "不超过15分钟")
MAX_SKEW = _dt.timedelta(minutes=15)


def _header(headers: Sequence[Tuple[str, str]], name: str) -> str:
    for key, value in headers:
        if key.lower() == name:
            return str(value)
    return ""


def canonical_resource(path: str, query_string: str) -> str:
    params = sorted(f"{k}={v}" for k, v in parse_qsl(query_string, keep_blank_values=True))
    return unquote(path) + "\n" + "\n".join(params)


def string_to_sign(method: str, path: str, query_string: str, headers: Sequence[Tuple[str, str]]) -> str:
    fc_headers = sorted((k.lower(), str(v)) for k, v in headers if k.lower().startswith("x-fc-"))
    canonical_headers = "".join(f"{k}:{v}\n" for k, v in fc_headers)
    return "\n".join(
        [
            method.upper(),
            _header(headers, "content-md5"),
            _header(headers, "content-type"),
            _header(headers, "date"),
            canonical_headers + canonical_resource(path, query_string),
        ]
    )


def signature(secret: str, text: str) -> str:
    digest = hmac.new(secret.encode("utf-8"), text.encode("utf-8"), hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def authorization(access_key_id: str, secret: str, text: str) -> str:
    return f"FC {access_key_id}:{signature(secret, text)}"


def parse_authorization(value: str) -> Optional[Tuple[str, str]]:
    """``(access key id, signature)`` of an ``FC <id>:<signature>`` header, else ``None``."""
    if not value.startswith("FC ") or ":" not in value:
        return None
    key_id, _, sig = value[3:].strip().partition(":")
    return (key_id, sig) if key_id and sig else None


def http_date(when: _dt.datetime) -> str:
    return email.utils.format_datetime(when.astimezone(_dt.timezone.utc), usegmt=True)


def date_problem(value: str, now: _dt.datetime) -> Optional[str]:
    """Why FC rejects this ``Date`` header (``None`` when it is acceptable)."""
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return f"Date {value!r} is not an RFC 1123 GMT date (e.g. 'Mon, 02 Jan 2006 15:04:05 GMT')"
    if when.tzinfo is None:
        when = when.replace(tzinfo=_dt.timezone.utc)
    skew = abs(when - now)
    if skew > MAX_SKEW:
        return (
            f"Date {value!r} is {int(skew.total_seconds())} s away from the server time "
            f"{http_date(now)}; FC accepts at most 15 minutes, so the signature has expired"
        )
    return None


def header_names(headers: Iterable[Tuple[str, str]]) -> set:
    return {k.lower() for k, _ in headers}
