"""Small fc3 apps for the flow tests, written as JSON (valid YAML) into tmp_path."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict

CODE = Path(__file__).parent / "data" / "flows" / "code"
ACCOUNT = "0123456789012345"
REGION = "cn-hangzhou"


def write_app(tmp_path: Path, **functions: Dict[str, Any]) -> Path:
    resources = {}
    for name, props in functions.items():
        props = dict(props)
        full = {
            "region": REGION,
            "functionName": name,
            "runtime": props.pop("runtime", "python3.10"),
            "handler": "index." + props.pop("handler"),
            "code": str(CODE),
            "timeout": 10,
        }
        env = props.pop("env", None)
        if env:
            full["environmentVariables"] = {k: str(v) for k, v in env.items()}
        full.update(props)
        resources[name] = {"component": "fc3", "props": full}
    path = tmp_path / "s.yaml"
    path.write_text(json.dumps({"edition": "3.0.0", "name": "flows", "access": "default", "resources": resources}))
    return path


def oss(name: str, bucket: str, prefix: str = "", events: Any = ("oss:ObjectCreated:*",)) -> Dict[str, Any]:
    return {
        "triggerName": name,
        "triggerType": "oss",
        "sourceArn": f"acs:oss:{REGION}:{ACCOUNT}:{bucket}",
        "triggerConfig": {"events": list(events), "filter": {"key": {"prefix": prefix, "suffix": ""}}},
    }


def mns(name: str, topic: str, **config: Any) -> Dict[str, Any]:
    return {
        "triggerName": name,
        "triggerType": "mns_topic",
        "sourceArn": f"acs:mns:{REGION}:{ACCOUNT}:/topics/{topic}",
        "triggerConfig": config,
    }


def ots(name: str, instance: str, table: str) -> Dict[str, Any]:
    return {
        "triggerName": name,
        "triggerType": "tablestore",
        "sourceArn": f"acs:ots:{REGION}:{ACCOUNT}:instance/{instance}/table/{table}",
        "triggerConfig": {},
    }


def timer(name: str, cron: str, payload: str = "") -> Dict[str, Any]:
    return {
        "triggerName": name,
        "triggerType": "timer",
        "triggerConfig": {"cronExpression": cron, "payload": payload, "enable": True},
    }


def eventbridge(name: str, *, source: Dict[str, Any], pattern: Any = None, **extra: Any) -> Dict[str, Any]:
    config: Dict[str, Any] = {"triggerEnable": True, "asyncInvocationType": False, "eventSourceConfig": source}
    if pattern is not None:
        config["eventRuleFilterPattern"] = json.dumps(pattern)
    config.update(extra)
    return {"triggerName": name, "triggerType": "eventbridge", "triggerConfig": config}


def queue_arn(queue: str) -> str:
    return f"acs:mns:{REGION}:{ACCOUNT}:/queues/{queue}/messages"


def mns_account(context_or_cloud: Any = None) -> Any:
    """An MNS SDK account for the test side (fake keys), to publish like a producer."""
    from mns.account import Account

    return Account(f"http://{ACCOUNT}.mns.{REGION}.aliyuncs.com", "LTAI-test", "secret")


def oss_bucket(name: str) -> Any:
    import oss2

    return oss2.Bucket(oss2.Auth("LTAI-test-key-id", "test-key-secret"), f"https://oss-{REGION}.aliyuncs.com", name)
