"""fc_cloud beside moto: both nesting orders, fc_aws, AWS writes, hidden AWS credentials."""

from __future__ import annotations

import pytest

# imported here so the in-process pytester runs below find them loaded (and keep them)
pytest.importorskip("moto")
pytest.importorskip("boto3")
pytest.importorskip("oss2")
# imported here, so every in-process run shares them (numpy, under tablestore, loads only once)
pytest.importorskip("tablestore")
pytest.importorskip("mns")
import requests  # noqa: F401

# A handler that writes to OSS with oss2 and backs the object up to S3 with boto3: the
# shape the issue reports failing when mock_aws started after fc_cloud.
HANDLER = """
import json, os
import boto3, oss2

def handler(event, context):
    creds = context.credentials
    auth = oss2.StsAuth(creds.access_key_id, creds.access_key_secret, creds.security_token)
    bucket = oss2.Bucket(auth, "https://oss-cn-hangzhou-internal.aliyuncs.com", "bkt-m")
    data = bucket.get_object("in/a.txt").read()
    bucket.put_object("processed/a.txt", data.upper())
    boto3.client("s3", region_name="us-east-1").put_object(Bucket="backup", Key="a.txt", Body=data)
    return {"aws_key": os.environ.get("AWS_ACCESS_KEY_ID")}
"""

SETUP = """
import boto3, pytest
from handler_mod import handler

def _prepare(fc_cloud):
    fc_cloud.oss.bucket("bkt-m", region="cn-hangzhou").put("in/a.txt", b"hello")
    boto3.client("s3", region_name="us-east-1").create_bucket(Bucket="backup")

def _check(fc_cloud, result):
    s3 = boto3.client("s3", region_name="us-east-1")
    assert s3.get_object(Bucket="backup", Key="a.txt")["Body"].read() == b"hello"
    assert fc_cloud.oss.bucket("bkt-m").get("processed/a.txt") == b"HELLO"
    assert [(w.service, w.api, w.cloud) for w in result.writes] == [
        ("oss", "PutObject", "alibaba"),
        ("s3", "PutObject", "aws"),
    ]
    assert result.writes[1].resource == {"bucket": "backup", "key": "a.txt"}
"""


def _project(pytester, body):
    pytester.makepyfile(handler_mod=HANDLER)
    pytester.makepyfile(test_x=SETUP + body)


def _run(pytester, *args):
    return pytester.runpytest("-p", "no:cacheprovider", "-p", "no:randomly", *args)


def test_mock_aws_started_inside_fc_cloud_as_context_manager(pytester):
    _project(
        pytester,
        """
from moto import mock_aws

def test_inner(fc_cloud, fc_invoke):
    with mock_aws():
        _prepare(fc_cloud)
        result = fc_invoke(handler, b"{}")
        _check(fc_cloud, result)
""",
    )
    _run(pytester).assert_outcomes(passed=1)


def test_mock_aws_decorator_on_a_test_using_fc_cloud(pytester):
    _project(
        pytester,
        """
from moto import mock_aws

@mock_aws
def test_decorated(fc_cloud, fc_invoke):
    _prepare(fc_cloud)
    _check(fc_cloud, fc_invoke(handler, b"{}"))
""",
    )
    _run(pytester).assert_outcomes(passed=1)


def test_mock_aws_fixture_before_and_after_fc_cloud(pytester):
    _project(
        pytester,
        """
from moto import mock_aws

@pytest.fixture
def aws():
    with mock_aws():
        yield

def test_moto_first(aws, fc_cloud, fc_invoke):
    _prepare(fc_cloud)
    _check(fc_cloud, fc_invoke(handler, b"{}"))

def test_moto_last(fc_cloud, fc_invoke, aws):
    _prepare(fc_cloud)
    _check(fc_cloud, fc_invoke(handler, b"{}"))
""",
    )
    _run(pytester).assert_outcomes(passed=2)


def test_fc_aws_serves_aws_and_journals_writes(pytester):
    _project(
        pytester,
        """
def test_with_fc_aws(fc_cloud, fc_aws, fc_invoke):
    _prepare(fc_cloud)
    result = fc_invoke(handler, b"{}")
    _check(fc_cloud, result)
    assert fc_aws.writes(fc_cloud.journal)[-1].describe() == "PutObject s3://backup/a.txt (AWS)"
    sqs = fc_aws.client("sqs")
    url = sqs.create_queue(QueueName="done")["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="x")
    assert [(w.service, w.api, w.resource.get("queue")) for w in fc_aws.writes(fc_cloud.journal)][-2:] == [
        ("sqs", "CreateQueue", "done"), ("sqs", "SendMessage", "done")]

def test_fc_aws_before_fc_cloud(fc_aws, fc_cloud, fc_invoke):
    _prepare(fc_cloud)
    _check(fc_cloud, fc_invoke(handler, b"{}"))
""",
    )
    _run(pytester).assert_outcomes(passed=2)


