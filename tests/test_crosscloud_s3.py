"""boto3 on OSS's S3-compatible API: same buckets, events, journal and loops as oss2.

OSS documents its S3-compatible operations and its differences from S3 (virtual-hosted
style only) on "Compatibility with Amazon S3" (OSS developer reference,
https://www.alibabacloud.com/help/en/oss/developer-reference/compatibility-with-amazon-s3).
"""

from __future__ import annotations

import base64
import hashlib

import pytest

boto3 = pytest.importorskip("boto3")
pytest.importorskip("oss2")
# imported here, so every in-process run shares them (numpy, under tablestore, loads only once)
pytest.importorskip("tablestore")
pytest.importorskip("mns")
import requests  # noqa: E402
from botocore.config import Config  # noqa: E402
from botocore.exceptions import ClientError  # noqa: E402
from cloud_oss_helpers import event_record, oss2_bucket  # noqa: E402

from pytest_fctrigger.errors import NotSimulatedError  # noqa: E402

ENDPOINT = "https://oss-cn-hangzhou-internal.aliyuncs.com"
# what OSS needs from boto3 >= 1.36: virtual-hosted URLs, no aws-chunked trailing checksum
OSS_CONFIG = Config(
    s3={"addressing_style": "virtual"},
    request_checksum_calculation="when_required",
    response_checksum_validation="when_required",
)


def s3_client(endpoint=ENDPOINT, config=OSS_CONFIG, **kwargs):
    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="oss-cn-hangzhou",
        aws_access_key_id="FCTESTS3AK",
        aws_secret_access_key="fake-secret",
        config=config,
        **kwargs,
    )


def add_content_md5(params, **_kwargs):
    """OSS's DeleteObjects needs Content-MD5, which botocore >= 1.36 no longer sends."""
    params["headers"]["Content-MD5"] = base64.b64encode(hashlib.md5(params["body"]).digest()).decode()


@pytest.fixture
def bucket(fc_cloud):
    return fc_cloud.oss.bucket("s3-bkt", region="cn-hangzhou")


@pytest.fixture
def s3(bucket):
    return s3_client()


def test_put_get_head_delete_share_the_store_with_oss2(fc_cloud, bucket, s3):
    s3.put_object(Bucket="s3-bkt", Key="a/b.txt", Body=b"hello", ContentType="text/plain", Metadata={"owner": "me"})
    assert bucket.get("a/b.txt") == b"hello"
    got = oss2_bucket("s3-bkt").get_object("a/b.txt")
    assert got.read() == b"hello" and got.headers["x-oss-meta-owner"] == "me"
    oss2_bucket("s3-bkt").put_object("from-oss2", b"12345")
    obj = s3.get_object(Bucket="s3-bkt", Key="from-oss2")
    assert obj["Body"].read() == b"12345" and obj["ContentLength"] == 5
    head = s3.head_object(Bucket="s3-bkt", Key="a/b.txt")
    assert head["Metadata"] == {"owner": "me"} and head["ContentType"] == "text/plain"
    assert head["ETag"] == f'"{hashlib.md5(b"hello").hexdigest().upper()}"'
    s3.delete_object(Bucket="s3-bkt", Key="a/b.txt")
    assert not bucket.exists("a/b.txt")


def test_writes_are_journaled_with_the_oss_event(fc_cloud, bucket, s3):
    s3.put_object(Bucket="s3-bkt", Key="in/x.jpg", Body=b"x" * 10)
    s3.delete_object(Bucket="s3-bkt", Key="in/x.jpg")
    put, delete = list(fc_cloud.journal)
    assert (put.service, put.api, put.event_name, put.sdk) == ("oss", "PutObject", "ObjectCreated:PutObject", "boto3")
    assert put.attributes["auth"] == "s3-v4" and put.attributes["access_key_id"] == "FCTESTS3AK"
    assert put.attributes["endpoint"] == "internal"
    record = event_record(put)
    assert record["oss"]["bucket"]["name"] == "s3-bkt" and record["oss"]["object"]["key"] == "in/x.jpg"
    assert record["oss"]["object"]["size"] == 10
    assert delete.event_name == "ObjectRemoved:DeleteObject"


