"""Every OSS write API through ``oss2``: OSS semantics, and the event FC would deliver.

Event names: seeds/001 "OSS事件定义" (the 12 names); event shape: seeds/003 "OSS trigger"
sample (``deltaSize`` = size for a new object, the size difference on overwrite).
"""

from __future__ import annotations

import base64
import hashlib
import json

import oss2
import pytest
from cloud_oss_helpers import b64, event_record, last_write, oss2_bucket

from pytest_fctrigger.cloud.oss.store import crc64
from pytest_fctrigger.errors import NotSimulatedError

PART = 100 * 1024  # the smallest part OSS accepts (every part but the last)


@pytest.fixture
def bucket(fc_cloud):
    fc_cloud.oss.bucket("testbucket", region="cn-hangzhou")
    return oss2_bucket("testbucket")


def writes(cloud):
    return [(w.api, w.event_name, w.resource["key"]) for w in cloud.journal]


# --------------------------------------------------------------------------- PutObject
def test_put_object_new_then_overwrite(fc_cloud, bucket):
    result = bucket.put_object(
        "source/a.png", b"x" * 1000, headers={"Content-Type": "image/png", "x-oss-meta-last-modified": "20250213"}
    )
    assert result.etag == hashlib.md5(b"x" * 1000).hexdigest().upper()
    assert result.crc == crc64(b"x" * 1000)

    write = last_write(fc_cloud)
    assert (write.service, write.api, write.event_name, write.sdk) == (
        "oss",
        "PutObject",
        "ObjectCreated:PutObject",
        "oss2",
    )
    assert write.resource == {"bucket": "testbucket", "key": "source/a.png"}
    record = event_record(write)
    assert record["eventName"] == "ObjectCreated:PutObject"
    assert record["region"] == "cn-hangzhou"
    assert record["oss"]["bucket"]["name"] == "testbucket"
    assert record["oss"]["bucket"]["arn"] == f"acs:oss:cn-hangzhou:{fc_cloud.rng.account_id}:testbucket"
    obj = record["oss"]["object"]
    assert obj == {
        "deltaSize": 1000,
        "eTag": result.etag,
        "key": "source/a.png",
        "size": 1000,
        "objectMeta": {"mimeType": "image/png", "userMeta": {"x-oss-meta-last-modified": "20250213"}},
    }
    assert record["responseElements"]["requestId"] == result.request_id
    # internal endpoint: the request comes from the function's VPC address
    assert record["requestParameters"]["sourceIPAddress"].startswith("10.")

    again = bucket.put_object("source/a.png", b"y" * 400)
    obj = event_record(last_write(fc_cloud))["oss"]["object"]
    assert (obj["size"], obj["deltaSize"], obj["eTag"]) == (400, -600, again.etag)


def test_a_writes_event_is_the_same_whenever_it_is_read():
    # The journal encodes events on first read: one seed must give the same events
    # whether the test reads each one at once or only after later writes drew values.
    from pytest_fctrigger.cloud import Cloud

    def run(read_at_once):
        cloud, events = Cloud(7), []
        with cloud.activate():
            cloud.oss.bucket("seeded", region="cn-hangzhou")
            client = oss2_bucket("seeded")
            for i in range(3):
                client.put_object(f"k{i}.json", b"{}" * i, headers={"x-oss-meta-n": str(i)})
                client.delete_object(f"k{i}.json")
                if read_at_once:
                    events += [bytes(w.event) for w in list(cloud.journal)[-2:]]
            if not read_at_once:
                events = [bytes(w.event) for w in cloud.journal]
        return events

    at_once, at_the_end = run(True), run(False)
    assert len(at_once) == 6 and at_once == at_the_end
    assert json.loads(at_once[2])["events"][0]["oss"]["object"]["objectMeta"] == {
        "mimeType": "application/json",
        "userMeta": {"x-oss-meta-n": "1"},
    }


def test_put_object_etag_is_upper_case_md5(bucket):
    assert bucket.put_object("a.txt", b"hello").etag == hashlib.md5(b"hello").hexdigest().upper()


def test_forbid_overwrite(fc_cloud, bucket):
    bucket.put_object("once.txt", b"1")
    with pytest.raises(oss2.exceptions.ServerError) as info:
        bucket.put_object("once.txt", b"2", headers={"x-oss-forbid-overwrite": "true"})
    assert (info.value.status, info.value.code) == (409, "FileAlreadyExists")
    assert bucket.get_object("once.txt").read() == b"1"
    assert len(fc_cloud.journal) == 1  # the refused write is not journaled


