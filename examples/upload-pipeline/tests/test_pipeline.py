"""The upload pipeline end to end with fc_flow: one upload reaches every function."""

import json


def test_one_upload_runs_the_whole_chain(fc_cloud, pipeline, uploads):
    uploads.put_object("incoming/cat.png", b"\x89PNG fake")
    run = pipeline.run()
    assert [i.function for i in run.invocations] == ["ingest", "record", "audit"]
    assert all(i.ok for i in run.invocations)
    # each hop names the invocation whose write caused it
    ingest, record, audit = run.invocations
    assert record.caused_by is ingest and audit.caused_by is record
    assert record.trigger.name == "on-uploaded" and json.loads(record.event)["Message"]
    assert fc_cloud.tablestore.table("uploads", "audit").rows
    print(run.tree())
    print(run.to_mermaid())
