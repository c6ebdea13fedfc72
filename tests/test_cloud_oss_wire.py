"""OSS on the wire: endpoints, URL styles, signatures, anonymous access, raw requests, forms."""

from __future__ import annotations

import base64
import hashlib
import json
import xml.etree.ElementTree as ET

import oss2
import pytest
import requests
from cloud_oss_helpers import event_record, last_write, oss2_bucket

from pytest_fctrigger.cloud.oss.urls import URL_PATTERN, parse_url
from pytest_fctrigger.errors import NotSimulatedError

SIGNED = {"Authorization": "OSS STS.ak:c2lnbmF0dXJl"}  # V1 shape; signatures are not verified


@pytest.fixture
def bucket_state(fc_cloud):
    return fc_cloud.oss.bucket("wirebucket", region="cn-hangzhou")


# --------------------------------------------------------------------------- URLs
@pytest.mark.parametrize(
    "url,expected",
    [
        (
            "https://b1x.oss-cn-hangzhou-internal.aliyuncs.com/in%2Fa.txt?append=&position=0",
            ("internal", "cn-hangzhou", "virtual", "b1x", "in/a.txt"),
        ),
        (
            "http://oss-ap-southeast-1.aliyuncs.com:8080/my-bucket/a/b.txt?uploads",
            ("public", "ap-southeast-1", "path", "my-bucket", "a/b.txt"),
        ),
        ("https://oss-cn-hangzhou.aliyuncs.com/", ("public", "cn-hangzhou", "service", None, "")),
        ("https://bkt.cn-shanghai.oss.aliyuncs.com/x", ("dualstack", "cn-shanghai", "virtual", "bkt", "x")),
        ("https://bkt.oss-accelerate.aliyuncs.com/k", ("accelerate", None, "virtual", "bkt", "k")),
        ("https://oss-accelerate-overseas.aliyuncs.com/bkt/k", ("accelerate", None, "path", "bkt", "k")),
        ("https://vpc100-oss-cn-hangzhou.aliyuncs.com/bkt/k", ("internal", "cn-hangzhou", "path", "bkt", "k")),
        ("https://BKT.OSS-CN-HANGZHOU.ALIYUNCS.COM/Key", ("public", "cn-hangzhou", "virtual", "bkt", "Key")),
    ],
)
def test_url_forms(url, expected):
    assert URL_PATTERN.match(url)
    t = parse_url(url)
    assert (t.kind, t.region, t.style, t.bucket, t.key) == expected


def test_url_host_query_and_fragment():
    t = parse_url(
        "https://Bkt.OSS-cn-hangzhou-internal.aliyuncs.com:443/a%20b.txt?x-oss-process=image%2Fresize&acl#fragment"
    )
    assert (t.host, t.bucket, t.key) == ("oss-cn-hangzhou-internal.aliyuncs.com", "bkt", "a b.txt")
    assert t.query == {"x-oss-process": "image/resize", "acl": ""}
    assert parse_url("https://bkt.oss-cn-hangzhou.aliyuncs.com").key == ""


@pytest.mark.parametrize(
    "path,key",
    [
        ("in%2Fa.txt", "in/a.txt"),  # oss2 escapes every "/"
        ("in%2fa.txt", "in/a.txt"),
        ("in%2F%E4%B8%AD%20x.txt", "in/\u4e2d x.txt"),
        ("in%2Fa%252F.txt", "in/a%2F.txt"),  # an escaped "%" stays a literal one
        ("in%2Fa%.txt", "in/a%.txt"),
    ],
)
def test_url_keys_are_percent_decoded_once(path, key):
    assert parse_url(f"https://bkt.oss-cn-hangzhou.aliyuncs.com/{path}").key == key