def test_bad_content_md5_is_refused(bucket):
    with pytest.raises(oss2.exceptions.InvalidDigest):
        bucket.put_object("a.txt", b"hello", headers={"Content-MD5": "AAAAAAAAAAAAAAAAAAAAAA=="})


# --------------------------------------------------------------------------- AppendObject
def test_append_object_positions_crc_and_events(fc_cloud, bucket):
    first = bucket.append_object("log.txt", 0, b"abc")
    assert first.next_position == 3 and first.crc == crc64(b"abc")
    second = bucket.append_object("log.txt", 3, b"defg", init_crc=first.crc)
    assert second.next_position == 7 and second.crc == crc64(b"abcdefg")
    assert bucket.get_object("log.txt").read() == b"abcdefg"
    assert bucket.head_object("log.txt").object_type == "Appendable"

    with pytest.raises(oss2.exceptions.PositionNotEqualToLength) as info:
        bucket.append_object("log.txt", 3, b"zz")
    assert info.value.next_position == 7

    records = [event_record(w) for w in fc_cloud.journal]
    assert [r["eventName"] for r in records] == ["ObjectCreated:AppendObject"] * 2
    assert [(r["oss"]["object"]["size"], r["oss"]["object"]["deltaSize"]) for r in records] == [(3, 3), (7, 4)]


def test_append_to_a_normal_object_is_refused(bucket):
    bucket.put_object("plain.txt", b"abc")
    with pytest.raises(oss2.exceptions.ObjectNotAppendable):
        bucket.append_object("plain.txt", 3, b"d")


def test_first_append_must_be_at_zero(bucket):
    with pytest.raises(oss2.exceptions.PositionNotEqualToLength) as info:
        bucket.append_object("new.log", 5, b"x")
    assert info.value.next_position == 0


# --------------------------------------------------------------------------- CopyObject
def test_copy_object_copies_meta_or_replaces_it(fc_cloud, bucket):
    src = bucket.put_object("in/a.txt", b"hello", headers={"x-oss-meta-owner": "alice", "Content-Type": "text/plain"})
    copied = bucket.copy_object("testbucket", "in/a.txt", "out/b.txt")
    assert copied.etag == src.etag
    head = bucket.head_object("out/b.txt")
    assert head.headers["x-oss-meta-owner"] == "alice" and head.content_type == "text/plain"
    write = last_write(fc_cloud)
    assert (write.api, write.event_name) == ("CopyObject", "ObjectCreated:CopyObject")
    assert write.attributes["source"] == "testbucket/in/a.txt"
    obj = event_record(write)["oss"]["object"]
    assert (obj["key"], obj["size"], obj["deltaSize"], obj["eTag"]) == ("out/b.txt", 5, 5, src.etag)

    bucket.copy_object(
        "testbucket",
        "in/a.txt",
        "out/c.txt",
        headers={"x-oss-metadata-directive": "REPLACE", "x-oss-meta-owner": "bob", "Content-Type": "text/csv"},
    )
    head = bucket.head_object("out/c.txt")
    assert head.headers["x-oss-meta-owner"] == "bob" and head.content_type == "text/csv"


def test_copy_between_buckets_and_missing_source(fc_cloud, bucket):
    fc_cloud.oss.bucket("other")
    bucket.put_object("k", b"data")
    oss2_bucket("other").copy_object("testbucket", "k", "k2")
    assert fc_cloud.oss.bucket("other").get("k2") == b"data"
    with pytest.raises(oss2.exceptions.NoSuchKey):
        bucket.copy_object("testbucket", "missing", "x")
    with pytest.raises(oss2.exceptions.NoSuchBucket):
        bucket.copy_object("nobucket", "k", "x")


def test_update_object_meta_copies_onto_itself(bucket):
    bucket.put_object("m.txt", b"v", headers={"x-oss-meta-a": "1"})
    bucket.update_object_meta("m.txt", {"x-oss-meta-b": "2"})
    head = bucket.head_object("m.txt")
    assert head.headers.get("x-oss-meta-b") == "2" and "x-oss-meta-a" not in head.headers
    assert bucket.get_object("m.txt").read() == b"v"


