"""LoopDetector: modes, the chain in words, depth re-delivery and cascades (plain calls, fake hops).

The handlers here are stand-ins returning journal writes; tests/test_loops_e2e_*.py run real
handlers through the real SDKs. Sources: seeds/001 OSS "触发规则" (src/ -> dst/), MNS and
Tablestore "注意事项" (Topic A -> function B -> Topic A; Table A -> function B -> Table A).
"""

from __future__ import annotations

import warnings

import pytest
from loops_helpers import mns_write, oss_event_bytes, oss_write, ots_write, sls_write

from pytest_fctrigger.loops import (
    MAX_REDELIVERIES_PER_HOP,
    LoopDetector,
    Redelivery,
    SelfTriggerLoop,
    SelfTriggerLoopWarning,
)
from pytest_fctrigger.triggers.model import App, FunctionSpec, TriggerSpec

RESIZE = dict(name="resize", bucket="images", prefix="source/")
CHAIN = (
    "oss trigger 'resize' on bucket 'images' (oss:ObjectCreated:*; prefix 'source/') "
    "-> event ObjectCreated:PutObject oss://images/source/cat.png "
    "-> handler resize.handler "
    "-> write PutObject oss://images/source/cat_128.png "
    "-> fires oss trigger 'resize' again"
)


def detector(**kwargs):
    return LoopDetector([TriggerSpec.from_marker("oss", **RESIZE)], **kwargs)


def first_write():
    return [oss_write("images", "source/cat_128.png")]


def check(det, writes=None, redeliver=None):
    return det.check(
        first_write() if writes is None else writes,
        event=oss_event_bytes("images", "source/cat.png"),
        handler="resize.handler",
        redeliver=redeliver,
    )


# --------------------------------------------------------------------------- modes
def test_fail_mode_raises_with_the_chain_why_and_fix():
    with pytest.raises(SelfTriggerLoop) as info:
        check(detector())
    exc = info.value
    assert exc.chain == CHAIN
    lines = str(exc).splitlines()
    assert lines[0] == (
        "Self-trigger loop: handler resize.handler writes what fires its own trigger, "
        "so in FC every invocation starts another one."
    )
    assert lines[1:6] == [
        "  oss trigger 'resize' on bucket 'images' (oss:ObjectCreated:*; prefix 'source/')",
        "  -> event ObjectCreated:PutObject oss://images/source/cat.png",
        "  -> handler resize.handler",
        "  -> write PutObject oss://images/source/cat_128.png",
        "  -> fires oss trigger 'resize' again",
    ]
    assert lines[6] == (
        "Why: bucket 'images' is the trigger's bucket; event ObjectCreated:PutObject is "
        "covered by oss:ObjectCreated:*; key 'source/cat_128.png' starts with the prefix "
        "'source/'."
    )
    assert lines[7] == (
        "Fix: write under a prefix the trigger does not match (it watches 'source/'), "
        "e.g. 'processed/', or to another bucket than 'images'."
    )
    assert exc.report.loop and not exc.report.cascade and exc.report.converged is None


def test_warn_mode_warns_with_the_same_message_and_returns_the_report():
    with pytest.warns(SelfTriggerLoopWarning) as record:
        report = check(detector(mode="warn"))
    assert report.loop
    assert len(record) == 1
    assert CHAIN.split(" -> ")[-1] in str(record[0].message)
    assert str(record[0].message) == report.message


def test_allow_mode_is_silent():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert check(detector(mode="allow")) is None


@pytest.mark.parametrize(
    "writes",
    [
        [oss_write("images", "processed/cat_128.png")],  # the seeds' src/ -> dst/ fix
        [oss_write("thumbnails", "source/cat_128.png")],  # another bucket
        [oss_write("images", "source/cat.png", "DeleteObject", "ObjectRemoved:DeleteObject")],
        [mns_write("images"), ots_write("images", "source")],
        [],
    ],
)
def test_safe_writes_report_nothing(writes):
    assert check(detector(), writes) is None


