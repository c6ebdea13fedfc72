"""Helpers shared by the loop-detection tests: journal writes as the simulated services record them."""

from __future__ import annotations

from typing import Any, Dict, Optional

from pytest_fctrigger.cloud.journal import Write
from pytest_fctrigger.events._base import FCEvent


def oss_event_bytes(
    bucket: str, key: str, event_name: str = "ObjectCreated:PutObject", region: str = "cn-hangzhou"
) -> FCEvent:
    """The shape of the seeds/002 "OSS trigger" sample, reduced to the fields loops read."""
    return FCEvent.from_json(
        {
            "events": [
                {
                    "eventName": event_name,
                    "eventSource": "acs:oss",
                    "region": region,
                    "oss": {
                        "bucket": {"name": bucket, "arn": f"acs:oss:{region}:1234567890123456:{bucket}"},
                        "object": {"key": key, "size": 3},
                    },
                }
            ]
        },
        "oss",
        event_name,
    )


def oss_write(
    bucket: str, key: str, api: str = "PutObject", event_name: Optional[str] = None, region: str = "cn-hangzhou"
) -> Write:
    event_name = event_name or f"ObjectCreated:{api}"
    return Write(
        service="oss",
        api=api,
        resource={"bucket": bucket, "key": key},
        region=region,
        event_name=event_name,
        event=oss_event_bytes(bucket, key, event_name, region),
        sdk="oss2",
    )


def mns_write(
    topic: str,
    message: str = "hello topic",
    tag: Optional[str] = None,
    attrs: Optional[Dict[str, Any]] = None,
    region: str = "cn-hangzhou",
) -> Write:
    event = FCEvent(message.encode(), message, "mns_topic", "STREAM")
    return Write(
        service="mns",
        api="PublishMessage",
        resource={"topic": topic},
        region=region,
        event=event,
        attributes={
            "message": message,
            "tag": tag,
            "attrs": attrs or {},
            "message_id": "5F2A6C2DCE7D4A3B8B1A4F6E2D3C1B0A",
        },
        sdk="aliyun-mns-sdk",
    )


def ots_write(instance: str, table: str, api: str = "PutRow", region: str = "cn-hangzhou") -> Write:
    return Write(
        service="tablestore",
        api=api,
        region=region,
        resource={"instance": instance, "table": table, "primary_key": [("id", 1)]},
        sdk="tablestore",
    )


def sls_write(project: str, logstore: str) -> Write:
    return Write(
        service="sls",
        api="PutLogs",
        resource={"project": project, "logstore": logstore},
        region="cn-hangzhou",
        sdk="aliyun-log-python-sdk",
    )
