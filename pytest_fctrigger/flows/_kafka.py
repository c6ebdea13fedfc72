"""The Kafka FC Sink Connector in a flow: buffered messages, batches, retries. A mixin of ``Flow``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, List, Optional

from ..errors import ConfigError
from . import semantics as S
from ._records import _Hop, _Job
from .kafka import ConnectorConfig, KafkaMessage, batch_event, split_batches

if TYPE_CHECKING:
    from ._engine import Flow


class KafkaDelivery:
    # ``self`` is the Flow (annotated Any: mypy takes no subclass as a mixin's self type)
    def _attempt_kafka_flush(self: Any, job: _Job) -> None:
        connector: KafkaConnector = job.extra["connector"]
        connector.scheduled = False
        messages, connector.buffer = connector.buffer, []
        cfg = connector.config
        for records in split_batches(messages, cfg.batch_size, cfg.limit):
            hop = _Hop(
                cfg.function,
                f"kafka:{cfg.topic}",
                f"Kafka connector on topic {cfg.topic!r} sent {len(records)} record(s) to function {cfg.function!r}",
            )
            batch = _Job(
                "kafka",
                connector.spec,
                None,
                batch_event(records),
                None,
                (hop,),
                self.clock.now,
                via="kafka",
                extra={"connector": connector, "records": records},
            )
            self.clock.schedule(self.clock.now, batch)

    def _attempt_kafka(self: Any, job: _Job) -> None:
        cfg: ConnectorConfig = job.extra["connector"].config
        status = self._take_rejection(job.spec.name)
        if status is not None:
            if S.kafka_retryable(status) and job.push_retries < cfg.retries:
                job.push_retries += 1
                self.clock.schedule(self.clock.now + 1.0, job)  # the connector's pace is not documented: 1 s
            else:
                reason = f"InvokeFunction answered {status}; " + (
                    "retries exhausted" if S.kafka_retryable(status) else "4XX other than 429 is not retried"
                )
                self._dead(job, reason, None, None)
            return
        if cfg.send_mode == "async":
            job.kind = "async"
            self._attempt_async(job)
        else:
            self._invoke(job, "Sync")  # a handler error is FC's 200 with an error: not retried


class KafkaConnector:
    """``flow.kafka_connector(...)``: ``send(value, key=None, partition=0)`` queues a message."""

    def __init__(self, flow: Flow, spec: Any, config: ConnectorConfig) -> None:
        self.flow = flow
        self.spec = spec
        self.config = config
        self.buffer: List[KafkaMessage] = []
        self.scheduled = False
        self._offsets: Dict[int, int] = {}

    def send(self, value: Optional[str], key: Optional[str] = None, partition: int = 0) -> KafkaMessage:
        for name, v in (("value", value), ("key", key)):
            if v is not None and not isinstance(v, str):
                raise ConfigError(f"KafkaConnector.send({name}=...) takes text or None, got {type(v).__name__}")
        if isinstance(partition, bool) or not isinstance(partition, int) or partition < 0:
            raise ConfigError(f"KafkaConnector.send(partition=...) takes an integer >= 0, got {partition!r}")
        offset = self._offsets.get(partition, 0)
        self._offsets[partition] = offset + 1
        msg = KafkaMessage(self.config.topic, partition, offset, int(self.flow.clock.now * 1000), key, value)
        self.buffer.append(msg)
        if not self.scheduled:
            self.scheduled = True
            job = _Job("kafka_flush", self.spec, None, None, None, (), self.flow.clock.now, extra={"connector": self})
            self.flow.clock.schedule(self.flow.clock.now, job)
        return msg