def test_http_dates_are_those_of_the_email_package():
    import datetime as dt
    from email.utils import format_datetime

    from pytest_fctrigger.cloud.oss.handlers import http_date

    utc = dt.timezone.utc
    for when in (
        dt.datetime(2025, 3, 2, 4, 5, 6, 789000, tzinfo=utc),
        dt.datetime(2026, 11, 22, tzinfo=utc),
        dt.datetime(999, 12, 31, 23, 59, 59, tzinfo=utc),
        dt.datetime(2024, 2, 29, 12, tzinfo=utc),
    ):
        assert http_date(when) == format_datetime(when, usegmt=True)


@pytest.mark.parametrize(
    "url", ["https://ecs.aliyuncs.com/", "https://oss.example.com/b/k", "https://sls.cn-hangzhou.log.aliyuncs.com/"]
)
def test_non_oss_urls_are_not_claimed(url):
    assert URL_PATTERN.match(url) is None and parse_url(url) is None


def test_path_style_and_virtual_hosted_address_the_same_object(bucket_state):
    oss2_bucket("wirebucket").put_object("dir/k.txt", b"same")
    virtual = requests.get("https://wirebucket.oss-cn-hangzhou.aliyuncs.com/dir%2Fk.txt", headers=SIGNED)
    path = requests.get("https://oss-cn-hangzhou-internal.aliyuncs.com/wirebucket/dir/k.txt", headers=SIGNED)
    assert virtual.content == path.content == b"same"
    assert virtual.headers["ETag"] == path.headers["ETag"]


def test_wrong_region_endpoint_is_refused_with_the_right_one(bucket_state):
    with pytest.raises(oss2.exceptions.AccessDenied) as info:
        oss2_bucket("wirebucket", region="cn-shanghai").put_object("k", b"v")
    assert info.value.details["Endpoint"] == "oss-cn-hangzhou-internal.aliyuncs.com"


def test_invalid_bucket_name(fc_cloud):
    resp = requests.get("https://oss-cn-hangzhou.aliyuncs.com/Bad_Name/k", headers=SIGNED)
    assert resp.status_code == 400
    assert ET.fromstring(resp.content).findtext("Code") == "InvalidBucketName"


# --------------------------------------------------------------------------- auth
@pytest.mark.parametrize(
    "auth,kind",
    [
        (lambda: oss2.Auth("LTAIak", "sk"), "v1"),
        (lambda: oss2.StsAuth("STS.ak", "sk", "token"), "v1"),
        (lambda: oss2.AuthV4("LTAIak", "sk"), "v4"),
    ],
    ids=["v1", "sts", "v4"],
)
def test_signature_versions_are_accepted_and_recorded(fc_cloud, bucket_state, auth, kind):
    bucket = oss2.Bucket(auth(), "https://oss-cn-hangzhou.aliyuncs.com", "wirebucket", region="cn-hangzhou")
    bucket.put_object("k", b"v")
    assert bucket.get_object("k").read() == b"v"
    write = last_write(fc_cloud)
    assert write.attributes["auth"] == kind
    assert write.attributes["access_key_id"] in ("LTAIak", "STS.ak")


@pytest.mark.parametrize("auth", [lambda: oss2.Auth("ak", "sk"), lambda: oss2.AuthV4("ak", "sk")], ids=["v1", "v4"])
def test_presigned_urls_work_with_plain_requests(bucket_state, auth):
    bucket = oss2.Bucket(auth(), "https://oss-cn-hangzhou.aliyuncs.com", "wirebucket", region="cn-hangzhou")
    put_url = bucket.sign_url("PUT", "shared/up.txt", 60)
    assert requests.put(put_url, data=b"via presigned").status_code == 200
    assert requests.get(bucket.sign_url("GET", "shared/up.txt", 60)).content == b"via presigned"


