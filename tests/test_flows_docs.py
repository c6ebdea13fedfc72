"""docs/flows.md shows real diagrams: each mermaid block is what to_mermaid() prints for the
example examples/upload-pipeline in the scenario the page describes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
APP = ROOT / "examples" / "upload-pipeline" / "s.yaml"
DOC = ROOT / "docs" / "flows.md"


def scenario(fc_cloud):
    """The page's scenario: two uploads and the nightly cleanup, then an upload whose record
    step fails until its retries are exhausted (the files table is gone)."""
    import oss2

    from pytest_fctrigger.flows import make_flow

    fc_cloud.oss.bucket("uploads", region="cn-hangzhou")
    fc_cloud.tablestore.table("uploads", "files")
    fc_cloud.tablestore.table("uploads", "audit")
    fc_cloud.mns.topic("uploaded")
    fc_cloud.mns.queue("record-failures")
    flow = make_flow(APP, fc_cloud)
    flow.clock.set("2024-06-01T18:00:00Z")
    bucket = oss2.Bucket(oss2.Auth("LTAI-docs", "docs"), "https://oss-cn-hangzhou.aliyuncs.com", "uploads")
    bucket.put_object("incoming/cat.png", b"x")
    bucket.put_object("incoming/dog.png", b"x")
    happy = flow.advance(hours=2)
    fc_cloud.tablestore.store.tables.pop(("uploads", "files"))
    bucket.put_object("incoming/bad.png", b"x")
    failing = flow.run()
    return happy, failing


def test_docs_diagrams_are_what_to_mermaid_prints(fc_cloud):
    blocks = re.findall(r"```mermaid\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    happy, failing = scenario(fc_cloud)
    assert [b.strip() for b in blocks] == [happy.to_mermaid(), failing.to_mermaid()]


def test_docs_tree_is_what_tree_prints(fc_cloud):
    text = DOC.read_text(encoding="utf-8")
    _, failing = scenario(fc_cloud)
    block = re.search(r"```text\n(.*?)```", text, re.S)
    if block is None:
        pytest.fail("docs/flows.md has no ```text block with a FlowRun.tree()")
    assert block.group(1).strip() == failing.tree()
