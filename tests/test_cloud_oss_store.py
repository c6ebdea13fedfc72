"""OSS semantics of the store itself (no HTTP): CRC-64, ETags, listing, append, multipart."""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pytest_fctrigger.cloud.oss.store import MIN_PART_SIZE, OssError, OssStore, crc64, crc64_pure


def make_store() -> OssStore:
    ticks = itertools.count()
    ids = itertools.count()
    start = dt.datetime(2025, 1, 1, tzinfo=dt.timezone.utc)
    return OssStore(clock=lambda: start + dt.timedelta(seconds=next(ticks)), new_id=lambda: f"{next(ids):032X}")


# --------------------------------------------------------------------------- CRC-64/ECMA
def test_crc64_known_values():
    # check value of CRC-64/XZ (= OSS's CRC-64/ECMA-182 parameters) and the value the
    # OSS wire capture in reference/sdk-wire.md shows for b"hello"
    assert crc64(b"123456789") == 0x995DC9BBDF1939FA
    assert crc64(b"hello") == 11177612005948864433
    assert crc64(b"") == 0


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=300), st.binary(max_size=300))
def test_pure_crc64_matches_crcmod_and_oss2_and_continues(a, b):
    import oss2.utils

    sdk = oss2.utils.Crc64(0)
    sdk.update(a + b)
    assert crc64_pure(a + b) == crc64(a + b) == sdk.crc
    assert crc64_pure(b, crc64_pure(a)) == crc64(a + b)


# --------------------------------------------------------------------------- objects
def test_put_records_size_delta_and_md5_etag():
    store = make_store()
    bucket, created = store.create_bucket("bkt", "cn-hangzhou")
    assert created and store.create_bucket("bkt", "cn-hangzhou") == (bucket, False)
    first = store.put_object(bucket, "k", b"12345")
    assert (first.size, first.delta_size, first.etag) == (5, 5, hashlib.md5(b"12345").hexdigest().upper())
    second = store.put_object(bucket, "k", b"12")
    assert (second.size, second.delta_size) == (2, -3)
    assert second.obj.content_type == "application/octet-stream"
    assert store.put_object(bucket, "a.png", b"x").obj.content_type == "image/png"


def test_bucket_names_and_regions():
    store = make_store()
    store.create_bucket("bkt", "cn-hangzhou")
    with pytest.raises(OssError) as info:
        store.create_bucket("bkt", "cn-beijing")
    assert info.value.code == "BucketAlreadyExists"
    for bad in ("ab", "UPPER", "-lead", "trail-", "under_score", "x" * 64):
        with pytest.raises(OssError) as info:
            store.create_bucket(bad, "cn-hangzhou")
        assert info.value.code == "InvalidBucketName"


@pytest.mark.parametrize("key", ["", "/abs", "\\back", "x" * 1024])
def test_invalid_object_names(key):
    store = make_store()
    bucket, _ = store.create_bucket("bkt", "cn-hangzhou")
    with pytest.raises(OssError) as info:
        store.put_object(bucket, key, b"x")
    assert info.value.code == "InvalidObjectName"


def test_append_semantics():
    store = make_store()
    bucket, _ = store.create_bucket("bkt", "cn-hangzhou")
    one = store.append_object(bucket, "log", b"ab", 0, user_meta={"x-oss-meta-a": "1"})
    two = store.append_object(bucket, "log", b"cde", 2, user_meta={"x-oss-meta-a": "ignored"})
    assert (two.size, two.delta_size, two.obj.crc64) == (5, 3, crc64(b"abcde"))
    assert two.obj.user_meta == {"x-oss-meta-a": "1"}  # later appends keep the first metadata
    assert one.obj.object_type == two.obj.object_type == "Appendable"
    with pytest.raises(OssError) as info:
        store.append_object(bucket, "log", b"x", 4)
    assert (info.value.status, info.value.code) == (409, "PositionNotEqualToLength")
    assert info.value.headers == {"x-oss-next-append-position": "5"}


def test_multipart_etag_is_md5_of_part_md5s_with_count():
    store = make_store()
    bucket, _ = store.create_bucket("bkt", "cn-hangzhou")
    upload, _ = store.initiate_multipart(bucket, "big")
    parts = [b"a" * MIN_PART_SIZE, b"b" * MIN_PART_SIZE, b"c"]
    etags = []
    for number, data in enumerate(parts, 1):
        part, change = store.upload_part(bucket, "big", upload.upload_id, number, data)
        etags.append((number, f'"{part.etag}"'))
        assert change.event_name == "ObjectCreated:UploadPart"
    done = store.complete_multipart(bucket, "big", upload.upload_id, etags)
    digest = hashlib.md5(b"".join(hashlib.md5(p).digest() for p in parts)).hexdigest().upper()
    assert done.etag == f"{digest}-3"
    assert done.obj.data == b"".join(parts) and done.obj.crc64 == crc64(b"".join(parts))
    assert bucket.uploads == {}


def test_only_the_last_part_may_be_small():
    store = make_store()
    bucket, _ = store.create_bucket("bkt", "cn-hangzhou")
    upload, _ = store.initiate_multipart(bucket, "k")
    store.upload_part(bucket, "k", upload.upload_id, 1, b"x" * (MIN_PART_SIZE - 1))
    store.upload_part(bucket, "k", upload.upload_id, 2, b"y")
    with pytest.raises(OssError) as info:
        store.complete_multipart(bucket, "k", upload.upload_id, None)
    assert info.value.code == "EntityTooSmall"
    with pytest.raises(OssError) as info:
        store.upload_part(bucket, "k", upload.upload_id, 10001, b"z")
    assert info.value.code == "InvalidArgument"


def test_delete_bucket_needs_it_empty():
    store = make_store()
    bucket, _ = store.create_bucket("bkt", "cn-hangzhou")
    store.initiate_multipart(bucket, "pending")
    with pytest.raises(OssError) as info:
        store.delete_bucket("bkt")
    assert info.value.code == "BucketNotEmpty"


# --------------------------------------------------------------------------- listing
@pytest.fixture
def listed():
    store = make_store()
    bucket, _ = store.create_bucket("bkt", "cn-hangzhou")
    for key in ("a/1", "a/2", "a/b/3", "b/1", "c"):
        store.put_object(bucket, key, b"x")
    return store, bucket


def test_list_with_delimiter_groups_common_prefixes(listed):
    store, bucket = listed
    objects, prefixes, nxt = store.list_keys(bucket, delimiter="/")
    assert ([o.key for o in objects], prefixes, nxt) == (["c"], ["a/", "b/"], None)
    objects, prefixes, _ = store.list_keys(bucket, prefix="a/", delimiter="/")
    assert ([o.key for o in objects], prefixes) == (["a/1", "a/2"], ["a/b/"])


def test_list_pages_resume_after_the_marker(listed):
    store, bucket = listed
    seen, marker = [], ""
    while True:
        objects, prefixes, marker = store.list_keys(bucket, start_after=marker, delimiter="/", max_keys=1)
        seen += [o.key for o in objects] + prefixes
        if marker is None:
            break
    assert seen == ["a/", "b/", "c"]
