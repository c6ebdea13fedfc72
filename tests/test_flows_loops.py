"""Cycles across functions in flows, cause links, tree() and to_mermaid().

A chain that reaches the same function through the same trigger again is a SelfTriggerLoop
naming every hop (FC does not stop such loops: seeds/003 OSS trigger "You must prevent
recursive invocations"; seeds/001 OSS 触发规则 "避免循环触发").
"""

from __future__ import annotations

from pathlib import Path

import pytest
from flows_helpers import oss_bucket

from pytest_fctrigger.flows import make_flow
from pytest_fctrigger.loops import SelfTriggerLoop

CASCADE = Path(__file__).parent / "data" / "loops" / "cascade" / "s.yaml"


def test_two_function_cycle_is_reported_with_both_hops(fc_cloud):
    fc_cloud.oss.bucket("media-pipeline", region="cn-hangzhou")
    flow = make_flow(CASCADE, fc_cloud)
    oss_bucket("media-pipeline").put_object("in/report.txt", b"hello world")
    with pytest.raises(SelfTriggerLoop) as info:
        flow.run()
    message = str(info.value)
    assert message.startswith("Self-trigger loop across functions: 'split' -> 'merge' -> 'split'.")
    assert "hop 1: the test wrote PutObject oss://media-pipeline/in/report.txt, which fires function 'split'" in message
    assert (
        "hop 2: function 'split' wrote PutObject oss://media-pipeline/mid/report.txt, which fires function 'merge'"
        in message
    )
    assert (
        "hop 3: function 'merge' wrote PutObject oss://media-pipeline/in/report.txt.merged, which fires "
        "function 'split' through oss trigger 'uploads'" in message
    )
    assert message.count("again") == 1
    assert info.value.report.cycle == ["'split'", "'merge'", "'split'"] and info.value.report.cascade
    # the loop is found before the third invocation runs: split and merge ran once each
    assert [i.function for i in flow.history] == ["split", "merge"]


def test_converging_chain_runs_to_the_end_with_cause_links(fc_cloud):
    fc_cloud.oss.bucket("media-pipeline", region="cn-hangzhou")
    flow = make_flow(CASCADE, fc_cloud, vars={"merged_prefix": "done/"})
    oss_bucket("media-pipeline").put_object("in/report.txt", b"hello world")
    run = flow.run()
    split, merge = run.invocations
    assert split.caused_by is None and merge.caused_by is split
    assert split.writes and merge.writes[0].resource["key"] == "done/report.txt.merged"
    tree = run.tree()
    first = "`-- [+0s] split <- oss trigger 'uploads' Async: event ObjectCreated:PutObject"
    assert tree.splitlines()[0].startswith(first)
    assert tree.splitlines()[1].startswith("    `-- [+0s] merge <- oss trigger 'parts' Async")
    assert run.to_mermaid().splitlines() == [
        "flowchart LR",
        '    f_split["split"]',
        '    f_test(["test writes"])',
        '    f_merge["merge"]',
        '    f_test -->|"oss: uploads"| f_split',
        '    f_split -->|"oss: parts"| f_merge',
    ]


def test_the_same_seed_gives_the_same_run(tmp_path):
    from pytest_fctrigger.cloud import Cloud

    seen = []
    for _ in range(2):
        cloud = Cloud(rng=42)
        with cloud.activate():
            cloud.oss.bucket("media-pipeline", region="cn-hangzhou")
            flow = make_flow(CASCADE, cloud, vars={"merged_prefix": "done/"})
            oss_bucket("media-pipeline").put_object("in/report.txt", b"hello world")
            run = flow.run()
            seen.append([(i.function, bytes(i.event), i.result.request_id, i.time) for i in run])
    assert seen[0] == seen[1]