def test_listings_v1_and_v2(bucket, s3):
    for key in ("p/1", "p/2", "p/sub/3", "q/4"):
        bucket.put(key, b"-")
    v2 = s3.list_objects_v2(Bucket="s3-bkt", Prefix="p/", Delimiter="/")
    assert [o["Key"] for o in v2["Contents"]] == ["p/1", "p/2"]
    assert [p["Prefix"] for p in v2["CommonPrefixes"]] == ["p/sub/"] and v2["KeyCount"] == 3
    page = s3.list_objects_v2(Bucket="s3-bkt", MaxKeys=2)
    rest = s3.list_objects_v2(Bucket="s3-bkt", ContinuationToken=page["NextContinuationToken"])
    assert [o["Key"] for o in page["Contents"] + rest["Contents"]] == ["p/1", "p/2", "p/sub/3", "q/4"]
    v1 = s3.list_objects(Bucket="s3-bkt", Marker="p/2")
    assert [o["Key"] for o in v1["Contents"]] == ["p/sub/3", "q/4"]


def test_copy_and_delete_objects(fc_cloud, bucket, s3):
    bucket.put("src", b"data", team="a")
    s3.copy_object(Bucket="s3-bkt", Key="dst", CopySource={"Bucket": "s3-bkt", "Key": "src"})
    assert bucket.get("dst") == b"data" and bucket.stat("dst").user_meta == {"x-oss-meta-team": "a"}
    s3.copy_object(
        Bucket="s3-bkt",
        Key="dst2",
        CopySource="s3-bkt/src",
        MetadataDirective="REPLACE",
        Metadata={"team": "b"},
    )
    assert bucket.stat("dst2").user_meta == {"x-oss-meta-team": "b"}
    assert fc_cloud.journal.since(0)[0].event_name == "ObjectCreated:CopyObject"
    s3.meta.events.register("before-call.s3.DeleteObjects", add_content_md5)
    out = s3.delete_objects(Bucket="s3-bkt", Delete={"Objects": [{"Key": "dst"}, {"Key": "dst2"}]})
    assert sorted(d["Key"] for d in out["Deleted"]) == ["dst", "dst2"]
    assert [w.event_name for w in fc_cloud.journal][-2:] == ["ObjectRemoved:DeleteObjects"] * 2


def test_delete_objects_without_content_md5_is_refused_as_oss_does(bucket, s3):
    bucket.put("k", b"v")
    with pytest.raises(ClientError) as info:
        s3.delete_objects(Bucket="s3-bkt", Delete={"Objects": [{"Key": "k"}]})
    assert info.value.response["Error"]["Code"] == "MissingArgument"
    assert bucket.exists("k")


def test_multipart_create_upload_complete_and_abort(fc_cloud, bucket, s3):
    part = b"a" * (100 * 1024)
    up = s3.create_multipart_upload(Bucket="s3-bkt", Key="big.bin")["UploadId"]
    e1 = s3.upload_part(Bucket="s3-bkt", Key="big.bin", UploadId=up, PartNumber=1, Body=part)["ETag"]
    e2 = s3.upload_part(Bucket="s3-bkt", Key="big.bin", UploadId=up, PartNumber=2, Body=b"tail")["ETag"]
    assert [p["PartNumber"] for p in s3.list_parts(Bucket="s3-bkt", Key="big.bin", UploadId=up)["Parts"]] == [1, 2]
    s3.complete_multipart_upload(
        Bucket="s3-bkt",
        Key="big.bin",
        UploadId=up,
        MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": e1}, {"PartNumber": 2, "ETag": e2}]},
    )
    assert bucket.get("big.bin") == part + b"tail"
    assert list(fc_cloud.journal)[-1].event_name == "ObjectCreated:CompleteMultipartUpload"
    gone = s3.create_multipart_upload(Bucket="s3-bkt", Key="gone")["UploadId"]
    s3.abort_multipart_upload(Bucket="s3-bkt", Key="gone", UploadId=gone)
    assert bucket.uploads == []


