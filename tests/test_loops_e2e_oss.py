"""Real OSS handlers (oss2 and alibabacloud-oss-v2) through the Invoker: safe and looping forms.

The handler is the Python image-resize sample of seeds/003 ("OSS trigger": StsAuth from
context.credentials, get_object, process_object with sys/saveas into processed/), kept in
tests/data/loops/oss_resize. seeds/001 "触发规则" gives the safe configuration (the trigger
watches source/, the output goes elsewhere) and the loop (output lands where the trigger
watches).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pytest_fctrigger.invoke import Invoker
from pytest_fctrigger.loops import SelfTriggerLoop, SelfTriggerLoopWarning
from pytest_fctrigger.triggers.model import TriggerSpec

DATA = Path(__file__).parent / "data" / "loops"
RESIZE = str(DATA / "oss_resize")
RESIZE_V2 = str(DATA / "oss_resize_v2")
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4


@pytest.fixture
def images(fc_cloud):
    bucket = fc_cloud.oss.bucket("images")
    bucket.put("source/cat.png", PNG)
    return bucket


def invoker(fc_cloud, *triggers, **kwargs):
    return Invoker(cloud=fc_cloud, triggers=list(triggers), **kwargs)


def whole_bucket():
    return TriggerSpec.from_marker("oss", name="resize", bucket="images")


def source_only():
    return TriggerSpec.from_marker("oss", name="resize", bucket="images", prefix="source/")


# --------------------------------------------------------------------------- oss2 (seeds/003 sample)
def test_seed_sample_with_a_source_prefix_is_safe(fc_cloud, images, oss_event):
    result = invoker(fc_cloud, source_only())(
        "index.handler", oss_event(bucket="images", key="source/cat.png"), code_dir=RESIZE
    )
    assert result.loop is None
    assert [w.describe() for w in result.writes] == ["ProcessObject oss://images/processed/cat.png"]
    assert images.get("processed/cat.png") == PNG  # sys/saveas stores the source bytes


def test_seed_sample_on_a_whole_bucket_trigger_loops(fc_cloud, images, oss_event):
    with pytest.raises(SelfTriggerLoop) as info:
        invoker(fc_cloud, whole_bucket())(
            "index.handler", oss_event(bucket="images", key="source/cat.png"), code_dir=RESIZE
        )
    assert info.value.chain == (
        "oss trigger 'resize' on bucket 'images' (oss:ObjectCreated:*; no prefix/suffix filter) "
        "-> event ObjectCreated:PutObject oss://images/source/cat.png "
        "-> handler index.handler "
        "-> write ProcessObject oss://images/processed/cat.png "
        "-> fires oss trigger 'resize' again"
    )
    message = str(info.value)
    assert (
        "Why: bucket 'images' is the trigger's bucket; event ObjectCreated:PutObject is covered by "
        "oss:ObjectCreated:*; the trigger has no prefix/suffix filter, so every key matches."
    ) in message
    assert (
        'Fix: give the trigger a prefix or suffix filter (FC docs "OSS trigger overview": input under '
        "'src/', output under 'dst/') and write outside it, or write to another bucket than 'images'."
    ) in message


def test_seed_sample_that_saves_under_its_own_suffix_loops(fc_cloud, images, oss_event):
    trigger = TriggerSpec.from_marker(
        "oss", name="pngs", bucket="images", suffix=".png", events=["oss:ObjectCreated:PutObject"]
    )
    with pytest.raises(SelfTriggerLoop) as info:
        invoker(fc_cloud, trigger)("index.handler", oss_event(bucket="images", key="source/cat.png"), code_dir=RESIZE)
    # sys/saveas is journalled with the event name of a PutObject (the cloud/oss mapping)
    assert "-> write ProcessObject oss://images/processed/cat.png -> fires oss trigger 'pngs' again" in info.value.chain
    assert "key 'processed/cat.png' ends with the suffix '.png'" in str(info.value)


def test_warn_mode_lets_the_invocation_finish(fc_cloud, images, oss_event):
    with pytest.warns(SelfTriggerLoopWarning, match="fires oss trigger 'resize' again"):
        result = invoker(fc_cloud, whole_bucket(), loop_mode="warn")(
            "index.handler", oss_event(bucket="images", key="source/cat.png"), code_dir=RESIZE
        )
    assert result.payload == b"processed/cat.png"  # a str return value is sent as is
    assert result.loop.loop is True


def test_allow_mode_checks_nothing(fc_cloud, images, oss_event):
    result = invoker(fc_cloud, whole_bucket(), loop_mode="allow")(
        "index.handler", oss_event(bucket="images", key="source/cat.png"), code_dir=RESIZE
    )
    assert result.loop is None and len(result.writes) == 1


def test_depth_shows_the_seed_sample_never_converges(fc_cloud, images, oss_event):
    # processed/cat.png is re-delivered; replace('source/', ...) keeps the key, so it saves onto itself
    with pytest.raises(SelfTriggerLoop) as info:
        invoker(fc_cloud, whole_bucket(), loop_depth=2)(
            "index.handler", oss_event(bucket="images", key="source/cat.png"), code_dir=RESIZE
        )
    report = info.value.report
    assert report.converged is False and len(report.hops) == 2
    assert [h.event.data["events"][0]["oss"]["object"]["key"] for h in report.hops] == [
        "processed/cat.png",
        "processed/cat.png",
    ]
    assert "--fc-loop-depth 2: re-delivered 2 hops; the chain does not converge" in str(info.value)


def test_explicit_triggers_argument_overrides_the_invokers(fc_cloud, images, oss_event):
    inv = invoker(fc_cloud, source_only())
    with pytest.raises(SelfTriggerLoop):
        inv(
            "index.handler",
            oss_event(bucket="images", key="source/cat.png"),
            code_dir=RESIZE,
            triggers=[whole_bucket()],
        )
    images.put("source/dog.png", PNG)
    assert inv("index.handler", oss_event(bucket="images", key="source/dog.png"), code_dir=RESIZE).loop is None


# --------------------------------------------------------------------------- alibabacloud-oss-v2
def test_v2_variant_safe(fc_cloud, images, oss_event):
    result = invoker(fc_cloud, source_only())(
        "index.handler", oss_event(bucket="images", key="source/cat.png"), code_dir=RESIZE_V2
    )
    assert result.loop is None
    assert [(w.describe(), w.sdk) for w in result.writes] == [
        ("PutObject oss://images/processed/cat.png", "alibabacloud_oss_v2")
    ]


def test_v2_variant_loops_at_the_first_hop(fc_cloud, images, oss_event):
    with pytest.raises(SelfTriggerLoop) as info:
        invoker(fc_cloud, whole_bucket())(
            "index.handler", oss_event(bucket="images", key="source/cat.png"), code_dir=RESIZE_V2
        )
    assert info.value.chain.endswith(
        "-> handler index.handler -> write PutObject oss://images/processed/cat.png -> fires oss trigger 'resize' again"
    )


def test_v2_variant_converges_when_the_event_is_redelivered(fc_cloud, images, oss_event):
    # the handler skips keys already under processed/: one extra invocation, then nothing
    result = invoker(fc_cloud, whole_bucket(), loop_depth=3)(
        "index.handler", oss_event(bucket="images", key="source/cat.png"), code_dir=RESIZE_V2
    )
    report = result.loop
    assert report.loop is False and report.converged is True and len(report.hops) == 1
    assert report.chain.endswith(
        "-> event ObjectCreated:PutObject oss://images/processed/cat.png -> handler index.handler "
        "-> no write fires a trigger (chain ends)"
    )
    assert result.writes[0].describe() == "PutObject oss://images/processed/cat.png"
