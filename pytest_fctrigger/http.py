"""``fc_http``: drive an HTTP-triggered handler the way FC's front end and runtime do.

Two handler styles (Function Compute docs: "HTTP handlers" of the Python runtime, FC 2.0;
"HTTP Trigger Overview", FC 3.0 event format):

* **FC 2.0 WSGI** (``style="wsgi"``): ``handler(environ, start_response)``; the
  environ is built inside the invocation, so it carries the function's environment
  variables, ``fc.context`` and ``fc.request_uri`` exactly as the runtime builds them
  (``events.http.wsgi_environ``); the body is what was passed to ``write()`` plus
  the returned iterable (``str`` items UTF-8 encoded). Like the runtime, the iterable's
  ``close()`` is not called.
* **FC 3.0 HTTP event** (``style="event"``): ``handler(event, context)`` gets the
  HTTP trigger event JSON (``events.http.http_event``) and returns
  ``{"statusCode", "headers", "isBase64Encoded", "body"}``. A return value that is
  not such an object is sent as a ``200`` with the serialised value as body
  (``Content-Type: application/json`` when it is JSON): the FC 3.0 doc's response
  mapping, which follows the function-URL model FC 3.0 adopted (the exact fallback is
  not documented by FC, so it is unconfirmed).

``style=None`` picks ``event`` for ``python3.12`` and for apps loaded from an
``fc3`` s.yaml, else ``wsgi``.

Limits of the HTTP trigger (Function Compute docs, "HTTP Trigger Overview" / "HTTP触发器概述",
request and response limits, doc version 20211110):

============================  =========================  =====================================
what                          limit                      over the limit
============================  =========================  =====================================
request headers (keys+values)  4 KB (4096 bytes)          400, ``InvalidArgument``
path incl. query string        4 KB (4096 bytes)          400, ``InvalidArgument``
request body                   6 MB (6291456 bytes)       400, ``InvalidArgument``
response headers (keys+values) 4 KB (4096 bytes)          502, ``BadResponse``
============================  =========================  =====================================

Current FC docs raise some of these (8 KB headers, 32 MB body:
https://help.aliyun.com/document_detail/191345.html); pass ``limits=HttpLimits(...)``
to model them. Sizes count UTF-8 bytes of every key and value (no separators); the
path is the one the handler sees (``/path?query``, without FC 2.0's
``/2016-08-15/proxy/<service>/<function>`` prefix).

Headers FC does not let through ("HTTP Trigger Overview", usage limits): request headers
``x-fc-*``, ``accept-encoding``, ``connection``, ``keep-alive``, ``proxy-authorization``,
``te``, ``trailer``, ``transfer-encoding`` never reach the handler; response headers
``x-fc-*``, ``connection``, ``content-length``, ``content-encoding``, ``date``,
``keep-alive``, ``proxy-authenticate``, ``server``, ``trailer``, ``transfer-encoding``,
``upgrade`` set by the handler are dropped and FC's own ``Content-Length``, ``Date`` and
``X-Fc-Request-Id`` are sent; on the default domain FC
forces ``Content-Disposition: attachment`` ("HTTP Trigger Overview", the
"content-disposition: attachment" note; ``custom_domain=True`` lifts it). What was dropped is listed in
``HttpResponse.dropped_headers``.

API Gateway (Function Compute docs, "API Gateway trigger" / "API网关触发器"): the event function must return
``{"isBase64Encoded", "statusCode", "headers", "body"}``; anything else makes API
Gateway answer ``503 Service Unavailable``. ``fc_http.apigw(...)`` checks the keys in
that order and says which one is wrong in the ``X-Ca-Error-Message`` header (API
Gateway's error-detail header) and ``HttpResponse.error_message``. Accepted like the
doc's own samples: ``statusCode`` as an int or a digit string, ``isBase64Encoded`` as a
bool or ``"true"``/``"false"``, ``body`` as a string or a JSON object/array (sent as
JSON).
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import email.utils
import hmac
import json
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple
from wsgiref.headers import Headers

from .errors import ConfigError
from .events._fields import as_str
from .events.http import (
    HeadersArg,
    QueryArg,
    _body_bytes,
    apigw_event,
    header_items,
    http_event,
    request_uri_path,
    wsgi_environ,
)
from .invoke import EventCall, Invoker, InvokeResult

__all__ = ["HttpDriver", "HttpLimits", "HttpResponse", "STYLES", "validate_apigw_response"]

STYLES = ("wsgi", "event")
MB = 1024 * 1024

# Function Compute docs, "HTTP Trigger Overview" (HTTP触发器概述), usage limits:
# "Request Headers不支持以x-fc-开头的自定义及以下字段的自定义"
# and the same sentence for Response Headers (x-fc-* is checked separately)
DROPPED_REQUEST_HEADERS = frozenset(
    {
        "accept-encoding",
        "connection",
        "keep-alive",
        "proxy-authorization",
        "te",
        "trailer",
        "transfer-encoding",
    }
)
DROPPED_RESPONSE_HEADERS = frozenset(
    {
        "connection",
        "content-length",
        "content-encoding",
        "date",
        "keep-alive",
        "proxy-authenticate",
        "server",
        "trailer",
        "transfer-encoding",
        "upgrade",
    }
)


@dataclasses.dataclass(frozen=True)
class HttpLimits:
    """The HTTP trigger's size limits in bytes (defaults: "HTTP Trigger Overview", doc version 20211110)."""

    request_headers: int = 4096
    path: int = 4096
    body: int = 6 * MB
    response_headers: int = 4096


