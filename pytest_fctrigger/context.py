"""The ``context`` object the FC Python runtime passes to ``handler(event, context)``.

Two shapes exist, rebuilt here from the documented field names
(FC docs "Context", https://www.alibabacloud.com/help/en/functioncompute/fc/user-guide/context-1,
for FC 3.0, and https://www.alibabacloud.com/help/doc-detail/422182.htm for FC 2.0):

* **FC 2.0 / Python 3.6-3.10** (``python3``, ``python3.6``, ``python3.9``,
  ``python3.10``): ``request_id`` (and ``requestId``), ``credentials``
  (``access_key_id``, ``access_key_secret``, ``security_token``, camelCase
  properties, ``to_dict()``), ``function`` (``name``, ``handler``, ``memory``,
  ``timeout``), ``service`` (``name``, ``log_project``, ``log_store``,
  ``qualifier``, ``version_id``), ``region``, ``account_id``, ``retry_count``,
  ``tracing``, ``logger``, ``getLogger()``, ``to_json()``.
* **Python 3.12** (FC 3.0 only): no ``credentials`` (they are only in the
  ``ALIBABA_CLOUD_*`` environment variables, which ``invoke`` sets), ``function``
  gains ``version_id`` and ``qualifier``, ``log_project``/``log_store`` move onto the
  context, and there is no ``service``.

Types follow the runtime's own construction (``FunctionMeta(name, handler,
int(memory), timeout)``): ``memory`` is an ``int``. ``timeout`` and ``retry_count``
are ``int`` too, as on the runtime's unblocking request path (its native path hands
them over as the raw header strings; code that does arithmetic on them works with
both only when it converts, so we give the documented numeric type).

Credentials are fake (``pytest_fctrigger._credentials``): STS-shaped, prefixed
``STS.FCTEST`` and never read from the environment.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import sys
import time
from typing import Any, Dict, Optional, Tuple, Union, cast

from ._credentials import FakeCredentials, fake_credentials, fake_secret
from .errors import ConfigError, UnknownFieldError

__all__ = [
    "RUNTIMES",
    "Credentials",
    "FunctionMeta",
    "ServiceMeta",
    "Tracing",
    "FCContext",
    "FCContext312",
    "FunctionMeta312",
    "make_context",
    "new_request_id",
    "runtime_shape",
]

# FC runtime identifiers with a Python handler, and the context shape each one gets.
RUNTIMES: Dict[str, str] = {
    "python3": "fc2",  # FC 2.0's name for Python 3.6
    "python3.6": "fc2",
    "python3.9": "fc2",
    "python3.10": "fc2",
    "python3.12": "py312",
}

DEFAULT_RUNTIME = "python3.10"
DEFAULT_FUNCTION_NAME = "test-function"
DEFAULT_SERVICE_NAME = "test-service"
DEFAULT_HANDLER = "index.handler"
DEFAULT_MEMORY = 128  # MB; the default of FC's local emulator (aliyun/fc-docker mock scripts)
DEFAULT_TIMEOUT = 3  # seconds; same source
DEFAULT_QUALIFIER = "LATEST"
# Serverless Devs ``logConfig: auto`` names the project aliyun-fc-<region>-<uuid> and
# the logstore function-log; a function with logging set up sees those names.
DEFAULT_LOG_STORE = "function-log"

# The FC user-log line format (FC "Python logging" docs: ``2020-03-13T04:06:49.099Z
# <request id> [INFO] message``), UTC timestamps.
FC_LOG_FORMAT = "%(asctime)s.%(msecs)03dZ %(fc_request_id)s [%(levelname)s] %(message)s"
FC_LOG_DATEFMT = "%Y-%m-%dT%H:%M:%S"


def runtime_shape(runtime: str) -> str:
    """``"fc2"`` or ``"py312"`` for a runtime name; ConfigError listing the valid ones."""
    shape = RUNTIMES.get(runtime)
    if shape is None:
        raise ConfigError(f"unknown FC runtime {runtime!r}; valid runtimes: {', '.join(RUNTIMES)}")
    return shape


def new_request_id(rng: Any) -> str:
    """An FC invocation request id, ``1-<unix seconds, 8 hex>-<24 hex>``, from ``rng``
    (an ``FCRandom``; see ``FCRandom.fc_request_id``)."""
    return rng.fc_request_id()


# --------------------------------------------------------------------------- parts
class Credentials:
    """``context.credentials``: the function role's STS credentials (FC 2.0 shape)."""

    def __init__(self, access_key_id: str, access_key_secret: str, security_token: str):
        self.access_key_id = access_key_id
        self.access_key_secret = access_key_secret
        self.security_token = security_token

    # The Python 2.7 runtime spelled these in camelCase; the Python 3 runtimes keep
    # them as read-only aliases.
    @property
    def accessKeyId(self) -> str:
        return self.access_key_id

    @property
    def accessKeySecret(self) -> str:
        return self.access_key_secret

    @property
    def securityToken(self) -> str:
        return self.security_token

    def to_dict(self) -> Dict[str, str]:
        return {
            "accessKeyId": self.access_key_id,
            "accessKeySecret": self.access_key_secret,
            "securityToken": self.security_token,
        }

    def __repr__(self) -> str:
        return f"Credentials(access_key_id={self.access_key_id!r}, access_key_secret=..., security_token=...)"


