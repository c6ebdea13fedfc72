"""The reports function: its timer's next fire times and its MNS topic's JSON messages."""

import json
from datetime import datetime, timedelta, timezone

import pytest

BEIJING = timezone(timedelta(hours=8))


@pytest.mark.fc_matrix(app="../s.yaml", function="reports", vars={"bucket": "media-photos", "access": "default"})
def test_reports_for_every_trigger(fc_trigger_event, fc_matrix_case, fc_invoke):
    report = json.loads(fc_invoke(fc_matrix_case.function, fc_trigger_event).payload)

    if fc_matrix_case.trigger.type == "timer":
        # 'CRON_TZ=Asia/Shanghai 0 30 8 ? * MON-FRI': weekday mornings, Beijing time
        when = datetime.strptime(report["asOf"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
        local = when.astimezone(BEIJING)
        assert (local.hour, local.minute, local.second) == (8, 30, 0)
        assert local.weekday() < 5
        assert report == {"report": "daily-sales", "asOf": report["asOf"], "via": "timer"}
    else:
        # notifyContentFormat: JSON, so the handler sees the JSON envelope
        assert fc_matrix_case.id in ("on-demand[JSON]", "on-demand[JSON+attrs]")
        assert report["via"] == "mns" and report["messageId"] == fc_trigger_event.data["MessageId"]