def test_s3_error_shapes_for_missing_key_and_bucket(bucket, s3):
    with pytest.raises(ClientError) as info:
        s3.get_object(Bucket="s3-bkt", Key="missing")
    err = info.value.response
    assert err["Error"]["Code"] == "NoSuchKey" and err["Error"]["Key"] == "missing"
    assert err["ResponseMetadata"]["HTTPStatusCode"] == 404
    assert err["ResponseMetadata"]["RequestId"]  # x-amz-request-id is there for S3 clients
    with pytest.raises(ClientError) as info:
        s3.get_object(Bucket="no-such-bucket", Key="k")
    err = info.value.response
    assert (err["Error"]["Code"], err["Error"]["BucketName"]) == ("NoSuchBucket", "no-such-bucket")
    assert err["ResponseMetadata"]["HTTPStatusCode"] == 404
    with pytest.raises(ClientError) as info:  # HEAD has no body: the bare status, as with S3
        s3.head_object(Bucket="s3-bkt", Key="missing")
    assert info.value.response["Error"]["Code"] == "404"
    with pytest.raises(ClientError) as info:
        s3.head_bucket(Bucket="no-such-bucket")
    assert info.value.response["Error"]["Code"] == "404"
    assert s3.head_bucket(Bucket="s3-bkt")["ResponseMetadata"]["HTTPStatusCode"] == 200


def test_wrong_region_endpoint_is_refused(fc_cloud, bucket):
    s3 = s3_client(endpoint="https://oss-cn-beijing.aliyuncs.com")
    with pytest.raises(ClientError) as info:
        s3.get_object(Bucket="s3-bkt", Key="k")
    assert info.value.response["Error"]["Code"] == "AccessDenied"
    assert info.value.response["Error"]["Endpoint"] == "oss-cn-hangzhou.aliyuncs.com"


def test_path_style_is_refused_as_oss_does(bucket):
    # boto3's default for a custom endpoint is path-style; OSS accepts virtual-hosted only
    s3 = s3_client(config=Config(request_checksum_calculation="when_required"))
    with pytest.raises(ClientError) as info:
        s3.put_object(Bucket="s3-bkt", Key="k", Body=b"v")
    assert info.value.response["Error"]["Code"] == "SecondLevelDomainForbidden"
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    assert not bucket.exists("k")


def test_aws_chunked_trailing_checksum_is_not_implemented_as_on_oss(bucket):
    s3 = s3_client(config=Config(s3={"addressing_style": "virtual"}))  # boto3's default checksums
    with pytest.raises(ClientError) as info:
        s3.put_object(Bucket="s3-bkt", Key="k", Body=b"v")
    assert info.value.response["Error"]["Code"] == "NotImplemented"
    assert "when_required" in info.value.response["Error"]["Message"]
    assert not bucket.exists("k")


def test_sigv2_and_anonymous_requests(fc_cloud, bucket):
    v2 = s3_client(config=Config(signature_version="s3", s3={"addressing_style": "virtual"}))
    v2.put_object(Bucket="s3-bkt", Key="v2", Body=b"x")
    assert list(fc_cloud.journal)[-1].attributes["auth"] == "s3-v2"
    from botocore import UNSIGNED

    anon = s3_client(config=Config(signature_version=UNSIGNED, s3={"addressing_style": "virtual"}))
    with pytest.raises(ClientError) as info:  # a private bucket refuses anonymous reads
        anon.get_object(Bucket="s3-bkt", Key="v2")
    assert info.value.response["Error"]["Code"] == "AccessDenied"
    bucket.acl = "public-read"
    assert anon.get_object(Bucket="s3-bkt", Key="v2")["Body"].read() == b"x"


def test_presigned_get_through_requests(bucket):
    bucket.put("shared.txt", b"presigned")
    url = s3_client().generate_presigned_url("get_object", Params={"Bucket": "s3-bkt", "Key": "shared.txt"})
    assert "X-Amz-Signature=" in url
    assert requests.get(url).content == b"presigned"


def test_operation_outside_osss_s3_list_is_not_simulated(bucket, s3):
    with pytest.raises(NotSimulatedError, match="GetObjectTagging"):
        s3.get_object_tagging(Bucket="s3-bkt", Key="k")
    with pytest.raises(NotSimulatedError, match="GetBucketLifecycle"):
        s3.get_bucket_lifecycle_configuration(Bucket="s3-bkt")