class FunctionMeta:
    """``context.function`` (FC 2.0 shape): ``name``, ``handler``, ``memory``, ``timeout``."""

    def __init__(self, name: str, handler: str, memory: int, timeout: Any):
        self.name = name
        self.handler = handler
        self.memory = memory
        self.timeout = timeout

    def to_dict(self) -> Dict[str, Any]:
        return {"name": self.name, "handler": self.handler, "memory": self.memory, "timeout": self.timeout}

    def __repr__(self) -> str:
        return f"FunctionMeta({self.to_dict()!r})"


class FunctionMeta312(FunctionMeta):
    """``context.function`` on Python 3.12: adds ``version_id`` and ``qualifier``."""

    def __init__(
        self, name: str, handler: str, memory: int, timeout: Any, version_id: Optional[str], qualifier: Optional[str]
    ):
        super().__init__(name, handler, memory, timeout)
        self.version_id = version_id
        self.qualifier = qualifier

    def to_dict(self) -> Dict[str, Any]:
        d = super().to_dict()
        d.update(versionId=self.version_id, qualifier=self.qualifier)
        return d


class ServiceMeta:
    """``context.service`` (FC 2.0 shape)."""

    def __init__(
        self, service_name: str, log_project: str, log_store: str, qualifier: Optional[str], version_id: Optional[str]
    ):
        self.name = service_name
        self.log_project = log_project
        self.log_store = log_store
        self.qualifier = qualifier
        self.version_id = version_id

    def to_dict(self) -> Dict[str, Any]:
        return {
            "name": self.name,
            "logProject": self.log_project,
            "logStore": self.log_store,
            "qualifier": self.qualifier,
            "versionId": self.version_id,
        }

    def __repr__(self) -> str:
        return f"ServiceMeta({self.to_dict()!r})"


class Tracing:
    """``context.tracing``: the OpenTracing span context, baggages and Jaeger endpoint.

    ``span_baggages`` is the base64 JSON header decoded to a dict; like the runtime,
    an undecodable value gives ``{}``. All ``None`` when tracing is not enabled.
    """

    def __init__(self, span_context: Optional[str], base64_baggages: Optional[str], jaeger_endpoint: Optional[str]):
        self.span_context = span_context
        self.jaeger_endpoint = jaeger_endpoint
        self.span_baggages = self._decode_baggages(base64_baggages)

    @staticmethod
    def _decode_baggages(value: Optional[str]) -> Dict[str, Any]:
        if not value:
            return {}
        try:
            decoded = json.loads(base64.b64decode(value))
        except (binascii.Error, ValueError, TypeError):
            return {}
        return decoded if isinstance(decoded, dict) else {}

    def to_dict(self) -> Dict[str, Any]:
        return {
            "openTracingSpanContext": self.span_context,
            "openTracingSpanBaggages": self.span_baggages,
            "jaegerEndpoint": self.jaeger_endpoint,
        }

    def __repr__(self) -> str:
        return f"Tracing({self.to_dict()!r})"


class _InvocationMeta:
    """What the invoke harness needs beyond the visible fields (not part of FC's context)."""

    __slots__ = ("runtime", "credentials", "instance_id")

    def __init__(self, runtime: str, credentials: FakeCredentials, instance_id: str):
        self.runtime = runtime
        self.credentials = credentials
        self.instance_id = instance_id


class _ContextBase:
    _fc_meta: _InvocationMeta
    logger: Optional[logging.Logger]

    def getLogger(self) -> logging.Logger:
        """The per-request logger when the instance is concurrent, else the root logger."""
        return self.logger if self.logger is not None else logging.getLogger()

    @property
    def runtime(self) -> str:  # not an FC attribute; handy in tests and reports
        return self._fc_meta.runtime


