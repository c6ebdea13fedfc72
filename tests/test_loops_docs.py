"""docs/loops.md shows exactly what the loop detector prints for its examples.

Every ```text block after a `<!-- loops-example: NAME -->` comment is compared with the
message of the scenario NAME below, run through the real SDKs (tests/data/loops handlers).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pytest_fctrigger.invoke import Invoker
from pytest_fctrigger.loops import SelfTriggerLoop
from pytest_fctrigger.triggers.loader import load_app
from pytest_fctrigger.triggers.model import TriggerSpec

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data" / "loops"
PAGE = ROOT / "docs" / "loops.md"


def documented():
    text = PAGE.read_text(encoding="utf-8")
    return dict(re.findall(r"<!-- loops-example: (\w+) -->\n```text\n(.*?)\n```", text, re.S))


def whole_bucket():
    return [TriggerSpec.from_marker("oss", name="resize", bucket="images")]


def oss(cloud, events, code, depth=0):
    cloud.oss.bucket("images").put("source/cat.png", b"\x89PNG fake")
    inv = Invoker(cloud=cloud, triggers=whole_bucket(), loop_depth=depth)
    return inv("index.handler", events.oss_event(bucket="images", key="source/cat.png"), code_dir=str(DATA / code))


def mns(cloud, events):
    cloud.mns.topic("orders")
    trigger = TriggerSpec.from_marker("mns_topic", name="orders", topic="orders", format="JSON")
    event = events.mns_topic_event(
        message='{"id": 7, "items": [{"price": 3, "qty": 2}]}', format="JSON", topic="orders"
    )
    return Invoker(cloud=cloud, triggers=[trigger])("index.republish", event, code_dir=str(DATA / "mns_republish"))


def tablestore(cloud, events):
    cloud.tablestore.table("shop", "orders")
    trigger = TriggerSpec.from_marker("tablestore", name="orders-stream", instance="shop", table="orders")
    record = events.tablestore_record(type="PutRow", primary_key=[("id", 42)], columns=[("status", "new")])
    return Invoker(cloud=cloud, triggers=[trigger])(
        "index.mark_processed", events.tablestore_event(records=[record]), code_dir=str(DATA / "ots_mark")
    )


def cascade(cloud, events):
    cloud.oss.bucket("media-pipeline").put("in/report.txt", b"hello world")
    app = load_app(DATA / "cascade" / "s.yaml")
    return Invoker(cloud=cloud, app=app, loop_depth=1)(
        app.function("split"), events.oss_event(bucket="media-pipeline", key="in/report.txt")
    )


SCENARIOS = {
    "oss": lambda c, e: oss(c, e, "oss_resize"),
    "mns": mns,
    "tablestore": tablestore,
    "converges": lambda c, e: oss(c, e, "oss_resize_v2", depth=3),
    "depth": lambda c, e: oss(c, e, "oss_resize", depth=3),
    "cascade": cascade,
}


class Builders:
    """The event-builder fixtures, under their names."""

    def __init__(self, request):
        self._request = request

    def __getattr__(self, name):
        return self._request.getfixturevalue(name)


def test_every_documented_example_has_a_scenario():
    assert sorted(documented()) == sorted(SCENARIOS)


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_documented_message_is_what_the_detector_prints(name, fc_cloud, request):
    try:
        message = SCENARIOS[name](fc_cloud, Builders(request)).loop.message
    except SelfTriggerLoop as exc:
        message = str(exc)
    assert documented()[name] == message
