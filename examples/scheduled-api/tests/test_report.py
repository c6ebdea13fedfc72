"""The weekday report is run at the trigger's next fire times, from s.yaml's cron."""

import datetime
import json

import pytest

from pytest_fctrigger import lint, next_fires


@pytest.mark.fc_matrix(app="../s.yaml", function="report", fires=5)
def test_the_report_runs_at_every_fire_time(fc_trigger_event, fc_matrix_case, fc_invoke):
    result = fc_invoke(fc_matrix_case.function, fc_trigger_event)

    report = json.loads(result.payload)
    assert report["team"] == "ops"
    assert report["day"] in {"Monday", "Tuesday", "Wednesday", "Thursday", "Friday"}
    assert report["trigger"] == "weekday-morning"


def test_fire_times_are_0930_in_shanghai_on_weekdays(fc_app):
    trigger = fc_app.function("report").trigger("weekday-morning")
    friday_noon_utc = datetime.datetime(2026, 11, 20, 12, 0, tzinfo=datetime.timezone.utc)

    fires = next_fires(trigger, friday_noon_utc, 3)

    # 09:30 in Shanghai (UTC+8) is 01:30 UTC; after Friday noon the next is Monday's
    assert [f.isoformat() for f in fires] == [
        "2026-11-23T01:30:00+00:00",
        "2026-11-24T01:30:00+00:00",
        "2026-11-25T01:30:00+00:00",
    ]


def test_a_weekend_event_is_rejected(fc_invoke, fc_app, timer_event):
    saturday = timer_event(
        trigger_name="weekday-morning",
        payload='{"team": "ops"}',
        trigger_time=datetime.datetime(2026, 11, 21, 1, 30, tzinfo=datetime.timezone.utc),
    )

    result = fc_invoke(fc_app.function("report"), saturday, catch=True)

    assert result.error["errorType"] == "ValueError"
    assert "weekend" in result.error["errorMessage"]


def test_the_app_passes_lint(fc_app):
    assert [f for f in lint(fc_app) if f.severity == "error"] == []