class FCContext(_ContextBase):
    """The FC 2.0 / Python 3.6-3.10 context."""

    def __init__(
        self,
        account_id: str,
        request_id: str,
        credentials: Credentials,
        function_meta: FunctionMeta,
        service_meta: ServiceMeta,
        region: str,
        tracing: Tracing,
        logger: Optional[logging.Logger],
        retry_count: int = 0,
    ):
        # plain attributes, as in the runtime: assigning one does not update the other
        self.requestId = request_id
        self.credentials = credentials
        self.function = function_meta
        self.request_id = request_id
        self.service = service_meta
        self.region = region
        self.account_id = account_id
        self.retry_count = retry_count
        self.tracing = tracing
        self.logger = logger

    def to_json(self) -> str:
        return json.dumps(
            {
                "requestId": self.request_id,
                "credentials": self.credentials.to_dict(),
                "function": self.function.to_dict(),
                "service": self.service.to_dict(),
                "region": self.region,
                "accountId": self.account_id,
                "retryCount": self.retry_count,
                "tracing": self.tracing.to_dict(),
            }
        )

    def __repr__(self) -> str:
        return (
            f"<FCContext {self._fc_meta.runtime} request_id={self.request_id!r} "
            f"function={self.function.name!r} region={self.region!r}>"
        )


class FCContext312(_ContextBase):
    """The Python 3.12 (FC 3.0) context: no ``credentials``, no ``service``.

    ``to_json()`` is not in the FC 3.0 docs for this runtime; it is kept (with the
    fields this shape has) so code written for both shapes keeps working here.
    """

    def __init__(
        self,
        account_id: str,
        request_id: str,
        function_meta: FunctionMeta312,
        logger: Optional[logging.Logger],
        log_project: str,
        log_store: str,
        region: str,
    ):
        self.account_id = account_id
        self.request_id = request_id
        self.function = function_meta
        self.logger = logger
        self.log_project = log_project
        self.log_store = log_store
        self.region = region

    def to_json(self) -> str:
        return json.dumps(
            {
                "requestId": self.request_id,
                "function": self.function.to_dict(),
                "logProject": self.log_project,
                "logStore": self.log_store,
                "region": self.region,
                "accountId": self.account_id,
            }
        )

    def __repr__(self) -> str:
        return (
            f"<FCContext python3.12 request_id={self.request_id!r} "
            f"function={self.function.name!r} region={self.region!r}>"
        )


# --------------------------------------------------------------------------- logging
class FCLogHandler(logging.Handler):
    """Writes records as FC's user log lines to the *current* ``sys.stdout``.

    Looking ``sys.stdout`` up at emit time lets whoever captures stdout (pytest, the
    invoke harness) see the lines, as FC's log service sees the runtime's stdout.
    """

    def __init__(self, request_id: str, level: int = logging.NOTSET):
        super().__init__(level)
        self.request_id = request_id
        formatter = logging.Formatter(FC_LOG_FORMAT, FC_LOG_DATEFMT)
        formatter.converter = time.gmtime
        self.setFormatter(formatter)

    def emit(self, record: logging.LogRecord) -> None:
        try:
            record.fc_request_id = self.request_id
            stream = sys.stdout
            stream.write(self.format(record) + "\n")
        except Exception:  # logging must never break the handler under test
            self.handleError(record)


def request_logger(request_id: str) -> logging.Logger:
    """The per-request logger of a concurrent instance (``FC_CONCURRENT_LIMIT > 1``)."""
    logger = logging.Logger(request_id, logging.INFO)  # not registered in logging's tree
    logger.addHandler(FCLogHandler(request_id))
    return logger


# --------------------------------------------------------------------------- factory
_COMMON_FIELDS = (
    "request_id",
    "account_id",
    "region",
    "access_key_id",
    "access_key_secret",
    "security_token",  # 3.12: only in the env vars
    "function_name",
    "handler",
    "memory",
    "timeout",
    "qualifier",
    "version_id",
    "log_project",
    "log_store",
    "instance_concurrency",
    "logger",
    "instance_id",
)
FIELDS: Dict[str, Tuple[str, ...]] = {
    "fc2": _COMMON_FIELDS + ("service_name", "retry_count", "span_context", "span_baggages", "jaeger_endpoint"),
    "py312": _COMMON_FIELDS,
}


def _check_types(values: Dict[str, Any], where: str) -> None:
    for name in ("memory", "retry_count", "instance_concurrency"):
        v = values.get(name)
        if v is not None and (isinstance(v, bool) or not isinstance(v, int)):
            raise ConfigError(f"{where}: {name} must be an int, got {v!r}")
    if values.get("memory") is not None and values["memory"] <= 0:
        raise ConfigError(f"{where}: memory must be > 0 (MB), got {values['memory']!r}")
    t = values.get("timeout")
    if t is not None and (isinstance(t, bool) or not isinstance(t, (int, float)) or t <= 0):
        raise ConfigError(f"{where}: timeout must be a number of seconds > 0, got {t!r}")
    for name in ("instance_concurrency",):
        if values.get(name) is not None and values[name] < 1:
            raise ConfigError(f"{where}: {name} must be >= 1, got {values[name]!r}")
    baggages = values.get("span_baggages")
    if baggages is not None and not isinstance(baggages, (dict, str)):
        raise ConfigError(f"{where}: span_baggages must be a dict (or its base64 JSON), got {baggages!r}")