def test_create_bucket_through_s3(fc_cloud, s3):
    s3.create_bucket(Bucket="made-by-s3", CreateBucketConfiguration={"LocationConstraint": "oss-cn-hangzhou"})
    assert fc_cloud.oss.bucket("made-by-s3").region == "cn-hangzhou"
    assert "made-by-s3" in fc_cloud.oss.buckets


def test_boto3_handler_writes_events_and_loop(pytester):
    pytester.makepyfile(
        test_handler="""
import boto3, pytest
from botocore.config import Config
from pytest_fctrigger import SelfTriggerLoop

def handler(event, context):
    import json
    record = json.loads(event)["events"][0]
    key = record["oss"]["object"]["key"]
    bucket = record["oss"]["bucket"]["name"]
    s3 = boto3.client(
        "s3",
        endpoint_url="https://oss-%s-internal.aliyuncs.com" % context.region,
        region_name="oss-" + context.region,
        aws_access_key_id=context.credentials.access_key_id,
        aws_secret_access_key=context.credentials.access_key_secret,
        aws_session_token=context.credentials.security_token,
        config=Config(s3={"addressing_style": "virtual"}, request_checksum_calculation="when_required"),
    )
    data = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
    s3.put_object(Bucket=bucket, Key=context.target_prefix + key.split("/")[-1], Body=data[::-1])

@pytest.mark.fc_trigger("oss", bucket="imgs", events=["oss:ObjectCreated:*"], prefix="in/")
def test_outside_prefix(fc_cloud, fc_invoke, fc_context):
    fc_cloud.oss.bucket("imgs", region=fc_context.region)
    event = fc_cloud.oss.bucket("imgs").put("in/a.txt", b"abc")
    fc_context.target_prefix = "out/"
    result = fc_invoke(handler, event, fc_context)
    assert fc_cloud.oss.bucket("imgs").get("out/a.txt") == b"cba"
    (write,) = result.writes
    assert (write.api, write.sdk, write.event_name) == ("PutObject", "boto3", "ObjectCreated:PutObject")
    assert write.event.data["events"][0]["oss"]["object"]["key"] == "out/a.txt"

@pytest.mark.fc_trigger("oss", bucket="imgs", events=["oss:ObjectCreated:*"], prefix="in/")
def test_into_own_prefix_is_a_loop(fc_cloud, fc_invoke, fc_context):
    fc_cloud.oss.bucket("imgs", region=fc_context.region)
    event = fc_cloud.oss.bucket("imgs").put("in/a.txt", b"abc")
    fc_context.target_prefix = "in/copy-"
    with pytest.raises(SelfTriggerLoop, match="in/copy-a.txt"):
        fc_invoke(handler, event, fc_context)
"""
    )
    pytester.runpytest("-p", "no:cacheprovider", "-p", "no:randomly").assert_outcomes(passed=2)


def test_ranges_storage_class_and_upload_part_copy(bucket, s3):
    s3.put_object(Bucket="s3-bkt", Key="cold", Body=b"0123456789", StorageClass="STANDARD_IA")
    assert bucket.stat("cold").storage_class == "IA"
    assert s3.head_object(Bucket="s3-bkt", Key="cold")["StorageClass"] == "IA"
    part = s3.get_object(Bucket="s3-bkt", Key="cold", Range="bytes=2-4")
    assert part["Body"].read() == b"234" and part["ContentRange"] == "bytes 2-4/10"
    up = s3.create_multipart_upload(Bucket="s3-bkt", Key="copied")["UploadId"]
    etag = s3.upload_part_copy(
        Bucket="s3-bkt", Key="copied", UploadId=up, PartNumber=1, CopySource="s3-bkt/cold", CopySourceRange="bytes=0-3"
    )["CopyPartResult"]["ETag"]
    s3.complete_multipart_upload(
        Bucket="s3-bkt", Key="copied", UploadId=up, MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": etag}]}
    )
    assert bucket.get("copied") == b"0123"
