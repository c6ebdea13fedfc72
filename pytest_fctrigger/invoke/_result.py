"""``InvokeResult`` and the runtime's serialisation of return values and errors."""

from __future__ import annotations

import dataclasses
import datetime as _dt
import decimal
import json
import os
import traceback
from typing import Any, Dict, List, Optional

_PKG_DIR = os.path.normcase(os.path.dirname(os.path.abspath(__file__)))
# The harness' own modules (this package and fc_http's WSGI call in http.py), whose frames
# in front of the handler's are dropped from stackTrace as the runtime drops its own.
_HARNESS_FILES = frozenset({os.path.join(os.path.dirname(_PKG_DIR), "http")})
# For the same reason the functions a handler call passes through set
# ``__tracebackhide__``: a failing test's report shows the test line, then the
# handler's own frames (or the one-line load/timeout error), not the harness.


@dataclasses.dataclass
class InvokeResult:
    """What one invocation returned, as FC reports it."""

    payload: bytes
    logs: str
    duration_ms: float
    request_id: str
    error: Optional[dict] = None
    writes: List[Any] = dataclasses.field(default_factory=list)
    context: Any = None
    return_value: Any = None  # the handler's Python return value, before serialisation
    event: Any = None
    loop: Any = None  # the loops.LoopReport when a write fired a watched trigger (else None)

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def text(self) -> str:
        return self.payload.decode("utf-8")

    def json(self) -> Any:
        return json.loads(self.payload)

    def __repr__(self) -> str:
        state = (
            "ok" if self.error is None else f"error {self.error.get('errorType') or self.error.get('errorMessage')!r}"
        )
        return f"<InvokeResult {self.request_id} {state} {len(self.payload)} bytes {self.duration_ms:.1f} ms>"


def _default_serializer(obj: Any) -> Any:
    if isinstance(obj, decimal.Decimal):
        return float(obj)
    if isinstance(obj, (_dt.datetime, _dt.date)):
        return obj.isoformat()
    if hasattr(obj, "to_json"):
        return obj.to_json()
    raise TypeError(repr(obj) + " is not JSON serializable")


def to_json(obj: Any) -> str:
    """The runtime's serialisation of a non-``str``/``bytes`` return value."""
    return json.dumps(obj, default=_default_serializer, indent=4, sort_keys=True)


def _payload_of(value: Any) -> bytes:
    if isinstance(value, bytes):
        return bytes(value)
    if isinstance(value, str):
        return value.encode("utf-8")
    if value is None:  # what json.dumps gives, without its set-up (most handlers return None)
        return b"null"
    return to_json(value).encode("utf-8")


def _frame_entries(frames: List[traceback.FrameSummary]) -> List[List[str]]:
    # FC's stackTrace entry per frame: ['File "<path>"', 'line <n>', 'in <func>', '<source line>']
    return [[f'File "{f.filename}"', f"line {f.lineno}", f"in {f.name}", (f.line or "").strip()] for f in frames]


def _is_harness_file(filename: str) -> bool:
    path = os.path.normcase(os.path.abspath(filename))
    return os.path.dirname(path) == _PKG_DIR or path.rsplit(".", 1)[0] in _HARNESS_FILES


def _user_frames(tb: Any) -> List[traceback.FrameSummary]:
    frames = traceback.extract_tb(tb)
    # drop the harness' own frames in front of the handler's (the runtime drops its own)
    i = 0
    while i < len(frames) and _is_harness_file(frames[i].filename):
        i += 1
    return list(frames[i:])


def error_payload(exc: BaseException, frames: Optional[List[traceback.FrameSummary]] = None) -> dict:
    """``{"errorMessage", "errorType", "stackTrace"}`` for an exception raised by user code."""
    if frames is None:
        frames = _user_frames(exc.__traceback__)
    payload: Dict[str, Any] = {"errorMessage": str(exc), "errorType": type(exc).__name__}
    trace = _frame_entries(frames)
    if trace:
        payload["stackTrace"] = trace
    return payload


def _error_bytes(error: dict) -> bytes:
    # the runtime's error payloads go through to_json; the platform's own (timeout, crash)
    # are compact JSON with only errorMessage
    if error.get("errorType") is not None:
        return to_json(error).encode("utf-8")
    return json.dumps(error, separators=(",", ":")).encode("utf-8")
