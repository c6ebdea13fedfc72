"""The upload pipeline end to end with fc_flow (FC's delivery rules, on a virtual clock)."""

import json

import pytest


def test_one_upload_runs_the_whole_chain(fc_cloud, pipeline, uploads):
    uploads.put_object("incoming/cat.png", b"\x89PNG fake")
    run = pipeline.run()
    assert [i.function for i in run.invocations] == ["ingest", "record", "audit"]
    assert all(i.ok for i in run.invocations)
    # each hop names the invocation whose write caused it
    ingest, record, audit = run.invocations
    assert record.caused_by is ingest and audit.caused_by is record
    # OSS and MNS topic triggers are asynchronous, Tablestore synchronous
    assert [i.invocation_type for i in run.invocations] == ["Async", "Async", "Sync"]
    assert json.loads(json.loads(record.event)["Message"])["key"] == "incoming/cat.png"
    row = fc_cloud.tablestore.table("uploads", "files").rows
    assert len(row) == 1 and len(fc_cloud.tablestore.table("uploads", "audit").rows) == 1


def test_uploads_outside_incoming_fire_nothing(pipeline, uploads):
    uploads.put_object("archive/cat.png", b"x")
    assert pipeline.run().invocations == []


def test_at_least_once_delivery_keeps_one_row_per_file(fc_cloud, fc_flow, pipeline, uploads):
    # FC delivers async events at least once: every hop runs twice, the table still has one row
    flow = fc_flow("../s.yaml", duplicates=1)
    pipeline.close()  # only the duplicating flow delivers
    uploads.put_object("incoming/cat.png", b"x")
    run = flow.run()
    assert len(run.of("ingest")) == 2 and len(run.of("record")) == 4
    assert len(fc_cloud.tablestore.table("uploads", "files").rows) == 1


def test_record_failing_goes_to_its_on_failure_queue(fc_cloud, pipeline, uploads):
    fc_cloud.tablestore.store.tables.pop(("uploads", "files"))  # the table is gone: put_row fails
    uploads.put_object("incoming/cat.png", b"x")
    run = pipeline.run()
    # maxAsyncRetryAttempts 2 in s.yaml: three attempts, then the onFailure destination
    assert [i.attempt for i in run.of("record")] == [1, 2, 3]
    (dead,) = run.dead_letters
    assert dead.function == "record" and dead.sent_to.endswith(":/queues/record-failures/messages")
    payload = json.loads(fc_cloud.mns.queue("record-failures").messages[0].body)
    assert payload["requestContext"]["approximateInvokeCount"] == 3
    assert payload["responseContext"]["functionError"] == "UnhandledInvocationError"
    print(run.tree())


def test_nightly_cleanup_runs_at_3_in_shanghai(pipeline, uploads, fc_cloud):
    uploads.put_object("incoming/a.png", b"x")
    pipeline.run()
    pipeline.clock.set("2024-06-01T00:00:00Z")
    run = pipeline.advance(hours=24)
    (cleanup,) = run.of("cleanup")
    assert cleanup.when.isoformat() == "2024-06-01T19:00:00+00:00"  # 03:00 in Asia/Shanghai
    assert cleanup.result.json() == 1 and fc_cloud.oss.bucket("uploads").keys("incoming/") == []


def test_mermaid_of_a_run_is_the_docs_diagram(fc_cloud, pipeline, uploads):
    uploads.put_object("incoming/cat.png", b"x")
    uploads.put_object("incoming/dog.png", b"x")
    fc_cloud.tablestore.store.tables.pop(("uploads", "files"))
    run = pipeline.run()
    assert run.to_mermaid().startswith("flowchart LR\n")
    assert '-->|"mns_topic: on-uploaded x6, 6 failed"| f_record' in run.to_mermaid()


@pytest.mark.parametrize("key", ["incoming/a.png", "incoming/sub/b.png"])
def test_each_upload_is_recorded_by_its_key(fc_cloud, pipeline, uploads, key):
    uploads.put_object(key, b"x")
    pipeline.run()
    (row,) = fc_cloud.tablestore.table("uploads", "files").rows
    assert key in repr(row)
