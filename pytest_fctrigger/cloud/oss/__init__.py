"""Simulated OSS: ``fc_cloud.oss``.

Served to ``oss2`` and ``alibabacloud-oss-v2`` (sync client) and any other
``requests``-based client through the cloud's ``HttpRouter`` (``responses``): every
region, internal and public endpoints, virtual-hosted and path-style URLs, V1, STS
and V4 signatures (not verified). State lives in ``store.py``, the HTTP side in
``handlers.py``, URL parsing in ``urls.py``.

Every successful write through an SDK is journaled as a ``Write`` carrying the OSS
event FC would deliver for it (``pytest_fctrigger.events.oss_event``), with the
event name of the API (``PutObject`` -> ``ObjectCreated:PutObject``, ...), the object's
real size, ``deltaSize`` (new object: its size; overwrite: the difference; removal:
minus the removed size), ETag and the ``x-oss-request-id`` the SDK received.

The test-side API (``bucket(name).put(...)`` etc.) changes the same state without
journaling: it prepares the world, it is not a write by the handler under test.
"""

from __future__ import annotations

import datetime as _dt
from typing import TYPE_CHECKING, Any, Dict, List, Optional, Union

from ..journal import DeferredEvent, Write
from .store import Change, OssError, OssObject, OssStore
from .urls import URL_PATTERN, endpoint_host

if TYPE_CHECKING:  # s3_handlers.py is imported when the service is installed, not before
    from .s3_handlers import OssDialects

__all__ = ["OssService", "Bucket", "OssObject"]


