"""Asynchronous invocation config and the payload FC sends to a destination.

Sources:
- "Destinations for asynchronous invocations" (FC user guide, "Result callback"),
  https://www.alibabacloud.com/help/en/fc/user-guide/result-callback: onSuccess / onFailure
  destinations are an MNS queue or topic, another (event) function, an EventBridge bus or
  ApsaraMQ for RocketMQ; the payload is the request context, the request and the response.
- "Configure a retry mechanism" and ROS ``ALIYUN::FC3::AsyncInvokeConfig`` for
  ``maxAsyncRetryAttempts`` (default 3) and ``maxAsyncEventAgeInSeconds`` (1..604800).
- Serverless Devs: fc3 ``asyncInvokeConfig`` (``destinationConfig.onSuccess.destination``),
  fc ``asyncConfiguration`` (``destination.onSuccess``).
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import json
import re
from typing import Any, Dict, Mapping, Optional

from ..errors import ConfigError
from .semantics import FC_ASYNC_DEFAULT_RETRIES, FC_ASYNC_MAX_EVENT_AGE_RANGE

_ASYNC_KEYS = (
    "destinationconfig",
    "destination",
    "maxasynceventageinseconds",
    "maxasyncretryattempts",
    "asynctask",
    "statefulinvocation",
    "qualifier",
)

_MNS_RE = re.compile(r"^acs:mns:([^:]*):([^:]*):/?(queues|topics)/([^/]+)(/messages)?/?$")
_FC_RE = re.compile(r"^acs:fc:([^:]*):([^:]*):(?:services/([^/]+)/)?functions/([^/:]+)(?::.*)?$")
_EB_RE = re.compile(r"^acs:eventbridge:([^:]*):([^:]*):eventbus/([^/]+)(/.*)?$")
_MQ_RE = re.compile(r"^acs:mq:")


@dataclasses.dataclass(frozen=True)
class Destination:
    """A parsed destination ARN: ``kind`` is mns_queue, mns_topic, function, eventbridge or rocketmq."""

    arn: str
    kind: str
    name: str  # queue, topic, function or bus name ("" for rocketmq)


@dataclasses.dataclass(frozen=True)
class AsyncConfig:
    max_retries: int = FC_ASYNC_DEFAULT_RETRIES
    max_event_age: Optional[int] = None  # seconds; None: FC's default (no limit within a flow)
    on_success: Optional[Destination] = None
    on_failure: Optional[Destination] = None


def parse_destination(arn: Any, where: str) -> Destination:
    if not isinstance(arn, str) or not arn:
        raise ConfigError(f"{where}: a destination is a resource ARN string, got {arn!r}")
    m = _MNS_RE.match(arn)
    if m:
        return Destination(arn, "mns_queue" if m.group(3) == "queues" else "mns_topic", m.group(4))
    m = _FC_RE.match(arn)
    if m:
        return Destination(arn, "function", m.group(4))
    m = _EB_RE.match(arn)
    if m:
        return Destination(arn, "eventbridge", m.group(3))
    if _MQ_RE.match(arn):
        return Destination(arn, "rocketmq", "")
    raise ConfigError(
        f"{where}: {arn!r} is not a destination FC supports; use an MNS queue "
        "(acs:mns:<region>:<account>:/queues/<name>/messages), an MNS topic (.../topics/<name>/messages), "
        "a function (acs:fc:<region>:<account>:functions/<name>), an EventBridge bus "
        "(acs:eventbridge:<region>:<account>:eventbus/<name>) or ApsaraMQ for RocketMQ (acs:mq:...) "
        "(FC: Destinations for asynchronous invocations)"
    )


def _ci(mapping: Mapping[str, Any]) -> Dict[str, Any]:
    return {str(k).lower(): v for k, v in mapping.items()}


def _dest_arn(value: Any) -> Any:
    if isinstance(value, Mapping):
        return _ci(value).get("destination")
    return value


def async_config_of(spec: Any) -> AsyncConfig:
    """The function's ``AsyncConfig`` from its s.yaml ``asyncInvokeConfig`` / ``asyncConfiguration``."""
    raw = getattr(spec, "async_invoke_config", None) or {}
    where = f"function {spec.name!r} asyncInvokeConfig"
    if not isinstance(raw, Mapping):
        raise ConfigError(f"{where} must be a mapping, got {type(raw).__name__}")
    cfg = _ci(raw)
    unknown = sorted(set(cfg) - set(_ASYNC_KEYS))
    if unknown:
        raise ConfigError(
            f"{where}: unknown key(s) {', '.join(unknown)}; valid keys: destinationConfig, "
            "maxAsyncEventAgeInSeconds, maxAsyncRetryAttempts, asyncTask"
        )
    retries = cfg.get("maxasyncretryattempts")
    if retries is None:
        retries = FC_ASYNC_DEFAULT_RETRIES
    if isinstance(retries, bool) or not isinstance(retries, int) or retries < 0:
        raise ConfigError(f"{where}: maxAsyncRetryAttempts must be an integer >= 0, got {retries!r}")
    age = cfg.get("maxasynceventageinseconds")
    if age is not None:
        low, high = FC_ASYNC_MAX_EVENT_AGE_RANGE
        if isinstance(age, bool) or not isinstance(age, int) or not low <= age <= high:
            raise ConfigError(f"{where}: maxAsyncEventAgeInSeconds must be an integer in {low}..{high}, got {age!r}")
    dest = cfg.get("destinationconfig") or cfg.get("destination") or {}
    if not isinstance(dest, Mapping):
        raise ConfigError(f"{where}: destinationConfig must be a mapping with onSuccess / onFailure")
    dcfg = _ci(dest)
    bad = sorted(set(dcfg) - {"onsuccess", "onfailure"})
    if bad:
        raise ConfigError(f"{where}: destinationConfig takes onSuccess and onFailure, not {', '.join(bad)}")
    on_success = dcfg.get("onsuccess")
    on_failure = dcfg.get("onfailure")
    return AsyncConfig(
        max_retries=retries,
        max_event_age=age,
        on_success=parse_destination(_dest_arn(on_success), f"{where} onSuccess") if on_success else None,
        on_failure=parse_destination(_dest_arn(on_failure), f"{where} onFailure") if on_failure else None,
    )


def function_arn(spec: Any, region: str, account_id: str) -> str:
    if getattr(spec, "service", None):
        return f"acs:fc:{region}:{account_id}:services/{spec.service}.LATEST/functions/{spec.name}"
    return f"acs:fc:{region}:{account_id}:functions/{spec.name}"


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).decode("utf-8", "replace")
    return str(value)


def destination_payload(
    *,
    request_id: str,
    function_arn: str,
    condition: str,
    invoke_count: int,
    request_payload: Any,
    response_payload: Any,
    function_error: str,
    when: _dt.datetime,
) -> bytes:
    """The JSON FC sends to a destination (FC: Destinations for asynchronous invocations,
    "Event payload sent to the destination"): the invocation's request context, the event
    it got and what it returned (or its error)."""
    body = {
        "timestamp": when.astimezone(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.")
        + f"{when.microsecond // 1000:03d}Z",
        "requestContext": {
            "requestId": request_id,
            "functionArn": function_arn,
            "condition": condition,
            "approximateInvokeCount": invoke_count,
        },
        "requestPayload": _text(request_payload),
        "responseContext": {"statusCode": 200, "functionError": function_error},
        "responsePayload": _text(response_payload),
    }
    return json.dumps(body, ensure_ascii=False).encode("utf-8")