def test_origin_unknown_still_names_the_trigger_fired():
    det = detector()
    with pytest.raises(SelfTriggerLoop) as info:
        det.check(first_write(), handler="resize.handler")
    assert info.value.chain == (
        "handler resize.handler -> write PutObject oss://images/source/cat_128.png "
        "-> fires its own oss trigger 'resize' on bucket 'images' (oss:ObjectCreated:*; prefix 'source/')"
    )


def test_only_the_looping_write_is_reported_among_many():
    writes = [
        oss_write("images", "processed/a.png"),
        mns_write("events"),
        oss_write("images", "source/b.png", "CopyObject"),
        oss_write("images", "source/c.png"),
    ]
    with pytest.raises(SelfTriggerLoop) as info:
        check(detector(), writes)
    assert "-> write CopyObject oss://images/source/b.png" in info.value.chain
    assert [m.write.resource["key"] for m in info.value.report.matches] == ["source/b.png", "source/c.png"]
    assert "(1 more write(s) of the first invocation also fire triggers.)" in str(info.value)


# --------------------------------------------------------------------------- fixes per service
def _loop_message(trigger, write):
    with pytest.raises(SelfTriggerLoop) as info:
        LoopDetector([trigger]).check([write], handler="h")
    return str(info.value)


def test_mns_fix_names_the_filter_tag():
    msg = _loop_message(
        TriggerSpec.from_marker("mns_topic", topic="orders", filter_tag="new"), mns_write("orders", tag="new")
    )
    assert "-> write PublishMessage topic 'orders' with tag 'new'" in msg
    assert (
        "Fix: publish with a message tag other than the subscription's filterTag 'new', "
        "or to another topic than 'orders'."
    ) in msg


def test_mns_fix_without_filter_tag():
    msg = _loop_message(TriggerSpec.from_marker("mns_topic", topic="orders"), mns_write("orders"))
    assert "which has no filterTag, so every message fires it" in msg
    assert "Fix: publish to another topic than 'orders', or give the trigger a filterTag" in msg


def test_tablestore_fix_mentions_retries_until_the_stream_expires():
    msg = _loop_message(
        TriggerSpec.from_marker("tablestore", instance="shop", table="orders"), ots_write("shop", "orders", "UpdateRow")
    )
    assert "-> write UpdateRow table shop/orders" in msg
    assert "Fix: write the result to another table than shop/orders; FC retries a failing" in msg


def test_sls_fix():
    msg = _loop_message(TriggerSpec.from_marker("log", project="etl", logstore="raw"), sls_write("etl", "raw"))
    assert "Fix: put the logs into another logstore than the trigger's source etl/raw." in msg


@pytest.mark.parametrize(
    "config, fix",
    [
        ({"suffix": ".png"}, "write keys that do not end with '.png', or give the trigger a prefix"),
        (
            {},
            "give the trigger a prefix or suffix filter (FC docs \"OSS trigger overview\": input under 'src/', "
            "output under 'dst/')",
        ),
        ({"prefix": "in/", "suffix": ".png"}, "it watches keys starting with 'in/' and ending with '.png'"),
    ],
)
def test_oss_fix_depends_on_the_filter(config, fix):
    msg = _loop_message(TriggerSpec.from_marker("oss", bucket="bkt", **config), oss_write("bkt", "in/x.png"))
    assert fix in msg


# --------------------------------------------------------------------------- depth
class ResizeAgain:
    """A stand-in handler: writes `<key>_128.png` back until the name has `stop_after` suffixes."""

    def __init__(self, stop_after=None, error_at=None):
        self.stop_after = stop_after
        self.error_at = error_at
        self.events = []

    def __call__(self, watched, event):
        self.events.append(event)
        key = event.data["events"][0]["oss"]["object"]["key"]
        if self.error_at is not None and len(self.events) == self.error_at:
            return Redelivery([], "resize.handler", error="KeyError: 'x'")
        if self.stop_after is not None and key.count("_128") >= self.stop_after:
            return Redelivery([], "resize.handler")
        return Redelivery([oss_write("images", key.replace(".png", "_128.png"))], "resize.handler")