class OssService:
    """The simulated OSS of one ``Cloud``: buckets, objects and the SDK interception."""

    name = "oss"

    def __init__(self, cloud: Any) -> None:
        self.cloud = cloud
        self._rng = cloud.rng.child("oss")
        self._now: Optional[_dt.datetime] = None
        self.store = OssStore(clock=self.clock, new_id=lambda: self._rng.hex(32, upper=True))
        # the addresses OSS sees requests from: the function's VPC for internal
        # endpoints, a public address otherwise
        self.internal_ip = self._rng.private_ipv4()
        self.public_ip = self._rng.public_ipv4()
        self._handler: Optional[OssDialects] = None

    # --- interception ---------------------------------------------------------------------
    def install(self, router: Any, stack: Any) -> None:
        """Serve every OSS endpoint URL through the cloud's ``HttpRouter``."""
        if self._handler is None:
            from .handlers import OssHandler
            from .s3_handlers import OssDialects

            # one route, two protocols: OSS's own and its S3-compatible API (s3_handlers.py)
            self._handler = OssDialects(OssHandler(self))
        router.add("oss", URL_PATTERN, self._handler)
        from ._sdk_crc import patch_oss2_utils

        # oss2's CRC objects without rebuilding crcmod's table per request (why: _sdk_crc.py)
        self.cloud._seams.add("oss2.utils", patch_oss2_utils)

    # --- world ------------------------------------------------------------------------------
    @property
    def account_id(self) -> str:
        return self.cloud.rng.account_id

    def clock(self) -> _dt.datetime:
        """The next instant of the test's clock (seeded; no wall clock involved)."""
        self._now = self.cloud.rng.time()
        return self._now

    def now(self) -> _dt.datetime:
        """The last instant handed out, without advancing the clock."""
        return self._now or self.cloud.rng.base_time

    def new_request_id(self) -> str:
        return self._rng.request_id()

    # --- test-side API --------------------------------------------------------------------------
    def bucket(self, name: str, region: Optional[str] = None, *, acl: str = "private") -> Bucket:
        """The bucket ``name``, created on first use in ``region`` (default: the test's region).

        Asking again for an existing bucket with a different explicit ``region`` is an
        error, as bucket names are unique across regions in OSS.
        """
        from ...errors import ConfigError

        existing = self.store.buckets.get(name)
        if existing is not None and region is None:
            return Bucket(self, existing)
        region = region or self.cloud.rng.region
        try:
            state, _created = self.store.create_bucket(name, region, acl=acl)
        except OssError as err:
            existing = self.store.buckets.get(name)
            where = f" (it exists in {existing.region})" if existing is not None else ""
            raise ConfigError(f"fc_cloud.oss.bucket({name!r}, region={region!r}): {err.message}{where}") from None
        return Bucket(self, state)

    @property
    def buckets(self) -> Dict[str, Bucket]:
        """Every bucket, by name."""
        with self.store.lock:
            return {name: Bucket(self, state) for name, state in sorted(self.store.buckets.items())}

    @property
    def writes(self) -> List[Write]:
        """The OSS writes journaled so far (all SDK calls of this test)."""
        return [w for w in self.cloud.journal if w.service == "oss"]

    # --- events and journal -----------------------------------------------------------------------
    def event_for(self, change: Change, *, request_id: str, source_ip: str) -> Optional[Any]:
        """The OSS event FC delivers for ``change`` (``None`` when no OSS trigger fires for it)."""
        build = self._event_builder(change, request_id=request_id, source_ip=source_ip)
        return build() if build is not None else None

    def _event_builder(self, change: Change, *, request_id: str, source_ip: str) -> Optional[Any]:
        """``event_for`` with every value fixed now (the seeded draws included) and the
        payload encoded when the returned function is called."""
        if change.event_name is None:
            return None
        from ...events.oss import deferred_oss_event

        obj = change.obj
        meta: Optional[Dict[str, Any]] = None
        if obj is not None and change.event_name.startswith("ObjectCreated:"):
            meta = {"mimeType": obj.content_type}
            if obj.user_meta:
                meta["userMeta"] = dict(obj.user_meta)
        bucket = change.bucket
        return deferred_oss_event(
            bucket=bucket.name,
            key=change.key,
            event_name=change.event_name,
            region=bucket.region,
            account_id=self.account_id,
            size=change.size,
            delta_size=change.delta_size,
            etag=change.etag,
            object_meta=meta,
            source_ip=source_ip,
            request_id=request_id,
            event_time=obj.last_modified if obj is not None else self.clock(),
            rng=self._rng,
        )

    def record(
        self, change: Change, *, request_id: str, sdk: str, endpoint_kind: str, access_key_id: Optional[str], auth: str
    ) -> Write:
        """Journal one successful mutating SDK call (with its event when it has one).

        The event's values are drawn here, in call order, so a seed gives the same events
        however the test reads them; its payload is encoded on first read of ``Write.event``.
        """
        source_ip = self.internal_ip if endpoint_kind == "internal" else self.public_ip
        build = self._event_builder(change, request_id=request_id, source_ip=source_ip)
        attributes: Dict[str, Any] = {
            "request_id": request_id,
            "size": change.size,
            "delta_size": change.delta_size,
            "etag": change.etag,
            "endpoint": endpoint_kind,
            "auth": auth,
            "access_key_id": access_key_id,
        }
        attributes.update(change.extra)
        return self.cloud.journal.record(
            Write(
                service="oss",
                api=change.api,
                resource={"bucket": change.bucket.name, "key": change.key},
                region=change.bucket.region,
                event_name=change.event_name,
                event=DeferredEvent(build) if build is not None else None,
                attributes=attributes,
                sdk=sdk,
            )
        )