def test_aws_writes_never_fire_a_loop(pytester):
    # a function triggered by its own OSS bucket may back up anywhere on S3: no FC trigger
    # listens to AWS, so only the OSS write is matched (and it is outside the prefix)
    _project(
        pytester,
        """
@pytest.mark.fc_trigger("oss", bucket="bkt-m", events=["oss:ObjectCreated:*"], prefix="in/")
def test_loop_free(fc_cloud, fc_aws, fc_invoke):
    _prepare(fc_cloud)
    result = fc_invoke(handler, b"{}")
    assert [w.cloud for w in result.writes] == ["alibaba", "aws"]
""",
    )
    _run(pytester).assert_outcomes(passed=1)


def test_real_aws_settings_never_reach_the_handler(pytester, tmp_path):
    aws_dir = tmp_path / "home-aws"
    aws_dir.mkdir()
    (aws_dir / "credentials").write_text("[default]\naws_access_key_id = AKIAFROMHOMEFILE0000\n")
    pytester.makepyfile(
        test_env="""
import os, boto3

def handler(event, context):
    creds = boto3.Session().get_credentials()
    return {
        "env": sorted(k for k in os.environ if k.startswith("AWS_")),
        "key": os.environ.get("AWS_ACCESS_KEY_ID"),
        "session_key": creds.access_key,
        "token": creds.token,
        "profile": os.environ.get("AWS_PROFILE"),
    }

def test_hidden(fc_aws, fc_invoke):
    out = fc_invoke(handler, b"{}").json()
    assert out["key"] != "AKIAREALLOOKING00000" and out["session_key"] != "AKIAREALLOOKING00000"
    assert out["session_key"] != "AKIAFROMHOMEFILE0000"
    assert out["token"] is None and out["profile"] is None
    assert "AWS_SESSION_TOKEN" not in out["env"] and "AWS_ROLE_ARN" not in out["env"]

def test_restored_after(fc_aws):
    pass

def test_untouched_without_fc_aws():
    assert os.environ["AWS_ACCESS_KEY_ID"] == "AKIAREALLOOKING00000"
    assert os.environ["AWS_SESSION_TOKEN"] == "FwoGZXIvYXdzEFAKEFAKE"
""",
    )
    env = {
        "AWS_ACCESS_KEY_ID": "AKIAREALLOOKING00000",
        "AWS_SECRET_ACCESS_KEY": "not/a/real/secret/but/looks/like/one/0000",
        "AWS_SESSION_TOKEN": "FwoGZXIvYXdzEFAKEFAKE",
        "AWS_PROFILE": "prod",
        "AWS_ROLE_ARN": "arn:aws:iam::123456789012:role/prod",
        "AWS_SHARED_CREDENTIALS_FILE": str(aws_dir / "credentials"),
    }
    mp = pytest.MonkeyPatch()
    try:
        for key, value in env.items():
            mp.setenv(key, value)
        _run(pytester).assert_outcomes(passed=3)
    finally:
        mp.undo()


def test_fc_aws_without_moto_names_the_extra(pytester):
    pytester.makeconftest(
        """
import sys, pytest

@pytest.fixture(autouse=True)
def _no_moto(monkeypatch):
    monkeypatch.setitem(sys.modules, "moto", None)  # as if moto were not installed
"""
    )
    pytester.makepyfile(
        test_missing="""
def test_needs_moto(fc_aws):
    pass
"""
    )
    result = _run(pytester)
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*fc_aws needs moto*pip install 'pytest-fctrigger?aws?'*"])
    assert "Traceback" not in result.stdout.str() and "During handling" not in result.stdout.str()


def test_aws_host_without_moto_is_blocked_with_a_hint(pytester):
    pytester.makepyfile(
        test_blocked="""
import boto3, pytest
from pytest_fctrigger.errors import NetworkBlockedError

def test_blocked(fc_cloud):
    s3 = boto3.client("s3", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="y")
    with pytest.raises(NetworkBlockedError, match="fc_aws fixture"):
        s3.list_buckets()
"""
    )
    _run(pytester).assert_outcomes(passed=1)