def make_context(
    runtime: str = DEFAULT_RUNTIME, *, rng: Any = None, **overrides: Any
) -> Union[FCContext, FCContext312]:
    """A fresh FC context for ``runtime`` with every field filled from ``rng``.

    ``rng`` is the test's ``FCRandom`` (or an int seed); region and account id come
    from it, so the context agrees with the test's events. Keyword overrides (all
    optional): ``request_id``, ``account_id``, ``region``, ``access_key_id``,
    ``access_key_secret``, ``security_token``, ``function_name``, ``handler``,
    ``memory``, ``timeout``, ``qualifier``, ``version_id``, ``log_project``,
    ``log_store``, ``instance_concurrency`` (> 1 gives a per-request ``logger``, as
    with ``FC_CONCURRENT_LIMIT > 1``), ``logger``, ``instance_id`` (the
    ``FC_INSTANCE_ID`` the harness exports); FC 2.0 shapes also take
    ``service_name``, ``retry_count``, ``span_context``, ``span_baggages`` (dict or
    base64 JSON) and ``jaeger_endpoint``. An unknown name raises
    ``UnknownFieldError`` listing the valid ones.
    """
    from .events._random import FCRandom

    shape = runtime_shape(runtime)
    valid = FIELDS[shape]
    unknown = set(overrides) - set(valid)
    where = f"make_context(runtime={runtime!r})"
    if unknown:
        raise UnknownFieldError(where, unknown, valid)
    _check_types(overrides, where)
    rng = FCRandom.coerce(rng)
    get = overrides.get

    region = get("region") or rng.region
    account_id = str(get("account_id") or rng.account_id)
    request_id = get("request_id") or new_request_id(rng)
    given = (get("access_key_id"), get("access_key_secret"), get("security_token"))
    if all(given):
        creds = FakeCredentials(*cast(Tuple[str, str, str], given))
    else:
        fake = fake_credentials(rng)
        if given[0] and not given[1]:  # keep "the secret derives from the key id" (Tablestore signs with it)
            fake = fake._replace(access_key_secret=fake_secret(given[0]))
        creds = FakeCredentials(*(mine or theirs for mine, theirs in zip(given, fake)))
    log_project = get("log_project")
    if log_project is None:
        log_project = f"aliyun-fc-{region}-{rng.uuid()}"
    log_store = get("log_store")
    if log_store is None:
        log_store = DEFAULT_LOG_STORE
    name = get("function_name") or DEFAULT_FUNCTION_NAME
    handler = get("handler") or DEFAULT_HANDLER
    memory = get("memory") or DEFAULT_MEMORY
    timeout = get("timeout") or DEFAULT_TIMEOUT
    qualifier = get("qualifier") or DEFAULT_QUALIFIER
    version_id = get("version_id")  # no version header when LATEST is invoked
    # instance ids as FC logs print them: c-<start time, 8 hex>-<20 hex>
    instance_id = get("instance_id") or f"c-{int(rng.base_time.timestamp()):08x}-{rng.hex(20)}"

    logger = get("logger")
    if logger is None and (get("instance_concurrency") or 1) > 1:
        logger = request_logger(request_id)

    meta = _InvocationMeta(runtime, creds, instance_id)
    ctx: Union[FCContext, FCContext312]
    if shape == "py312":
        ctx = FCContext312(
            account_id,
            request_id,
            FunctionMeta312(name, handler, memory, timeout, version_id, qualifier),
            logger,
            log_project,
            log_store,
            region,
        )
    else:
        baggages = get("span_baggages")
        if isinstance(baggages, dict):
            baggages = base64.b64encode(json.dumps(baggages).encode()).decode()
        ctx = FCContext(
            account_id,
            request_id,
            Credentials(*creds),
            FunctionMeta(name, handler, memory, timeout),
            ServiceMeta(get("service_name") or DEFAULT_SERVICE_NAME, log_project, log_store, qualifier, version_id),
            region,
            Tracing(get("span_context"), baggages, get("jaeger_endpoint")),
            logger,
            get("retry_count") or 0,
        )
    ctx._fc_meta = meta
    return ctx
