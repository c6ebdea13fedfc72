import oss2
import pytest


@pytest.fixture
def pipeline(fc_cloud, fc_flow):
    """The whole app on the test's simulated cloud, with its bucket, tables and queue."""
    fc_cloud.oss.bucket("uploads", region="cn-hangzhou")
    fc_cloud.tablestore.table("uploads", "files")
    fc_cloud.tablestore.table("uploads", "audit")
    fc_cloud.mns.topic("uploaded")
    fc_cloud.mns.queue("record-failures")
    return fc_flow("../s.yaml")


@pytest.fixture
def uploads(fc_cloud):
    """The bucket as a client sees it: oss2 with (fake) keys, so every upload is a real
    PutObject that the simulated OSS turns into the event FC delivers."""
    auth = oss2.Auth("LTAI-test-key-id", "test-key-secret")
    return oss2.Bucket(auth, "https://oss-cn-hangzhou.aliyuncs.com", "uploads")
