"""Helpers for the trigger/lint/matrix tests: write small real-shaped s.yaml files."""

from __future__ import annotations

from pathlib import Path
from typing import Dict, List, Optional

import yaml


def write_fc3(
    directory: Path,
    functions: Dict[str, List[dict]],
    *,
    name: str = "s.yaml",
    region: str = "cn-hangzhou",
    extra_vars: Optional[dict] = None,
) -> Path:
    """An ``edition: 3.0.0`` s.yaml with one fc3 resource per function and the given triggers."""
    doc = {
        "edition": "3.0.0",
        "name": "lint-case",
        "access": "default",
        "vars": {"region": region, **(extra_vars or {})},
        "resources": {
            fn: {
                "component": "fc3",
                "props": {
                    "region": "${vars.region}",
                    "functionName": fn,
                    "runtime": "python3.10",
                    "handler": "index.handler",
                    "code": "./code",
                    "triggers": triggers,
                },
            }
            for fn, triggers in functions.items()
        },
    }
    path = directory / name
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return path


def write_fc(directory: Path, functions: Dict[str, List[dict]], *, name: str = "s.yaml") -> Path:
    """An ``edition: 1.0.0`` s.yaml with one fc service per function and the given triggers."""
    doc = {
        "edition": "1.0.0",
        "name": "lint-case",
        "access": "default",
        "services": {
            fn: {
                "component": "fc",
                "props": {
                    "region": "cn-hangzhou",
                    "service": {"name": "svc"},
                    "function": {"name": fn, "runtime": "python3.9", "handler": "index.handler", "codeUri": "./code"},
                    "triggers": triggers,
                },
            }
            for fn, triggers in functions.items()
        },
    }
    path = directory / name
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return path


def oss_trigger(name: str, events, prefix: str = "", suffix: str = "", bucket: str = "bkt") -> dict:
    return {
        "triggerName": name,
        "triggerType": "oss",
        "sourceArn": f"acs:oss:cn-hangzhou:${{config(AccountID)}}:{bucket}",
        "triggerConfig": {
            "events": [events] if isinstance(events, str) else list(events),
            "filter": {"key": {"prefix": prefix, "suffix": suffix}},
        },
    }


def codes(findings) -> List[str]:
    return [f.code for f in findings]
