"""Real credential variables in the environment: which names they are, and hiding them.

Split from ``pytest_fctrigger._credentials`` (the fake credentials): the plugin hides the
session's real credentials in ``pytest_load_initial_conftests``, in every pytest session,
so what that needs stays in a module of its own with nothing but ``os`` and ``sys``.
"""

from __future__ import annotations

import os
import sys
from typing import Callable, Set

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
    # names first, values only of the matches: this runs at every pytest start
    saved = {k: os.environ[k] for k in [k for k in os.environ if is_credential_variable(k)]}
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
