"""oss2's CRC-64 check keeps working, with the same values, while the cloud reuses crcmod's
table for oss2's CRC objects (pytest_fctrigger/cloud/oss/_sdk_crc.py; done for speed).

OSS returns ``x-oss-hash-crc64ecma`` on uploads and downloads and oss2 compares it with
its own CRC of the bytes (``enable_crc=True``, the default): a corrupted transfer is an
``InconsistentError`` (OSS developer guide, "Data verification": CRC-64).
"""

from __future__ import annotations

import oss2
import pytest
from cloud_oss_helpers import oss2_bucket

from pytest_fctrigger.cloud.oss.store import crc64


@pytest.fixture
def bucket(fc_cloud):
    fc_cloud.oss.bucket("crcbucket", region="cn-hangzhou")
    bucket = oss2_bucket("crcbucket")
    bucket.put_object("first.txt", b"the service exists now")  # the OSS service (and its seams) installed
    return bucket


def _sdk_crc(init_crc: int, *chunks: bytes) -> int:
    crc = oss2.utils.Crc64(init_crc)
    for chunk in chunks:
        crc.update(chunk)
    return crc.crc


@pytest.mark.parametrize("init_crc", [0, 12345678901234567890])
def test_sdk_crc_values_are_unchanged_and_independent(bucket, init_crc):
    expected = crc64(b"123456789abc", init_crc)
    first = oss2.utils.Crc64(init_crc)
    second = oss2.utils.Crc64(init_crc)
    first.update(b"123456789")
    assert second.crc == crc64(b"", init_crc)  # a fresh object does not see the other's bytes
    first.update(b"abc")
    assert first.crc == expected == _sdk_crc(init_crc, b"123", b"456789abc")
    assert _sdk_crc(0, b"123456789") == 0x995DC9BBDF1939FA  # CRC-64/ECMA-182 check value
    # oss2's multipart combine function still combines
    a, b = crc64(b"part-one"), crc64(b"part-two")
    assert oss2.utils.Crc64(0).combine(a, b, len(b"part-two")) == crc64(b"part-onepart-two")


def test_upload_and_download_crc_checks_still_pass(bucket):
    body = bytes(range(256)) * 40
    result = bucket.put_object("data.bin", body)
    assert result.crc == crc64(body)
    got = bucket.get_object("data.bin")
    assert got.read() == body
    assert got.client_crc == got.server_crc == crc64(body)


def test_a_corrupted_download_still_fails_the_crc_check(fc_cloud, bucket, tmp_path):
    bucket.put_object("data.txt", b"hello world")
    store = fc_cloud.oss.store
    obj = store.get(store.bucket("crcbucket"), "data.txt")
    obj.data = b"jello world"  # the bytes change on the way, the stored CRC does not
    got = bucket.get_object("data.txt")
    assert got.read() == b"jello world"
    assert got.client_crc == crc64(b"jello world") != got.server_crc == crc64(b"hello world")
    with pytest.raises(oss2.exceptions.InconsistentError):  # oss2 compares them itself here
        bucket.get_object_to_file("data.txt", str(tmp_path / "data.txt"))


def test_oss2_keeps_its_own_constructor_outside_the_cloud():
    from pytest_fctrigger.cloud import Cloud

    own = oss2.utils.Crc64.__init__
    cloud = Cloud(7)
    with cloud.activate():
        cloud.oss.bucket("crcbucket", region="cn-hangzhou")
        assert oss2.utils.Crc64.__init__ is not own
        assert oss2.utils.Crc64.__init__.__wrapped__ is own
        assert _sdk_crc(0, b"123456789") == 0x995DC9BBDF1939FA
    assert oss2.utils.Crc64.__init__ is own
