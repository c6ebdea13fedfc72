"""MNS topic handlers (notifyContentFormat JSON) that publish what they computed.

``republish`` publishes the result back to the topic that triggered it: Topic A -> function
B -> Topic A, the loop seeds/001 (MNS 主题触发器 注意事项) warns about. ``forward`` publishes
to ``<topic>-results``; ``retag`` publishes to the same topic with the tag ``processed``,
which a subscription filtering on ``incoming`` never delivers.
"""

import json

from mns.account import Account
from mns.topic import TopicMessage


def _topic(context, name):
    creds = context.credentials
    endpoint = f"http://{context.account_id}.mns.{context.region}-internal.aliyuncs.com"
    account = Account(endpoint, creds.access_key_id, creds.access_key_secret, creds.security_token)
    return account.get_topic(name)


def _result(event):
    notification = json.loads(event)
    order = json.loads(notification["Message"])
    order["total"] = sum(item["price"] * item["qty"] for item in order["items"])
    return notification["TopicName"], json.dumps(order)


def republish(event, context):
    topic_name, body = _result(event)
    reply = _topic(context, topic_name).publish_message(TopicMessage(body))
    return reply.message_id


def forward(event, context):
    topic_name, body = _result(event)
    reply = _topic(context, topic_name + "-results").publish_message(TopicMessage(body))
    return reply.message_id


def retag(event, context):
    topic_name, body = _result(event)
    reply = _topic(context, topic_name).publish_message(TopicMessage(body, "processed"))
    return reply.message_id