@dataclasses.dataclass
class HttpResponse:
    """What the HTTP client receives."""

    status: int
    headers: Headers
    body: bytes
    request_id: str = ""
    error_code: Optional[str] = None  # FC's errorCode (InvalidArgument, BadResponse) when FC answered
    error_message: Optional[str] = None
    invocation: Optional[InvokeResult] = None  # None when the request never reached the handler
    dropped_headers: List[Tuple[str, str]] = dataclasses.field(default_factory=list)

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")

    def json(self) -> Any:
        return json.loads(self.body)

    def __repr__(self) -> str:
        extra = f" {self.error_code}" if self.error_code else ""
        return f"<HttpResponse {self.status}{extra} {len(self.body)} bytes>"


def _size(items: Sequence[Tuple[str, Any]]) -> int:
    return sum(len(str(k).encode("utf-8")) + len(str(v).encode("utf-8")) for k, v in items)


def _http_date(when: Any) -> str:
    return email.utils.format_datetime(when, usegmt=True)


def _error_response(
    status: int, error_type: str, code: str, message: str, request_id: str, invocation: Optional[InvokeResult] = None
) -> HttpResponse:
    body = json.dumps({"errorCode": code, "errorMessage": message}).encode("utf-8")
    headers = Headers(
        [
            ("Content-Type", "application/json"),
            ("Content-Length", str(len(body))),
            ("X-Fc-Error-Type", error_type),
            ("X-Fc-Request-Id", request_id),
        ]
    )
    return HttpResponse(status, headers, body, request_id, code, message, invocation)


