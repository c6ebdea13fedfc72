"""Suite-wide safety net: no test of pytest-fctrigger can reach the network.

One ``Tripwire`` (tests/cloud_guard_helpers.py) is installed beneath everything for the
whole session, before any test, guard or pytester in-process run patches the socket
layer. A non-loopback lookup or connection that gets past the guard (and past a test's
own tripwire) is refused there and fails the test that made it, even when the test
swallowed the exception. Loopback (local servers, a real Redis on 127.0.0.1) passes, as
does the host of ``FC_TEST_REDIS_URL`` / ``--fc-redis-url`` when CI puts Redis elsewhere.
"""

from __future__ import annotations

import os
from urllib.parse import urlsplit

import pytest
from cloud_guard_helpers import Tripwire

# pytest-randomly (in the test extra) reseeds numpy in every session that can import it,
# including the in-process pytester sessions of this suite, whose sys.modules snapshot
# then drops numpy again; numpy's C core cannot be loaded twice in one process, and a
# later handler importing tablestore (-> flatbuffers -> numpy) failed. Loaded once, here.
try:
    import numpy  # noqa: F401
except ImportError:  # not installed: nothing can load it twice
    pass

_patch = pytest.MonkeyPatch()
SESSION_TRIPWIRE = Tripwire()


def pytest_configure(config: pytest.Config) -> None:
    for url in (os.environ.get("FC_TEST_REDIS_URL"), config.getoption("--fc-redis-url", None)):
        if url:
            SESSION_TRIPWIRE.allowed.add((urlsplit(url).hostname or "").lower())
    SESSION_TRIPWIRE.install(_patch)


def pytest_unconfigure(config: pytest.Config) -> None:
    _patch.undo()


@pytest.fixture(autouse=True)
def _no_real_network_traffic():
    seen = len(SESSION_TRIPWIRE.hits)
    yield
    leaked = SESSION_TRIPWIRE.hits[seen:]
    if leaked:
        pytest.fail(f"the session tripwire refused network attempts that got past the guard: {leaked}", pytrace=False)
