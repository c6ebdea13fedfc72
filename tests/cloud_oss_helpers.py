"""Shared helpers of the simulated-OSS tests: SDK clients pointed at the fake."""

from __future__ import annotations

import base64
from typing import Any, Optional


def oss2_bucket(name: str, region: str = "cn-hangzhou", *, internal: bool = True, auth: Any = None):
    import oss2

    endpoint = f"https://oss-{region}{'-internal' if internal else ''}.aliyuncs.com"
    return oss2.Bucket(auth or oss2.StsAuth("STS.ak", "sk", "token"), endpoint, name)


def v2_client(
    region: str = "cn-hangzhou",
    *,
    internal: bool = True,
    path_style: bool = False,
    endpoint: Optional[str] = None,
    dualstack: bool = False,
):
    import alibabacloud_oss_v2 as oss

    cfg = oss.config.load_default()
    cfg.credentials_provider = oss.credentials.StaticCredentialsProvider("STS.ak", "sk", "token")
    cfg.region = region
    if endpoint:
        cfg.endpoint = endpoint
    cfg.use_internal_endpoint = internal
    cfg.use_path_style = path_style
    cfg.use_dualstack_endpoint = dualstack
    return oss.Client(cfg)


def b64(text: str, pad: bool = True) -> str:
    """url-safe base64 as the sys/saveas parameters take it (the seeds' sample keeps padding)."""
    out = base64.urlsafe_b64encode(text.encode()).decode()
    return out if pad else out.rstrip("=")


def last_write(cloud: Any):
    writes = list(cloud.journal)
    assert writes, "no write was journaled"
    return writes[-1]


def event_record(write: Any) -> dict:
    """The single OSS record of the event a write carries."""
    assert write.event is not None, f"{write.api} carries no event"
    records = write.event.data["events"]
    assert len(records) == 1
    return records[0]
