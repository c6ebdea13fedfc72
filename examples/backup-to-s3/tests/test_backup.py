"""Tests of the backup-to-s3 function: oss2 on the simulated OSS, boto3 on moto's S3.

``fc_cloud`` serves the Alibaba side (the OSS bucket the trigger watches), ``fc_aws``
the AWS side (moto, with fake AWS credentials; real ``AWS_*`` settings are hidden).
The handler runs unmodified; ``result.writes`` lists its writes on both clouds, and
only the OSS ones are checked against the function's OSS trigger.
"""

import dataclasses
import json

import boto3
import pytest
from botocore.config import Config

from pytest_fctrigger import SelfTriggerLoop, lint

CSV = b"day,visits\n2025-05-01,42\n"


def test_an_upload_is_backed_up_to_s3(fc_invoke, backup, uploads, s3):
    event = uploads.put("incoming/2025/report.csv", CSV)

    result = fc_invoke(backup, event)

    copy = s3.get_object(Bucket="uploads-backup", Key="uploads/incoming/2025/report.csv")
    assert copy["Body"].read() == CSV
    assert result.json()["s3"] == "s3://uploads-backup/uploads/incoming/2025/report.csv"
    assert [(w.cloud, w.service, w.api) for w in result.writes] == [
        ("aws", "s3", "PutObject"),
        ("alibaba", "oss", "PutObject"),
    ]
    aws_write, marker = result.writes
    assert aws_write.resource == {"bucket": "uploads-backup", "key": "uploads/incoming/2025/report.csv"}
    assert marker.resource["key"] == "backed-up/2025/report.csv.json"
    assert result.loop is None  # backed-up/ is outside the trigger's prefix


def test_a_marker_written_into_the_watched_prefix_is_a_self_trigger_loop(fc_invoke, backup, uploads, s3):
    looping = dataclasses.replace(backup, environment={**backup.environment, "DONE_PREFIX": "incoming/done/"})
    event = uploads.put("incoming/a.csv", CSV)

    with pytest.raises(SelfTriggerLoop) as caught:
        fc_invoke(looping, event)

    assert "oss://uploads/incoming/done/a.csv.json" in str(caught.value)


def test_a_missing_backup_bucket_fails_the_invocation(fc_invoke, backup, uploads, fc_aws):
    # no `s3` fixture: the backup bucket does not exist on moto's S3
    event = uploads.put("incoming/a.csv", CSV)

    result = fc_invoke(backup, event, catch=True)

    assert result.error["errorType"] == "NoSuchBucket"
    assert "backed-up/a.csv.json" not in uploads.keys()


def test_the_receipt_reads_back_through_osss_s3_api(fc_invoke, backup, uploads, s3):
    """Tools that reach OSS with boto3 (OSS's S3-compatible API) see the same bucket."""
    fc_invoke(backup, uploads.put("incoming/b.csv", CSV))

    oss_s3 = boto3.client(
        "s3",
        endpoint_url="https://oss-cn-hangzhou.aliyuncs.com",
        region_name="oss-cn-hangzhou",
        aws_access_key_id="STS.FCTESTREADER",
        aws_secret_access_key="fake",
        # OSS serves virtual-hosted URLs only and no aws-chunked uploads
        config=Config(s3={"addressing_style": "virtual"}, request_checksum_calculation="when_required"),
    )
    listing = oss_s3.list_objects_v2(Bucket="uploads", Prefix="backed-up/")
    assert [o["Key"] for o in listing["Contents"]] == ["backed-up/b.csv.json"]
    receipt = json.loads(oss_s3.get_object(Bucket="uploads", Key="backed-up/b.csv.json")["Body"].read())
    assert receipt["size"] == len(CSV)


def test_the_trigger_config_passes_lint(fc_app):
    assert [finding for finding in lint(fc_app) if finding.severity == "error"] == []
