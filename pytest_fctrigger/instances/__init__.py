"""FC instances as real processes (``--fc-isolate=process``).

An instance is a child process forked from a warm zygote (a Python process that has
imported the SDKs and the plugin's interception once): its own environment built from
scratch, HOME, TMPDIR and cwd; no network at all where the kernel allows unprivileged
user + network namespaces; its memory capped at the function's ``memorySize``; killed
at the function's timeout with everything it started. It reaches the simulated cloud
through the test process, so stores, the write journal, loop detection and the test's
assertions are the same as in-process.

This module is imported by the pytest wiring for validation: it imports nothing heavy;
the machinery is in ``_runner`` (test process), ``_zygote`` and ``_child``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..core.settings import DEFAULT_ISOLATE, ISOLATE_MODES, check_isolate

if TYPE_CHECKING:  # the names __getattr__ loads on first use, typed for checkers and editors
    from ._runner import FCOutOfMemoryError, InstanceHandlerError, close_instances, run_in_instance
    from ._zygote_client import InstanceStartError

__all__ = [
    "ISOLATE_MODES",
    "DEFAULT_ISOLATE",
    "check_isolate",
    "protection",
    "probe_protection",
    "run_in_instance",
    "close_instances",
    "FCOutOfMemoryError",
    "InstanceHandlerError",
    "InstanceStartError",
]


def protection() -> str:
    """One line saying what protects the network in process instances on this machine."""
    from ._zygote_client import Zygote

    info = Zygote.shared().info()
    if info.get("netns"):
        return "process instances: no network (unprivileged user + network namespace), forked from a warm zygote"
    return (
        "process instances: network guard only, in the instance (no network namespace: "
        f"{info.get('netns_error') or 'unavailable'}), forked from a warm zygote"
    )


def probe_protection() -> str:
    """``protection()`` without waiting for a zygote that is not running (e.g. in the xdist
    controller, which runs no test): a short-lived interpreter tries the namespaces."""
    from ._zygote_client import Zygote

    if Zygote._shared is not None:
        return protection()
    import json
    import subprocess
    import sys

    code = (
        "import sys, json; sys.path[:] = json.loads(sys.argv[1]); "
        "from pytest_fctrigger.instances._sandbox import enter_network_namespace as e; print(e() or '')"
    )
    try:
        out = subprocess.run(
            [sys.executable, "-c", code, json.dumps(sys.path)],
            capture_output=True,
            text=True,
            timeout=30,
            env={"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"},
        )
        why = out.stdout.strip() if out.returncode == 0 else (out.stderr.strip().splitlines() or ["failed"])[-1]
    except (OSError, subprocess.SubprocessError) as exc:
        why = str(exc)
    if not why:
        return "process instances: no network (unprivileged user + network namespace), forked from a warm zygote"
    return (
        f"process instances: network guard only, in the instance (no network namespace: {why}), "
        "forked from a warm zygote"
    )


def __getattr__(name: str) -> Any:  # the machinery loads on first use
    if name in ("run_in_instance", "close_instances", "FCOutOfMemoryError", "InstanceHandlerError"):
        from . import _runner

        return getattr(_runner, name)
    if name == "InstanceStartError":
        from ._zygote_client import InstanceStartError

        return InstanceStartError
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
