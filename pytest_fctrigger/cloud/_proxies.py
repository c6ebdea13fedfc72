"""``requests``' proxy lookup while ``fc_cloud`` is active: the same answer, read cheaply.

Every ``requests`` call asks the environment for proxies several times
(``should_bypass_proxies`` and ``get_environ_proxies``), and on CPython before 3.12
each ask decodes every variable of the process twice (``os.environ.items()`` in
``urllib.request.getproxies_environment``). With a developer's or CI's environment
(35 to 150 variables) that was about a third of a simulated ``oss2.put_object`` and
12% of the upload-pipeline benchmark, for an answer that is almost always "none".

Hand-written for speed, with urllib's exact rules (two passes, lowercase names win,
an empty lowercase value removes, ``REQUEST_METHOD`` drops the ``http`` entry of the
first pass): only variables whose raw name ends in ``_proxy`` (ASCII, any case) are
decoded. That filter is exact: no non-ASCII character lower-cases to any of
``_proxy``'s letters, so a name whose lower-cased form ends in ``_proxy`` ends in six
ASCII bytes that do. ``tests/test_cloud_proxies.py`` compares both on crafted
environments.

Only where urllib itself reads nothing but the environment (POSIX other than macOS,
whose ``getproxies`` also asks the system configuration); elsewhere ``requests`` keeps
urllib's functions. The proxies found change nothing in the simulation (the
simulated services answer beneath the proxy choice); they only keep the SDK's own
code path, ``no_proxy`` parsing included, what it is in FC.
"""

from __future__ import annotations

import os
import urllib.request
from types import ModuleType
from typing import Callable, Dict, List, Optional, Tuple

__all__ = ["environ_proxies", "patch_requests_utils"]


def environ_proxies() -> Dict[str, str]:
    """``urllib.request.getproxies_environment()``, decoding only the ``*_proxy`` variables."""
    environ = os.environ
    raw = getattr(environ, "_data", None)
    if type(environ) is not os._Environ or not isinstance(raw, dict):  # rebound or not POSIX
        return urllib.request.getproxies_environment()
    decode_key = environ.decodekey
    decode_value = environ.decodevalue
    found: List[Tuple[str, str]] = [
        (decode_key(name), decode_value(value)) for name, value in raw.items() if name[-6:].lower() == b"_proxy"
    ]
    proxies: Dict[str, str] = {}
    for name, value in found:  # first pass: any case
        if value:
            proxies[name.lower()[:-6]] = value
    if b"REQUEST_METHOD" in raw:  # CGI: HTTP_PROXY may come from a client's "Proxy:" header
        proxies.pop("http", None)
    for name, value in found:  # second pass: lowercase names win, an empty one removes
        if name[-6:] == "_proxy":
            scheme = name.lower()[:-6]
            if value:
                proxies[scheme] = value
            else:
                proxies.pop(scheme, None)
    return proxies


def _proxy_bypass(host: str) -> bool:
    # not in typeshed, but in urllib.request on every platform (getproxies falls back to it)
    return bool(urllib.request.proxy_bypass_environment(host, environ_proxies()))  # type: ignore[attr-defined]


def patch_requests_utils(utils: ModuleType) -> Optional[Callable[[], None]]:
    """Point one copy of ``requests.utils`` at the cheap lookup; returns the undo."""
    request = urllib.request
    if request.getproxies is not request.getproxies_environment:
        return None  # macOS, Windows: urllib also reads the system's settings
    saved = {name: utils.__dict__.get(name) for name in ("getproxies", "proxy_bypass")}
    if saved["getproxies"] is not request.getproxies or saved["proxy_bypass"] is not request.proxy_bypass:
        return None  # a copy that does something else (patched by someone): leave it alone
    utils.getproxies = environ_proxies  # type: ignore[attr-defined]
    utils.proxy_bypass = _proxy_bypass  # type: ignore[attr-defined]

    ours = {"getproxies": environ_proxies, "proxy_bypass": _proxy_bypass}

    def undo() -> None:
        for name, value in saved.items():
            if utils.__dict__.get(name) is ours[name]:  # replaced since by someone else: theirs stays
                setattr(utils, name, value)

    return undo
