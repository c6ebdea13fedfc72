"""Visibly fake, STS-shaped credentials.

The plugin never reads real credentials. Every fake access key id starts with
``STS.FCTEST`` and its secret is *derived* from the id, so a simulated service that
has to sign responses (Tablestore checks the server's signature) can recover the
secret from the access key id in the request, without any shared registry.
"""

from __future__ import annotations

import base64
import hashlib
from typing import TYPE_CHECKING, NamedTuple, Optional

# the names of real credential variables and hiding them for the session live in
# core.credential_env (loaded at every pytest start, so without this module's NamedTuple);
# re-exported here for the modules that import them from this one
from .core.credential_env import CREDENTIAL_ENV_NAMES as CREDENTIAL_ENV_NAMES
from .core.credential_env import CREDENTIAL_ENV_PREFIXES as CREDENTIAL_ENV_PREFIXES
from .core.credential_env import hide_session_credentials as hide_session_credentials
from .core.credential_env import is_credential_variable as is_credential_variable

if TYPE_CHECKING:  # annotations only: this module is imported by the light context module
    from .events._random import FCRandom

FAKE_AK_PREFIX = "STS.FCTEST"

_DERIVATION_KEY = b"pytest-fctrigger fake credentials v1"


class FakeCredentials(NamedTuple):
    access_key_id: str
    access_key_secret: str
    security_token: str


def fake_secret(access_key_id: str) -> str:
    digest = hashlib.sha256(_DERIVATION_KEY + access_key_id.encode("utf-8")).hexdigest()
    return "FCTESTSECRET" + digest[:32]


def fake_credentials(rng: FCRandom) -> FakeCredentials:
    """Fresh fake STS credentials drawn from ``rng`` (an ``FCRandom``)."""
    # Real STS key ids are "STS." + 25 alphanumerics; tokens are long base64 starting "CAIS".
    ak = FAKE_AK_PREFIX + rng.hex(15, upper=True)
    body = base64.b64encode(("pytest-fctrigger fake STS token " + rng.hex(96)).encode()).decode()
    return FakeCredentials(ak, fake_secret(ak), "CAIS" + body)


def secret_for(access_key_id: Optional[str]) -> Optional[str]:
    """The secret of a fake access key id, or ``None`` when the id is not one of ours."""
    if not access_key_id or not access_key_id.startswith(FAKE_AK_PREFIX):
        return None
    return fake_secret(access_key_id)
