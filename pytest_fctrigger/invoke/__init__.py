"""Run a handler the way the FC Python runtime does.

The behaviour is rebuilt from the runtime's documented contract
(FC docs "Event handlers" for Python, https://www.alibabacloud.com/help/en/functioncompute/fc-2-0/user-guide/event-handlers,
and "Python handlers" of FC 3.0) and from what it observably
does; no runtime code is copied.

* **Target**: a callable, a handler string ``"module.func"`` resolved in ``code_dir``
  exactly like the runtime (``rsplit('.', 1)``; dotted module parts are
  directories, a ``/`` in the module part is a sub-directory: ``"src/app.main.handler"``
  is ``handler`` in ``<code_dir>/src/app/main.py``; the module is loaded from that file
  under the module name itself, without importing parent packages, and ``code_dir``
  is first on ``sys.path``), or a ``FunctionSpec`` (its handler, code dir, timeout,
  memory, environment and initializer apply).
* **Load errors** carry the runtime's types and messages: ``ImportModuleError``
  ("Unable to import module 'm'"), ``UserCodeSyntaxError`` ("Syntax error in module
  'm'"), ``InvalidHandleName`` ("Invalid handler 'x'"; the runtime also maps a
  ``ValueError`` raised while the module loads to this type), ``UserCodeError``
  ("Module initialization error: '...'"), ``HandlerNotFound`` ("Handler 'f' is
  missing on module 'm'").
* **One Invoker is one instance**: modules and the initializer's effects persist
  across its calls; between calls (and so between tests) the handler's modules are
  taken out of ``sys.modules`` and ``sys.path`` is restored, so nothing leaks.
* **Per call**: a fresh request id; ``ALIBABA_CLOUD_ACCESS_KEY_ID/SECRET/SECURITY_TOKEN``
  and the runtime's ``FC_*`` variables set, every other Alibaba Cloud credential
  variable and ``FC_*`` variable hidden, and ``os.environ`` restored exactly
  afterwards; the root logger at INFO with FC's log line format; stdout, stderr and
  logging captured into ``InvokeResult.logs`` between the runtime's
  ``FC Invoke Start/End RequestId:`` markers (and still shown to pytest's capture);
  the timeout enforced (``SIGALRM`` in the main thread interrupts even
  ``time.sleep``; other threads run the handler in a worker thread and stop waiting);
  no network unless a ``Cloud`` is given (then its fakes serve the SDKs).
* **Return value**: ``str``/``bytes`` as is, anything else through
  ``json.dumps(obj, default=..., indent=4, sort_keys=True)`` where ``Decimal`` ->
  ``float``, ``date``/``datetime`` -> ``isoformat()``, objects with ``to_json()`` ->
  its result; anything else is a ``TypeError`` invocation error.
* **Errors**: a handler exception propagates unchanged; with ``catch=True`` it becomes
  ``InvokeResult.error == {"errorMessage", "errorType", "stackTrace"}`` (the
  runtime's payload, harness frames removed). Failures of the runtime or the
  platform (load errors, timeout, unserialisable result, ``sys.exit``) raise
  ``FCInvokeError`` subclasses, or are returned with ``catch=True``.

The package is split by concern: ``_loading`` (handler modules per instance),
``_environment`` (variables), ``_deadline`` (timeouts), ``_logs`` (markers, capture),
``_errors`` and ``_result`` (error types, payloads, serialisation), ``_scope`` (what a
call changes and undoes) and ``_invoker`` (``Invoker``, ``invoke``). Every name stays
importable from ``pytest_fctrigger.invoke``.
"""

from __future__ import annotations

from ._deadline import _can_use_alarm, _format_seconds, _raise_in_thread, _run_with_deadline
from ._environment import (
    _HIDDEN_NAMES_B,
    _HIDDEN_PREFIXES_B,
    HIDDEN_ENV_NAMES,
    HIDDEN_ENV_PREFIXES,
    _apply_env,
    _raw_environ,
    _restore_env,
    _snapshot_env,
)
from ._errors import (
    FCInvokeError,
    FCTimeoutError,
    HandlerNotFound,
    ImportModuleError,
    InvalidHandleName,
    UserCodeError,
    UserCodeSyntaxError,
    _exception_only_trace,
    _Expired,
    _load_error,
    _LoadFailure,
    _max_memory_mb,
    _platform_error,
)
from ._invoker import _EVENT_CALL, _ONE_OFF_RNG, _PY_RUNTIMES, EventCall, Invoker, _event_bytes, _Target, invoke
from ._loading import _find_module_path, _import_from_code_dir, _Instance, _module_file, _ModuleScope, _same_file
from ._logs import LOG_ERROR_SUFFIX, LOG_INIT_END, LOG_INIT_START, LOG_INVOKE_END, LOG_INVOKE_START, _Tee
from ._result import (
    _HARNESS_FILES,
    InvokeResult,
    _default_serializer,
    _error_bytes,
    _frame_entries,
    _payload_of,
    _user_frames,
    error_payload,
    to_json,
)
from ._scope import _CallScope

__all__ = [
    "FCInvokeError",
    "FCTimeoutError",
    "ImportModuleError",
    "UserCodeSyntaxError",
    "InvalidHandleName",
    "UserCodeError",
    "HandlerNotFound",
    "InvokeResult",
    "Invoker",
    "invoke",
    "to_json",
]

# The public classes keep the module path they always had (tracebacks, reprs, pickles
# and users' ``except pytest_fctrigger.invoke.X`` read the same as before the split).
for _cls in (
    FCInvokeError,
    FCTimeoutError,
    ImportModuleError,
    UserCodeSyntaxError,
    InvalidHandleName,
    UserCodeError,
    HandlerNotFound,
    InvokeResult,
    Invoker,
    EventCall,
):
    _cls.__module__ = __name__
del _cls

# every name the single module had, for code that reached into it
_ = (
    _can_use_alarm,
    _format_seconds,
    _raise_in_thread,
    _run_with_deadline,
    _HIDDEN_NAMES_B,
    _HIDDEN_PREFIXES_B,
    HIDDEN_ENV_NAMES,
    HIDDEN_ENV_PREFIXES,
    _apply_env,
    _raw_environ,
    _restore_env,
    _snapshot_env,
    _exception_only_trace,
    _Expired,
    _load_error,
    _LoadFailure,
    _max_memory_mb,
    _platform_error,
    _EVENT_CALL,
    _ONE_OFF_RNG,
    _PY_RUNTIMES,
    _event_bytes,
    _Target,
    _find_module_path,
    _import_from_code_dir,
    _Instance,
    _module_file,
    _ModuleScope,
    _same_file,
    LOG_ERROR_SUFFIX,
    LOG_INIT_END,
    LOG_INIT_START,
    LOG_INVOKE_END,
    LOG_INVOKE_START,
    _Tee,
    _HARNESS_FILES,
    _default_serializer,
    _error_bytes,
    _frame_entries,
    _payload_of,
    _user_frames,
    _CallScope,
)
del _
