"""The main OSS APIs through ``alibabacloud-oss-v2`` (sync client), with their events."""

from __future__ import annotations

import hashlib

import alibabacloud_oss_v2 as oss
import pytest
from cloud_oss_helpers import b64, event_record, last_write, v2_client

from pytest_fctrigger.cloud.oss.store import crc64
from pytest_fctrigger.errors import NotSimulatedError

PART = 100 * 1024


@pytest.fixture
def client(fc_cloud):
    fc_cloud.oss.bucket("v2bucket", region="cn-hangzhou")
    return v2_client("cn-hangzhou")


def service_error(exc_info) -> oss.exceptions.ServiceError:
    inner = exc_info.value.unwrap()
    assert isinstance(inner, oss.exceptions.ServiceError)
    return inner


def test_put_get_head_with_metadata(fc_cloud, client):
    put = client.put_object(
        oss.PutObjectRequest(
            bucket="v2bucket", key="in/a.txt", body=b"hello v2", metadata={"stage": "raw"}, content_type="text/plain"
        )
    )
    assert put.etag == '"' + hashlib.md5(b"hello v2").hexdigest().upper() + '"'  # v2 keeps the quotes
    assert put.hash_crc64 == str(crc64(b"hello v2"))
    got = client.get_object(oss.GetObjectRequest(bucket="v2bucket", key="in/a.txt"))
    assert got.body.read() == b"hello v2"
    assert got.metadata == {"stage": "raw"} and got.content_type == "text/plain"
    head = client.head_object(oss.HeadObjectRequest(bucket="v2bucket", key="in/a.txt"))
    assert (head.content_length, head.etag, head.object_type) == (8, put.etag, "Normal")

    write = last_write(fc_cloud)
    assert (write.api, write.event_name, write.sdk) == ("PutObject", "ObjectCreated:PutObject", "alibabacloud_oss_v2")
    obj = event_record(write)["oss"]["object"]
    assert (obj["key"], obj["size"], obj["eTag"]) == ("in/a.txt", 8, put.etag.strip('"'))
    assert obj["objectMeta"] == {"mimeType": "text/plain", "userMeta": {"x-oss-meta-stage": "raw"}}
    assert event_record(write)["responseElements"]["requestId"] == put.request_id


def test_copy_append_symlink_delete(fc_cloud, client):
    client.put_object(oss.PutObjectRequest(bucket="v2bucket", key="src", body=b"data"))
    client.copy_object(oss.CopyObjectRequest(bucket="v2bucket", key="dst", source_key="src"))
    first = client.append_object(oss.AppendObjectRequest(bucket="v2bucket", key="log", position=0, body=b"ab"))
    client.append_object(
        oss.AppendObjectRequest(
            bucket="v2bucket", key="log", position=first.next_position, body=b"cd", init_hash_crc64=first.hash_crc64
        )
    )
    client.put_symlink(oss.PutSymlinkRequest(bucket="v2bucket", key="lnk", target="src"))
    assert client.get_symlink(oss.GetSymlinkRequest(bucket="v2bucket", key="lnk")).target == "src"
    client.delete_object(oss.DeleteObjectRequest(bucket="v2bucket", key="dst"))
    deleted = client.delete_multiple_objects(
        oss.DeleteMultipleObjectsRequest(
            bucket="v2bucket", objects=[oss.DeleteObject(key="src"), oss.DeleteObject(key="lnk")]
        )
    )
    assert sorted(d.key for d in deleted.deleted_objects) == ["lnk", "src"]
    assert [(w.api, w.event_name) for w in fc_cloud.journal] == [
        ("PutObject", "ObjectCreated:PutObject"),
        ("CopyObject", "ObjectCreated:CopyObject"),
        ("AppendObject", "ObjectCreated:AppendObject"),
        ("AppendObject", "ObjectCreated:AppendObject"),
        ("PutSymlink", "ObjectCreated:PutSymlink"),
        ("DeleteObject", "ObjectRemoved:DeleteObject"),
        ("DeleteObjects", "ObjectRemoved:DeleteObjects"),
        ("DeleteObjects", "ObjectRemoved:DeleteObjects"),
    ]
    assert fc_cloud.oss.bucket("v2bucket").keys() == ["log"]
    assert fc_cloud.oss.bucket("v2bucket").get("log") == b"abcd"


