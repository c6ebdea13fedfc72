"""The audit function: SLS ranges of its source logstore and CBOR row changes."""

import json

import pytest


@pytest.mark.fc_matrix(app="../s.yaml", function="audit", vars={"bucket": "media-photos", "access": "default"})
def test_audit_accepts_both_sources(fc_trigger_event, fc_matrix_case, fc_invoke):
    result = json.loads(fc_invoke(fc_matrix_case.function, fc_trigger_event).payload)
    if fc_matrix_case.trigger.type == "log":
        assert fc_matrix_case.id == "access-log[media-logs/access]"
        assert result == {
            "kind": "sls",
            "logstore": "media-logs/access",
            "shard": fc_trigger_event.data["source"]["shardId"],
        }
        assert fc_trigger_event.data["parameter"] == {"audit": True}
    else:
        assert fc_matrix_case.variant in ("PutRow", "UpdateRow", "DeleteRow")
        assert result == {"kind": "tablestore", "changes": [fc_matrix_case.variant]}
