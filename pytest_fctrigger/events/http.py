"""HTTP-shaped inputs: API Gateway events, FC 3.0 HTTP-trigger events, FC 2.0 WSGI environs.

* ``apigw_event``: what an API Gateway trigger delivers to an event function
  (FC docs "API Gateway trigger", API网关触发器, event format; "Formats of event for different
  triggers", "API Gateway trigger"):
  ``path``, ``httpMethod``, ``headers``, ``queryParameters``, ``pathParameters``,
  ``body``, ``isBase64Encoded``. The FC docs print ``isBase64Encoded`` as the
  placeholder string ``"true|false, ..."``; the delivered value is a JSON boolean
  (the FC Java event POJO ``ApiGatewayRequestEvent`` declares it ``boolean``), so a
  boolean is what we emit. API Gateway base64-encodes every body except form
  bodies (FC docs "API Gateway trigger", FAQ "为什么函数中接收到API网关传过来的body是经过了Base64编码的"),
  which is the default of ``base64=None``.
* ``http_event``: the FC 3.0 built-in-runtime HTTP trigger event (doc
  "HTTP触发器调用函数", https://help.aliyun.com/zh/functioncompute/fc-3-0/user-guide/http-trigger-invoking-function):
  ``version``, ``rawPath`` (URL-encoded), ``body`` (base64 when binary),
  ``isBase64Encoded``, ``headers`` (keys in Go's canonical form, several values
  comma-joined: FC FAQ "Header key首字母为什么变成了大写"), ``queryParameters``,
  ``requestContext`` {``accountId``, ``domainName``, ``domainPrefix``, ``http``
  {``method``, ``path`` (decoded), ``protocol``, ``sourceIp``, ``userAgent``},
  ``requestId``, ``time``, ``timeEpoch`` (a string)}.
* ``wsgi_environ``: the environ the FC 2.0 Python runtime builds for
  ``handler(environ, start_response)`` (FC docs "HTTP handlers",
  https://www.alibabacloud.com/help/en/functioncompute/fc-2-0/http-handlers-1): every
  process environment variable, the fixed CGI/WSGI keys, ``PATH_INFO``,
  ``REQUEST_METHOD``, ``QUERY_STRING``, ``CONTENT_TYPE``, ``REMOTE_ADDR``, one
  ``HTTP_*`` key per header, ``fc.request_uri``, ``fc.context`` and
  ``HTTP_X_FC_FUNCTION_HANDLER``. It returns a ``dict`` (an environ holds a stream
  and the context object, so it cannot be an ``FCEvent``).
"""

from __future__ import annotations

import base64 as _b64
import io
import json
import os
import sys
from typing import Any, Callable, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple, Union
from urllib.parse import quote, unquote, urlencode

from ..errors import ConfigError, UnknownFieldError
from ._base import FCEvent
from ._fields import (
    apply_overrides,
    as_mapping,
    as_str,
    coerce_rng,
    epoch_ms,
    iso_s,
    reject_unknown,
    resolve_time,
)

__all__ = [
    "apigw_event",
    "http_event",
    "wsgi_environ",
    "canonical_header_key",
    "header_items",
    "query_items",
    "request_uri_path",
]

HeadersArg = Union[None, Mapping[str, Any], Sequence[Tuple[str, Any]]]
QueryArg = Union[None, str, Mapping[str, Any], Sequence[Tuple[str, Any]]]

# Clients that call HTTP triggers and API Gateway APIs: tools, SDKs, browsers, webhooks.
# Drawn from the test's seed when a request names none (a fixed list: byte-stable events).
USER_AGENTS = (
    "curl/8.4.0",
    "PostmanRuntime/7.32.3",  # the FC 3.0 HTTP trigger doc's sample
    "python-requests/2.31.0",
    "okhttp/4.12.0",
    "Go-http-client/1.1",
    "axios/1.6.2",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.2 Safari/605.1.15",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Mobile/15E148 MicroMessenger/8.0.44(0x18002c2f) NetType/WIFI Language/zh_CN",
    "Apache-HttpClient/4.5.14 (Java/17.0.9)",
)
FC2_API_VERSION = "2016-08-15"  # FC 2.0 HTTP trigger URLs: /<version>/proxy/<service>/<function>/...

# Content types whose bodies FC treats as text (not base64-encoded in the FC 3.0 event).
_TEXT_TYPES = (
    "text/",
    "application/json",
    "application/xml",
    "application/javascript",
    "application/x-www-form-urlencoded",
    "application/graphql",
)
_TOKEN_CHARS = frozenset("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")


