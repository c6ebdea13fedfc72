"""The handler's environment variables: hide credentials, set the runtime's, restore exactly."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from typing import Any, Dict, List, Optional, Tuple

from .._credentials import CREDENTIAL_ENV_NAMES, CREDENTIAL_ENV_PREFIXES

# Hidden while a handler runs, so it can only ever see the fake credentials the harness
# sets: every credential variable of Alibaba Cloud SDKs and tools (_credentials.py, any
# casing), the runtime's FC_* variables (set from the context) and every proxy variable
# (``*_proxy`` in any casing, as urllib and requests read them: a developer's proxy is
# a way out of the machine the network guard does not see). AWS_* is left alone on
# purpose: cross-cloud handlers are tested with moto, which reads fake AWS_* variables.
HIDDEN_ENV_PREFIXES = CREDENTIAL_ENV_PREFIXES + ("FC_", "_FC_")
HIDDEN_ENV_NAMES = CREDENTIAL_ENV_NAMES
_HIDDEN_SUFFIX = "_PROXY"

_HIDDEN_PREFIXES_B = tuple(p.encode() for p in HIDDEN_ENV_PREFIXES)
_HIDDEN_NAMES_B = frozenset(n.encode() for n in HIDDEN_ENV_NAMES)
_HIDDEN_SUFFIX_B = _HIDDEN_SUFFIX.encode()


def _hidden_b(key: bytes) -> bool:
    upper = key.upper()
    return upper.startswith(_HIDDEN_PREFIXES_B) or upper in _HIDDEN_NAMES_B or upper.endswith(_HIDDEN_SUFFIX_B)


def _hidden(key: str) -> bool:
    upper = key.upper()
    return upper.startswith(HIDDEN_ENV_PREFIXES) or upper in HIDDEN_ENV_NAMES or upper.endswith(_HIDDEN_SUFFIX)


class _CEnvRecorder:
    """Names a call passed to ``os.putenv``/``os.unsetenv`` directly (the C environment
    only, not ``os.environ``), seen through the audit hook, so they can be put back."""

    active = False
    touched: set = set()

    @classmethod
    def on_event(cls, event: str, args: Any) -> None:
        if cls.active and args:
            key = args[0]
            cls.touched.add(key if isinstance(key, bytes) else os.fsencode(key))

    @classmethod
    def start(cls) -> None:
        if not cls.hooked:
            from .. import _audit

            _audit.on(("os.putenv", "os.unsetenv"), cls.on_event)
            cls.hooked = True
        cls.touched = set()
        cls.active = True

    hooked = False

    @classmethod
    def stop(cls) -> set:
        cls.active = False
        touched, cls.touched = cls.touched, set()
        return touched


def _restore_c_env(touched: set) -> None:
    """Make the C environment agree with ``os.environ`` again for the names ``touched``."""
    if not touched:
        return
    raw = _raw_environ()
    for key in touched:
        value = raw.get(key) if raw is not None else os.environ.get(os.fsdecode(key))
        if value is None:
            os.unsetenv(key)
        else:
            os.putenv(key, value)


_HOME: list = []


def _private_home() -> str:
    """An empty directory used as HOME during calls (one per process, emptied before each call)."""
    if _HOME:
        home = _HOME[0]
        try:
            if not os.listdir(home):
                return home
            shutil.rmtree(home)
        except OSError:
            pass
        os.makedirs(home, exist_ok=True)
        return home
    home = tempfile.mkdtemp(prefix="fctrigger-home-")
    _HOME.append(home)
    atexit.register(shutil.rmtree, home, True)
    return home


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
    for name in [k for k in env if k not in snapshot]:
        del env[name]
    for name, text in snapshot.items():
        if env.get(name) != text:
            env[name] = text


def _apply_env(values: Dict[str, str]) -> None:
    """Hide every credential / FC_* variable, then set the runtime's."""
    raw = _raw_environ()
    if raw is not None:
        encode = os.fsencode
        new = {encode(k): encode(v) for k, v in values.items()}
        for key in [k for k in raw if _hidden_b(k) and k not in new]:
            os.unsetenv(key)
            del raw[key]
        for key, value in new.items():
            os.putenv(key, value)
            raw[key] = value
        return
    env = os.environ
    for name in [k for k in env if _hidden(k) and k not in values]:
        del env[name]
    for name, text in values.items():
        env[name] = text


# --------------------------------------------------------------------------- per-call swap
# What one call changes, computed from (the environment before the call, the runtime's
# values) and reused while both stay the same: a test's calls see the same environment
# and (per Invoker) the same values, so classifying every variable of the process as
# hidden or not, and encoding the values, once per call was most of the swap's cost
# (the whole call's overhead budget is a few hundred microseconds). Comparing the two
# dicts with the cached ones is done in C.
_EnvPlan = Tuple[
    Dict[bytes, bytes],  # the environment the plan was made for
    Dict[str, str],  # the runtime's values it was made for
    List[bytes],  # names to hide (unset) for the call
    List[Tuple[bytes, bytes]],  # names to set for the call
    List[bytes],  # names to unset after the call (set for it, absent before)
    List[Tuple[bytes, bytes]],  # names to set back after the call (hidden or changed)
]
_PLAN: List[_EnvPlan] = []


_PLANS_KEPT = 8  # a flow alternates between its functions' values: one plan per function


def _plan(before: Dict[bytes, bytes], values: Dict[str, str]) -> _EnvPlan:
    for plan in _PLAN:
        if plan[1] == values and plan[0] == before:
            return plan
    encode = os.fsencode
    new = {encode(k): encode(v) for k, v in values.items()}
    hide = [k for k in before if _hidden_b(k) and k not in new]
    put = [(k, v) for k, v in new.items() if before.get(k) != v]
    unset_after = [k for k, _ in put if k not in before]
    put_after = [(k, before[k]) for k in hide] + [(k, before[k]) for k, _ in put if k in before]
    plan = (dict(before), dict(values), hide, put, unset_after, put_after)
    _PLAN.insert(0, plan)
    del _PLAN[_PLANS_KEPT:]
    return plan


class _EnvSwap:
    """The runtime's environment for one call (credentials and FC_* hidden, the runtime's
    values set) and the exact way back, in ``os.environ`` and the C environment alike."""

    def __init__(self, values: Dict[str, str]) -> None:
        raw = _raw_environ()
        self.raw = raw
        if raw is None:  # not CPython on POSIX: the public mapping, the slow way
            self.before: Dict[Any, Any] = dict(os.environ)
            _apply_env(values)
            return
        self.before = dict(raw)
        plan = _plan(self.before, values)
        try:
            for key in plan[2]:
                os.unsetenv(key)
                del raw[key]
            for key, value in plan[3]:
                os.putenv(key, value)  # ValueError for a value with a NUL byte
                raw[key] = value
        except BaseException:
            _restore_env(self.before)
            raise
        self.plan = plan
        self.during = dict(raw)  # to tell whether the handler changed anything

    def restore(self) -> None:
        """Put the environment back exactly as before the call."""
        raw = _raw_environ()
        if raw is None or raw is not self.raw:  # os.environ rebound or not POSIX: compare all
            _restore_env(self.before)
            return
        if raw != self.during:  # the handler changed variables itself
            _restore_env(self.before)
            return
        plan = self.plan
        for key in plan[4]:
            os.unsetenv(key)
            del raw[key]
        for key, value in plan[5]:
            os.putenv(key, value)
            raw[key] = value
