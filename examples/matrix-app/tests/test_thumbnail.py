"""The thumbnail function gets one test per OSS event its trigger is configured for.

`fc_matrix(app="../s.yaml", function="thumbnail")` reads the trigger (bucket, events,
prefix uploads/, suffix .jpg) and builds one event per configured event name, each with
a key that passes the filter. The handler runs unmodified against the simulated OSS,
and every write it makes is checked against the function's own trigger.
"""

import dataclasses

import pytest

from pytest_fctrigger import SelfTriggerLoop

APP = dict(app="../s.yaml", function="thumbnail", vars={"bucket": "media-photos", "access": "default"})


@pytest.fixture
def uploaded(fc_cloud, fc_trigger_event, fc_matrix_case):
    """Put the object the event talks about into the simulated bucket."""
    record = fc_trigger_event.data["events"][0]
    bucket = fc_cloud.oss.bucket(fc_matrix_case.trigger.bucket, region=record["region"])
    bucket.put(record["oss"]["object"]["key"], b"\xff\xd8\xff\xe0" + b"jpeg" * 1000)
    return bucket


@pytest.mark.fc_matrix(**APP)
def test_every_upload_event_gets_a_thumbnail(fc_trigger_event, fc_matrix_case, fc_invoke, uploaded):
    result = fc_invoke(fc_matrix_case.function, fc_trigger_event)

    key = fc_trigger_event.data["events"][0]["oss"]["object"]["key"]
    assert key.startswith("uploads/") and key.endswith(".jpg")
    assert result.payload  # the handler's dict, JSON-encoded by the runtime
    thumbnail = "thumbs/" + key.split("/", 1)[1]
    assert uploaded.get(thumbnail)[:4] == b"\xff\xd8\xff\xe0"
    assert len(uploaded.get(thumbnail)) == 1024


@pytest.mark.fc_matrix(**APP)
def test_writing_back_under_uploads_is_a_self_trigger_loop(fc_trigger_event, fc_matrix_case, fc_invoke, uploaded):
    # the same function, misconfigured to write its output where its trigger listens
    looping = dataclasses.replace(fc_matrix_case.function, environment={"THUMB_PREFIX": "uploads/thumb-"})
    with pytest.raises(SelfTriggerLoop):
        fc_invoke(looping, fc_trigger_event)


@pytest.mark.fc_matrix(**APP)
def test_the_matrix_covers_exactly_the_configured_events(fc_trigger_event, fc_matrix_case):
    assert fc_matrix_case.id in {
        "uploads[ObjectCreated:PutObject]",
        "uploads[ObjectCreated:PostObject]",
        "uploads[ObjectCreated:CompleteMultipartUpload]",
    }
    assert fc_trigger_event.data["events"][0]["eventName"] == fc_matrix_case.variant