# --------------------------------------------------------------------------- helpers
def canonical_header_key(key: str) -> str:
    """Go's ``CanonicalMIMEHeaderKey``: ``accept-encoding`` -> ``Accept-Encoding``; keys
    with characters outside the HTTP token set are left as they are."""
    if not key or any(c not in _TOKEN_CHARS for c in key):
        return key
    return "-".join(part[:1].upper() + part[1:].lower() for part in key.split("-"))


def header_items(headers: HeadersArg, what: str = "headers") -> List[Tuple[str, str]]:
    """Headers as (name, value) pairs; a list value means the header is repeated."""
    if headers is None:
        return []
    if isinstance(headers, Mapping):
        pairs: Any = headers.items()
    elif isinstance(headers, (list, tuple)) and all(isinstance(p, (list, tuple)) and len(p) == 2 for p in headers):
        pairs = headers
    else:
        raise ConfigError(f"{what}: expected a dict or a list of (name, value) pairs, got {headers!r}")
    items: List[Tuple[str, str]] = []
    for name, value in pairs:
        values = value if isinstance(value, (list, tuple)) else [value]
        items.extend((str(name), str(v)) for v in values)
    return items


def _grouped(items: Iterable[Tuple[str, str]], key: Callable[[str], str] = lambda k: k) -> Dict[str, List[str]]:
    grouped: Dict[str, List[str]] = {}
    for name, value in items:
        grouped.setdefault(key(name), []).append(value)
    return grouped


def query_items(query: QueryArg, what: str = "query") -> List[Tuple[str, str]]:
    """Query parameters as (name, value) pairs (a list value repeats the parameter)."""
    if query is None or query == "":
        return []
    if isinstance(query, str):
        from urllib.parse import parse_qsl

        return parse_qsl(query.lstrip("?"), keep_blank_values=True)
    return header_items(query, what)


def request_uri_path(path: str, query: QueryArg = None, what: str = "") -> Tuple[str, str]:
    """Split ``path`` (which may carry ``?query``) and merge ``query``: (raw path, query string)."""
    if path is not None and not isinstance(path, str):
        raise ConfigError(f"{what}path: expected a string like '/items?id=1', got {path!r}")
    raw_path, _, inline = (path or "/").partition("?")
    if not raw_path.startswith("/"):
        raw_path = "/" + raw_path
    parts = [inline] if inline else []
    extra = urlencode(query_items(query, what + "query")) if not isinstance(query, str) else query.lstrip("?")
    if extra:
        parts.append(extra)
    return quote(raw_path, safe="/!$&'()*+,;=:@%-._~"), "&".join(parts)


def _body_bytes(body: Any) -> bytes:
    if body is None:
        return b""
    if isinstance(body, (bytes, bytearray, memoryview)):
        return bytes(body)
    if isinstance(body, str):
        return body.encode("utf-8")
    try:
        return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"body: expected bytes, str or a JSON-able value, got {body!r} ({exc})") from None


def _method(method: Any, builder: str) -> str:
    return as_str(method, f"{builder}(method=)").upper()


def _content_type(items: Sequence[Tuple[str, str]]) -> Optional[str]:
    for name, value in items:
        if name.lower() == "content-type":
            return value
    return None


def _is_text(body: bytes, content_type: Optional[str]) -> bool:
    if content_type:
        ct = content_type.split(";", 1)[0].strip().lower()
        if not (ct.startswith(_TEXT_TYPES) or ct.endswith(("+json", "+xml"))):
            return False
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