def test_append_position_error_reaches_the_caller(client):
    client.append_object(oss.AppendObjectRequest(bucket="v2bucket", key="log", position=0, body=b"abc"))
    with pytest.raises(oss.exceptions.OperationError) as info:
        client.append_object(oss.AppendObjectRequest(bucket="v2bucket", key="log", position=1, body=b"x"))
    err = service_error(info)
    assert (err.status_code, err.code) == (409, "PositionNotEqualToLength")
    assert err.headers.get("x-oss-next-append-position") == "3"


def test_multipart_with_url_encoded_keys(fc_cloud, client):
    key = "dir with space/big+file.bin"
    up = client.initiate_multipart_upload(oss.InitiateMultipartUploadRequest(bucket="v2bucket", key=key))
    assert up.key == key  # the v2 SDK sends encoding-type=url and decodes the reply
    p1 = client.upload_part(
        oss.UploadPartRequest(bucket="v2bucket", key=key, upload_id=up.upload_id, part_number=1, body=b"A" * PART)
    )
    p2 = client.upload_part(
        oss.UploadPartRequest(bucket="v2bucket", key=key, upload_id=up.upload_id, part_number=2, body=b"B")
    )
    done = client.complete_multipart_upload(
        oss.CompleteMultipartUploadRequest(
            bucket="v2bucket",
            key=key,
            upload_id=up.upload_id,
            complete_multipart_upload=oss.CompleteMultipartUpload(
                parts=[oss.UploadPart(part_number=1, etag=p1.etag), oss.UploadPart(part_number=2, etag=p2.etag)]
            ),
        )
    )
    assert done.key == key and done.etag.endswith('-2"')
    assert done.hash_crc64 == str(crc64(b"A" * PART + b"B"))
    assert fc_cloud.oss.bucket("v2bucket").get(key) == b"A" * PART + b"B"
    assert [w.event_name for w in fc_cloud.journal][-1] == "ObjectCreated:CompleteMultipartUpload"


def test_complete_all_and_abort(fc_cloud, client):
    up = client.initiate_multipart_upload(oss.InitiateMultipartUploadRequest(bucket="v2bucket", key="all"))
    client.upload_part(
        oss.UploadPartRequest(bucket="v2bucket", key="all", upload_id=up.upload_id, part_number=1, body=b"only part")
    )
    client.complete_multipart_upload(
        oss.CompleteMultipartUploadRequest(bucket="v2bucket", key="all", upload_id=up.upload_id, complete_all="yes")
    )
    assert fc_cloud.oss.bucket("v2bucket").get("all") == b"only part"
    up = client.initiate_multipart_upload(oss.InitiateMultipartUploadRequest(bucket="v2bucket", key="gone"))
    client.abort_multipart_upload(
        oss.AbortMultipartUploadRequest(bucket="v2bucket", key="gone", upload_id=up.upload_id)
    )
    assert last_write(fc_cloud).event_name == "ObjectRemoved:AbortMultipartUpload"


def test_process_object_saveas(fc_cloud, client):
    client.put_object(oss.PutObjectRequest(bucket="v2bucket", key="source/a.png", body=b"png bytes"))
    result = client.process_object(
        oss.ProcessObjectRequest(
            bucket="v2bucket",
            key="source/a.png",
            process=f"image/resize,w_100|sys/saveas,o_{b64('processed/a.png', pad=False)},"
            f"b_{b64('v2bucket', pad=False)}",
        )
    )
    assert (result.bucket, result.key, result.file_size, result.process_status) == (
        "v2bucket",
        "processed/a.png",
        9,
        "OK",
    )
    write = last_write(fc_cloud)
    assert (write.api, write.event_name, write.resource["key"]) == (
        "ProcessObject",
        "ObjectCreated:PutObject",
        "processed/a.png",
    )


def test_listing_and_existence_checks(client):
    for key in ("a/1", "a/2", "b"):
        client.put_object(oss.PutObjectRequest(bucket="v2bucket", key=key, body=b"x"))
    pages = client.list_objects_v2_paginator(limit=1).iter_page(oss.ListObjectsV2Request(bucket="v2bucket"))
    assert [o.key for page in pages for o in page.contents] == ["a/1", "a/2", "b"]
    page = client.list_objects(oss.ListObjectsRequest(bucket="v2bucket", delimiter="/"))
    assert [p.prefix for p in page.common_prefixes] == ["a/"] and [o.key for o in page.contents] == ["b"]
    assert client.is_bucket_exist("v2bucket") and not client.is_bucket_exist("nope-bucket")
    assert client.is_object_exist("v2bucket", "b") and not client.is_object_exist("v2bucket", "zzz")