# --------------------------------------------------------------------------- multipart
def test_multipart_upload_events_etag_and_crc(fc_cloud, bucket):
    up = bucket.init_multipart_upload("big.bin", headers={"x-oss-meta-kind": "video"}).upload_id
    p1 = bucket.upload_part("big.bin", up, 1, b"A" * PART)
    p2 = bucket.upload_part("big.bin", up, 2, b"B" * 10)
    parts = [
        oss2.models.PartInfo(1, p1.etag, size=PART, part_crc=p1.crc),
        oss2.models.PartInfo(2, p2.etag, size=10, part_crc=p2.crc),
    ]
    done = bucket.complete_multipart_upload("big.bin", up, parts)

    expected = hashlib.md5(bytes.fromhex(p1.etag) + bytes.fromhex(p2.etag)).hexdigest().upper() + "-2"
    assert done.etag == expected
    assert done.crc == crc64(b"A" * PART + b"B" * 10)
    assert bucket.get_object("big.bin").read() == b"A" * PART + b"B" * 10
    head = bucket.head_object("big.bin")
    assert head.object_type == "Multipart" and head.headers["x-oss-meta-kind"] == "video"

    assert writes(fc_cloud) == [
        ("InitiateMultipartUpload", "ObjectCreated:InitiateMultipartUpload", "big.bin"),
        ("UploadPart", "ObjectCreated:UploadPart", "big.bin"),
        ("UploadPart", "ObjectCreated:UploadPart", "big.bin"),
        ("CompleteMultipartUpload", "ObjectCreated:CompleteMultipartUpload", "big.bin"),
    ]
    objs = [event_record(w)["oss"]["object"] for w in fc_cloud.journal]
    assert [(o["size"], o["deltaSize"]) for o in objs] == [(0, 0), (PART, PART), (10, 10), (PART + 10, PART + 10)]
    assert objs[1]["eTag"] == p1.etag and objs[3]["eTag"] == expected
    assert "objectMeta" not in objs[0]
    assert objs[3]["objectMeta"]["userMeta"] == {"x-oss-meta-kind": "video"}


def test_upload_part_copy(fc_cloud, bucket):
    bucket.put_object("src.bin", bytes(range(256)) * 1000)
    up = bucket.init_multipart_upload("dst.bin").upload_id
    part = bucket.upload_part_copy("testbucket", "src.bin", (0, PART - 1), "dst.bin", up, 1)
    bucket.upload_part("dst.bin", up, 2, b"tail")
    bucket.complete_multipart_upload(
        "dst.bin",
        up,
        [oss2.models.PartInfo(1, part.etag), oss2.models.PartInfo(2, bucket.list_parts("dst.bin", up).parts[1].etag)],
    )
    assert bucket.get_object("dst.bin").read() == (bytes(range(256)) * 1000)[:PART] + b"tail"
    copy_write = [w for w in fc_cloud.journal if w.api == "UploadPartCopy"][0]
    assert copy_write.event_name == "ObjectCreated:UploadPartCopy"
    assert event_record(copy_write)["oss"]["object"]["size"] == PART


def test_multipart_rules(bucket):
    up = bucket.init_multipart_upload("r.bin").upload_id
    small = bucket.upload_part("r.bin", up, 1, b"tiny")
    last = bucket.upload_part("r.bin", up, 2, b"end")
    with pytest.raises(oss2.exceptions.ServerError) as info:
        bucket.complete_multipart_upload(
            "r.bin", up, [oss2.models.PartInfo(1, small.etag), oss2.models.PartInfo(2, last.etag)]
        )
    assert info.value.code == "EntityTooSmall"
    with pytest.raises(oss2.exceptions.ServerError) as info:
        bucket.complete_multipart_upload("r.bin", up, [oss2.models.PartInfo(1, "0" * 32)])
    assert info.value.code == "InvalidPart"
    with pytest.raises(oss2.exceptions.NoSuchUpload):
        bucket.upload_part("r.bin", "NOTANUPLOAD", 1, b"x")


def test_abort_multipart_upload(fc_cloud, bucket):
    up = bucket.init_multipart_upload("gone.bin").upload_id
    bucket.upload_part("gone.bin", up, 1, b"12345")
    assert fc_cloud.oss.bucket("testbucket").uploads == [up]
    bucket.abort_multipart_upload("gone.bin", up)
    assert fc_cloud.oss.bucket("testbucket").uploads == []
    write = last_write(fc_cloud)
    assert (write.api, write.event_name) == ("AbortMultipartUpload", "ObjectRemoved:AbortMultipartUpload")
    obj = event_record(write)["oss"]["object"]
    assert (obj["size"], obj["deltaSize"]) == (5, -5)
    with pytest.raises(oss2.exceptions.NoSuchUpload):
        bucket.abort_multipart_upload("gone.bin", up)


