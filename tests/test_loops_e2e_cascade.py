"""Two-function cycles in an app loaded from s.yaml (tests/data/loops/cascade).

`split` (trigger: in/) writes mid/; `merge` (trigger: mid/) writes ${vars.merged_prefix}. With
merged_prefix in/, merge's output fires split again: neither function writes what fires
itself, yet together they loop. Detected from split's own journal plus one re-delivery to merge.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pytest_fctrigger.invoke import Invoker
from pytest_fctrigger.loops import SelfTriggerLoop
from pytest_fctrigger.triggers.loader import load_app

S_YAML = Path(__file__).parent / "data" / "loops" / "cascade" / "s.yaml"


@pytest.fixture
def upload(fc_cloud, oss_event):
    fc_cloud.oss.bucket("media-pipeline").put("in/report.txt", b"hello world")
    return oss_event(bucket="media-pipeline", key="in/report.txt")


def run(fc_cloud, app, event, depth):
    invoker = Invoker(cloud=fc_cloud, app=app, loop_depth=depth)
    return invoker(app.function("split"), event)


def test_depth_0_reports_only_the_edge_to_the_other_function(fc_cloud, upload):
    app = load_app(S_YAML)
    result = run(fc_cloud, app, upload, 0)
    report = result.loop
    assert report.loop is False and report.cycle == []
    assert report.chain == (
        "oss trigger 'uploads' on bucket 'media-pipeline' (oss:ObjectCreated:PutObject, "
        "oss:ObjectCreated:PostObject; prefix 'in/') "
        "-> event ObjectCreated:PutObject oss://media-pipeline/in/report.txt "
        "-> handler index.handler (function 'split') "
        "-> write PutObject oss://media-pipeline/mid/report.txt "
        "-> fires function 'merge' through oss trigger 'parts' on bucket 'media-pipeline' "
        "(oss:ObjectCreated:*; prefix 'mid/')"
    )


def test_two_function_cycle_from_s_yaml(fc_cloud, upload):
    app = load_app(S_YAML)
    with pytest.raises(SelfTriggerLoop) as info:
        run(fc_cloud, app, upload, 1)
    report = info.value.report
    assert report.cascade and report.cycle == ["'split'", "'merge'", "'split'"]
    message = str(info.value)
    assert message.startswith("Self-trigger loop across functions: 'split' -> 'merge' -> 'split'.")
    assert info.value.chain.endswith(
        "-> event ObjectCreated:PutObject oss://media-pipeline/mid/report.txt "
        "-> handler index.handler (function 'merge') "
        "-> write PutObject oss://media-pipeline/in/report.txt.merged "
        "-> fires function 'split' through oss trigger 'uploads' on bucket 'media-pipeline' "
        "(oss:ObjectCreated:PutObject, oss:ObjectCreated:PostObject; prefix 'in/') again"
    )
    assert (
        "  - handler index.handler (function 'merge'), whose write fires oss trigger 'uploads' of "
        "function 'split': write under a prefix the trigger does not match (it watches 'in/')"
    ) in message
    # merge really ran (re-delivery), with its environment from s.yaml
    assert fc_cloud.oss.bucket("media-pipeline").get("in/report.txt.merged") == b"hello world"


def test_cycle_keeps_going_when_followed_deeper(fc_cloud, upload):
    app = load_app(S_YAML)
    with pytest.raises(SelfTriggerLoop) as info:
        run(fc_cloud, app, upload, 3)
    hops = info.value.report.hops
    assert [h.handler for h in hops] == [
        "index.handler (function 'merge')",
        "index.handler (function 'split')",
        "index.handler (function 'merge')",
    ]
    assert "--fc-loop-depth 3: re-delivered 3 hops; the chain does not converge" in str(info.value)


def test_pipeline_writing_elsewhere_converges(fc_cloud, upload):
    app = load_app(S_YAML, vars={"merged_prefix": "out/"})
    result = run(fc_cloud, app, upload, 2)
    assert result.loop.loop is False and result.loop.converged is True
    assert result.loop.chain.endswith(
        "-> handler index.handler (function 'merge') -> no write fires a trigger (chain ends)"
    )