# --------------------------------------------------------------------------- API Gateway
def apigw_event(
    *,
    method: Optional[str] = None,
    path: str = "/",
    headers: HeadersArg = None,
    query: QueryArg = None,
    path_params: Optional[Mapping[str, Any]] = None,
    body: Any = None,
    base64: Optional[bool] = None,
    source_ip: Optional[str] = None,
    rng: Any = None,
    overrides: Optional[Mapping[str, Any]] = None,
    **unknown: Any,
) -> FCEvent:
    """The event an API Gateway trigger delivers to an event function.

    ``method`` defaults to ``POST`` with a body, ``GET`` without; ``body`` is
    ``str``/``bytes`` or a JSON-able object; ``base64=None`` encodes every body but a
    form (``application/x-www-form-urlencoded``) one, like API Gateway. Variant
    ``"base64"`` when the body is encoded, else ``"plain"``.
    """
    reject_unknown(apigw_event, unknown)
    r = coerce_rng(rng)
    if base64 and body is None:
        body = {"id": r.randint(1, 10**6), "message": "hello from API Gateway"}
    raw = _body_bytes(body)
    method = _method(method or ("POST" if raw else "GET"), "apigw_event")
    items = header_items(headers, "apigw_event(headers=)")
    names = {n.lower() for n, _ in items}
    region = r.region
    if "host" not in names:
        items.insert(0, ("Host", f"{r.hex(32)}-{region}.alicloudapi.com"))
    if "user-agent" not in names:
        items.append(("User-Agent", r.choice(USER_AGENTS)))
    if "accept" not in names:
        items.append(("Accept", "*/*"))
    if raw and "content-type" not in names:
        items.append(
            ("Content-Type", "application/json" if isinstance(body, (dict, list)) else "application/octet-stream")
        )
    if "x-forwarded-for" not in names:
        items.append(
            ("X-Forwarded-For", as_str(source_ip, "apigw_event(source_ip=)") if source_ip else r.public_ipv4())
        )
    ctype = (_content_type(items) or "").split(";", 1)[0].strip().lower()
    if base64 is None:
        base64 = bool(raw) and ctype != "application/x-www-form-urlencoded"
    raw_path, query_string = request_uri_path(path, query, "apigw_event() ")
    data: Dict[str, Any] = {
        "path": unquote(raw_path),
        "httpMethod": method,
        "headers": {k: ",".join(v) for k, v in _grouped(items).items()},
        "queryParameters": {k: ",".join(v) for k, v in _grouped(query_items(query_string)).items()},
        "pathParameters": {
            str(k): str(v) for k, v in as_mapping(path_params or {}, "apigw_event(path_params=)").items()
        },
        "body": _b64.b64encode(raw).decode("ascii") if base64 else raw.decode("utf-8", "replace"),
        "isBase64Encoded": bool(base64),
    }
    apply_overrides(data, overrides, "apigw_event()")
    return FCEvent.from_json(data, "apigw", "base64" if data["isBase64Encoded"] else "plain")


# --------------------------------------------------------------------------- FC 3.0 HTTP trigger
def http_event(
    *,
    method: str = "GET",
    path: str = "/",
    headers: HeadersArg = None,
    query: QueryArg = None,
    body: Any = None,
    base64: Optional[bool] = None,
    source_ip: Optional[str] = None,
    user_agent: Optional[str] = None,
    protocol: str = "HTTP/1.1",
    domain_prefix: Optional[str] = None,
    function_name: str = "test-function",
    region: Optional[str] = None,
    account_id: Optional[str] = None,
    request_id: Optional[str] = None,
    time: Any = None,
    rng: Any = None,
    overrides: Optional[Mapping[str, Any]] = None,
    **unknown: Any,
) -> FCEvent:
    """The FC 3.0 HTTP trigger event a built-in Python runtime handler receives.

    ``path`` is the request path as sent (it may carry ``?query``); ``rawPath`` keeps
    it URL-encoded and ``requestContext.http.path`` is decoded. ``base64=None``
    base64-encodes binary bodies (non-UTF-8, or a non-text ``Content-Type``).
    ``domain_prefix`` defaults to ``<function_name>-<10 random letters>``; the request
    id and time come from ``rng``.
    """
    reject_unknown(http_event, unknown)
    from ..context import new_request_id

    r = coerce_rng(rng)
    raw = _body_bytes(body)
    method = _method(method, "http_event")
    items = header_items(headers, "http_event(headers=)")
    ua = (
        (as_str(user_agent, "http_event(user_agent=)") if user_agent is not None else None)
        or next((v for n, v in items if n.lower() == "user-agent"), None)
        or r.choice(USER_AGENTS)
    )
    if not any(n.lower() == "user-agent" for n, _ in items):
        items.append(("User-Agent", ua))
    if base64 is None:
        base64 = bool(raw) and not _is_text(raw, _content_type(items))
    raw_path, query_string = request_uri_path(path, query, "http_event() ")
    when, preformatted = resolve_time(time, r, "http_event(time=)")
    time_text = preformatted or iso_s(when)
    epoch = str(epoch_ms(when))
    region = region or r.region
    prefix = domain_prefix or f"{function_name}-{''.join(r.choice('abcdefghijklmnopqrstuvwxyz') for _ in range(10))}"
    data: Dict[str, Any] = {
        "version": "v1",
        "rawPath": raw_path,
        "body": _b64.b64encode(raw).decode("ascii") if base64 else raw.decode("utf-8"),
        "isBase64Encoded": bool(base64),
        "headers": {k: ",".join(v) for k, v in _grouped(items, canonical_header_key).items()},
        "queryParameters": {k: ",".join(v) for k, v in _grouped(query_items(query_string)).items()},
        "requestContext": {
            "accountId": str(account_id or r.account_id),
            "domainName": f"{prefix}.{region}.fcapp.run",
            "domainPrefix": prefix,
            "http": {
                "method": method,
                "path": unquote(raw_path),
                "protocol": protocol,
                "sourceIp": as_str(source_ip, "http_event(source_ip=)") if source_ip else r.public_ipv4(),
                "userAgent": ua,
            },
            "requestId": request_id or new_request_id(r),
            "time": time_text,
            "timeEpoch": epoch,
        },
    }
    apply_overrides(data, overrides, "http_event()")
    return FCEvent.from_json(data, "http", "default")