def test_resumable_upload_uses_multipart_and_list_parts(fc_cloud, bucket, tmp_path):
    path = tmp_path / "movie.bin"
    data = bytes(range(256)) * 2000  # 512 000 bytes -> 3 parts of 200 KB
    path.write_bytes(data)
    oss2.resumable_upload(
        bucket,
        "movies/m.bin",
        str(path),
        multipart_threshold=PART,
        part_size=200 * 1024,
        num_threads=2,
        store=oss2.ResumableStore(root=str(tmp_path)),
    )
    assert fc_cloud.oss.bucket("testbucket").get("movies/m.bin") == data
    assert [w.api for w in fc_cloud.journal].count("UploadPart") == 3
    assert fc_cloud.journal.since(0)[-1].event_name == "ObjectCreated:CompleteMultipartUpload"


# --------------------------------------------------------------------------- symlinks
def test_put_symlink_and_read_through_it(fc_cloud, bucket):
    bucket.put_object("target/a.txt", b"the target")
    bucket.put_symlink("target/a.txt", "links/a")
    write = last_write(fc_cloud)
    assert (write.api, write.event_name) == ("PutSymlink", "ObjectCreated:PutSymlink")
    assert write.attributes["target"] == "target/a.txt"
    assert bucket.get_symlink("links/a").target_key == "target/a.txt"
    assert bucket.get_object("links/a").read() == b"the target"
    assert bucket.head_object("links/a").object_type == "Symlink"
    with pytest.raises(oss2.exceptions.ServerError) as info:
        bucket.get_symlink("target/a.txt")
    assert info.value.code == "NotSymlink"
    bucket.delete_object("target/a.txt")
    with pytest.raises(oss2.exceptions.ServerError) as info:
        bucket.get_object("links/a")
    assert (info.value.status, info.value.code) == (404, "SymlinkTargetNotExist")


# --------------------------------------------------------------------------- the 12 names
def test_every_oss_trigger_event_name_comes_from_its_api(fc_cloud, bucket):
    """The 12 event names of seeds/001 "OSS事件定义", each produced by the API that fires it,
    called through oss2 (PostObject is an HTML form upload, which oss2 has no call for)."""
    import requests

    from pytest_fctrigger.events import OSS_EVENT_NAMES

    bucket.put_object("a.txt", b"x")
    bucket.put_symlink("a.txt", "link")
    bucket.copy_object("testbucket", "a.txt", "copy.txt")
    bucket.append_object("log", 0, b"x")
    up = bucket.init_multipart_upload("big").upload_id
    first = bucket.upload_part("big", up, 1, b"A" * PART)
    second = bucket.upload_part_copy("testbucket", "a.txt", (0, 0), "big", up, 2)
    bucket.complete_multipart_upload(
        "big", up, [oss2.models.PartInfo(1, first.etag), oss2.models.PartInfo(2, second.etag)]
    )
    bucket.abort_multipart_upload("gone", bucket.init_multipart_upload("gone").upload_id)
    bucket.delete_object("copy.txt")
    bucket.batch_delete_objects(["link"])
    form = requests.post(
        "https://testbucket.oss-cn-hangzhou.aliyuncs.com/",
        data={"key": "form.txt", "policy": "e30=", "OSSAccessKeyId": "STS.ak", "Signature": "c2ln"},
        files={"file": ("form.txt", b"f")},
    )
    assert form.status_code == 204

    writes = [w for w in fc_cloud.journal if w.event_name]
    assert [(w.api, w.event_name) for w in writes] == [
        ("PutObject", "ObjectCreated:PutObject"),
        ("PutSymlink", "ObjectCreated:PutSymlink"),
        ("CopyObject", "ObjectCreated:CopyObject"),
        ("AppendObject", "ObjectCreated:AppendObject"),
        ("InitiateMultipartUpload", "ObjectCreated:InitiateMultipartUpload"),
        ("UploadPart", "ObjectCreated:UploadPart"),
        ("UploadPartCopy", "ObjectCreated:UploadPartCopy"),
        ("CompleteMultipartUpload", "ObjectCreated:CompleteMultipartUpload"),
        ("InitiateMultipartUpload", "ObjectCreated:InitiateMultipartUpload"),
        ("AbortMultipartUpload", "ObjectRemoved:AbortMultipartUpload"),
        ("DeleteObject", "ObjectRemoved:DeleteObject"),
        ("DeleteObjects", "ObjectRemoved:DeleteObjects"),
        ("PostObject", "ObjectCreated:PostObject"),
    ]
    assert {w.event_name for w in writes} == set(OSS_EVENT_NAMES)
    # the event each write carries is the one FC delivers for it: same name, same object
    for w in writes:
        record = event_record(w)
        assert (record["eventName"], record["oss"]["object"]["key"]) == (w.event_name, w.resource["key"])
    assert {w.sdk for w in writes} == {"oss2", "http"}


