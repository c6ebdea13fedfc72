"""The test-side OSS API (``fc_cloud.oss.bucket(...)``) and the seeds' handler running on it."""

from __future__ import annotations

import importlib.util
import json
import pathlib

import oss2
import pytest
from cloud_oss_helpers import event_record, last_write

from pytest_fctrigger.errors import ConfigError


# --------------------------------------------------------------------------- the API
def test_put_returns_the_event_fc_would_deliver(fc_cloud):
    bucket = fc_cloud.oss.bucket("photos")
    event = bucket.put("source/a.png", b"\x89PNG" * 10, content_type="image/png", last_modified="20250213")
    assert isinstance(event, bytes) and event.trigger_type == "oss"
    record = json.loads(event)["events"][0]  # what the handler receives: bytes of JSON
    assert record["eventName"] == "ObjectCreated:PutObject"
    assert record["region"] == fc_cloud.rng.region == bucket.region
    assert record["oss"]["object"]["size"] == 40 and record["oss"]["object"]["deltaSize"] == 40
    assert record["oss"]["object"]["eTag"] == bucket.stat("source/a.png").etag
    assert record["oss"]["object"]["objectMeta"] == {
        "mimeType": "image/png",
        "userMeta": {"x-oss-meta-last-modified": "20250213"},
    }
    # the test's own writes prepare the world; they are not writes of the handler
    assert list(fc_cloud.journal) == []


def test_get_keys_exists_delete(fc_cloud):
    bucket = fc_cloud.oss.bucket("b-api")
    bucket.put("a/1.txt", "text is utf-8")
    bucket.put("a/2.txt", b"2")
    bucket.put("b.txt", b"3")
    assert bucket.get("a/1.txt") == b"text is utf-8"
    assert bucket.keys() == ["a/1.txt", "a/2.txt", "b.txt"] and bucket.keys("a/") == ["a/1.txt", "a/2.txt"]
    assert "b.txt" in bucket and not bucket.exists("zzz") and len(bucket) == 3
    removed = bucket.delete("b.txt")
    assert removed.data["events"][0]["eventName"] == "ObjectRemoved:DeleteObject"
    assert removed.data["events"][0]["oss"]["object"]["deltaSize"] == -1
    assert bucket.delete("b.txt") is None
    with pytest.raises(KeyError, match="oss://b-api/b.txt does not exist"):
        bucket.get("b.txt")


def test_event_for_a_stored_object_and_any_event_name(fc_cloud):
    bucket = fc_cloud.oss.bucket("b-evt")
    bucket.put("k.bin", b"12345")
    created = bucket.event("k.bin", "oss:ObjectCreated:CopyObject")
    assert created.data["events"][0]["eventName"] == "ObjectCreated:CopyObject"
    assert created.data["events"][0]["oss"]["object"]["size"] == 5
    removed = bucket.event("k.bin", "ObjectRemoved:DeleteObjects")
    assert removed.data["events"][0]["oss"]["object"]["deltaSize"] == -5
    with pytest.raises(ConfigError, match="unknown OSS event"):
        bucket.event("k.bin", "ObjectCreated:Teleport")


def test_sdk_sees_what_the_test_put_and_vice_versa(fc_cloud):
    bucket = fc_cloud.oss.bucket("shared", region="cn-shanghai")
    bucket.put("from-test.txt", b"A", owner="test")
    sdk = oss2.Bucket(oss2.Auth("ak", "sk"), bucket.endpoint("internal"), "shared")
    got = sdk.get_object("from-test.txt")
    assert got.read() == b"A" and got.headers["x-oss-meta-owner"] == "test"
    sdk.put_object("from-sdk.txt", b"B")
    assert bucket.get("from-sdk.txt") == b"B"
    assert bucket.endpoint() == "oss-cn-shanghai-internal.aliyuncs.com"
    assert bucket.endpoint("public") == "oss-cn-shanghai.aliyuncs.com"


def test_bucket_argument_errors(fc_cloud):
    fc_cloud.oss.bucket("here", region="cn-hangzhou")
    assert fc_cloud.oss.bucket("here").region == "cn-hangzhou"  # no region: the existing bucket
    with pytest.raises(ConfigError, match="exists in cn-hangzhou"):
        fc_cloud.oss.bucket("here", region="cn-beijing")
    with pytest.raises(ConfigError, match="not valid"):
        fc_cloud.oss.bucket("Bad_Name")
    with pytest.raises(ConfigError, match="acl must be one of"):
        fc_cloud.oss.bucket("here").acl = "public"
    with pytest.raises(ConfigError, match="InvalidObjectName"):
        fc_cloud.oss.bucket("here").put("/abs", b"x")
    # bytes(3) would be three NUL bytes: a wrong type is named, never stored
    with pytest.raises(ConfigError, match=r"bucket\('here'\)\.put\('n', \.\.\.\): data must be bytes or str, got int"):
        fc_cloud.oss.bucket("here").put("n", 3)
    with pytest.raises(ConfigError, match="the key must be a str, got NoneType"):
        fc_cloud.oss.bucket("here").put(None, b"x")
    with pytest.raises(ConfigError, match="content_type must be a str, got int"):
        fc_cloud.oss.bucket("here").put("n", b"x", content_type=5)
    assert fc_cloud.oss.bucket("here").keys() == []
    assert list(fc_cloud.oss.buckets) == ["here"]


def test_writes_view_filters_oss(fc_cloud):
    fc_cloud.oss.bucket("www")
    oss2.Bucket(oss2.Auth("ak", "sk"), "oss-cn-hangzhou.aliyuncs.com", "www").put_object("k", b"v")
    assert [w.api for w in fc_cloud.oss.writes] == ["PutObject"]


def test_events_are_reproducible_for_a_seed():
    from pytest_fctrigger.cloud import Cloud

    def run(seed):
        cloud = Cloud(seed)
        with cloud.activate():
            cloud.oss.bucket("repro").put("in.txt", b"x")
            oss2.Bucket(oss2.Auth("ak", "sk"), "oss-cn-hangzhou.aliyuncs.com", "repro").put_object("k", b"v")
        return bytes(last_write(cloud).event)

    assert run(11) == run(11)
    assert run(11) != run(12)


# --------------------------------------------------------------------------- seeds/003 sample
def load_resize_sample():
    """The Python image-resize sample of seeds/003, kept verbatim in tests/data/loops/oss_resize
    (StsAuth from context.credentials, internal endpoint from the event's region,
    ``process_object`` with ``sys/saveas`` into ``processed/``)."""
    path = pathlib.Path(__file__).parent / "data" / "loops" / "oss_resize" / "index.py"
    spec = importlib.util.spec_from_file_location("seed_oss_resize_sample", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.handler


def test_seed_image_resize_sample_runs_against_the_fake(fc_cloud, fc_context):
    event = fc_cloud.oss.bucket("testbucket").put("source/a.png", b"\x89PNG fake", content_type="image/png")
    assert load_resize_sample()(event, fc_context) == "processed/a.png"
    assert fc_cloud.oss.bucket("testbucket").get("processed/a.png") == b"\x89PNG fake"
    write = last_write(fc_cloud)
    assert (write.api, write.event_name, write.resource) == (
        "ProcessObject",
        "ObjectCreated:PutObject",
        {"bucket": "testbucket", "key": "processed/a.png"},
    )
    assert write.attributes["access_key_id"] == fc_context.credentials.access_key_id
    assert write.attributes["endpoint"] == "internal"
    # the event this write produces is what a trigger on the bucket would receive next
    assert event_record(write)["oss"]["object"]["key"] == "processed/a.png"
