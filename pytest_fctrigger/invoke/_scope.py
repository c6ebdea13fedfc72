"""Everything that is different for the handler while it runs, undone after."""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import threading
import time
import warnings
from typing import TYPE_CHECKING, Any, Dict, List, Optional

from ._environment import _CEnvRecorder, _EnvSwap, _private_home, _restore_c_env
from ._loading import _Instance, _ModuleScope
from ._logs import _Tee

if TYPE_CHECKING:
    from ..context import FCLogHandler
    from ._invoker import Invoker


class _CallScope:
    """Everything that is different for the handler while it runs, undone after."""

    _active: List[_CallScope] = []

    def __init__(self, invoker: Invoker, instance: _Instance, context: Any, spec: Any, logs: List[str]):
        self.invoker = invoker
        self.instance = instance
        self.context = context
        self.spec = spec
        self.logs = logs
        self.modules: Optional[_ModuleScope] = None

    @classmethod
    def current_shadowed(cls) -> Dict[str, Any]:
        scope = cls._active[-1] if cls._active else None
        if scope is not None and scope.modules is not None:
            return scope.modules.shadowed
        return {}

    def _env_values(self) -> Dict[str, str]:
        """The runtime's FC_* variables and the role's credentials, from the context."""
        ctx = self.context
        meta = vars(ctx).get("_fc_meta") if hasattr(ctx, "__dict__") else None
        fn = getattr(ctx, "function", None)
        service = getattr(ctx, "service", None)
        values = {
            "FC_FUNC_CODE_PATH": self.instance.code_dir or os.getcwd(),
            "FC_ACCOUNT_ID": getattr(ctx, "account_id", None),
            "FC_REGION": getattr(ctx, "region", None),
            "FC_FUNCTION_NAME": getattr(fn, "name", None),
            "FC_FUNCTION_HANDLER": getattr(fn, "handler", None),
            "FC_FUNCTION_MEMORY_SIZE": getattr(fn, "memory", None),
            "FC_INSTANCE_ID": getattr(meta, "instance_id", None),
        }
        if service is not None:  # FC 2.0
            values["FC_SERVICE_NAME"] = getattr(service, "name", None)
            values["FC_QUALIFIER"] = getattr(service, "qualifier", None)
            values["FC_VER_ID"] = getattr(service, "version_id", None)
        else:  # FC 3.0: Python 3.12 runs on Debian 12, which has FC_FUNCTION_VERSION, not FC_VER_ID
            values["FC_FUNCTION_VERSION"] = getattr(fn, "version_id", None)
        creds = meta.credentials if meta is not None else getattr(ctx, "credentials", None)
        keys = [getattr(creds, name, None) for name in ("access_key_id", "access_key_secret", "security_token")]
        if not all(isinstance(k, str) and k for k in keys):  # a hand-made context without them
            from .._credentials import fake_credentials

            keys = list(fake_credentials(self.invoker.rng))
        (
            values["ALIBABA_CLOUD_ACCESS_KEY_ID"],
            values["ALIBABA_CLOUD_ACCESS_KEY_SECRET"],
            values["ALIBABA_CLOUD_SECURITY_TOKEN"],
        ) = keys
        # an empty HOME of the harness: credential files under the developer's HOME
        # (~/.aliyun/config.json, ~/.alibabacloud/credentials) are out of reach
        values["HOME"] = _private_home()
        out = {k: str(v) for k, v in values.items() if isinstance(v, (str, int)) and v != ""}
        if self.spec is not None and self.spec.environment:
            out.update({str(k): str(v) for k, v in self.spec.environment.items()})
        return out

    def enter(self) -> None:
        # What the handler may change and the next test must not see, saved first
        # (cheap reads: the whole call's overhead budget is a few hundred microseconds).
        self.environ = os.environ  # a handler may rebind os.environ itself
        self.env: Optional[_EnvSwap] = None
        try:
            self.cwd: Optional[str] = os.getcwd()
        except OSError:  # the test's cwd was removed: nothing to go back to
            self.cwd = None
        self.sys_path = list(sys.path)
        self.tz = (time.timezone, time.altzone, time.daylight, time.tzname)
        self.threads = set(threading._active)  # type: ignore[attr-defined]  # idents, to find what outlives the call
        request = sys.modules.get("urllib.request")
        self.urllib = request
        if request is not None:  # an opener cached by an earlier call (proxies included) is not reused
            self.opener = request._opener
            request._opener = None  # type: ignore[attr-defined]
        try:
            self.env = _EnvSwap(self._env_values())
            _CEnvRecorder.start()
            if self.instance.code_dir is not None:
                self.modules = _ModuleScope(self.instance)
                self.modules.enter()
            self.stdout, self.stderr = sys.stdout, sys.stderr
            sys.stdout = _Tee(self.logs, self.stdout)
            sys.stderr = _Tee(self.logs, self.stderr)
            root = logging.getLogger()
            self.root_level = root.level
            self.root_handlers = list(root.handlers)
            if root.level != logging.INFO:  # (setLevel clears every logger's cache: skip when equal)
                root.setLevel(logging.INFO)  # the runtime's root logger level
            log_handler = self.invoker._log_handler
            self.log_handler: Optional[FCLogHandler] = log_handler  # None again after exit()
            log_handler.request_id = str(getattr(self.context, "request_id", ""))
            root.addHandler(log_handler)
            cloud = self.invoker.cloud
            self.network: Any
            if cloud is not None and cloud.active:
                self.network = contextlib.nullcontext()  # re-entering an active cloud changes nothing
            elif cloud is not None:
                self.network = cloud.activate()
            else:
                from ..cloud.guard import NetworkGuard

                self.network = NetworkGuard()
            self.network.__enter__()
            _CallScope._active.append(self)
        except BaseException:
            self.exit()
            raise

    def exit(self) -> None:
        if _CallScope._active and _CallScope._active[-1] is self:
            _CallScope._active.pop()
        touched = _CEnvRecorder.stop()
        network = getattr(self, "network", None)
        if network is not None:
            self.network = None
            network.__exit__(None, None, None)
        handler = getattr(self, "log_handler", None)
        if handler is not None:
            root = logging.getLogger()
            if root.handlers != self.root_handlers:  # ours, and whatever the handler added or removed
                root.handlers[:] = self.root_handlers
            if root.level != self.root_level:
                root.setLevel(self.root_level)
            self.log_handler = None
        if getattr(self, "stdout", None) is not None:
            sys.stdout, sys.stderr = self.stdout, self.stderr
            self.stdout = None
        if self.modules is not None:
            self.modules.exit()
            self.modules = None
        if os.environ is not self.environ:
            os.environ = self.environ  # noqa: B003 - putting the real one back
        if self.env is not None:
            self.env.restore()
            self.env = None
        _restore_c_env(touched)
        if sys.path != self.sys_path:
            sys.path[:] = self.sys_path
        if self.cwd is not None:
            try:
                if os.getcwd() != self.cwd:
                    os.chdir(self.cwd)
            except OSError:  # the handler removed the directory it changed to
                os.chdir(self.cwd)
        if (time.timezone, time.altzone, time.daylight, time.tzname) != self.tz:
            time.tzset()  # TZ is back in the environment; the C library's zone follows it
        if self.urllib is not None:
            self.urllib._opener = self.opener  # type: ignore[attr-defined]
            self.urllib = None
        if len(threading._active) > len(self.threads) or not self.threads.issuperset(threading._active):  # type: ignore[attr-defined]
            self._expire_threads()

    def _expire_threads(self) -> None:
        """Threads the handler left running: from now on they can no longer act (see _outliving)."""
        from .._outliving import FCOutlivedWarning, expire

        label = str(getattr(self.context, "request_id", ""))
        fn = getattr(self.context, "function", None)
        label = f"{getattr(fn, 'name', 'the handler')} (request {label})"
        left = []
        for ident, thread in list(threading._active.items()):  # type: ignore[attr-defined]
            if ident in self.threads or not thread.is_alive():
                continue
            expire(thread, label)
            if thread.name != "fc-invoke":  # the abandoned worker of a timeout: its error says it all
                left.append(thread.name)
        if left:
            warnings.warn(
                FCOutlivedWarning(
                    f"{label} left thread(s) {', '.join(sorted(left))} running after its invocation ended; "
                    "FC would have frozen them with the instance. From now on their writes to the simulated "
                    "cloud, environment changes and network attempts are refused. Join threads before returning."
                ),
                stacklevel=5,
            )


_ONE_OFF_RNG: List[Any] = []