# --------------------------------------------------------------------------- deletes
def test_delete_object_event_reports_removed_size(fc_cloud, bucket):
    put = bucket.put_object("d.txt", b"12345678")
    assert bucket.delete_object("d.txt").status == 204
    write = last_write(fc_cloud)
    assert (write.api, write.event_name) == ("DeleteObject", "ObjectRemoved:DeleteObject")
    obj = event_record(write)["oss"]["object"]
    assert (obj["size"], obj["deltaSize"], obj["eTag"]) == (8, -8, put.etag)
    assert "objectMeta" not in obj
    assert not bucket.object_exists("d.txt")
    # deleting a missing key succeeds (204) and, having removed nothing, fires nothing
    count = len(fc_cloud.journal)
    assert bucket.delete_object("d.txt").status == 204
    assert len(fc_cloud.journal) == count


@pytest.mark.parametrize("quiet", [False, True])
def test_batch_delete_one_event_per_deleted_key(fc_cloud, bucket, quiet):
    for key in ("a/1", "a/2", "a/3 with space+plus"):
        bucket.put_object(key, b"x")
    before = len(fc_cloud.journal)
    if quiet:
        # oss2 has no quiet switch; send the XML the way DeleteObjects documents it
        body = (
            b"<Delete><Quiet>true</Quiet><Object><Key>a/1</Key></Object><Object><Key>a/2</Key>"
            b"</Object><Object><Key>a/3 with space+plus</Key></Object><Object><Key>nope</Key></Object></Delete>"
        )
        resp = bucket._Bucket__do_bucket(
            "POST",
            params={"delete": ""},
            data=body,
            headers={"Content-MD5": base64.b64encode(hashlib.md5(body).digest()).decode()},
        )
        assert b"<Deleted>" not in resp.read()
    else:
        result = bucket.batch_delete_objects(["a/1", "a/2", "a/3 with space+plus", "nope"])
        assert result.deleted_keys == ["a/1", "a/2", "a/3 with space+plus", "nope"]
    new = fc_cloud.journal.since(before)
    assert [(w.api, w.event_name, w.resource["key"]) for w in new] == [
        ("DeleteObjects", "ObjectRemoved:DeleteObjects", "a/1"),
        ("DeleteObjects", "ObjectRemoved:DeleteObjects", "a/2"),
        ("DeleteObjects", "ObjectRemoved:DeleteObjects", "a/3 with space+plus"),
    ]
    assert len({w.attributes["request_id"] for w in new}) == 1  # one request, three events
    assert fc_cloud.oss.bucket("testbucket").keys() == []


# --------------------------------------------------------------------------- process/saveas
def test_process_object_saveas_writes_the_target(fc_cloud, bucket):
    """seeds/003 image-resize sample: ``process_object`` with ``sys/saveas``."""
    bucket.put_object("source/a.png", b"\x89PNG fake image", headers={"Content-Type": "image/png"})
    style = "image/resize,m_fixed,w_128,h_128"
    process = f"{style}|sys/saveas,o_{b64('processed/a.png')},b_{b64('testbucket')}"
    result = bucket.process_object("source/a.png", process)
    assert (result.bucket, result.object, result.fileSize, result.process_status) == (
        "testbucket",
        "processed/a.png",
        15,
        "OK",
    )
    saved = fc_cloud.oss.bucket("testbucket").stat("processed/a.png")
    assert saved.data == b"\x89PNG fake image" and saved.content_type == "image/png"
    write = last_write(fc_cloud)
    assert (write.api, write.event_name) == ("ProcessObject", "ObjectCreated:PutObject")
    assert write.attributes["source"] == "testbucket/source/a.png"
    assert write.attributes["process"] == process
    assert event_record(write)["oss"]["object"]["key"] == "processed/a.png"


