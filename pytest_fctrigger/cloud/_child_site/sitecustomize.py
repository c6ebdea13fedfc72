"""Started in child processes of a guarded test process (see pytest_fctrigger.cloud._children)."""

import os
import sys


def _guard() -> None:
    if os.environ.get("FCTRIGGER_CHILD_GUARD") != "1":
        return
    try:
        from pytest_fctrigger.cloud.guard import NetworkGuard
    except Exception:  # the child runs another interpreter: the proxy variables still apply
        return
    allow = [a for a in os.environ.get("FCTRIGGER_CHILD_GUARD_ALLOW", "").split(",") if a]
    NetworkGuard(allow=allow).__enter__()  # for the child's whole life


def _chain() -> None:
    # run the sitecustomize this one shadows (a project's or a test's own)
    import importlib.machinery
    import importlib.util

    here = os.path.dirname(os.path.abspath(__file__))
    path = [p for p in sys.path if os.path.abspath(p or ".") != here]
    spec = importlib.machinery.PathFinder.find_spec("sitecustomize", path)
    if spec is not None and spec.loader is not None:
        module = importlib.util.module_from_spec(spec)
        sys.modules["sitecustomize"] = module
        spec.loader.exec_module(module)


_guard()
_chain()