def test_anonymous_requests_follow_the_acl(fc_cloud, bucket_state):
    url = "https://wirebucket.oss-cn-hangzhou.aliyuncs.com/pub.txt"
    oss2_bucket("wirebucket").put_object("pub.txt", b"hi")
    denied = requests.get(url)
    assert denied.status_code == 403
    assert ET.fromstring(denied.content).findtext("Code") == "AccessDenied"
    bucket_state.acl = "public-read"
    assert requests.get(url).content == b"hi"
    assert requests.put(url, data=b"overwrite").status_code == 403  # public-read: no anonymous writes
    bucket_state.acl = "public-read-write"
    assert requests.put(url, data=b"overwrite").status_code == 200
    assert last_write(fc_cloud).attributes["auth"] == "anonymous"
    # an object ACL overrides the bucket's
    bucket_state.acl = "private"
    oss2_bucket("wirebucket").put_object_acl("pub.txt", oss2.OBJECT_ACL_PUBLIC_READ)
    assert requests.get(url).content == b"overwrite"
    assert requests.get("https://oss-cn-hangzhou.aliyuncs.com/").status_code == 403  # ListBuckets


# --------------------------------------------------------------------------- raw protocol details
def test_every_response_has_its_own_request_id(bucket_state):
    ids = {
        requests.get("https://wirebucket.oss-cn-hangzhou.aliyuncs.com/none", headers=SIGNED).headers["x-oss-request-id"]
        for _ in range(5)
    }
    assert len(ids) == 5 and all(len(i) == 24 and i.upper() == i for i in ids)


def test_head_errors_come_back_in_x_oss_err(bucket_state):
    resp = requests.head("https://wirebucket.oss-cn-hangzhou.aliyuncs.com/none", headers=SIGNED)
    assert resp.status_code == 404 and resp.content == b""
    error = ET.fromstring(base64.b64decode(resp.headers["x-oss-err"]))
    assert (error.findtext("Code"), error.findtext("Key")) == ("NoSuchKey", "none")
    assert error.findtext("RequestId") == resp.headers["x-oss-request-id"]


def test_complete_multipart_rejects_unordered_parts(bucket_state):
    b = oss2_bucket("wirebucket")
    up = b.init_multipart_upload("o.bin").upload_id
    e1 = b.upload_part("o.bin", up, 1, b"a" * 102400).etag
    e2 = b.upload_part("o.bin", up, 2, b"b").etag
    body = (
        f'<CompleteMultipartUpload><Part><PartNumber>2</PartNumber><ETag>"{e2}"</ETag></Part>'
        f'<Part><PartNumber>1</PartNumber><ETag>"{e1}"</ETag></Part></CompleteMultipartUpload>'
    )
    resp = requests.post(
        f"https://wirebucket.oss-cn-hangzhou.aliyuncs.com/o.bin?uploadId={up}", data=body, headers=SIGNED
    )
    assert resp.status_code == 400
    assert ET.fromstring(resp.content).findtext("Code") == "InvalidPartOrder"


def test_malformed_xml_and_missing_md5_on_batch_delete(bucket_state):
    url = "https://wirebucket.oss-cn-hangzhou.aliyuncs.com/?delete"
    no_md5 = requests.post(url, data=b"<Delete><Object><Key>a</Key></Object></Delete>", headers=SIGNED)
    assert ET.fromstring(no_md5.content).findtext("Code") == "MissingArgument"
    bad = b"<Delete><Object>"
    md5 = base64.b64encode(hashlib.md5(bad).digest()).decode()
    resp = requests.post(url, data=bad, headers={**SIGNED, "Content-MD5": md5})
    assert resp.status_code == 400 and ET.fromstring(resp.content).findtext("Code") == "MalformedXML"


def test_range_behaviour(bucket_state):
    oss2_bucket("wirebucket").put_object("r", b"0123456789")
    url = "https://wirebucket.oss-cn-hangzhou.aliyuncs.com/r"
    part = requests.get(url, headers={**SIGNED, "Range": "bytes=-3"})
    assert (part.status_code, part.content, part.headers["Content-Range"]) == (206, b"789", "bytes 7-9/10")
    # OSS serves the whole object for an unsatisfiable range unless asked for standard behaviour
    assert requests.get(url, headers={**SIGNED, "Range": "bytes=50-60"}).status_code == 200
    strict = requests.get(url, headers={**SIGNED, "Range": "bytes=50-60", "x-oss-range-behavior": "standard"})
    assert strict.status_code == 416


