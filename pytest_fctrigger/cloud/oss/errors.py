"""The OSS error responses the simulated OSS sends, one class per ``<Code>``.

Each class fixes the HTTP status and the ``<Code>`` OSS answers with (OSS API
reference, "Error responses"); its constructor takes the values that go into the
``<Message>`` and the extra elements of the ``<Error>`` document (``BucketName``,
``Key``, ``ArgumentName``, ...), in the order OSS writes them. ``handlers.py`` turns any
``OssError`` into the XML error response; the test-side API turns it into a
``ConfigError`` naming the bucket.

``OssError(status, code, message, *, headers=None, **details)`` stays usable directly
for an error that has no class yet.
"""

from __future__ import annotations

from typing import Dict, Optional, Union

__all__ = [
    "OssError",
    "AccessDenied",
    "BucketAlreadyExists",
    "BucketNotEmpty",
    "EntityTooSmall",
    "FileAlreadyExists",
    "InvalidArgument",
    "InvalidBucketName",
    "InvalidDigest",
    "InvalidObjectName",
    "InvalidPart",
    "InvalidPartOrder",
    "InvalidRange",
    "InvalidRequest",
    "MalformedXML",
    "MissingArgument",
    "NoSuchBucket",
    "NoSuchKey",
    "NoSuchUpload",
    "NotModified",
    "NotSymlink",
    "ObjectNotAppendable",
    "PositionNotEqualToLength",
    "PreconditionFailed",
    "SymlinkTargetNotExist",
]

#: a value of an extra ``<Error>`` element; ``None`` leaves the element out
Detail = Union[str, int, None]


