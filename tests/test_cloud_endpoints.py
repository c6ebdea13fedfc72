"""Simulated MNS and Tablestore answer only on the hosts their real services have.

Any other host (``mns.example.com``, the unedited sample endpoint
``http://{AccountID}.mns.{Region}.aliyuncs.com``, ``ots.example.com``) fails the way the
SDK fails when the host does not resolve, with a message naming the host and the valid
forms. Nothing is resolved or connected: the check runs at the SDK's I/O seam.
"""

from __future__ import annotations

import pytest

from pytest_fctrigger._credentials import fake_credentials

mns_account = pytest.importorskip("mns.account")
tablestore = pytest.importorskip("tablestore")


def _publish(cloud, endpoint):
    creds = fake_credentials(cloud.rng)
    account = mns_account.Account(endpoint, creds.access_key_id, creds.access_key_secret, creds.security_token)
    from mns.topic import TopicMessage

    return account.get_topic("orders").publish_message(TopicMessage("hello"))


@pytest.mark.parametrize(
    "endpoint",
    [
        "http://mns.example.com",
        "http://{AccountID}.mns.{Region}.aliyuncs.com",
        "http://123456.mns.aliyuncs.com",
        "https://123456.mns-cn-hangzhou.aliyuncs.com",
    ],
)
def test_mns_publish_to_a_host_mns_does_not_have_fails_like_an_unresolvable_host(endpoint):
    from cloud_mns_helpers import active_cloud
    from mns.mns_exception import MNSClientNetworkException

    with active_cloud() as cloud:
        cloud.mns.topic("orders")
        with pytest.raises(MNSClientNetworkException) as info:
            _publish(cloud, endpoint)
        assert cloud.mns.topic("orders").published == []
    message = str(info.value)
    host = endpoint.split("://", 1)[1]
    assert repr(host) in message
    assert "<account id>.mns.<region>-internal.aliyuncs.com" in message
    if "{" in endpoint:
        assert "placeholder" in message


@pytest.mark.parametrize("suffix", ["", "-internal", "-internal-vpc"])
@pytest.mark.parametrize("scheme", ["http", "https"])
def test_mns_documented_endpoint_forms_are_served(scheme, suffix):
    from cloud_mns_helpers import active_cloud

    with active_cloud() as cloud:
        cloud.mns.topic("orders")
        _publish(cloud, f"{scheme}://{cloud.rng.account_id}.mns.cn-shanghai{suffix}.aliyuncs.com")
        [write] = cloud.mns.writes if hasattr(cloud.mns, "writes") else [w for w in cloud.journal if w.service == "mns"]
        assert write.region == "cn-shanghai"


@pytest.mark.parametrize(
    "endpoint",
    ["https://ots.example.com", "https://{instance}.{region}.ots.aliyuncs.com", "https://my-inst.ots.aliyuncs.com"],
)
def test_tablestore_client_on_a_host_tablestore_does_not_have_fails_like_an_unresolvable_host(endpoint):
    from cloud_tablestore_helpers import active_cloud
    from urllib3.exceptions import MaxRetryError

    with active_cloud() as cloud:
        cloud.tablestore.table("my-inst", "orders", primary_key=[("id", "STRING")])
        creds = fake_credentials(cloud.rng)
        client = tablestore.OTSClient(
            endpoint, creds.access_key_id, creds.access_key_secret, "my-inst", sts_token=creds.security_token
        )
        with pytest.raises(MaxRetryError) as info:
            client.list_table()
    message = str(info.value)
    assert repr(endpoint) in message
    assert "https://<instance>.<region>.vpc.tablestore.aliyuncs.com" in message


@pytest.mark.parametrize("form", ["ots", "vpc.tablestore", "ots-internal", "tablestore"])
def test_tablestore_documented_endpoint_forms_are_served(form):
    from cloud_tablestore_helpers import active_cloud

    with active_cloud() as cloud:
        cloud.tablestore.table("my-inst", "orders", primary_key=[("id", "STRING")])
        creds = fake_credentials(cloud.rng)
        client = tablestore.OTSClient(
            f"https://my-inst.cn-hangzhou.{form}.aliyuncs.com",
            creds.access_key_id,
            creds.access_key_secret,
            "my-inst",
            sts_token=creds.security_token,
        )
        assert list(client.list_table()) == ["orders"]


def test_oss_and_sls_hosts_of_no_real_endpoint_are_not_served():
    """OSS and SLS route by URL pattern: a host their services do not have is refused
    (``*.aliyuncs.com``: not simulated; anything else: the network guard)."""
    import oss2
    from cloud_mns_helpers import active_cloud

    from pytest_fctrigger.errors import NetworkBlockedError

    with active_cloud() as cloud:
        cloud.oss.bucket("photos")
        bucket = oss2.Bucket(oss2.Auth("ak", "sk"), "http://oss.example.com", "photos")
        with pytest.raises(Exception) as info:
            bucket.put_object("a.txt", b"x")
        assert isinstance(info.value, NetworkBlockedError) or "oss.example.com" in str(info.value)
        assert len(cloud.oss.bucket("photos")) == 0
