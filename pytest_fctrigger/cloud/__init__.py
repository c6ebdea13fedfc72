"""Simulated Alibaba Cloud services behind the real SDKs, one module per service.

``Cloud`` is what the ``fc_cloud`` fixture yields: fresh, in-process OSS, MNS,
Tablestore and SLS sharing one write journal. ``activate()`` installs the SDK
interception (``responses`` for the requests-based SDKs, the single I/O seam of
Tablestore and MNS) and the network guard; leaving it restores everything. SDKs are
patched as they are imported, in whichever copy the handler imports (``_seams.py``):
nothing is imported up front.
"""

from __future__ import annotations

import contextlib
import functools
import importlib
from typing import TYPE_CHECKING, Any, Callable, Dict, Iterator, List, Optional

from .journal import Journal

if TYPE_CHECKING:  # each service module is imported on first access (SERVICES below)
    from .journal import Write
    from .mns import MnsService
    from .oss import OssService
    from .sls import SlsService
    from .tablestore import TablestoreService

__all__ = ["Cloud", "Journal", "Write", "active_cloud"]

# the clouds active in this process, innermost last (event builders that can use the
# test's simulated state, e.g. fc_matrix log cases, find it here)
_ACTIVE: List[Cloud] = []


def active_cloud() -> Optional[Cloud]:
    """The innermost active ``Cloud`` (``None`` when no cloud is active)."""
    return _ACTIVE[-1] if _ACTIVE else None


# attribute -> "module:class"; each service is created on first access
SERVICES = {
    "oss": "pytest_fctrigger.cloud.oss:OssService",
    "mns": "pytest_fctrigger.cloud.mns:MnsService",
    "tablestore": "pytest_fctrigger.cloud.tablestore:TablestoreService",
    "sls": "pytest_fctrigger.cloud.sls:SlsService",
}


# service -> (the SDK module holding its I/O seam, "module:function" patching one copy of
# it). The cloud patches each copy as it is imported (see _seams.py) with a seam module that
# holds only what runs at the seam; the service (its store, handlers, ...) is created on the
# first request: importing it with the SDK cost a session's first ``import mns.account``
# ~20% more than the import itself (benchmarks/bench_cloud_activation.py).
LAZY_SEAMS = {
    "mns": ("mns.mns_http", "pytest_fctrigger.cloud._mns_seam:patch_copy"),
    "tablestore": ("tablestore.connection", "pytest_fctrigger.cloud._tablestore_seam:patch_copy"),
}

# SDK packages whose import-time warnings (tablestore: ImportWarning about its C++
# extension) are silenced while they load under an active cloud: ``pytest -W error``
# must not turn an SDK's own import noise into a failure of the user's test
QUIET_IMPORTS = ("tablestore", "mns", "oss2", "alibabacloud_oss_v2", "aliyun.log", "requests", "urllib3")


def _patch_botocore(client_module: Any) -> Any:
    """Patch botocore once something imports it (``_botocore`` itself is imported only then:
    most tests never use boto3, and the module cost every activation ~2 ms)."""
    from ._botocore import patch_client

    return patch_client(client_module)


def _patch_proxy_lookup(utils_module: Any) -> Any:
    """requests' proxy lookup, read cheaply while active (see ``_proxies.py``)."""
    from ._proxies import patch_requests_utils

    return patch_requests_utils(utils_module)