def test_errors_and_not_simulated(client):
    with pytest.raises(oss.exceptions.OperationError) as info:
        client.get_object(oss.GetObjectRequest(bucket="v2bucket", key="missing"))
    assert (service_error(info).status_code, service_error(info).code) == (404, "NoSuchKey")
    with pytest.raises(oss.exceptions.OperationError) as info:
        client.head_object(oss.HeadObjectRequest(bucket="v2bucket", key="missing"))
    assert service_error(info).code == "NoSuchKey"
    with pytest.raises(oss.exceptions.OperationError) as info:
        client.get_bucket_lifecycle(oss.GetBucketLifecycleRequest(bucket="v2bucket"))
    inner = info.value.unwrap()
    assert isinstance(inner, NotSimulatedError) and inner.operation == "GetBucketLifecycle"
    assert "not simulated" in str(info.value)


@pytest.mark.parametrize(
    "options",
    [
        {"internal": False},
        {"internal": False, "path_style": True},
        {"internal": False, "dualstack": True},
        {"internal": False, "endpoint": "http://oss-cn-hangzhou.aliyuncs.com:8080"},
    ],
    ids=["public", "path-style", "dualstack", "http-port"],
)
def test_endpoint_variants(fc_cloud, options):
    fc_cloud.oss.bucket("v2bucket", region="cn-hangzhou")
    client = v2_client("cn-hangzhou", **options)
    client.put_object(oss.PutObjectRequest(bucket="v2bucket", key="k/v.txt", body=b"v"))
    assert client.get_object(oss.GetObjectRequest(bucket="v2bucket", key="k/v.txt")).body.read() == b"v"
    write = last_write(fc_cloud)
    assert write.attributes["endpoint"] == ("dualstack" if options.get("dualstack") else "public")
    assert write.attributes["auth"] == "v4"  # the v2 SDK signs with V4 by default


def test_uploader_downloader_and_append_file(fc_cloud, client, tmp_path):
    data = bytes(range(256)) * 1250  # 320 000 bytes -> 3 parts of 100 KB + a small one
    source = tmp_path / "in.bin"
    source.write_bytes(data)
    uploaded = client.uploader(part_size=PART, parallel_num=2).upload_file(
        oss.PutObjectRequest(bucket="v2bucket", key="big.bin"), filepath=str(source)
    )
    assert uploaded.etag.endswith('-4"')
    assert fc_cloud.oss.bucket("v2bucket").get("big.bin") == data
    target = tmp_path / "out.bin"
    client.downloader(part_size=PART).download_file(
        oss.GetObjectRequest(bucket="v2bucket", key="big.bin"), filepath=str(target)
    )
    assert target.read_bytes() == data  # ranged GETs, reassembled
    with client.append_file("v2bucket", "appended.log") as handle:
        handle.write(b"hello ")
        handle.write(b"world")
    assert fc_cloud.oss.bucket("v2bucket").get("appended.log") == b"hello world"
    apis = [w.api for w in fc_cloud.journal]
    assert apis.count("UploadPart") == 4 and apis.count("AppendObject") == 2


@pytest.fixture
def tripwire(monkeypatch):
    from cloud_guard_helpers import Tripwire

    return Tripwire().install(monkeypatch)


def test_asyncio_client_is_not_served_and_fails_with_the_guard_message(tripwire, fc_cloud):
    """The aiohttp-based ``alibabacloud_oss_v2.aio`` client is a documented gap: it fails
    fast with the guard's message and never reaches the network. ``tripwire`` is requested
    before ``fc_cloud``, so it sits beneath the fixture's guard."""
    import asyncio

    import alibabacloud_oss_v2.aio as oss_aio

    fc_cloud.oss.bucket("v2bucket")
    cfg = oss.config.load_default()
    cfg.credentials_provider = oss.credentials.StaticCredentialsProvider("STS.ak", "sk")
    cfg.region = "cn-hangzhou"
    cfg.retry_max_attempts = 1

    async def put():
        client = oss_aio.AsyncClient(cfg)
        try:
            await client.put_object(oss.PutObjectRequest(bucket="v2bucket", key="k", body=b"x"))
        finally:
            await client.close()

    with pytest.raises(oss.exceptions.OperationError, match="--fc-allow-network"):
        asyncio.run(put())
    assert tripwire.hits == []
