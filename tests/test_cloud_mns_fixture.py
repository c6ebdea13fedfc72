"""The MNS page's example (docs/cloud/mns.md) run as a user's test file, through the
``fc_cloud`` and ``fc_invoke`` fixtures."""

import pytest

pytest.importorskip("mns")

EXAMPLE = '''
from mns.account import Account
from mns.topic import TopicMessage


def handler(event, context):
    creds = context.credentials
    account = Account(f"http://{context.account_id}.mns.{context.region}-internal.aliyuncs.com",
                      creds.access_key_id, creds.access_key_secret, creds.security_token)
    account.get_topic("processed").publish_message(TopicMessage(event.decode().upper(), "done"))


def test_handler_republishes(fc_cloud, fc_invoke):
    fc_cloud.mns.topic("processed")
    incoming = fc_cloud.mns.topic("orders").publish("order 42")
    result = fc_invoke(handler, incoming.event)
    (write,) = result.writes
    assert write.attributes["message"] == "ORDER 42"
    assert fc_cloud.mns.topic("processed").published[0].tag == "done"


def test_topics_do_not_leak_between_tests(fc_cloud):
    assert fc_cloud.mns.topics == {}
'''


def test_documented_example_passes(pytester):
    pytester.makepyfile(test_example=EXAMPLE)
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=2)