def test_depth_redelivers_the_generated_event_until_the_chain_converges():
    handler = ResizeAgain(stop_after=2)
    report = check(detector(depth=5), redeliver=handler)  # converges: no raise
    assert report.converged is True and report.loop is False
    assert [e.data["events"][0]["oss"]["object"]["key"] for e in handler.events] == [
        "source/cat_128.png",
        "source/cat_128_128.png",
    ]
    assert len(report.hops) == 2
    assert report.chain.endswith(
        "-> event ObjectCreated:PutObject oss://images/source/cat_128_128.png "
        "-> handler resize.handler -> no write fires a trigger (chain ends)"
    )
    assert "--fc-loop-depth 5: the chain converges after 2 re-deliveries." in report.message


def test_depth_reports_a_chain_that_does_not_converge():
    handler = ResizeAgain()
    with pytest.raises(SelfTriggerLoop) as info:
        check(detector(depth=3), redeliver=handler)
    report = info.value.report
    assert len(handler.events) == 3 and len(report.hops) == 3
    assert report.converged is False
    assert info.value.chain.count("-> fires oss trigger 'resize' again") == 4
    assert (
        "--fc-loop-depth 3: re-delivered 3 hops; the chain does not converge "
        "(every hop writes what fires a trigger again)."
    ) in str(info.value)
    assert "Why (hop 3): " in str(info.value)


def test_depth_without_a_redeliver_callback_is_static():
    with pytest.raises(SelfTriggerLoop) as info:
        check(detector(depth=3))
    assert info.value.report.hops == [] and info.value.report.converged is None


def test_a_hop_that_raises_ends_the_chain_and_is_shown():
    report = check(detector(depth=4), redeliver=ResizeAgain(error_at=2))
    assert report.converged is True
    assert "-> handler resize.handler -> raised KeyError: 'x' -> no write fires a trigger" in report.chain


def test_a_write_without_an_event_cannot_be_redelivered():
    write = oss_write("images", "source/x.png")
    write.event = None
    with pytest.raises(SelfTriggerLoop) as info:
        check(detector(depth=2), [write], redeliver=ResizeAgain())
    assert "not re-delivered: the write PutObject oss://images/source/x.png carries no event" in info.value.chain


def test_fan_out_is_capped_per_hop():
    def twice(watched, event):
        key = event.data["events"][0]["oss"]["object"]["key"]
        return Redelivery([oss_write("images", key + ".a"), oss_write("images", key + ".b")], "h")

    with pytest.raises(SelfTriggerLoop) as info:
        check(detector(depth=5), redeliver=twice)
    report = info.value.report
    assert report.truncated
    per_hop = {}
    for hop in report.hops:
        per_hop[hop.number] = per_hop.get(hop.number, 0) + 1
    assert max(per_hop.values()) == MAX_REDELIVERIES_PER_HOP
    assert f"(at most {MAX_REDELIVERIES_PER_HOP} re-deliveries per hop were followed)" in str(info.value)


# --------------------------------------------------------------------------- cascades
def _app():
    a_in = TriggerSpec.from_marker("oss", name="a-in", bucket="media", prefix="in/")
    b_mid = TriggerSpec.from_marker("oss", name="b-mid", bucket="media", prefix="mid/")
    c_out = TriggerSpec.from_marker("oss", name="c-out", bucket="media", prefix="out/")
    return App(
        functions={
            "a": FunctionSpec("a", triggers=[a_in]),
            "b": FunctionSpec("b", triggers=[b_mid]),
            "c": FunctionSpec("c", triggers=[c_out]),
        }
    )


