"""Tests of the image-resize function under pytest-fctrigger.

The handler is the Python sample of the FC doc "Configure a native OSS trigger"
(seeds/003): it signs with ``context.credentials`` through ``oss2.StsAuth`` and saves
the processed image with ``process_object`` + ``sys/saveas``. It runs unmodified: its
oss2 calls reach the simulated bucket of ``fc_cloud``, and every write it makes is
checked against the OSS trigger declared in ``s.yaml``.
"""

import dataclasses
import json

import pytest

from pytest_fctrigger import SelfTriggerLoop, lint

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 2048


def test_an_upload_is_resized_into_processed(fc_invoke, oss_event, resize, photos):
    photos.put("source/cat.png", PNG)
    event = oss_event(bucket=photos.name, key="source/cat.png", event_name="ObjectCreated:PutObject")

    result = fc_invoke(resize, event)

    assert json.loads(result.payload) == {"source": "source/cat.png", "target": "processed/cat.png", "status": 200}
    assert "processed/cat.png" in photos.keys("processed/")
    (write,) = result.writes
    assert (write.api, write.resource["key"], write.event_name) == (
        "ProcessObject",
        "processed/cat.png",
        "ObjectCreated:PutObject",
    )
    assert result.loop is None  # processed/ is outside the trigger's filter: no loop report


@pytest.mark.fc_matrix(
    app="../s.yaml", function="resize", vars={"region": "cn-hangzhou", "bucket": "photos", "access": "default"}
)
def test_every_event_the_trigger_sends_is_handled(fc_trigger_event, fc_matrix_case, fc_invoke, photos):
    record = fc_trigger_event.data["events"][0]
    key = record["oss"]["object"]["key"]
    assert key.startswith("source/") and key.endswith(".png")  # the trigger's filter
    photos.put(key, PNG)

    result = fc_invoke(fc_matrix_case.function, fc_trigger_event)

    assert result.error is None
    assert photos.get("processed/" + key.split("/", 1)[1]) == PNG


def test_writing_into_the_source_prefix_is_a_self_trigger_loop(fc_invoke, oss_event, resize, photos):
    photos.put("source/dog.png", PNG)
    looping = dataclasses.replace(resize, environment={"OUTPUT_DIR": "source/small-"})

    with pytest.raises(SelfTriggerLoop) as caught:
        fc_invoke(looping, oss_event(bucket=photos.name, key="source/dog.png", event_name="ObjectCreated:PutObject"))

    message = str(caught.value)
    assert "write ProcessObject oss://photos/source/small-dog.png" in message
    assert "fires oss trigger 'on-upload' again" in message


def test_the_trigger_config_passes_lint(fc_app):
    assert [finding for finding in lint(fc_app) if finding.severity == "error"] == []
