"""How FC delivers an event, per trigger type: ONE data table, each entry citing its source.

``DELIVERY[trigger_type]`` says how FC invokes a function for that trigger (``Async``,
``Sync`` or ``Configured`` on the trigger) and which retry rule applies after a failure.
The engine (``_engine.py``) reads only this table and the constants below, so a trigger
kind module (``pytest_fctrigger/kinds/<type>.py``) can point at its entry.

Retry rules:
- ``fc_async``: FC's async queue retries a handler error ``maxAsyncRetryAttempts`` times
  (default 3), drops events older than ``maxAsyncEventAgeInSeconds``, then sends the
  invocation context to the ``onFailure`` destination.
- ``mns_notify``: the topic's push follows the subscription's NotifyStrategy when the
  push to FC is refused; once FC accepted it, FC's async retries apply.
- ``stream_until_expiry``: the Tablestore stream re-delivers the failed record, blocking the
  records after it in the same partition, until the stream data expires.
- ``sls_job``: the ETL job retries a range ``maxRetryTime`` times (``fc_cloud.sls.job``).
- ``eventbridge``: the rule's ``retryStrategy`` and ``deadLetterQueue``.
- ``none``: FC never retries a synchronous invocation.
"""

from __future__ import annotations

import dataclasses
from typing import Dict, Tuple


@dataclasses.dataclass(frozen=True)
class Delivery:
    """One row of the table. ``source`` is FC's (or the service's) page title and URL."""

    invocation: str  # "Async" | "Sync" | "Configured"
    retry: str  # "fc_async" | "mns_notify" | "stream_until_expiry" | "sls_job" | "eventbridge" | "none"
    fired_by_writes: bool  # whether a write journaled by fc_cloud delivers it (else the flow schedules it)
    source: str


# Invocation type of every row: FC "Triggers overview" (触发器简介, the 调用方式 column).
# Pages cited on the rows:
#   Configure a retry mechanism  https://www.alibabacloud.com/help/en/functioncompute/fc/error-handling-1-2
#   MNS NotifyStrategy           https://www.alibabacloud.com/help/en/mns/notifystrategy
#   EventBridge Event patterns   https://www.alibabacloud.com/help/en/eventbridge/user-guide/event-patterns
#   Destinations for async invocations  https://www.alibabacloud.com/help/en/fc/user-guide/result-callback
DELIVERY: Dict[str, Delivery] = {
    # Timer: async. Retries: "Configure a retry mechanism",
    # https://www.alibabacloud.com/help/en/functioncompute/fc/error-handling-1-2
    "timer": Delivery(
        "Async", "fc_async", False, "FC Triggers overview (定时触发器 异步调用); Configure a retry mechanism"
    ),
    # OSS: async; same retry page.
    "oss": Delivery(
        "Async", "fc_async", True, "FC Triggers overview (OSS触发器 异步调用); Configure a retry mechanism"
    ),
    # MNS topic: async; the subscription's notifyStrategy governs the push: MNS "NotifyStrategy",
    # https://www.alibabacloud.com/help/en/mns/notifystrategy and FC API "MNSTopicTriggerConfig".
    "mns_topic": Delivery(
        "Async", "mns_notify", True, "FC Triggers overview (MNS主题触发器 异步调用); MNS NotifyStrategy"
    ),
    # SLS: sync, driven by the ETL job (jobConfig.maxRetryTime).
    "log": Delivery("Sync", "sls_job", False, "FC Triggers overview (SLS触发器 同步调用); FC Log Service trigger"),
    # CDN events: sync; nothing in fc_cloud writes CDN events.
    "cdn_events": Delivery("Sync", "none", False, "FC Triggers overview (CDN事件触发器 同步调用)"),
    # Tablestore: sync; "若函数执行出现异常，函数将无限重试直到Tablestore中的日志数据过期"
    # (FC docs "Tablestore trigger overview", Tablestore触发器概述 注意事项).
    "tablestore": Delivery(
        "Sync",
        "stream_until_expiry",
        True,
        "FC Triggers overview (Tablestore触发器 同步调用); Tablestore trigger notes",
    ),
    # HTTP: sync, driven by requests (fc_http), never by a write.
    "http": Delivery("Sync", "none", False, "FC Triggers overview (HTTP触发器 同步调用)"),
    # EventBridge triggers (MNS queue, RocketMQ, RabbitMQ, Kafka, DTS, official sources): the
    # trigger's asyncInvocationType chooses; sync is the console default
    # (FC docs "Configure event triggers for Alibaba Cloud services", "Invocation Method").
    # Retry and dead letter: EventBridge "Retry policies and dead-letter queues".
    "eventbridge": Delivery(
        "Configured", "eventbridge", True, "FC Triggers overview (EventBridge触发器); EventBridge retry and dead-letter"
    ),
    # ApsaraMQ for Kafka FC Sink Connector: sync in the triggers table; the connector's own
    # send mode (async recommended) and retry rules: ApsaraMQ for Kafka docs "Create a Function
    # Compute sink connector" (创建FC Sink Connector).
    "kafka_connector": Delivery("Configured", "none", False, "FC Triggers overview; 创建FC Sink Connector"),
}

