"""The simulated OSS's named error classes: one per OSS ``<Code>``, catchable by name."""

from __future__ import annotations

import datetime as dt
import inspect
import itertools

import pytest

from pytest_fctrigger.cloud.oss import errors
from pytest_fctrigger.cloud.oss.store import OssError, OssStore


def make_store() -> OssStore:
    ticks = itertools.count()
    start = dt.datetime(2025, 1, 1, tzinfo=dt.timezone.utc)
    return OssStore(clock=lambda: start + dt.timedelta(seconds=next(ticks)), new_id=lambda: "0" * 32)


def _sample(cls: type) -> OssError:
    """An instance of ``cls`` built from placeholder arguments of the right kinds."""
    args, kwargs = [], {}
    for param in list(inspect.signature(cls).parameters.values()):
        if param.default is not inspect.Parameter.empty:
            continue
        value = 7 if param.name in ("number", "size", "length", "min_size") else f"<{param.name}>"
        if param.kind is param.KEYWORD_ONLY:
            kwargs[param.name] = value
        else:
            args.append(value)
    return cls(*args, **kwargs)


NAMED = [getattr(errors, name) for name in errors.__all__ if name != "OssError"]


@pytest.mark.parametrize("cls", NAMED, ids=lambda c: c.__name__)
def test_each_class_answers_with_its_own_code(cls):
    err = _sample(cls)
    assert isinstance(err, OssError)
    assert err.code == cls.__name__  # the class is named after the <Code> OSS sends
    assert 300 <= err.status < 500 and err.message
    assert all(isinstance(v, str) for v in err.details.values())


def test_store_errors_are_catchable_by_name():
    store = make_store()
    bucket, _ = store.create_bucket("bkt", "cn-hangzhou")
    with pytest.raises(errors.NoSuchKey) as info:
        store.get(bucket, "missing.txt")
    assert (info.value.status, info.value.details) == (404, {"Key": "missing.txt"})
    with pytest.raises(errors.NoSuchBucket):
        store.bucket("nope")
    store.put_object(bucket, "k", b"12345")
    with pytest.raises(errors.ObjectNotAppendable):
        store.append_object(bucket, "k", b"x", position=5)
    store.append_object(bucket, "log", b"abc", position=0)
    with pytest.raises(errors.PositionNotEqualToLength) as appended:
        store.append_object(bucket, "log", b"x", position=0)
    assert appended.value.headers == {"x-oss-next-append-position": "3"}
    with pytest.raises(errors.BucketNotEmpty):
        store.delete_bucket("bkt")


def test_details_keep_oss_element_order_and_drop_missing_values():
    err = errors.InvalidPart("UPLOAD", 3, "ETAG")
    assert list(err.details.items()) == [("UploadId", "UPLOAD"), ("PartNumber", "3"), ("ETag", "ETAG")]
    assert errors.InvalidArgument("bad", name="x-oss-acl").details == {"ArgumentName": "x-oss-acl"}
    assert errors.InvalidDigest("abc==").details == {"Content-MD5": "abc=="}
    assert errors.InvalidRange("bytes=9-", 5).headers == {"Content-Range": "bytes */5"}


def test_the_generic_constructor_still_works():
    # modules that add OSS APIs may raise a code that has no class yet
    err = OssError(400, "SomeNewCode", "text", headers={"h": "v"}, Key="k", Missing=None)
    assert (err.status, err.code, err.message, err.details, err.headers) == (
        400,
        "SomeNewCode",
        "text",
        {"Key": "k"},
        {"h": "v"},
    )