# --------------------------------------------------------------------------- FC 2.0 WSGI
def wsgi_environ(
    *,
    method: str = "GET",
    path: str = "/",
    headers: HeadersArg = None,
    query: QueryArg = None,
    body: Any = None,
    client_ip: Optional[str] = None,
    context: Any = None,
    request_uri: Optional[str] = None,
    base_environ: Optional[Mapping[str, str]] = None,
    rng: Any = None,
    overrides: Optional[Mapping[str, Any]] = None,
    **unknown: Any,
) -> Dict[str, Any]:
    """The WSGI environ the FC 2.0 Python runtime passes to ``handler(environ, start_response)``.

    ``base_environ`` defaults to ``os.environ`` (the runtime copies the whole process
    environment in; under ``fc_http`` that is the function's FC environment).
    ``request_uri`` defaults to the FC 2.0 trigger URL path
    ``/2016-08-15/proxy/<service>/<function><path>?<query>`` of the context's
    service and function. ``overrides`` replaces top-level environ keys (which must
    exist).
    """
    reject_unknown(wsgi_environ, unknown)
    r = coerce_rng(rng)
    if context is None:
        from ..context import make_context

        context = make_context(rng=r)
    raw = _body_bytes(body)
    method = _method(method, "wsgi_environ")
    raw_path, query_string = request_uri_path(path, query, "wsgi_environ() ")
    if request_uri is not None:
        as_str(request_uri, "wsgi_environ(request_uri=)")
    else:
        service = getattr(getattr(context, "service", None), "name", None) or "test-service"
        function = getattr(getattr(context, "function", None), "name", None) or "test-function"
        request_uri = f"/{FC2_API_VERSION}/proxy/{service}/{function}{raw_path}"
        if query_string:
            request_uri += "?" + query_string
    inherited = dict(os.environ if base_environ is None else as_mapping(base_environ, "wsgi_environ(base_environ=)"))
    environ: Dict[str, Any] = dict(inherited)
    environ.update(
        {
            "CONTENT_LENGTH": str(len(raw)),
            "HTTP": "on",
            "SCRIPT_NAME": "",
            "SERVER_NAME": "FCRUNTIME",
            "SERVER_PORT": "9000",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "SERVER_SOFTWARE": "FCRUNTIME/1.0",
            "CONTENT_TYPE": "application/octet-stream",
            "QUERY_STRING": "",
            "wsgi.version": (1, 0),
            "wsgi.input": io.BytesIO(raw),
            "wsgi.errors": sys.stderr,
            "wsgi.url_scheme": "http",
            "wsgi.multithread": False,
            "wsgi.multiprocess": False,
            "wsgi.run_once": False,
        }
    )
    environ["PATH_INFO"] = unquote(raw_path) or "/"
    environ["REQUEST_METHOD"] = method
    environ["fc.request_uri"] = request_uri
    environ["REMOTE_ADDR"] = as_str(client_ip, "wsgi_environ(client_ip=)") if client_ip else r.public_ipv4()
    grouped = _grouped(header_items(headers, "wsgi_environ(headers=)"))
    ct_key = next((k for k in grouped if k.lower() == "content-type"), None)
    if ct_key is not None:
        environ["CONTENT_TYPE"] = ",".join(grouped.pop(ct_key))
    for name, values in grouped.items():
        environ["HTTP_" + name.upper().replace("-", "_")] = ",".join(values)
    if "?" in request_uri:
        environ["QUERY_STRING"] = request_uri.split("?", 1)[1]
    environ["HTTP_X_FC_FUNCTION_HANDLER"] = getattr(getattr(context, "function", None), "handler", "")
    environ["fc.context"] = context
    if overrides:
        bad = [k for k in as_mapping(overrides, "wsgi_environ(overrides=)") if k not in environ]
        if bad:
            raise UnknownFieldError("wsgi_environ overrides", bad, [k for k in environ if k not in inherited])
        environ.update(overrides)
    return environ