class OssError(Exception):
    """An OSS error response: HTTP status, ``<Code>``, ``<Message>`` and extra fields.

    ``details`` become extra elements of the ``<Error>`` XML (``BucketName``, ``Key``,
    ``Endpoint``, ...; ``None`` values are left out); ``headers`` extra response headers
    (e.g. the next append position).
    """

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        headers: Optional[Dict[str, str]] = None,
        **details: Detail,
    ) -> None:
        super().__init__(f"{code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.details: Dict[str, str] = {k: str(v) for k, v in details.items() if v is not None}
        self.headers: Dict[str, str] = headers or {}


# --- 4xx: the request ----------------------------------------------------------------------
class MalformedXML(OssError):
    """400: the request body is not the XML document the API expects."""

    DEFAULT = "The XML you provided was not well-formed or did not validate against our published schema."

    def __init__(self, message: str = DEFAULT) -> None:
        super().__init__(400, "MalformedXML", message)


class InvalidArgument(OssError):
    """400: a parameter or header has a value OSS refuses (``ArgumentName``/``ArgumentValue``)."""

    def __init__(self, message: str, *, name: Optional[str] = None, value: Optional[str] = None) -> None:
        super().__init__(400, "InvalidArgument", message, ArgumentName=name, ArgumentValue=value)


class MissingArgument(OssError):
    """400: a required header or parameter is missing."""

    def __init__(self, name: str) -> None:
        super().__init__(400, "MissingArgument", "Missing Some Required Arguments.", ArgumentName=name)


class InvalidDigest(OssError):
    """400: ``Content-MD5`` does not match the body."""

    def __init__(self, content_md5: str) -> None:
        super().__init__(400, "InvalidDigest", "The Content-MD5 you specified was invalid.")
        # not a keyword argument: "Content-MD5" is no Python identifier
        self.details["Content-MD5"] = content_md5


class InvalidRequest(OssError):
    """400: a request OSS cannot carry out as asked."""

    def __init__(self, message: str, *, upload_id: Optional[str] = None) -> None:
        super().__init__(400, "InvalidRequest", message, UploadId=upload_id)


class InvalidBucketName(OssError):
    """400: the bucket name breaks OSS's naming rules."""

    def __init__(self, name: str) -> None:
        super().__init__(400, "InvalidBucketName", "The specified bucket is not valid.", BucketName=name)


class InvalidObjectName(OssError):
    """400: the object name breaks OSS's naming rules."""

    def __init__(self, key: str) -> None:
        super().__init__(400, "InvalidObjectName", "The specified object is not valid.", Key=key)


class NotSymlink(OssError):
    """400: GetSymlink on an object that is not a symlink."""

    def __init__(self, key: str) -> None:
        super().__init__(400, "NotSymlink", "The specified object is not a symlink.", Key=key)


class InvalidPartOrder(OssError):
    """400: CompleteMultipartUpload lists parts out of ascending order."""

    def __init__(self, upload_id: str) -> None:
        super().__init__(
            400,
            "InvalidPartOrder",
            "The list of parts was not in ascending order. Parts list must be specified in order by part number.",
            UploadId=upload_id,
        )


class InvalidPart(OssError):
    """400: CompleteMultipartUpload names a part that was not uploaded (or with another ETag)."""

    def __init__(self, upload_id: str, number: int, etag: str) -> None:
        super().__init__(
            400,
            "InvalidPart",
            "One or more of the specified parts could not be found or the specified entity tag "
            "might not have matched the part's entity tag.",
            UploadId=upload_id,
            PartNumber=number,
            ETag=etag,
        )


class EntityTooSmall(OssError):
    """400: a part other than the last is under the minimum part size."""

    def __init__(self, *, min_size: int, size: int, number: int, upload_id: str) -> None:
        super().__init__(
            400,
            "EntityTooSmall",
            "Your proposed upload smaller than the minimum allowed size (100 KB for every part but the last).",
            MinSizeAllowed=min_size,
            ProposedSize=size,
            PartNumber=number,
            UploadId=upload_id,
        )


class AccessDenied(OssError):
    """403: the caller may not do this (ACL, anonymous caller, wrong endpoint)."""

    def __init__(self, message: str, *, bucket: Optional[str] = None, endpoint: Optional[str] = None) -> None:
        super().__init__(403, "AccessDenied", message, Bucket=bucket, Endpoint=endpoint)


# --- 404: something is not there ---------------------------------------------------------------
class NoSuchBucket(OssError):
    """404: the bucket does not exist."""

    def __init__(self, name: str) -> None:
        super().__init__(404, "NoSuchBucket", "The specified bucket does not exist.", BucketName=name)


class NoSuchKey(OssError):
    """404: the object does not exist."""

    def __init__(self, key: str) -> None:
        super().__init__(404, "NoSuchKey", "The specified key does not exist.", Key=key)


class NoSuchUpload(OssError):
    """404: the multipart upload does not exist (never started, aborted or completed)."""

    def __init__(self, upload_id: str) -> None:
        super().__init__(
            404,
            "NoSuchUpload",
            "The specified upload does not exist. The upload ID may be invalid, "
            "or the upload may have been aborted or completed.",
            UploadId=upload_id,
        )


class SymlinkTargetNotExist(OssError):
    """404: a symlink's target object does not exist."""

    def __init__(self, key: str, target: Optional[str]) -> None:
        super().__init__(
            404, "SymlinkTargetNotExist", "The symlink target object does not exist", Key=key, TargetKey=target
        )


# --- 409: the state does not allow it ----------------------------------------------------------
class BucketAlreadyExists(OssError):
    """409: the bucket name is taken (bucket names are global across regions)."""

    def __init__(self, name: str) -> None:
        super().__init__(
            409,
            "BucketAlreadyExists",
            "The requested bucket name is not available. The bucket namespace is shared by all users of "
            "the system. Please select a different name and try again.",
            BucketName=name,
        )


class BucketNotEmpty(OssError):
    """409: DeleteBucket on a bucket with objects or multipart uploads."""

    def __init__(self, name: str, message: str = "The bucket you tried to delete is not empty.") -> None:
        super().__init__(409, "BucketNotEmpty", message, BucketName=name)


class FileAlreadyExists(OssError):
    """409: a write with ``x-oss-forbid-overwrite: true`` onto an existing object."""

    def __init__(self, key: str) -> None:
        super().__init__(
            409, "FileAlreadyExists", "The object you specified already exists and can not be overwritten.", Key=key
        )


class ObjectNotAppendable(OssError):
    """409: AppendObject onto an object that is not ``Appendable``."""

    def __init__(self, key: str) -> None:
        super().__init__(409, "ObjectNotAppendable", "The object is not appendable", Key=key)


class PositionNotEqualToLength(OssError):
    """409: AppendObject at a position other than the object's length (header: the right one)."""

    def __init__(self, key: str, length: int) -> None:
        super().__init__(
            409,
            "PositionNotEqualToLength",
            "Position is not equal to file length",
            headers={"x-oss-next-append-position": str(length)},
            Key=key,
        )


# --- conditions and ranges -----------------------------------------------------------------------
class NotModified(OssError):
    """304: ``If-None-Match``/``If-Modified-Since`` on a read (sent without a body)."""

    def __init__(self) -> None:
        super().__init__(304, "NotModified", "Not Modified")


class PreconditionFailed(OssError):
    """412: a conditional header did not hold."""

    def __init__(self, condition: str) -> None:
        super().__init__(
            412,
            "PreconditionFailed",
            "At least one of the pre-conditions you specified did not hold.",
            Condition=condition,
        )


class InvalidRange(OssError):
    """416: the ``Range`` starts past the object's end."""

    def __init__(self, header: str, size: int) -> None:
        super().__init__(
            416,
            "InvalidRange",
            "The requested range cannot be satisfied",
            headers={"Content-Range": f"bytes */{size}"},
            RangeRequested=header,
            ActualObjectSize=size,
        )
