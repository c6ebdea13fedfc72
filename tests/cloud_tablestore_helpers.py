"""Shared pieces of the simulated-Tablestore tests: an activated cloud and OTS clients on it."""

from __future__ import annotations

import contextlib
from typing import Iterator, Optional

from pytest_fctrigger._credentials import fake_credentials
from pytest_fctrigger.cloud import Cloud
from pytest_fctrigger.events._random import FCRandom

INSTANCE = "fc-test-inst"


@contextlib.contextmanager
def active_cloud(seed: int = 13, region: str = "cn-hangzhou") -> Iterator[Cloud]:
    cloud = Cloud(FCRandom(seed, region=region))
    with cloud.activate():
        yield cloud


def endpoint(cloud: Cloud, instance: str = INSTANCE) -> str:
    return f"https://{instance}.{cloud.rng.region}.ots.aliyuncs.com"


def client(
    cloud: Cloud,
    *,
    v4: bool = False,
    secret: Optional[str] = None,
    instance: str = INSTANCE,
    access_key_id: Optional[str] = None,
    asynchronous: bool = False,
):
    """An ``OTSClient`` (V2 signing, or V4 with ``region=``) on the test's fake STS key."""
    import tablestore

    creds = fake_credentials(cloud.rng)
    cls = tablestore.AsyncOTSClient if asynchronous else tablestore.OTSClient
    kwargs = {"region": cloud.rng.region} if v4 else {}
    return cls(
        endpoint(cloud, instance),
        access_key_id or creds.access_key_id,
        secret if secret is not None else creds.access_key_secret,
        instance,
        sts_token=creds.security_token,
        **kwargs,
    )


def create_table(ots, name: str, primary_key=(("gid", "INTEGER"), ("uid", "STRING")), max_versions: int = 1):
    import tablestore

    ots.create_table(
        tablestore.TableMeta(name, list(primary_key)),
        tablestore.TableOptions(max_version=max_versions),
        tablestore.ReservedThroughput(tablestore.CapacityUnit(0, 0)),
    )
