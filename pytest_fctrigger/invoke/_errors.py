"""The runtime's and the platform's invocation errors, and how load errors are built."""

from __future__ import annotations

import sys
import traceback
from typing import TYPE_CHECKING, Any, Dict, List, Optional

from ..errors import FCTriggerError

if TYPE_CHECKING:
    from ._result import InvokeResult


class FCInvokeError(FCTriggerError):
    """The invocation failed in the runtime or the platform, not by a handler exception.

    ``error`` is the payload FC returns for it; ``result`` the ``InvokeResult``
    (logs, request id, duration) when the invocation got that far.
    """

    def __init__(self, message: str, error: Optional[dict] = None, result: Optional[InvokeResult] = None):
        super().__init__(message)
        self.error = error if error is not None else {"errorMessage": message}
        self.result = result


class FCTimeoutError(FCInvokeError, TimeoutError):
    """The handler ran past the function's timeout."""


class ImportModuleError(FCInvokeError):
    """The handler's module cannot be imported."""


class UserCodeSyntaxError(FCInvokeError):
    """The handler's module has a syntax error."""


class InvalidHandleName(FCInvokeError):
    """The handler string is malformed."""


class UserCodeError(FCInvokeError):
    """The handler's module raised while it was being loaded."""


class HandlerNotFound(FCInvokeError):
    """The module loaded but has no attribute with the handler's function name."""


class _LoadFailure(Exception):
    """Carries a load error out of the deadline wrapper, apart from the handler's own errors."""

    def __init__(self, error: FCInvokeError):
        super().__init__(str(error))
        self.error = error


class _Expired(BaseException):
    """Raised into the handler when its time is up (a BaseException: ``except Exception``
    in user code must not swallow it)."""


def _exception_only_trace(exc: BaseException) -> List[str]:
    # Load errors carry the underlying exception in short form, one item per line,
    # the ``File "...", line n`` line of a SyntaxError split on commas.
    lines = traceback.format_exception_only(type(exc), exc)
    trace: List[str] = []
    for idx, chunk in enumerate(lines):
        for line in chunk.split("\n"):
            item = line.replace("^", "").strip()
            if not item:
                continue
            if idx == 0 and item.startswith("File "):
                trace.extend(p.strip() for p in item.split(",") if p.strip())
            else:
                trace.append(item)
    return trace


def _load_error(cls: type, message: str, cause: BaseException, where: str) -> FCInvokeError:
    payload: Dict[str, Any] = {"errorMessage": message, "errorType": cls.__name__}
    trace = _exception_only_trace(cause)
    if trace:
        payload["stackTrace"] = trace
    detail = f"{type(cause).__name__}: {cause}".strip()
    err = cls(f"{message} ({where}; {detail})", error=payload)
    err.__cause__ = cause
    return err


def _max_memory_mb() -> float:
    """Peak RSS of this (test) process in MB, for FC's ``maxMemoryUsage`` wording."""
    try:
        import resource
    except ImportError:  # Windows
        return 0.0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def _platform_error(message: str) -> dict:
    return {"errorMessage": f"{message} (maxMemoryUsage: {_max_memory_mb():.2f}MB)"}
