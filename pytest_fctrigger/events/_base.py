"""``FCEvent``: the exact bytes FC hands to ``handler(event, context)``, plus metadata."""

from __future__ import annotations

import json
from typing import Any, Tuple


class FCEvent(bytes):
    """The payload FC delivers to a Python 3 handler, as ``bytes``.

    On Python 3 the FC runtime passes the raw request body to ``handler(event,
    context)``, so an ``FCEvent`` can be handed straight to a handler. The extra
    attributes are for tests:

    * ``data``: the decoded Python object (``json.loads`` result; for Tablestore the
      CBOR-decoded dict; for an MNS STREAM message without attributes, the ``str``
      body itself).
    * ``trigger_type``: e.g. ``"oss"``, ``"mns_topic"``, ``"tablestore"``.
    * ``variant``: e.g. ``"ObjectCreated:PutObject"``, ``"STREAM"``, ``"event"``.
    """

    data: Any
    trigger_type: str
    variant: str

    def __new__(cls, payload: bytes, data: Any, trigger_type: str, variant: str = "") -> FCEvent:
        obj = super().__new__(cls, payload)
        obj.data = data
        obj.trigger_type = trigger_type
        obj.variant = variant
        return obj

    @classmethod
    def from_json(cls, data: Any, trigger_type: str, variant: str = "") -> FCEvent:
        """Encode ``data`` the way the event sources do (compact UTF-8 JSON)."""
        payload = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        return cls(payload, data, trigger_type, variant)

    @property
    def case_id(self) -> str:
        """Readable id used by trigger matrices, e.g. ``oss[ObjectCreated:PutObject]``."""
        return f"{self.trigger_type}[{self.variant}]" if self.variant else self.trigger_type

    def __repr__(self) -> str:
        return f"<FCEvent {self.case_id} {len(self)} bytes>"

    def __reduce__(
        self,
    ) -> Tuple[type, Tuple[bytes, Any, str, str]]:  # keep metadata through pickle (xdist, multiprocessing)
        return (FCEvent, (bytes(self), self.data, self.trigger_type, self.variant))
