"""Simulated Alibaba Cloud services behind the real SDKs, one module per service.

``Cloud`` is what the ``fc_cloud`` fixture yields: fresh, in-process OSS, MNS,
Tablestore and SLS sharing one write journal. ``activate()`` installs the SDK
interception (``responses`` for the requests-based SDKs, the single I/O seam of
Tablestore and MNS) and the network guard; leaving it restores everything.
"""

from __future__ import annotations

import contextlib
import importlib
from typing import Any, Callable, Dict, Iterator, Optional

from .journal import Journal, Write

__all__ = ["Cloud", "Journal", "Write"]

# attribute -> "module:class"; each service is created on first access
SERVICES = {
    "oss": "pytest_fctrigger.cloud.oss:OssService",
    "mns": "pytest_fctrigger.cloud.mns:MnsService",
    "tablestore": "pytest_fctrigger.cloud.tablestore:TablestoreService",
    "sls": "pytest_fctrigger.cloud.sls:SlsService",
}


class Cloud:
    """Per-test simulated cloud: ``.oss``, ``.mns``, ``.tablestore``, ``.sls``, ``.journal``."""

    def __init__(
        self,
        rng: Any = None,
        *,
        allow_network: bool = False,
        redis: Optional[Callable[[], Any]] = None,
        namespace: str = "fctrigger",
    ) -> None:
        from ..events._random import FCRandom

        self.rng = FCRandom.coerce(rng)
        self.journal = Journal()
        self.allow_network = allow_network
        self.namespace = namespace
        self._redis_factory = redis
        self._redis = None
        self._services: Dict[str, Any] = {}
        self._router = None
        self._guard = None
        self._stack: Optional[contextlib.ExitStack] = None

    # --- services -------------------------------------------------------------------
    def _service(self, name: str) -> Any:
        svc = self._services.get(name)
        if svc is None:
            module_name, class_name = SERVICES[name].split(":")
            cls = getattr(importlib.import_module(module_name), class_name)
            svc = cls(self)
            self._services[name] = svc
            if self._stack is not None:
                svc.install(self._router, self._stack)
        return svc

    @property
    def oss(self):
        return self._service("oss")

    @property
    def mns(self):
        return self._service("mns")

    @property
    def tablestore(self):
        return self._service("tablestore")

    @property
    def sls(self):
        return self._service("sls")

    @property
    def redis(self):
        """The cursor store's Redis client (fakeredis unless a real URL is configured)."""
        if self._redis is None:
            if self._redis_factory is not None:
                self._redis = self._redis_factory()
            else:
                from .cursor_store import make_redis

                self._redis = make_redis(None)
            self._allow_redis_host(self._redis)
        return self._redis

    def _allow_redis_host(self, client: Any) -> None:
        # A real Redis given by URL may live on another host (a CI service container):
        # the cursor store is the plugin's own traffic, so the guard lets it through.
        if self._guard is None:
            return
        pool = getattr(client, "connection_pool", None)
        host = getattr(pool, "connection_kwargs", {}).get("host") if pool is not None else None
        if host:
            self._guard.allow_host(host)

    @property
    def active(self) -> bool:
        return self._stack is not None

    # --- activation -------------------------------------------------------------------
    @contextlib.contextmanager
    def activate(self) -> Iterator[Cloud]:
        """Install interception for every service and the network guard."""
        if self._stack is not None:  # re-entrant: already active
            yield self
            return
        from ._http import HttpRouter

        with contextlib.ExitStack() as stack:
            if not self.allow_network:
                from .guard import NetworkGuard

                self._guard = stack.enter_context(NetworkGuard())
                if self._redis is not None:
                    self._allow_redis_host(self._redis)
            router = HttpRouter(allow_network=self.allow_network, journal=self.journal)
            self._router = router
            self._stack = stack
            try:
                # every service intercepts its SDK even before the test touches it, so a
                # handler's first call reaches the fake, never the network
                for name in SERVICES:
                    existing = self._services.get(name)
                    if existing is None:
                        self._service(name)  # creates and installs (self._stack is set)
                    else:
                        existing.install(router, stack)
                router.start()
                stack.callback(router.stop)
                yield self
            finally:
                self._stack = None
                self._router = None
                self._guard = None