def _patch_responses(module: Any) -> Any:
    """Patch ``responses`` once something imports it (``_http_mock`` is imported only then)."""
    from ._http import active_router
    from ._http_mock import patch_responses

    return patch_responses(module, active_router)


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
        from ..core._random import FCRandom

        self.rng = FCRandom.coerce(rng)
        self.journal = Journal()
        self.allow_network = allow_network
        self.namespace = namespace
        self._redis_factory = redis
        self._redis = None
        self._services: Dict[str, Any] = {}
        self._router: Any = None
        self._seams: Any = None
        self._guard: Any = None
        self._stack: Optional[contextlib.ExitStack] = None

    # --- services -------------------------------------------------------------------
    def _service(self, name: str) -> Any:
        svc = self._services.get(name)
        if svc is None:
            module_name, class_name = SERVICES[name].split(":")
            cls = getattr(importlib.import_module(module_name), class_name)
            svc = cls(self)
            self._services[name] = svc
            if self._stack is not None and name not in LAZY_SEAMS:  # those seams are the cloud's own
                svc.install(self._router, self._stack)
        return svc

    @property
    def oss(self) -> OssService:
        return self._service("oss")

    @property
    def mns(self) -> MnsService:
        return self._service("mns")

    @property
    def tablestore(self) -> TablestoreService:
        return self._service("tablestore")

    @property
    def sls(self) -> SlsService:
        return self._service("sls")

    @property
    def redis(self) -> Any:
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
        kwargs = getattr(pool, "connection_kwargs", {}) if pool is not None else {}
        host = kwargs.get("host")
        if host:
            self._guard.allow_host(host, kwargs.get("port") or 6379)  # that server only, not every port of the host

    def _create_http_services(self) -> None:
        for name in ("oss", "sls"):
            if self._stack is not None:
                self._service(name)

    def _patch_seam(self, name: str, module: Any) -> Any:
        """Patch one copy of service ``name``'s seam module; the service serves it once asked."""
        # creating the service here used to draw the test's account id (rng.child): draw it at
        # the same point, so every seeded value stays what it was
        self.rng.account_id  # noqa: B018
        module_name, function = LAZY_SEAMS[name][1].split(":")
        patch = getattr(importlib.import_module(module_name), function)
        return patch(module, functools.partial(self._service, name))

    @property
    def active(self) -> bool:
        return self._stack is not None

    # --- activation -------------------------------------------------------------------
    @contextlib.contextmanager
    def activate(self) -> Iterator[Cloud]:
        """Install interception for every service and the network guard.

        No SDK is imported here: each service patches its SDK's I/O seam in every copy
        of the SDK (installed, or vendored into a code dir) as that copy is imported, or
        at once for copies imported before (``_seams.SeamPatcher``).
        """
        if self._stack is not None:  # re-entrant: already active
            yield self
            return
        from ._http import HttpRouter
        from ._seams import SeamPatcher

        with contextlib.ExitStack() as stack:
            if not self.allow_network:
                from .guard import NetworkGuard

                self._guard = stack.enter_context(NetworkGuard())
                if self._redis is not None:
                    self._allow_redis_host(self._redis)
            router = HttpRouter(allow_network=self.allow_network, journal=self.journal)
            seams = SeamPatcher(quiet=QUIET_IMPORTS)
            self._router = router
            self._seams = seams
            self._stack = stack
            try:
                # the requests-based SDKs (oss2, the OSS v2 SDK, aliyun-log) share one seam:
                # HTTPAdapter.send of whichever copy of requests they import; their services
                # are created (and add their routes) when the first request is routed
                seams.add("requests.adapters", router.attach)
                seams.add("requests.utils", _patch_proxy_lookup)  # same answer, ~1/3 of a call cheaper
                # mocks started after this one (moto's mock_aws) hand our URLs back to us
                seams.add("responses", _patch_responses)
                seams.add("botocore.client", _patch_botocore)  # boto3: OSS's S3 API, AWS writes
                router.before_first_route(self._create_http_services)
                # MNS and Tablestore: each copy of their SDK's I/O module is patched when it
                # is imported (or at once, if it was before); the service is created on the
                # first request it serves
                for name, (seam, _) in LAZY_SEAMS.items():
                    seams.add(seam, functools.partial(self._patch_seam, name))
                for name, existing in list(self._services.items()):  # services the test used before
                    if name not in LAZY_SEAMS:
                        existing.install(router, stack)
                seams.start()
                stack.callback(seams.stop)
                router.activate()  # botocore (boto3) is served by the innermost active router
                stack.callback(router.deactivate)
                _ACTIVE.append(self)
                stack.callback(_ACTIVE.remove, self)
                yield self
            finally:
                self._stack = None
                self._router = None
                self._seams = None
                self._guard = None


def __getattr__(name: str) -> Any:
    # PEP 562: ``Write`` is loaded on first use (see journal.py)
    if name == "Write":
        from .journal import Write

        globals()["Write"] = Write
        return Write
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