def test_process_object_into_another_bucket_unpadded_base64(fc_cloud, bucket):
    fc_cloud.oss.bucket("thumbs")
    bucket.put_object("x.jpg", b"jpeg")
    bucket.process_object(
        "x.jpg", f"image/resize,w_10|sys/saveas,o_{b64('t/x.jpg', pad=False)},b_{b64('thumbs', pad=False)}"
    )
    assert fc_cloud.oss.bucket("thumbs").get("t/x.jpg") == b"jpeg"


def test_process_object_errors(bucket):
    bucket.put_object("x.jpg", b"jpeg")
    with pytest.raises(oss2.exceptions.InvalidArgument):
        bucket.process_object("x.jpg", "image/resize,w_10")  # no saveas step
    with pytest.raises(oss2.exceptions.NoSuchKey):
        bucket.process_object("missing.jpg", f"image/resize,w_10|sys/saveas,o_{b64('t.jpg')}")
    with pytest.raises(oss2.exceptions.NoSuchBucket):
        bucket.process_object("x.jpg", f"image/resize,w_10|sys/saveas,o_{b64('t.jpg')},b_{b64('nobucket')}")


def test_get_with_x_oss_process_serves_the_original_bytes(bucket):
    bucket.put_object("p.jpg", b"original")
    assert bucket.get_object("p.jpg", process="image/resize,w_10").read() == b"original"


# --------------------------------------------------------------------------- reads and errors
def test_get_head_meta_ranges_and_conditions(bucket):
    put = bucket.put_object("r.txt", b"0123456789", headers={"x-oss-meta-a": "b", "Cache-Control": "no-cache"})
    got = bucket.get_object("r.txt")
    assert got.read() == b"0123456789"
    assert got.headers["x-oss-meta-a"] == "b" and got.headers["Cache-Control"] == "no-cache"
    assert got.server_crc == crc64(b"0123456789")
    assert bucket.get_object("r.txt", byte_range=(2, 5)).read() == b"2345"
    head = bucket.head_object("r.txt")
    assert (head.content_length, head.etag, head.object_type) == (10, put.etag, "Normal")
    meta = bucket.get_object_meta("r.txt")
    assert (meta.content_length, meta.etag) == (10, put.etag)
    assert bucket.object_exists("r.txt") and not bucket.object_exists("nope")
    with pytest.raises(oss2.exceptions.PreconditionFailed):
        bucket.get_object("r.txt", headers={"If-Match": '"' + "0" * 32 + '"'})
    with pytest.raises(oss2.exceptions.NotModified):
        bucket.get_object("r.txt", headers={"If-None-Match": f'"{put.etag}"'})


def test_errors_carry_oss_codes_and_request_ids(fc_cloud, bucket):
    with pytest.raises(oss2.exceptions.NoSuchKey) as info:
        bucket.get_object("missing")
    assert info.value.details["Key"] == "missing"
    assert len(info.value.request_id) == 24
    with pytest.raises(oss2.exceptions.NoSuchKey) as info:
        bucket.head_object("missing")  # HEAD: the error comes back in x-oss-err
    assert info.value.details["Code"] == "NoSuchKey"
    with pytest.raises(oss2.exceptions.NoSuchBucket):
        oss2_bucket("no-such-bucket").put_object("k", b"v")
    with pytest.raises(oss2.exceptions.ServerError) as info:
        bucket.put_object("/leading-slash", b"v")
    assert info.value.code == "InvalidObjectName"


def test_listing_v1_and_v2(bucket):
    for key in ("a/1.txt", "a/2.txt", "a/b/3.txt", "c.txt", "d e+f.txt"):
        bucket.put_object(key, b"x")
    assert [o.key for o in oss2.ObjectIterator(bucket, max_keys=2)] == [
        "a/1.txt",
        "a/2.txt",
        "a/b/3.txt",
        "c.txt",
        "d e+f.txt",
    ]
    top = list(oss2.ObjectIterator(bucket, delimiter="/"))
    assert [(o.key, o.is_prefix()) for o in top] == [("a/", True), ("c.txt", False), ("d e+f.txt", False)]
    assert [o.key for o in oss2.ObjectIteratorV2(bucket, prefix="a/", delimiter="/", max_keys=1)] == [
        "a/1.txt",
        "a/2.txt",
        "a/b/",
    ]
    listed = bucket.list_objects(prefix="a/", max_keys=1)
    assert listed.is_truncated and listed.next_marker == "a/1.txt"
    assert listed.object_list[0].size == 1 and listed.object_list[0].type == "Normal"


