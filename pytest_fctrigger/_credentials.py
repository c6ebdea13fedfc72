"""Visibly fake, STS-shaped credentials.

The plugin never reads real credentials. Every fake access key id starts with
``STS.FCTEST`` and its secret is *derived* from the id, so a simulated service that
has to sign responses (Tablestore checks the server's signature) can recover the
secret from the access key id in the request, without any shared registry.
"""

from __future__ import annotations

import base64
import hashlib
import os
import sys
from typing import TYPE_CHECKING, Callable, NamedTuple, Optional, Set

if TYPE_CHECKING:  # annotations only: this module is imported by the light context module
    from .events._random import FCRandom

FAKE_AK_PREFIX = "STS.FCTEST"

# Environment variables through which Alibaba Cloud SDKs and tools find credentials
# (upper case: they are matched in any casing, e.g. ``alibaba_cloud_access_key_id``):
# the credentials library and the CLI (ALIBABA_CLOUD_*, ALIBABACLOUD_*, ALICLOUD_*,
# ALIYUN_*), oss2 / oss-v2 (OSS_*), the Tablestore, MNS and SLS SDKs' samples and tools
# (OTS_*, TABLESTORE_*, MNS_*, SLS_*), bare ACCESS_KEY_ID / ACCESS_KEY_SECRET, and FC's
# legacy accessKeyID / accessKeySecret / securityToken.
CREDENTIAL_ENV_PREFIXES = (
    "ALIBABA_CLOUD_",
    "ALIBABACLOUD_",
    "ALICLOUD_",
    "ALIYUN_",
    "OSS_",
    "OTS_",
    "TABLESTORE_",
    "MNS_",
    "SLS_",
)
CREDENTIAL_ENV_NAMES = frozenset(
    {
        "ACCESS_KEY_ID",
        "ACCESS_KEY_SECRET",
        "SECURITY_TOKEN",
        "ACCESSKEYID",
        "ACCESSKEYSECRET",
        "SECURITYTOKEN",
    }
)


def is_credential_variable(name: str) -> bool:
    upper = name.upper()
    return upper.startswith(CREDENTIAL_ENV_PREFIXES) or upper in CREDENTIAL_ENV_NAMES


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


def hide_session_credentials() -> Callable[[], None]:
    """Take every real credential variable out of this process for the session.

    Handler modules are often imported while tests are collected (``import index`` in a
    test module), where an SDK credential chain or an oss-v2
    ``EnvironmentVariableCredentialsProvider`` reads the environment once and keeps the
    value. Removing the variables before collection leaves nothing to keep. The values
    are also overwritten where the kernel shows them (``/proc/self/environ`` reads the
    process's initial environment block, which ``unsetenv`` does not clear). Returns the
    function that puts the variables back (``pytest_unconfigure``).
    """
    saved = {k: v for k, v in os.environ.items() if is_credential_variable(k)}
    if saved:
        _wipe_initial_values(set(saved))
    for key in saved:
        del os.environ[key]  # also unsetenv: gone from the C environment and children

    def restore() -> None:
        for key, value in saved.items():
            if key not in os.environ:
                os.environ[key] = value

    return restore


def _wipe_initial_values(names: Set[str]) -> None:
    """Overwrite the values of ``names`` in place in the C environment (Linux, CPython)."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        environ = ctypes.POINTER(ctypes.c_void_p).in_dll(ctypes.CDLL(None), "environ")
        wanted = {os.fsencode(n) for n in names}
        i = 0
        while environ[i]:
            address = environ[i]
            entry = ctypes.string_at(address)
            name, sep, value = entry.partition(b"=")
            if sep and name in wanted and value:
                ctypes.memset(address + len(name) + 1, ord("*"), len(value))
            i += 1
    except Exception:  # best effort: no libc symbol, a hardened runtime
        pass
