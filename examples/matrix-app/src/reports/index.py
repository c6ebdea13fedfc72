"""Build a report on a schedule (timer trigger) or on request (MNS topic, JSON format)."""

import json


def handler(event, context):
    message = json.loads(event)
    if "triggerTime" in message:  # timer trigger: {"triggerTime", "triggerName", "payload"}
        request = json.loads(message["payload"])
        return {"report": request["report"], "asOf": message["triggerTime"], "via": "timer"}
    # MNS topic trigger, JSON format: the published text is in "Message"
    return {
        "report": message["Message"],
        "asOf": message["PublishTime"],
        "via": "mns",
        "messageId": message["MessageId"],
    }
