import pytest

from pytest_fctrigger import load_app

APP_VARS = {"region": "cn-hangzhou", "bucket": "uploads", "backupBucket": "uploads-backup", "access": "default"}


@pytest.fixture
def fc_app(request):
    """Hook fixture: the app under test, from this repo's s.yaml."""
    return load_app(request.config.rootpath / "s.yaml", vars=APP_VARS)


@pytest.fixture
def backup(fc_app):
    return fc_app.function("backup")


@pytest.fixture
def uploads(fc_cloud, backup):
    """The bucket the trigger watches, as a simulated OSS bucket."""
    return fc_cloud.oss.bucket(backup.trigger("on-upload").bucket, region="cn-hangzhou")


@pytest.fixture
def s3(fc_aws):
    """The backup bucket on moto's S3 (fc_aws: fake AWS credentials, real ones hidden)."""
    client = fc_aws.client("s3")
    client.create_bucket(Bucket=APP_VARS["backupBucket"])
    return client
