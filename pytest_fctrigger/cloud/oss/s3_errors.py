"""Errors of OSS's S3-compatible API, in the shape S3 clients parse.

An S3 error is ``<Error><Code/><Message/>...<RequestId/><HostId/></Error>`` with the
status code of the condition (``NoSuchKey`` 404, ``NoSuchBucket`` 404, ...). OSS
answers S3-protocol requests with the same codes as its own API, so the store's
``OssError`` is rendered here with ``x-amz-request-id`` beside OSS's own request id.
A ``HEAD`` reply has no body: botocore then reports the bare status (``404``), as
with S3.

The conditions below are specific to the S3 protocol on OSS:

* path-style URLs are refused: "For security reasons, OSS supports only
  virtual-hosted style" (OSS documentation, *Compatibility with Amazon S3*), with the
  error OSS returns for them, ``SecondLevelDomainForbidden``;
* ``aws-chunked`` uploads (``x-amz-content-sha256: STREAMING-...``, what boto3 >= 1.36
  sends by default over HTTPS to carry a trailing CRC32) are answered
  ``NotImplemented``, as OSS answers them;
* an S3 API outside OSS's list of S3-compatible operations fails the test with
  ``NotSimulatedError`` naming it (no guessed reply).
"""

from __future__ import annotations

from .store import OssError

__all__ = ["path_style_forbidden", "chunked_not_implemented", "S3_COMPATIBILITY_PAGE"]

S3_COMPATIBILITY_PAGE = "https://www.alibabacloud.com/help/en/oss/developer-reference/compatibility-with-amazon-s3"


def path_style_forbidden() -> OssError:
    return OssError(
        403,
        "SecondLevelDomainForbidden",
        "The bucket you are attempting to access must be addressed using OSS third level domain. "
        "(pytest-fctrigger: OSS serves S3-protocol requests only virtual-hosted style; in boto3 pass "
        "config=botocore.config.Config(s3={'addressing_style': 'virtual'}).)",
    )


def chunked_not_implemented(value: str) -> OssError:
    return OssError(
        400,
        "NotImplemented",
        f"Aws MultiChunkedEncoding {value} is not supported. "
        "(pytest-fctrigger: boto3 >= 1.36 sends a trailing checksum by default; OSS needs "
        "config=botocore.config.Config(request_checksum_calculation='when_required', "
        "response_checksum_validation='when_required').)",
    )