def test_object_acl_and_tagging_are_mutations_without_trigger_events(fc_cloud, bucket):
    bucket.put_object("t.txt", b"x")
    bucket.put_object_acl("t.txt", oss2.OBJECT_ACL_PUBLIC_READ)
    assert bucket.get_object_acl("t.txt").acl == "public-read"
    tagging = oss2.models.Tagging(oss2.models.TaggingRule())
    tagging.tag_set.add("stage", "raw")
    bucket.put_object_tagging("t.txt", tagging)
    assert bucket.get_object_tagging("t.txt").tag_set.tagging_rule == {"stage": "raw"}
    bucket.delete_object_tagging("t.txt")
    assert bucket.get_object_tagging("t.txt").tag_set.tagging_rule == {}
    plain = [w for w in fc_cloud.journal if w.api != "PutObject"]
    assert [(w.api, w.event_name, w.event) for w in plain] == [
        ("PutObjectACL", None, None),
        ("PutObjectTagging", None, None),
        ("DeleteObjectTagging", None, None),
    ]


def test_bucket_apis(fc_cloud):
    service = oss2.Service(oss2.Auth("ak", "sk"), "https://oss-cn-shanghai.aliyuncs.com")
    created = oss2.Bucket(oss2.Auth("ak", "sk"), "https://oss-cn-shanghai.aliyuncs.com", "made-by-sdk")
    created.create_bucket(oss2.BUCKET_ACL_PUBLIC_READ)
    assert fc_cloud.oss.bucket("made-by-sdk").region == "cn-shanghai"
    assert created.get_bucket_acl().acl == "public-read"
    assert created.get_bucket_location().location == "oss-cn-shanghai"
    info = created.get_bucket_info()
    assert (info.name, info.intranet_endpoint) == ("made-by-sdk", "oss-cn-shanghai-internal.aliyuncs.com")
    assert [b.name for b in oss2.BucketIterator(service)] == ["made-by-sdk"]
    created.put_object("k", b"v")
    with pytest.raises(oss2.exceptions.BucketNotEmpty):
        created.delete_bucket()
    created.delete_object("k")
    created.delete_bucket()
    assert fc_cloud.oss.buckets == {}
    assert [w.api for w in fc_cloud.journal if w.event is None] == ["PutBucket", "DeleteBucket"]


# --------------------------------------------------------------------------- not simulated
@pytest.mark.parametrize(
    "call,operation",
    [
        (lambda b: b.get_bucket_lifecycle(), "GetBucketLifecycle"),
        (lambda b: b.put_bucket_website(oss2.models.BucketWebsite("index.html", "error.html")), "PutBucketWebsite"),
        (lambda b: b.restore_object("k"), "RestoreObject"),
        (lambda b: b.get_object("k", params={"versionId": "v1"}), "GetObject (with versionId)"),
        (lambda b: b.list_object_versions(), "ListObjectVersions"),
    ],
)
def test_unsimulated_calls_raise_naming_the_operation(bucket, call, operation):
    with pytest.raises(NotSimulatedError) as info:
        call(bucket)
    assert info.value.operation == operation
    assert "not simulated" in str(info.value)


def test_upload_callbacks_are_not_simulated(bucket):
    callback = oss2.utils.b64encode_as_string(json.dumps({"callbackUrl": "http://example.com/cb", "callbackBody": "x"}))
    with pytest.raises(NotSimulatedError, match="x-oss-callback"):
        bucket.put_object("cb.txt", b"x", headers={"x-oss-callback": callback})


def test_resumable_download_uses_ranges(fc_cloud, bucket, tmp_path):
    data = bytes(range(256)) * 1000
    fc_cloud.oss.bucket("testbucket").put("dl.bin", data)
    target = tmp_path / "dl.bin"
    oss2.resumable_download(
        bucket,
        "dl.bin",
        str(target),
        multiget_threshold=PART,
        part_size=PART,
        num_threads=2,
        store=oss2.ResumableDownloadStore(root=str(tmp_path)),
    )
    assert target.read_bytes() == data