class _WsgiCall(EventCall):
    """Calls a WSGI handler with the environ the FC 2.0 runtime builds; the 'event' is the body."""

    def __init__(
        self,
        method: str,
        path: str,
        headers: List[Tuple[str, str]],
        client_ip: Optional[str],
        request_uri: Optional[str],
        rng: Any,
    ):
        self.request = dict(
            method=method, path=path, headers=headers, client_ip=client_ip, request_uri=request_uri, rng=rng
        )

    def __call__(self, handler: Any, event: bytes, context: Any) -> Any:
        __tracebackhide__ = True  # see invoke._HARNESS_FILES
        environ = wsgi_environ(body=event, context=context, **self.request)
        state: Dict[str, Any] = {"status": None, "headers": []}
        written: List[bytes] = []

        def start_response(
            status: str, headers: List[Tuple[str, str]], exc_info: Any = None
        ) -> Callable[[bytes], None]:
            state["status"] = int(str(status).split()[0].strip())  # as the runtime parses it
            state["headers"] = list(headers)
            return written.append

        output = handler(environ, start_response)
        if isinstance(output, (bytes, bytearray)):
            chunks = [bytes(output)]
        else:
            chunks = [c if isinstance(c, bytes) else str(c).encode("utf-8") for c in output]
        return state["status"], state["headers"], b"".join(written) + b"".join(chunks)

    def payload(self, value: Any) -> bytes:
        return value[2]


def _status_code(value: Any) -> Optional[int]:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        code = value
    elif isinstance(value, str) and value.strip().isdigit():
        code = int(value.strip())
    else:
        return None
    return code if 100 <= code <= 599 else None


def validate_apigw_response(payload: bytes) -> Tuple[Optional[Tuple[int, List[Tuple[str, str]], bytes]], Optional[str]]:
    """Parse an event function's result as API Gateway does: ((status, headers, body), None)
    or (None, what is wrong)."""
    try:
        data = json.loads(payload)
    except ValueError:
        preview = payload[:80].decode("utf-8", "replace")
        return None, f"the function's result is not JSON ({preview!r}); API Gateway needs a JSON object"
    if not isinstance(data, dict):
        return None, f"the function's result is a JSON {type(data).__name__}, not an object"
    for key in ("isBase64Encoded", "statusCode", "headers", "body"):
        if key not in data:
            return (
                None,
                f"key {key!r} is missing from the function's result (keys: {', '.join(sorted(data)) or 'none'})",
            )
    flag = data["isBase64Encoded"]
    if isinstance(flag, str) and flag.lower() in ("true", "false"):
        flag = flag.lower() == "true"
    if not isinstance(flag, bool):
        return None, f"key 'isBase64Encoded' must be true or false, got {data['isBase64Encoded']!r}"
    status = _status_code(data["statusCode"])
    if status is None:
        return None, f"key 'statusCode' must be an HTTP status code (100-599), got {data['statusCode']!r}"
    headers = data["headers"]
    if headers is None:
        headers = {}
    if not isinstance(headers, dict) or any(isinstance(v, (dict, list)) for v in headers.values()):
        return None, f"key 'headers' must be an object of header names to values, got {headers!r}"
    body = data["body"]
    if isinstance(body, (dict, list)):
        raw = json.dumps(body, ensure_ascii=False).encode("utf-8")
    elif isinstance(body, str):
        raw = body.encode("utf-8")
    else:
        return None, f"key 'body' must be a string, got {body!r}"
    if flag:
        try:
            raw = base64.b64decode(raw, validate=True)
        except (binascii.Error, ValueError):
            return None, "key 'isBase64Encoded' is true but 'body' is not valid base64"
    return (status, [(str(k), "" if v is None else str(v)) for k, v in headers.items()], raw), None


