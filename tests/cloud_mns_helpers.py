"""Shared pieces of the simulated-MNS tests: an activated cloud and SDK accounts on it."""

from __future__ import annotations

import contextlib
from typing import Iterator, Optional

from pytest_fctrigger._credentials import fake_credentials
from pytest_fctrigger.cloud import Cloud
from pytest_fctrigger.events._random import FCRandom


@contextlib.contextmanager
def active_cloud(seed: int = 11, region: str = "cn-hangzhou") -> Iterator[Cloud]:
    cloud = Cloud(FCRandom(seed, region=region))
    with cloud.activate():
        yield cloud


def endpoint(cloud: Cloud, *, internal: bool = False, region: Optional[str] = None) -> str:
    """The endpoint form FC samples use: http://<uid>.mns.<region>[-internal].aliyuncs.com."""
    region = region or cloud.rng.region
    return f"http://{cloud.rng.account_id}.mns.{region}{'-internal' if internal else ''}.aliyuncs.com"


def account(cloud: Cloud, *, secret: Optional[str] = None, **endpoint_kw):
    """An ``mns.account.Account`` signed with the test's fake STS credentials."""
    from mns.account import Account

    creds = fake_credentials(cloud.rng)
    return Account(
        endpoint(cloud, **endpoint_kw),
        creds.access_key_id,
        secret if secret is not None else creds.access_key_secret,
        creds.security_token,
    )
