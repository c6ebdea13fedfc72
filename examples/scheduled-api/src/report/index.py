"""Weekday report: reads the timer event FC sends (triggerTime, triggerName, payload)."""

import datetime
import json


def handler(event, context):
    evt = json.loads(event)
    fired = datetime.datetime.strptime(evt["triggerTime"], "%Y-%m-%dT%H:%M:%SZ")
    payload = json.loads(evt["payload"])
    if fired.weekday() >= 5:
        raise ValueError(f"the report must not run on a weekend: {evt['triggerTime']}")
    return {"team": payload["team"], "day": fired.strftime("%A"), "trigger": evt["triggerName"]}