class HttpDriver:
    """``fc_http(handler, method="GET", path="/", *, headers=None, query=None, body=None, ...)``.

    ``handler`` is anything ``fc_invoke`` accepts (callable, ``'module.func'``,
    ``FunctionSpec``). Returns an ``HttpResponse``. A handler exception propagates
    unchanged unless ``catch=True``, which gives the ``502`` FC answers with the
    error payload as body.
    """

    def __init__(self, invoker: Invoker, *, limits: HttpLimits = HttpLimits(), custom_domain: bool = False):
        self.invoker = invoker
        self.limits = limits
        self.custom_domain = custom_domain

    # ----------------------------------------------------------------- HTTP trigger
    def __call__(
        self,
        handler: Any,
        method: str = "GET",
        path: str = "/",
        *,
        headers: HeadersArg = None,
        query: QueryArg = None,
        body: Any = None,
        client_ip: Optional[str] = None,
        style: Optional[str] = None,
        code_dir: Any = None,
        timeout: Optional[float] = None,
        catch: bool = False,
        context: Any = None,
        sign: bool = False,
    ) -> HttpResponse:
        __tracebackhide__ = True  # see invoke._HARNESS_FILES
        from .context import new_request_id

        style = self._style(style, handler)
        # checked here: inside the call a bad request value would pass for the handler's error
        method = as_str(method, "fc_http(method=)").upper()
        if not isinstance(sign, bool):
            raise ConfigError(f"fc_http(sign=) must be True or False, got {sign!r}")
        if sign:
            headers = self.sign(method, path, headers=headers, query=query)
        if client_ip is not None:
            as_str(client_ip, "fc_http(client_ip=)")
        rng = self.invoker.rng
        rid = getattr(context, "request_id", None) or new_request_id(rng)
        raw = _body_bytes(body)
        items = header_items(headers, "fc_http(headers=)")
        raw_path, query_string = request_uri_path(path, query)
        target_path = raw_path + ("?" + query_string if query_string else "")

        limits = self.limits
        for what, size, limit in (
            ("request headers", _size(items), limits.request_headers),
            ("request path (with query string)", len(target_path.encode("utf-8")), limits.path),
            ("request body", len(raw), limits.body),
        ):
            if size > limit:
                return _error_response(
                    400,
                    "FcCommonError",
                    "InvalidArgument",
                    f"{what}: {size} bytes, over the HTTP trigger limit of {limit} bytes",
                    rid,
                )

        refused = self._front_end(handler, method, raw_path, query_string, items, rid)
        if refused is not None:
            return refused

        dropped = [(k, v) for k, v in items if k.lower() in DROPPED_REQUEST_HEADERS or k.lower().startswith("x-fc-")]
        items = [kv for kv in items if kv not in dropped]
        function_name = self._function_name(handler, context)
        if not any(k.lower() == "host" for k, _ in items):  # a client always sends the trigger's host
            items.insert(0, ("Host", self._host(style, function_name)))
        overrides = None if context is not None else {"request_id": rid}
        if style == "wsgi":
            request_uri = target_path if self.custom_domain else None
            call = _WsgiCall(method, target_path, items, client_ip, request_uri, rng)
            result = self.invoker.run(
                handler,
                raw,
                context,
                code_dir=code_dir,
                timeout=timeout,
                catch=catch,
                call=call,
                context_overrides=overrides,
            )
        else:
            event = http_event(
                method=method,
                path=target_path,
                headers=items,
                body=raw,
                source_ip=client_ip,
                request_id=rid,
                function_name=function_name,
                rng=rng,
                domain_prefix=self._domain_prefix(function_name),
            )
            result = self.invoker.run(
                handler, event, context, code_dir=code_dir, timeout=timeout, catch=catch, context_overrides=overrides
            )
        response = self._response(result, style)
        response.dropped_headers[:0] = dropped
        return response

    def wsgi(self, handler: Any, method: str = "GET", path: str = "/", **kwargs: Any) -> HttpResponse:
        """Drive an FC 2.0 WSGI handler (``style="wsgi"``)."""
        __tracebackhide__ = True  # see invoke._HARNESS_FILES
        return self(handler, method, path, style="wsgi", **kwargs)

    def event(self, handler: Any, method: str = "GET", path: str = "/", **kwargs: Any) -> HttpResponse:
        """Drive an FC 3.0 HTTP-event handler (``style="event"``)."""
        __tracebackhide__ = True  # see invoke._HARNESS_FILES
        return self(handler, method, path, style="event", **kwargs)

    # ----------------------------------------------------------------- API Gateway
    def apigw(
        self,
        handler: Any,
        method: Optional[str] = None,
        path: str = "/",
        *,
        headers: HeadersArg = None,
        query: QueryArg = None,
        path_params: Optional[Dict[str, Any]] = None,
        body: Any = None,
        base64: Optional[bool] = None,
        code_dir: Any = None,
        timeout: Optional[float] = None,
        catch: bool = False,
        context: Any = None,
    ) -> HttpResponse:
        """Call an event function behind API Gateway and map its result as API Gateway does.

        With ``catch=True`` a failing function gives a ``503`` too (its error payload is
        not a response in the required format, which is what API Gateway sees).
        """
        __tracebackhide__ = True  # see invoke._HARNESS_FILES
        event = apigw_event(
            method=method,
            path=path,
            headers=headers,
            query=query,
            path_params=path_params,
            body=body,
            base64=base64,
            rng=self.invoker.rng,
        )
        result = self.invoker.run(handler, event, context, code_dir=code_dir, timeout=timeout, catch=catch)
        parsed, problem = validate_apigw_response(result.payload)
        if parsed is None:
            if result.error is not None:
                what = result.error.get("errorType") or "the platform"
                problem = (
                    f"the function failed ({what}: {result.error.get('errorMessage')}), and FC's error "
                    f"payload is not an API Gateway response: {problem}"
                )
            message = f"API Gateway: invalid response from Function Compute: {problem}"
            headers_out = Headers([("X-Ca-Error-Message", message)])
            return HttpResponse(503, headers_out, b"", result.request_id, None, message, result)
        status, header_pairs, raw = parsed
        return HttpResponse(status, Headers(header_pairs), raw, result.request_id, invocation=result)

    # ----------------------------------------------------------------- the trigger's front end
    @property
    def credentials(self) -> Any:
        """The fake AccessKey the test's HTTP client signs with (``sign()``, ``sign=True``)."""
        creds = getattr(self, "_credentials", None)
        if creds is None:
            from ._credentials import fake_credentials

            creds = self._credentials = fake_credentials(self.invoker.rng.child("fc_http:caller"))
        return creds

    def server_time(self) -> Any:
        """FC's clock for the ``Date`` check: the test's seeded clock, fixed for the test."""
        return self.invoker.rng.base_time

    def sign(
        self,
        method: str,
        path: str = "/",
        *,
        headers: HeadersArg = None,
        query: QueryArg = None,
        date: Any = None,
        access_key_id: Optional[str] = None,
        access_key_secret: Optional[str] = None,
    ) -> List[Tuple[str, str]]:
        """``headers`` plus ``Date`` and ``Authorization``, signed as FC's signature
        authentication specifies (``_fc_signature``), with the test's fake AccessKey unless
        one is given. ``date``: a ``datetime`` (default: ``server_time()``) or a header string."""
        from . import _fc_signature as fcsig

        method = as_str(method, "fc_http.sign(method=)").upper()
        items = [kv for kv in header_items(headers, "fc_http.sign(headers=)") if kv[0].lower() != "authorization"]
        if not any(k.lower() == "date" for k, _ in items):
            when = self.server_time() if date is None else date
            items.append(("Date", when if isinstance(when, str) else fcsig.http_date(when)))
        raw_path, query_string = request_uri_path(path, query)
        key_id = access_key_id or self.credentials.access_key_id
        secret = access_key_secret or self.credentials.access_key_secret
        text = fcsig.string_to_sign(method, raw_path, query_string, items)
        items.append(("Authorization", fcsig.authorization(key_id, secret, text)))
        return items

    def _http_triggers(self, handler: Any) -> Optional[List[Any]]:
        """The function's HTTP triggers; ``None`` when nothing says which triggers it has
        (a plain handler without ``fc_trigger`` markers: served as if anonymous, any method)."""
        triggers = list(getattr(handler, "triggers", None) or []) + list(self.invoker.triggers)
        if not triggers and getattr(handler, "triggers", None) is None:
            return None
        return [t for t in triggers if getattr(t, "type", None) == "http" and getattr(t, "enabled", True)]

    def _front_end(
        self,
        handler: Any,
        method: str,
        path: str,
        query_string: str,
        items: List[Tuple[str, str]],
        rid: str,
    ) -> Optional[HttpResponse]:
        """FC's answer when the request never reaches the function (HTTP trigger overview,
        "Troubleshooting" table): 404 without an HTTP trigger, 403 for a method the trigger
        does not allow, 400/403 for a missing or bad signature with ``authType: function``."""
        triggers = self._http_triggers(handler)
        if triggers is None:
            return None
        if not triggers:
            name = getattr(handler, "name", None) or "the function"
            return _error_response(
                404,
                "FcCommonError",
                "TriggerNotFound",
                f"{name} has no HTTP trigger: FC answers HTTP requests only for functions with one",
                rid,
            )
        trigger = triggers[0]
        if trigger.methods and method not in trigger.methods:
            return _error_response(
                403,
                "FcCommonError",
                "MethodNotAllowed",
                f"method {method} is not allowed by HTTP trigger {trigger.name!r} "
                f"(methods: {', '.join(trigger.methods)})",
                rid,
            )
        if trigger.auth_type == "function":
            return self._check_signature(method, path, query_string, items, rid, trigger)
        return None

    def _check_signature(
        self, method: str, path: str, query_string: str, items: List[Tuple[str, str]], rid: str, trigger: Any
    ) -> Optional[HttpResponse]:
        from . import _fc_signature as fcsig
        from ._credentials import secret_for

        names = fcsig.header_names(items)
        missing = [h for h in ("Date", "Authorization") if h.lower() not in names]
        if missing:
            return _error_response(
                400,
                "FcCommonError",
                "MissingRequiredHeader",
                f"HTTP trigger {trigger.name!r} has authType function: the request needs the "
                f"{' and '.join(missing)} header{'s' if len(missing) > 1 else ''} "
                "(sign it with fc_http(..., sign=True) or fc_http.sign(...))",
                rid,
            )
        date = next(v for k, v in items if k.lower() == "date")
        problem = fcsig.date_problem(date, self.server_time())
        if problem is not None:
            return _error_response(403, "FcCommonError", "RequestTimeTooSkewed", problem, rid)
        header = next(v for k, v in items if k.lower() == "authorization")
        parsed = fcsig.parse_authorization(header)
        if parsed is None:
            return _error_response(
                403,
                "FcCommonError",
                "SignatureNotMatch",
                f"Authorization {header[:40]!r} is not 'FC <AccessKeyId>:<signature>'",
                rid,
            )
        key_id, given = parsed
        secret = secret_for(key_id)
        if secret is None:
            return _error_response(
                403,
                "FcCommonError",
                "InvalidAccessKeyId",
                f"AccessKeyId {key_id!r} is not a key of this test (sign with fc_http.credentials)",
                rid,
            )
        text = fcsig.string_to_sign(method, path, query_string, items)
        if not hmac.compare_digest(given, fcsig.signature(secret, text)):
            return _error_response(
                403,
                "FcCommonError",
                "SignatureNotMatch",
                f"the request signature does not match; the string to sign was {text!r}",
                rid,
            )
        return None

    # ----------------------------------------------------------------- helpers
    def _style(self, style: Optional[str], handler: Any) -> str:
        if style is not None:
            if style not in STYLES:
                raise ConfigError(f"fc_http style must be one of {', '.join(STYLES)}, not {style!r}")
            return style
        runtime = getattr(handler, "runtime", None) or self.invoker.runtime
        app = self.invoker.app
        if runtime == "python3.12" or getattr(app, "format", None) == "fc3":
            return "event"
        return "wsgi"

    def _domain_prefix(self, function_name: str) -> str:
        # one trigger URL per driver (per test), like one deployed HTTP trigger
        prefix = getattr(self, "_prefix", None)
        if prefix is None:
            letters = "abcdefghijklmnopqrstuvwxyz"
            prefix = self._prefix = f"{function_name}-" + "".join(self.invoker.rng.choice(letters) for _ in range(10))
        return prefix

    def _host(self, style: str, function_name: str) -> str:
        rng = self.invoker.rng
        if style == "event":
            return f"{self._domain_prefix(function_name)}.{rng.region}.fcapp.run"
        return f"{rng.account_id}.{rng.region}.fc.aliyuncs.com"

    def _function_name(self, handler: Any, context: Any) -> str:
        if context is not None:
            return getattr(getattr(context, "function", None), "name", None) or "test-function"
        name = getattr(handler, "name", None)
        if isinstance(name, str):
            return name
        return self.invoker.context_defaults.get("function_name") or "test-function"

    def _response(self, result: InvokeResult, style: str) -> HttpResponse:
        rid = result.request_id
        if result.error is not None:  # reached only with catch=True
            headers = Headers(
                [
                    ("Content-Type", "application/json"),
                    ("X-Fc-Error-Type", "UnhandledInvocationError"),
                    ("X-Fc-Request-Id", rid),
                ]
            )
            return HttpResponse(502, headers, result.payload, rid, None, result.error.get("errorMessage"), result)
        if style == "wsgi":
            status, pairs, raw = result.return_value
            if status is None:
                return _error_response(
                    502,
                    "UnhandledInvocationError",
                    "BadResponse",
                    "the WSGI handler returned without calling start_response",
                    rid,
                    result,
                )
            pairs = [(str(k), str(v)) for k, v in pairs]
        else:
            status, pairs, raw = self._event_response(result.payload)
            if status is None:
                return _error_response(
                    502,
                    "UnhandledInvocationError",
                    "BadResponse",
                    f"the function's response is invalid: {pairs}",
                    rid,
                    result,
                )
        size = _size(pairs)
        if size > self.limits.response_headers:
            return _error_response(
                502,
                "UnhandledInvocationError",
                "BadResponse",
                f"response headers are {size} bytes, over the HTTP trigger limit of "
                f"{self.limits.response_headers} bytes",
                rid,
                result,
            )
        dropped = [
            (k, v)
            for k, v in pairs
            if k.lower() in DROPPED_RESPONSE_HEADERS
            or k.lower().startswith("x-fc-")
            or (not self.custom_domain and k.lower() == "content-disposition")
        ]
        kept = [kv for kv in pairs if kv not in dropped]
        kept.append(("Content-Length", str(len(raw))))
        kept.append(("Date", _http_date(self.invoker.rng.time())))
        kept.append(("X-Fc-Request-Id", rid))
        if not self.custom_domain:
            kept.append(("Content-Disposition", "attachment"))
        return HttpResponse(status, Headers(kept), raw, rid, invocation=result, dropped_headers=dropped)

    @staticmethod
    def _event_response(payload: bytes) -> Tuple[Optional[int], Any, bytes]:
        try:
            data = json.loads(payload)
        except ValueError:
            return 200, [], payload
        if not isinstance(data, dict) or "statusCode" not in data:
            return 200, [("Content-Type", "application/json")], payload
        status = _status_code(data["statusCode"])
        if status is None:
            return None, f"statusCode {data['statusCode']!r} is not an HTTP status code (100-599)", b""
        headers = data.get("headers") or {}
        pairs = [(str(k), ",".join(map(str, v)) if isinstance(v, list) else str(v)) for k, v in headers.items()]
        body = data.get("body")
        raw = _body_bytes(body) if not isinstance(body, str) else body.encode("utf-8")
        if data.get("isBase64Encoded") is True and isinstance(body, str):
            try:
                raw = base64.b64decode(body, validate=True)
            except (binascii.Error, ValueError):
                return None, "isBase64Encoded is true but body is not valid base64", b""
        return status, pairs, raw