def _run_a(depth, redeliver=None):
    app = _app()
    det = LoopDetector(app.functions["a"].triggers, function="a", app=app, depth=depth)
    return det.check(
        [oss_write("media", "mid/x")],
        event=oss_event_bytes("media", "in/x"),
        handler="index.handler (function 'a')",
        redeliver=redeliver,
    )


def _functions(mapping):
    """A redeliver callback: function name -> keys it writes for any event."""
    calls = []

    def redeliver(watched, event):
        calls.append(watched.function_name)
        writes = [oss_write("media", k) for k in mapping.get(watched.function_name, [])]
        return Redelivery(writes, f"index.handler (function {watched.function_name!r})")

    redeliver.calls = calls
    return redeliver


def test_cascade_edge_alone_is_reported_but_not_a_loop_at_depth_0():
    report = _run_a(0)
    assert report.loop is False and report.cycle == []
    assert report.chain.endswith(
        "-> fires function 'b' through oss trigger 'b-mid' on bucket 'media' (oss:ObjectCreated:*; prefix 'mid/')"
    )
    assert "--fc-loop-depth N follows the cascade" in report.message


def test_two_function_cycle_is_reported_after_redelivery_to_the_second_function():
    redeliver = _functions({"b": ["in/x.2"]})
    with pytest.raises(SelfTriggerLoop) as info:
        _run_a(1, redeliver)
    report = info.value.report
    assert redeliver.calls == ["b"]
    assert report.cascade and report.cycle == ["'a'", "'b'", "'a'"]
    assert str(info.value).startswith("Self-trigger loop across functions: 'a' -> 'b' -> 'a'.")
    assert info.value.chain == (
        "oss trigger 'a-in' on bucket 'media' (oss:ObjectCreated:*; prefix 'in/') "
        "-> event ObjectCreated:PutObject oss://media/in/x "
        "-> handler index.handler (function 'a') "
        "-> write PutObject oss://media/mid/x "
        "-> fires function 'b' through oss trigger 'b-mid' on bucket 'media' (oss:ObjectCreated:*; prefix 'mid/') "
        "-> event ObjectCreated:PutObject oss://media/mid/x "
        "-> handler index.handler (function 'b') "
        "-> write PutObject oss://media/in/x.2 "
        "-> fires function 'a' through oss trigger 'a-in' on bucket 'media' (oss:ObjectCreated:*; prefix 'in/') again"
    )
    assert "Fix (break the cycle at any one step):" in str(info.value)
    assert (
        "  - handler index.handler (function 'b'), whose write fires oss trigger 'a-in' of function 'a': "
        "write under a prefix the trigger does not match (it watches 'in/')"
    ) in str(info.value)


def test_cycle_that_converges_when_followed_deeper_passes():
    # a writes mid/ for in/x but nothing for in/x.2 (it checks the name); b writes in/x.2
    calls = []

    def redeliver(watched, event):
        key = event.data["events"][0]["oss"]["object"]["key"]
        calls.append((watched.function_name, key))
        if watched.function_name == "b":
            return Redelivery([oss_write("media", "in/x.2")], "b")
        return Redelivery([], "a")

    report = _run_a(3, redeliver)
    assert calls == [("b", "mid/x"), ("a", "in/x.2")]
    assert report.converged is True and report.loop is False


def test_a_pipeline_without_a_cycle_is_not_a_loop():
    redeliver = _functions({"b": ["out/x"], "c": []})  # a -> b -> c, c writes nothing
    report = _run_a(3, redeliver)
    assert redeliver.calls == ["b", "c"]
    assert report.loop is False and report.converged is True


def test_a_pipeline_cut_by_depth_is_not_called_a_loop():
    redeliver = _functions({"b": ["out/x"], "c": ["archive/x"]})
    report = _run_a(1, redeliver)
    assert report.loop is False and report.converged is False
    assert "no cycle found within 1 hop)" in report.message
