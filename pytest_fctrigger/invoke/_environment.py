"""The handler's environment variables: hide credentials, set the runtime's, restore exactly."""

from __future__ import annotations

import os
from typing import Any, Dict, Optional

# Credential variables of Alibaba Cloud SDKs and tools, hidden while a handler runs so
# it can only ever see the fake ones the harness sets. AWS_* is left alone on purpose:
# cross-cloud handlers are tested with moto, which reads fake AWS_* variables.
HIDDEN_ENV_PREFIXES = ("ALIBABA_CLOUD_", "ALIBABACLOUD_", "ALICLOUD_", "ALIYUN_", "FC_", "_FC_")
HIDDEN_ENV_NAMES = frozenset(
    {
        "OSS_ACCESS_KEY_ID",
        "OSS_ACCESS_KEY_SECRET",
        "OSS_SESSION_TOKEN",  # oss2 / oss-v2 env providers
        "accessKeyID",
        "accessKeySecret",
        "securityToken",  # FC's legacy credential variables
    }
)

_HIDDEN_PREFIXES_B = tuple(p.encode() for p in HIDDEN_ENV_PREFIXES)
_HIDDEN_NAMES_B = frozenset(n.encode() for n in HIDDEN_ENV_NAMES)


def _raw_environ() -> Optional[Dict[bytes, bytes]]:
    # CPython on POSIX keeps the environment as a bytes dict in os.environ._data; reading
    # it directly avoids decoding every variable twice per call (the overhead budget is
    # a few hundred microseconds). Elsewhere the public mapping is used.
    data = getattr(os.environ, "_data", None)
    if isinstance(data, dict) and isinstance(next(iter(data), b""), bytes):
        return data
    return None


def _snapshot_env() -> Dict[Any, Any]:
    raw = _raw_environ()
    return dict(raw) if raw is not None else dict(os.environ)


def _restore_env(snapshot: Dict[Any, Any]) -> None:
    """Put ``os.environ`` back exactly as ``snapshot`` (also undoing the handler's changes)."""
    raw = _raw_environ()
    if raw is not None:
        if raw == snapshot:
            return
        # bytes straight to the C environment and os.environ's own store (what
        # os.environ.__setitem__/__delitem__ do, without re-encoding every value)
        for key in [k for k in raw if k not in snapshot]:
            os.unsetenv(key)
            del raw[key]
        for key, value in snapshot.items():
            if raw.get(key) != value:
                os.putenv(key, value)
                raw[key] = value
        return
    env = os.environ
    for key in [k for k in env if k not in snapshot]:
        del env[key]
    for key, value in snapshot.items():
        if env.get(key) != value:
            env[key] = value


def _apply_env(values: Dict[str, str]) -> None:
    """Hide every credential / FC_* variable, then set the runtime's."""
    raw = _raw_environ()
    if raw is not None:
        encode = os.fsencode
        new = {encode(k): encode(v) for k, v in values.items()}
        for key in [k for k in raw if (k.startswith(_HIDDEN_PREFIXES_B) or k in _HIDDEN_NAMES_B) and k not in new]:
            os.unsetenv(key)
            del raw[key]
        for key, value in new.items():
            os.putenv(key, value)
            raw[key] = value
        return
    env = os.environ
    for key in [k for k in env if (k.startswith(HIDDEN_ENV_PREFIXES) or k in HIDDEN_ENV_NAMES) and k not in values]:
        del env[key]
    for key, value in values.items():
        env[key] = value
