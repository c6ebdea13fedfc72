"""The ApsaraMQ for Kafka FC Sink Connector: how it batches and retries (ApsaraMQ for Kafka docs
"Create a Function Compute sink connector", 创建FC Sink Connector).

- 发送批大小 (batch size) default 20: the connector aggregates messages up to the batch size
  and the request size limit (sync 6 MB, async 128 KB); a message larger than the limit is
  sent alone, without its content (``overflowFlag: true``; the function pulls it by offset).
- a null key or value is left out of the record.
- 重试次数 default 2 (1..3): 429 and 5XX responses of InvokeFunction are retried, other
  4XX are not. A handler error is not an HTTP error (FC answers 200 with the error, see
  "Configure a retry mechanism"), so the connector does not retry it.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any, Dict, List, Optional

from ..errors import ConfigError
from .semantics import (
    KAFKA_ASYNC_LIMIT_BYTES,
    KAFKA_BATCH_SIZE,
    KAFKA_RETRIES_DEFAULT,
    KAFKA_RETRIES_RANGE,
    KAFKA_SYNC_LIMIT_BYTES,
)

SEND_MODES = ("async", "sync")


@dataclasses.dataclass
class KafkaMessage:
    topic: str
    partition: int
    offset: int
    timestamp: int  # ms
    key: Optional[str]
    value: Optional[str]

    @property
    def size(self) -> int:
        return len((self.key or "").encode("utf-8")) + len((self.value or "").encode("utf-8"))

    def record(self, overflow: bool) -> Dict[str, Any]:
        rec: Dict[str, Any] = {}
        if self.key is not None:
            rec["key"] = self.key
        rec["offset"] = self.offset
        rec["overflowFlag"] = overflow
        rec["partition"] = self.partition
        rec["timestamp"] = self.timestamp
        rec["topic"] = self.topic
        if self.value is not None and not overflow:
            rec["value"] = self.value
        rec["valueSize"] = len((self.value or "").encode("utf-8"))
        return rec


@dataclasses.dataclass(frozen=True)
class ConnectorConfig:
    function: str
    topic: str
    batch_size: int = KAFKA_BATCH_SIZE
    send_mode: str = "async"
    retries: int = KAFKA_RETRIES_DEFAULT

    @property
    def limit(self) -> int:
        return KAFKA_ASYNC_LIMIT_BYTES if self.send_mode == "async" else KAFKA_SYNC_LIMIT_BYTES


def check_config(cfg: ConnectorConfig) -> None:
    where = f"flow.kafka_connector({cfg.function!r})"
    if not isinstance(cfg.topic, str) or not cfg.topic:
        raise ConfigError(f"{where}: topic must be the source topic's name, got {cfg.topic!r}")
    if isinstance(cfg.batch_size, bool) or not isinstance(cfg.batch_size, int) or cfg.batch_size < 1:
        raise ConfigError(f"{where}: batch_size must be an integer >= 1 (default 20), got {cfg.batch_size!r}")
    if cfg.send_mode not in SEND_MODES:
        raise ConfigError(f"{where}: send_mode must be 'async' (recommended) or 'sync', got {cfg.send_mode!r}")
    low, high = KAFKA_RETRIES_RANGE
    if isinstance(cfg.retries, bool) or not isinstance(cfg.retries, int) or not low <= cfg.retries <= high:
        raise ConfigError(f"{where}: retries must be an integer in {low}..{high} (default 2), got {cfg.retries!r}")


def split_batches(messages: List[KafkaMessage], batch_size: int, limit: int) -> List[List[Dict[str, Any]]]:
    """Records per request, in order: at most ``batch_size`` and ``limit`` bytes each; a
    message over the limit goes alone with ``overflowFlag`` true and no value."""
    batches: List[List[Dict[str, Any]]] = []
    current: List[Dict[str, Any]] = []
    size = 0
    for msg in messages:
        if msg.size > limit:
            if current:
                batches.append(current)
                current, size = [], 0
            batches.append([msg.record(overflow=True)])
            continue
        if current and (len(current) >= batch_size or size + msg.size > limit):
            batches.append(current)
            current, size = [], 0
        current.append(msg.record(overflow=False))
        size += msg.size
    if current:
        batches.append(current)
    return batches


def batch_event(records: List[Dict[str, Any]]) -> bytes:
    return json.dumps(records, ensure_ascii=False).encode("utf-8")
