"""OSS state and semantics: buckets, objects, multipart uploads, symlinks, appends.

Everything here is plain Python, independent of HTTP: ``handlers.py`` turns requests
into calls on ``OssStore`` and the public ``fc_cloud.oss.bucket()`` API uses the same
calls, so a test's own writes and a handler's SDK writes follow one set of rules.

OSS semantics kept (OSS API reference, not S3):

* ETag = upper-case hex MD5 of the content (quoted on the wire); a multipart object's
  ETag is the MD5 of the concatenated binary part MD5s, upper-case, with ``-<parts>``;
  an appendable object's ETag changes on every append (here: MD5 of the content).
* CRC-64/ECMA-182 (``x-oss-hash-crc64ecma``), the value the SDKs verify.
* Append: the first append creates an ``Appendable`` object at position 0; any other
  position fails with ``PositionNotEqualToLength`` (409) carrying
  ``x-oss-next-append-position``; appending to a ``Normal`` object fails with
  ``ObjectNotAppendable``.
* Multipart: parts 1..10000, every part but the last at least 100 KB
  (``EntityTooSmall``), parts listed in ascending order (``InvalidPartOrder``), each
  ETag matching the uploaded one (``InvalidPart``).
* Symlinks resolve to their target on read; a missing target is
  ``SymlinkTargetNotExist``.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as _dt
import hashlib
import threading
from typing import Callable, Dict, Iterable, List, Optional, Sequence, Tuple

from .errors import (
    BucketAlreadyExists,
    BucketNotEmpty,
    EntityTooSmall,
    FileAlreadyExists,
    InvalidArgument,
    InvalidBucketName,
    InvalidObjectName,
    InvalidPart,
    InvalidPartOrder,
    InvalidRequest,
    NoSuchBucket,
    NoSuchKey,
    NoSuchUpload,
    NotModified,
    ObjectNotAppendable,
    OssError,  # noqa: F401 - re-exported: tests and other modules import it from here
    PositionNotEqualToLength,
    PreconditionFailed,
    SymlinkTargetNotExist,
)

MIN_PART_SIZE = 100 * 1024
MAX_PART_NUMBER = 10000
DEFAULT_CONTENT_TYPE = "application/octet-stream"
ACLS = ("private", "public-read", "public-read-write")
OBJECT_ACLS = ACLS + ("default",)

# headers OSS stores with an object and returns on GET/HEAD
STORED_HEADERS = ("Cache-Control", "Content-Disposition", "Content-Encoding", "Content-Language", "Expires")

# --------------------------------------------------------------------------- CRC-64/ECMA
_CRC64_POLY = 0x142F0E1EBA9EA3693  # ECMA-182, as crcmod (and oss2.utils.Crc64) spell it
_MASK64 = 0xFFFFFFFFFFFFFFFF
_crc64_impl: Optional[Callable[[bytes, int], int]] = None


def _crc64_table() -> List[int]:
    reflected = 0xC96C5795D7870F42  # the polynomial above, bit-reversed, without the x^64 term
    table = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ reflected if crc & 1 else crc >> 1
        table.append(crc)
    return table


def crc64_pure(data: bytes, crc: int = 0) -> int:
    """CRC-64/ECMA-182 as OSS computes it (reflected, init and xor-out all ones).

    ``crc`` continues a previous value, so ``crc64(b, crc64(a)) == crc64(a + b)``.
    Used when crcmod (a dependency of both OSS SDKs) is not importable.
    """
    table = _PURE_TABLE
    value = ~crc & _MASK64
    for byte in data:
        value = table[(value ^ byte) & 0xFF] ^ (value >> 8)
    return ~value & _MASK64


_PURE_TABLE = _crc64_table()


def crc64(data: bytes, crc: int = 0) -> int:
    """CRC-64/ECMA of ``data`` continuing from ``crc`` (crcmod's C code when available)."""
    global _crc64_impl
    if _crc64_impl is None:
        try:
            import crcmod

            _crc64_impl = crcmod.mkCrcFun(_CRC64_POLY, initCrc=0, rev=True, xorOut=_MASK64)
        except ImportError:
            _crc64_impl = crc64_pure
    return _crc64_impl(data, crc)


def md5_hex(data: bytes) -> str:
    return hashlib.md5(data).hexdigest().upper()


# --------------------------------------------------------------------------- errors
# OssError and these helpers stay importable from here (the error classes live in errors.py)
no_such_bucket, no_such_key, no_such_upload = NoSuchBucket, NoSuchKey, NoSuchUpload


# --------------------------------------------------------------------------- state
@dataclasses.dataclass
class OssObject:
    """One stored object (a symlink stores its target's key and no data)."""

    key: str
    data: bytes
    etag: str  # upper-case hex, no quotes
    content_type: str
    last_modified: _dt.datetime
    crc64: int
    object_type: str = "Normal"  # Normal | Appendable | Multipart | Symlink
    user_meta: Dict[str, str] = dataclasses.field(default_factory=dict)  # "x-oss-meta-*" -> value
    headers: Dict[str, str] = dataclasses.field(default_factory=dict)  # STORED_HEADERS present
    symlink_target: Optional[str] = None
    acl: str = "default"
    tags: Dict[str, str] = dataclasses.field(default_factory=dict)
    storage_class: str = "Standard"

    @property
    def size(self) -> int:
        return len(self.data)

    @property
    def content_md5(self) -> Optional[str]:
        """base64 MD5 header value; OSS sends it only for objects uploaded in one piece."""
        if self.object_type != "Normal":
            return None
        # a Normal object's ETag is its MD5 (in hex): no need to hash the data again
        return base64.b64encode(bytes.fromhex(self.etag)).decode()


@dataclasses.dataclass
class Part:
    number: int
    data: bytes
    etag: str
    crc64: int
    last_modified: _dt.datetime

    @property
    def size(self) -> int:
        return len(self.data)


@dataclasses.dataclass
class MultipartUpload:
    upload_id: str
    key: str
    initiated: _dt.datetime
    content_type: str
    user_meta: Dict[str, str]
    headers: Dict[str, str]
    parts: Dict[int, Part] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass
class BucketState:
    name: str
    region: str
    created: _dt.datetime
    acl: str = "private"
    storage_class: str = "Standard"
    objects: Dict[str, OssObject] = dataclasses.field(default_factory=dict)
    uploads: Dict[str, MultipartUpload] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass
class Change:
    """What one mutation did, in the terms of the OSS event FC delivers for it."""

    api: str  # OSS API name, e.g. "PutObject"
    bucket: BucketState
    key: str
    event_name: Optional[str]  # e.g. "ObjectCreated:PutObject"; None when no trigger fires
    size: int = 0
    delta_size: int = 0
    etag: str = ""
    obj: Optional[OssObject] = None  # the object after the change (None for removals)
    extra: Dict[str, object] = dataclasses.field(default_factory=dict)


# --------------------------------------------------------------------------- the store
class OssStore:
    """All buckets of one simulated cloud. Thread-safe (one lock per store)."""

    def __init__(self, clock: Callable[[], _dt.datetime], new_id: Callable[[], str]) -> None:
        self.clock = clock
        self.new_id = new_id
        self.buckets: Dict[str, BucketState] = {}
        self.lock = threading.RLock()

    # --- buckets --------------------------------------------------------------------
    def create_bucket(
        self, name: str, region: str, acl: str = "private", storage_class: str = "Standard"
    ) -> Tuple[BucketState, bool]:
        """(bucket, created). Re-creating one's own bucket in the same region is a no-op, as in OSS."""
        from .urls import is_valid_bucket_name

        if not is_valid_bucket_name(name):
            raise InvalidBucketName(name)
        if acl not in ACLS:
            raise InvalidArgument(f"no such bucket access control exists: {acl}", name="x-oss-acl", value=acl)
        with self.lock:
            existing = self.buckets.get(name)
            if existing is not None:
                if existing.region != region:
                    raise BucketAlreadyExists(name)
                return existing, False
            bucket = BucketState(name=name, region=region, created=self.clock(), acl=acl, storage_class=storage_class)
            self.buckets[name] = bucket
            return bucket, True

    def bucket(self, name: str) -> BucketState:
        with self.lock:
            bucket = self.buckets.get(name)
        if bucket is None:
            raise NoSuchBucket(name)
        return bucket

    def delete_bucket(self, name: str) -> BucketState:
        with self.lock:
            bucket = self.bucket(name)
            if bucket.objects:
                raise BucketNotEmpty(name)
            if bucket.uploads:
                raise BucketNotEmpty(name, "The bucket has objects or multipart uploads. Please delete them first.")
            del self.buckets[name]
            return bucket

    # --- reads --------------------------------------------------------------------------
    def get(self, bucket: BucketState, key: str) -> OssObject:
        obj = bucket.objects.get(key)
        if obj is None:
            raise NoSuchKey(key)
        return obj

    def resolve(self, bucket: BucketState, key: str) -> Tuple[OssObject, OssObject]:
        """(the object named ``key``, the object whose data it serves): differs for symlinks."""
        obj = self.get(bucket, key)
        if obj.object_type != "Symlink":
            return obj, obj
        target = bucket.objects.get(obj.symlink_target or "")
        if target is None:
            raise SymlinkTargetNotExist(key, obj.symlink_target)
        return obj, target

    # --- writes ---------------------------------------------------------------------------
    def _old_size(self, bucket: BucketState, key: str) -> int:
        old = bucket.objects.get(key)
        return old.size if old is not None else 0

    def _check_overwrite(self, bucket: BucketState, key: str, forbid_overwrite: bool) -> None:
        if forbid_overwrite and key in bucket.objects:
            raise FileAlreadyExists(key)

    def _store(
        self, bucket: BucketState, obj: OssObject, api: str, event_name: Optional[str], **extra: object
    ) -> Change:
        delta = obj.size - self._old_size(bucket, obj.key)
        bucket.objects[obj.key] = obj
        return Change(
            api=api,
            bucket=bucket,
            key=obj.key,
            event_name=event_name,
            size=obj.size,
            delta_size=delta,
            etag=obj.etag,
            obj=obj,
            extra=dict(extra),
        )

    def put_object(
        self,
        bucket: BucketState,
        key: str,
        data: bytes,
        *,
        content_type: Optional[str] = None,
        user_meta: Optional[Dict[str, str]] = None,
        headers: Optional[Dict[str, str]] = None,
        acl: str = "default",
        tags: Optional[Dict[str, str]] = None,
        storage_class: Optional[str] = None,
        forbid_overwrite: bool = False,
        api: str = "PutObject",
        event_name: str = "ObjectCreated:PutObject",
    ) -> Change:
        check_key(key)
        with self.lock:
            self._check_overwrite(bucket, key, forbid_overwrite)
            obj = OssObject(
                key=key,
                data=bytes(data),
                etag=md5_hex(data),
                content_type=content_type or guess_content_type(key),
                last_modified=self.clock(),
                crc64=crc64(data),
                user_meta=dict(user_meta or {}),
                headers=dict(headers or {}),
                acl=acl,
                tags=dict(tags or {}),
                storage_class=storage_class or bucket.storage_class,
            )
            return self._store(bucket, obj, api, event_name)

    def append_object(
        self,
        bucket: BucketState,
        key: str,
        data: bytes,
        position: int,
        *,
        content_type: Optional[str] = None,
        user_meta: Optional[Dict[str, str]] = None,
        headers: Optional[Dict[str, str]] = None,
    ) -> Change:
        check_key(key)
        with self.lock:
            existing = bucket.objects.get(key)
            length = existing.size if existing is not None else 0
            if existing is not None and existing.object_type != "Appendable":
                raise ObjectNotAppendable(key)
            if position != length:
                raise PositionNotEqualToLength(key, length)
            if existing is None:
                obj = OssObject(
                    key=key,
                    data=bytes(data),
                    etag=md5_hex(data),
                    content_type=content_type or guess_content_type(key),
                    last_modified=self.clock(),
                    crc64=crc64(data),
                    object_type="Appendable",
                    user_meta=dict(user_meta or {}),
                    headers=dict(headers or {}),
                    storage_class=bucket.storage_class,
                )
            else:
                # metadata of later appends is ignored, as in OSS
                new_data = existing.data + bytes(data)
                obj = dataclasses.replace(
                    existing,
                    data=new_data,
                    etag=md5_hex(new_data),
                    last_modified=self.clock(),
                    crc64=crc64(data, existing.crc64),
                )
            change = self._store(bucket, obj, "AppendObject", "ObjectCreated:AppendObject")
            change.extra["appended"] = len(data)
            return change

    def copy_object(
        self,
        src_bucket: BucketState,
        src_key: str,
        bucket: BucketState,
        key: str,
        *,
        replace_meta: bool = False,
        content_type: Optional[str] = None,
        user_meta: Optional[Dict[str, str]] = None,
        headers: Optional[Dict[str, str]] = None,
        forbid_overwrite: bool = False,
        if_match: Optional[str] = None,
        if_none_match: Optional[str] = None,
    ) -> Change:
        check_key(key)
        with self.lock:
            _link, source = self.resolve(src_bucket, src_key)
            check_preconditions(source, if_match, if_none_match, copy=True)
            self._check_overwrite(bucket, key, forbid_overwrite)
            # OSS CopyObject: when source and target are the same object the request's
            # metadata replaces the old one whatever x-oss-metadata-directive says
            if replace_meta or (src_bucket is bucket and src_key == key):
                ctype = content_type or guess_content_type(key)
                meta, stored = dict(user_meta or {}), dict(headers or {})
            else:
                ctype, meta, stored = source.content_type, dict(source.user_meta), dict(source.headers)
            # a copy is a Normal object with the source's bytes (an appendable source loses appendability)
            etag = source.etag if source.object_type in ("Normal", "Multipart") else md5_hex(source.data)
            obj = OssObject(
                key=key,
                data=source.data,
                etag=etag,
                content_type=ctype,
                last_modified=self.clock(),
                crc64=source.crc64,
                object_type="Multipart" if "-" in etag else "Normal",
                user_meta=meta,
                headers=stored,
                storage_class=bucket.storage_class,
            )
            return self._store(
                bucket, obj, "CopyObject", "ObjectCreated:CopyObject", source=f"{src_bucket.name}/{src_key}"
            )

    def put_symlink(
        self,
        bucket: BucketState,
        key: str,
        target: str,
        *,
        content_type: Optional[str] = None,
        user_meta: Optional[Dict[str, str]] = None,
        forbid_overwrite: bool = False,
    ) -> Change:
        check_key(key)
        check_key(target)
        with self.lock:
            self._check_overwrite(bucket, key, forbid_overwrite)
            obj = OssObject(
                key=key,
                data=b"",
                etag=md5_hex(target.encode("utf-8")),
                content_type=content_type or guess_content_type(key),
                last_modified=self.clock(),
                crc64=0,
                object_type="Symlink",
                user_meta=dict(user_meta or {}),
                symlink_target=target,
                storage_class=bucket.storage_class,
            )
            return self._store(bucket, obj, "PutSymlink", "ObjectCreated:PutSymlink", target=target)

    def delete_object(
        self, bucket: BucketState, key: str, api: str = "DeleteObject", event_name: str = "ObjectRemoved:DeleteObject"
    ) -> Optional[Change]:
        """Delete ``key``; ``None`` when it did not exist (OSS answers 204 either way)."""
        with self.lock:
            old = bucket.objects.pop(key, None)
        if old is None:
            return None
        # removal events report the removed size and its negative delta (events/oss.py model)
        return Change(
            api=api,
            bucket=bucket,
            key=key,
            event_name=event_name,
            size=old.size,
            delta_size=-old.size,
            etag=old.etag,
            obj=None,
        )

    # --- multipart ---------------------------------------------------------------------
    def initiate_multipart(
        self,
        bucket: BucketState,
        key: str,
        *,
        content_type: Optional[str] = None,
        user_meta: Optional[Dict[str, str]] = None,
        headers: Optional[Dict[str, str]] = None,
        forbid_overwrite: bool = False,
    ) -> Tuple[MultipartUpload, Change]:
        check_key(key)
        with self.lock:
            self._check_overwrite(bucket, key, forbid_overwrite)
            upload = MultipartUpload(
                upload_id=self.new_id(),
                key=key,
                initiated=self.clock(),
                content_type=content_type or guess_content_type(key),
                user_meta=dict(user_meta or {}),
                headers=dict(headers or {}),
            )
            bucket.uploads[upload.upload_id] = upload
        change = Change(
            api="InitiateMultipartUpload",
            bucket=bucket,
            key=key,
            event_name="ObjectCreated:InitiateMultipartUpload",
            extra={"upload_id": upload.upload_id},
        )
        return upload, change

    def upload(self, bucket: BucketState, key: str, upload_id: str) -> MultipartUpload:
        upload = bucket.uploads.get(upload_id)
        if upload is None or upload.key != key:
            raise NoSuchUpload(upload_id)
        return upload

    def upload_part(
        self,
        bucket: BucketState,
        key: str,
        upload_id: str,
        number: int,
        data: bytes,
        *,
        api: str = "UploadPart",
        **extra: object,
    ) -> Tuple[Part, Change]:
        if not 1 <= number <= MAX_PART_NUMBER:
            raise InvalidArgument(
                f"Part number must be an integer between 1 and {MAX_PART_NUMBER}, inclusive",
                name="partNumber",
                value=str(number),
            )
        with self.lock:
            upload = self.upload(bucket, key, upload_id)
            part = Part(
                number=number, data=bytes(data), etag=md5_hex(data), crc64=crc64(data), last_modified=self.clock()
            )
            upload.parts[number] = part
        change = Change(
            api=api,
            bucket=bucket,
            key=key,
            event_name=f"ObjectCreated:{api}",
            size=part.size,
            delta_size=part.size,
            etag=part.etag,
            extra={"upload_id": upload_id, "part_number": number, **extra},
        )
        return part, change

    def complete_multipart(
        self,
        bucket: BucketState,
        key: str,
        upload_id: str,
        parts: Optional[Sequence[Tuple[int, str]]],
        *,
        forbid_overwrite: bool = False,
    ) -> Change:
        """``parts``: (number, etag) as listed by the client; ``None`` = all uploaded parts."""
        with self.lock:
            upload = self.upload(bucket, key, upload_id)
            if parts is None:
                chosen = [upload.parts[n] for n in sorted(upload.parts)]
            else:
                chosen = []
                previous = 0
                for number, etag in parts:
                    if number <= previous:
                        raise InvalidPartOrder(upload_id)
                    previous = number
                    part = upload.parts.get(number)
                    if part is None or part.etag != etag.strip('"').upper():
                        raise InvalidPart(upload_id, number, etag)
                    chosen.append(part)
            if not chosen:
                raise InvalidRequest("You must specify at least one part", upload_id=upload_id)
            for part in chosen[:-1]:
                if part.size < MIN_PART_SIZE:
                    raise EntityTooSmall(
                        min_size=MIN_PART_SIZE, size=part.size, number=part.number, upload_id=upload_id
                    )
            self._check_overwrite(bucket, key, forbid_overwrite)
            data = b"".join(p.data for p in chosen)
            digest = hashlib.md5(b"".join(bytes.fromhex(p.etag) for p in chosen)).hexdigest().upper()
            crc = 0
            for p in chosen:
                crc = crc64(p.data, crc)
            obj = OssObject(
                key=key,
                data=data,
                etag=f"{digest}-{len(chosen)}",
                content_type=upload.content_type,
                last_modified=self.clock(),
                crc64=crc,
                object_type="Multipart",
                user_meta=upload.user_meta,
                headers=upload.headers,
                storage_class=bucket.storage_class,
            )
            del bucket.uploads[upload_id]
            return self._store(
                bucket,
                obj,
                "CompleteMultipartUpload",
                "ObjectCreated:CompleteMultipartUpload",
                upload_id=upload_id,
                parts=len(chosen),
            )

    def abort_multipart(self, bucket: BucketState, key: str, upload_id: str) -> Change:
        with self.lock:
            upload = self.upload(bucket, key, upload_id)
            del bucket.uploads[upload_id]
        removed = sum(p.size for p in upload.parts.values())  # the uploaded parts are discarded
        return Change(
            api="AbortMultipartUpload",
            bucket=bucket,
            key=key,
            event_name="ObjectRemoved:AbortMultipartUpload",
            size=removed,
            delta_size=-removed,
            extra={"upload_id": upload_id, "parts": len(upload.parts)},
        )

    # --- listing ---------------------------------------------------------------------------
    @staticmethod
    def list_keys(
        bucket: BucketState, prefix: str = "", start_after: str = "", delimiter: str = "", max_keys: int = 1000
    ) -> Tuple[List[OssObject], List[str], Optional[str]]:
        """(objects, common prefixes, next marker or None when complete), in key order."""
        objects: List[OssObject] = []
        prefixes: List[str] = []
        last: Optional[str] = None
        truncated = False
        for key in sorted(bucket.objects):
            if not key.startswith(prefix) or key <= start_after:
                continue
            if delimiter:
                cut = key.find(delimiter, len(prefix))
                if cut >= 0:
                    common = key[: cut + len(delimiter)]
                    if prefixes and prefixes[-1] == common:
                        continue
                    if common <= start_after:
                        continue
                    if len(objects) + len(prefixes) >= max_keys:
                        truncated = True
                        break
                    prefixes.append(common)
                    last = common
                    continue
            if len(objects) + len(prefixes) >= max_keys:
                truncated = True
                break
            objects.append(bucket.objects[key])
            last = key
        return objects, prefixes, (last if truncated else None)


# --------------------------------------------------------------------------- helpers
def check_key(key: str) -> None:
    """OSS object-name rules: 1-1023 UTF-8 bytes, not starting with '/' or '\\'."""
    raw = key.encode("utf-8")
    if not raw or len(raw) > 1023 or key[0] in "/\\":
        raise InvalidObjectName(key)


def guess_content_type(key: str) -> str:
    """OSS sets Content-Type from the object name's extension when the request has none."""
    import mimetypes

    ctype, _ = mimetypes.guess_type(key, strict=False)
    return ctype or DEFAULT_CONTENT_TYPE


def _etag_set(header: str) -> Iterable[str]:
    return {v.strip().strip('"').upper() for v in header.split(",")}


def check_preconditions(
    obj: OssObject, if_match: Optional[str], if_none_match: Optional[str], copy: bool = False
) -> None:
    """``If-Match`` -> 412 PreconditionFailed; ``If-None-Match`` -> 304 (412 for copies)."""
    if if_match and "*" not in if_match and obj.etag not in _etag_set(if_match):
        raise PreconditionFailed("If-Match")
    if if_none_match and ("*" in if_none_match or obj.etag in _etag_set(if_none_match)):
        if copy:
            raise PreconditionFailed("If-None-Match")
        raise NotModified()