# --------------------------------------------------------------------------- FC async
# "Configure a retry mechanism": handler errors (HandledInvocationError /
# UnhandledInvocationError) are retried "up to 3 times by default".
FC_ASYNC_DEFAULT_RETRIES = 3
# FC does not document the delay between retries of a handler error; flows uses the binary
# exponential backoff the same page documents for throttled async invocations (first retry
# 0.5 s after the failure, then 1 s, 2 s, 4 s, ...), so retries are visible on the clock.
FC_ASYNC_FIRST_RETRY_S = 0.5
# ROS ALIYUN::FC3::AsyncInvokeConfig: MaxAsyncEventAgeInSeconds range 1..604800.
FC_ASYNC_MAX_EVENT_AGE_RANGE = (1, 604800)
# Throttled (429) async invocations: retried for up to 5 hours ("Configure a retry mechanism").
FC_THROTTLE_RETRY_WINDOW_S = 5 * 3600


def fc_async_retry_delay(retry: int) -> float:
    """Seconds before retry number ``retry`` (1-based): 0.5, 1, 2, 4, ..."""
    return FC_ASYNC_FIRST_RETRY_S if retry <= 1 else float(2 ** (retry - 2))


# --------------------------------------------------------------------------- MNS / EventBridge
# MNS "NotifyStrategy": BACKOFF_RETRY retries 3 times, each after a random 10..20 s;
# EXPONENTIAL_DECAY_RETRY retries 176 times: 1, 2, 4, ..., 256, then 512 s (167 times), 1 day.
# EventBridge documents the same two push retry strategies for its targets.
BACKOFF_RETRIES = 3
BACKOFF_INTERVAL_S: Tuple[int, int] = (10, 20)
EXPONENTIAL_DECAY_INTERVALS_S: Tuple[int, ...] = tuple([1, 2, 4, 8, 16, 32, 64, 128, 256] + [512] * 167)
NOTIFY_STRATEGIES = ("BACKOFF_RETRY", "EXPONENTIAL_DECAY_RETRY")

# --------------------------------------------------------------------------- Tablestore
# The stream keeps data for its expiration time; flows takes 24 hours unless the flow is
# told otherwise (Flow(tablestore_expiry=...)). FC documents no retry interval: flows
# re-delivers the blocked record after 1 s, doubling up to 60 s (a bounded, visible pace).
TABLESTORE_STREAM_EXPIRY_S = 24 * 3600
TABLESTORE_RETRY_FIRST_S = 1.0
TABLESTORE_RETRY_MAX_S = 60.0

# --------------------------------------------------------------------------- Kafka connector
# ApsaraMQ for Kafka docs "Create a Function Compute sink connector" (创建FC Sink Connector):
# 发送批大小 default 20; request size limit 6 MB sync,
# 128 KB async (a message over the limit is sent alone without its content, overflowFlag
# true); 重试次数 default 2, range 1..3; 429 and 5XX are retried, other 4XX are not.
KAFKA_BATCH_SIZE = 20
KAFKA_SYNC_LIMIT_BYTES = 6 * 1024 * 1024
KAFKA_ASYNC_LIMIT_BYTES = 128 * 1024
KAFKA_RETRIES_DEFAULT = 2
KAFKA_RETRIES_RANGE = (1, 3)


def kafka_retryable(status: int) -> bool:
    """429 and 5XX are retried; every other 4XX is not (创建FC Sink Connector, 重试次数)."""
    return status == 429 or 500 <= status <= 599


def delivery_of(trigger_type: str) -> Delivery:
    try:
        return DELIVERY[trigger_type]
    except KeyError:
        from ..errors import ConfigError

        raise ConfigError(
            f"event flows know no delivery rule for trigger type {trigger_type!r}; known: {', '.join(sorted(DELIVERY))}"
        ) from None