def test_response_header_overrides(bucket_state):
    bucket = oss2_bucket("wirebucket")
    bucket.put_object("f.bin", b"x")
    got = bucket.get_object(
        "f.bin", params={"response-content-type": "text/csv", "response-content-disposition": "attachment"}
    )
    assert got.headers["Content-Type"] == "text/csv"
    assert got.headers["Content-Disposition"] == "attachment"


# --------------------------------------------------------------------------- PostObject
def _policy() -> str:
    return base64.b64encode(
        json.dumps(
            {"expiration": "2099-01-01T00:00:00.000Z", "conditions": [["content-length-range", 0, 1048576]]}
        ).encode()
    ).decode()


def test_post_object_form_upload(fc_cloud, bucket_state):
    fields = {
        "key": "uploads/${filename}",
        "policy": _policy(),
        "OSSAccessKeyId": "STS.ak",
        "Signature": "c2ln",
        "x-oss-meta-from": "browser",
        "success_action_status": "201",
    }
    resp = requests.post(
        "https://wirebucket.oss-cn-hangzhou.aliyuncs.com/",
        data=fields,
        files={"file": ("photo.jpg", b"jpeg bytes", "image/jpeg")},
    )
    assert resp.status_code == 201
    assert ET.fromstring(resp.content).findtext("Key") == "uploads/photo.jpg"
    stored = bucket_state.stat("uploads/photo.jpg")
    assert (stored.data, stored.content_type, stored.user_meta) == (
        b"jpeg bytes",
        "image/jpeg",
        {"x-oss-meta-from": "browser"},
    )
    write = last_write(fc_cloud)
    assert (write.api, write.event_name, write.sdk) == ("PostObject", "ObjectCreated:PostObject", "http")
    assert (write.attributes["auth"], write.attributes["access_key_id"]) == ("v1", "STS.ak")
    obj = event_record(write)["oss"]["object"]
    assert (obj["key"], obj["size"], obj["eTag"]) == (
        "uploads/photo.jpg",
        10,
        hashlib.md5(b"jpeg bytes").hexdigest().upper(),
    )
    assert event_record(write)["responseElements"]["requestId"] == resp.headers["x-oss-request-id"]


def test_anonymous_post_object_needs_a_public_read_write_bucket(bucket_state):
    url = "https://wirebucket.oss-cn-hangzhou.aliyuncs.com/"
    denied = requests.post(url, data={"key": "a.txt"}, files={"file": ("a.txt", b"x")})
    assert denied.status_code == 403
    bucket_state.acl = "public-read-write"
    assert requests.post(url, data={"key": "a.txt"}, files={"file": ("a.txt", b"x")}).status_code == 204
    assert bucket_state.get("a.txt") == b"x"


# --------------------------------------------------------------------------- not simulated
@pytest.mark.parametrize(
    "method,url,operation",
    [
        ("HEAD", "https://wirebucket.oss-cn-hangzhou.aliyuncs.com/", "HeadBucket"),
        ("PUT", "https://wirebucket.oss-cn-hangzhou.aliyuncs.com/?cors", "PutBucketCors"),
        ("POST", "https://wirebucket.oss-cn-hangzhou.aliyuncs.com/k?x-oss-async-process", "AsyncProcessObject"),
        ("GET", "https://oss-cn-hangzhou.aliyuncs.com/?regions", "DescribeRegions"),
        ("OPTIONS", "https://wirebucket.oss-cn-hangzhou.aliyuncs.com/k", "OptionObject"),
        ("GET", "https://wirebucket.oss-cn-hangzhou.aliyuncs.com/?versions&version-id-marker=", "ListObjectVersions"),
    ],
)
def test_raw_unsimulated_requests_raise(bucket_state, method, url, operation):
    with pytest.raises(NotSimulatedError) as info:
        requests.request(method, url, headers=SIGNED)
    assert info.value.operation == operation