class Bucket:
    """Test-side handle on one simulated bucket (reads and writes bypass the SDKs)."""

    def __init__(self, service: OssService, state: Any) -> None:
        self._service = service
        self._state = state

    def __repr__(self) -> str:
        return f"<fc_cloud OSS bucket {self.name!r} in {self.region} ({len(self._state.objects)} objects)>"

    @property
    def name(self) -> str:
        return self._state.name

    @property
    def region(self) -> str:
        return self._state.region

    @property
    def acl(self) -> str:
        return self._state.acl

    @acl.setter
    def acl(self, value: str) -> None:
        from ...errors import ConfigError
        from .store import ACLS

        if value not in ACLS:
            raise ConfigError(f"bucket {self.name!r}: acl must be one of {', '.join(ACLS)}, got {value!r}")
        self._state.acl = value

    def endpoint(self, kind: str = "internal") -> str:
        """The endpoint host an FC function in the bucket's region uses (``internal``/``public``)."""
        return endpoint_host(self.region, kind)

    # --- writes -------------------------------------------------------------------------------
    def put(self, key: str, data: Union[bytes, str], content_type: Optional[str] = None, **user_meta: str) -> Any:
        """Store an object and return the ``ObjectCreated:PutObject`` event FC would deliver.

        ``user_meta`` becomes ``x-oss-meta-*`` metadata: ``last_modified="20250213"`` is
        ``x-oss-meta-last-modified`` (underscores become dashes; keys already starting
        with ``x-oss-meta-`` are kept as given, lower-cased).
        """
        from ...errors import ConfigError

        where = f"fc_cloud.oss.bucket({self.name!r}).put({key!r}, ...)"
        if not isinstance(key, str):
            raise ConfigError(f"{where}: the key must be a str, got {type(key).__name__}")
        if isinstance(data, str):
            payload = data.encode("utf-8")
        elif isinstance(data, (bytes, bytearray, memoryview)):
            payload = bytes(data)
        else:  # bytes(5) would silently store five NUL bytes
            raise ConfigError(f"{where}: data must be bytes or str, got {type(data).__name__}")
        if content_type is not None and not isinstance(content_type, str):
            raise ConfigError(f"{where}: content_type must be a str, got {type(content_type).__name__}")
        meta = {}
        for name, value in user_meta.items():
            header = (
                name.lower()
                if name.lower().startswith("x-oss-meta-")
                else "x-oss-meta-" + name.lower().replace("_", "-")
            )
            meta[header] = str(value)
        change = self._call(
            self._service.store.put_object, self._state, key, payload, content_type=content_type, user_meta=meta
        )
        return self._event(change)

    def delete(self, key: str) -> Optional[Any]:
        """Delete ``key``; the ``ObjectRemoved:DeleteObject`` event, or ``None`` if it did not exist."""
        change = self._service.store.delete_object(self._state, key)
        return self._event(change) if change is not None else None

    def event(self, key: str, event_name: str = "ObjectCreated:PutObject") -> Any:
        """The event FC would deliver for ``event_name`` on the stored object ``key``."""
        obj = self.stat(key)
        from ...events.oss import normalize_oss_event_name

        name = normalize_oss_event_name(event_name)
        removed = name.startswith("ObjectRemoved:")
        change = Change(
            api=name.split(":", 1)[1],
            bucket=self._state,
            key=key,
            event_name=name,
            size=obj.size,
            delta_size=-obj.size if removed else obj.size,
            etag=obj.etag,
            obj=None if removed else obj,
        )
        return self._event(change)

    def _event(self, change: Change) -> Any:
        service = self._service
        return service.event_for(change, request_id=service.new_request_id(), source_ip=service.public_ip)

    def _call(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        from ...errors import ConfigError

        try:
            return fn(*args, **kwargs)
        except OssError as err:
            raise ConfigError(f"bucket {self.name!r}: {err.code}: {err.message}") from None

    # --- reads --------------------------------------------------------------------------------
    def stat(self, key: str) -> OssObject:
        """The stored object (``etag``, ``size``, ``content_type``, ``user_meta``, ``object_type``,
        ``crc64``, ``last_modified``, ``symlink_target``); ``KeyError`` when missing."""
        obj = self._state.objects.get(key)
        if obj is None:
            raise KeyError(f"oss://{self.name}/{key} does not exist (keys: {self.keys()[:20]})")
        return obj

    def get(self, key: str) -> bytes:
        """The object's bytes (a symlink's target's); ``KeyError`` when missing."""
        obj = self.stat(key)
        if obj.object_type == "Symlink":
            return self.get(obj.symlink_target or "")
        return obj.data

    def keys(self, prefix: str = "") -> List[str]:
        """Object keys under ``prefix``, sorted as OSS lists them."""
        with self._service.store.lock:
            return sorted(k for k in self._state.objects if k.startswith(prefix))

    def exists(self, key: str) -> bool:
        return key in self._state.objects

    __contains__ = exists

    def __len__(self) -> int:
        return len(self._state.objects)

    @property
    def uploads(self) -> List[str]:
        """Upload ids of multipart uploads initiated and neither completed nor aborted."""
        return sorted(self._state.uploads)
