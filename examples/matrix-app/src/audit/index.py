"""Audit trail: SLS ETL ranges (JSON) and Tablestore row changes (CBOR)."""

import json

try:  # the FC Python runtimes ship `cbor`; elsewhere `cbor2` decodes the same bytes
    import cbor
except ImportError:  # pragma: no cover - depends on the environment
    import cbor2 as cbor


def handler(event, context):
    if event[:1] == b"{":
        source = json.loads(event)["source"]
        return {
            "kind": "sls",
            "logstore": source["projectName"] + "/" + source["logstoreName"],
            "shard": source["shardId"],
        }
    records = cbor.loads(event)["Records"]
    return {"kind": "tablestore", "changes": [r["Type"] for r in records]}
