"""Patch an SDK's I/O seam in every copy of it, when (and only when) that copy is imported.

A handler may import the installed SDK or its own copy vendored into the code dir
(``pip install -t code/ aliyun-mns-sdk``: FC installs nothing, so users do this). The
copies are different module objects of the same name, so patching one class attribute
does not serve the other. ``SeamPatcher`` therefore keys patches by module identity:

* at ``start()``, every already-imported copy of a seam module is patched (the one in
  ``sys.modules`` and copies seen earlier in the session that an invocation keeps
  outside ``sys.modules`` between calls);
* while active, a meta-path finder wraps the loader of each seam module name, so a copy
  imported later, from any path, is patched right after it executes;
* ``stop()`` undoes every patch, newest first, and removes the finder.

Nothing is imported up front: a service whose SDK the test never imports costs nothing
(the reason this exists besides vendoring: importing all five SDKs took ~0.5 s).

Import warnings of the SDKs (tablestore warns with ``ImportWarning`` when its C++
extension is missing) are the SDK's business, not the test's: modules listed as
``quiet`` execute with those warnings ignored, so ``pytest -W error`` does not turn them
into test errors.
"""

from __future__ import annotations

import importlib.abc
import sys
import threading
import warnings
import weakref
from types import ModuleType
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

__all__ = ["SeamPatcher"]

#: undo function returned by a patch
Undo = Callable[[], None]
Patch = Callable[[ModuleType], Optional[Undo]]

# every copy of a seam module seen in this process, by name: an invocation keeps a code
# dir's modules outside sys.modules between calls, and a later activation must find them
_SEEN: Dict[str, weakref.WeakSet[ModuleType]] = {}
_SEEN_LOCK = threading.Lock()


def _remember(module: ModuleType) -> None:
    with _SEEN_LOCK:
        _SEEN.setdefault(module.__name__, weakref.WeakSet()).add(module)


def _copies(name: str) -> List[ModuleType]:
    with _SEEN_LOCK:
        seen = list(_SEEN.get(name, ()))
    current = sys.modules.get(name)
    if current is not None and current not in seen:
        seen.append(current)
    return seen


class _Loader(importlib.abc.Loader):
    """Runs the real loader, then the patcher's callback on the new module."""

    def __init__(self, loader: Any, finished: Callable[[ModuleType], None], quiet: bool) -> None:
        self._loader = loader
        self._finished = finished
        self._quiet = quiet

    def create_module(self, spec: Any) -> Optional[ModuleType]:
        create = getattr(self._loader, "create_module", None)
        return create(spec) if create is not None else None

    def exec_module(self, module: ModuleType) -> None:
        # the module's own code sees its real loader (pkgutil, importlib.resources)
        module.__loader__ = self._loader
        spec = getattr(module, "__spec__", None)
        if spec is not None:
            spec.loader = self._loader
        if self._quiet:
            import logging

            # tablestore also logs a warning about its missing native codec: not the user's concern
            logger = logging.getLogger(module.__name__)
            level = logger.level
            logger.setLevel(logging.ERROR)
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", ImportWarning)
                    warnings.simplefilter("ignore", DeprecationWarning)
                    warnings.simplefilter("ignore", PendingDeprecationWarning)
                    warnings.simplefilter("ignore", SyntaxWarning)
                    self._loader.exec_module(module)
            finally:
                logger.setLevel(level)
        else:
            self._loader.exec_module(module)
        self._finished(module)

    def __getattr__(self, name: str) -> Any:  # get_data, get_filename, ... of the real loader
        return getattr(self._loader, name)


class _Finder(importlib.abc.MetaPathFinder):
    def __init__(self, patcher: SeamPatcher) -> None:
        self._patcher = patcher
        self._busy = threading.local()

    def find_spec(self, fullname: str, path: Any, target: Any = None) -> Any:
        patcher = self._patcher
        if fullname not in patcher._patches and fullname not in patcher._quiet:
            return None
        if getattr(self._busy, "on", False):
            return None
        self._busy.on = True
        try:
            spec = None
            for finder in sys.meta_path:
                if finder is self or isinstance(finder, _Finder):
                    continue
                find = getattr(finder, "find_spec", None)
                if find is None:
                    continue
                spec = find(fullname, path, target)
                if spec is not None:
                    break
        finally:
            self._busy.on = False
        if spec is None or spec.loader is None or not hasattr(spec.loader, "exec_module"):
            return spec
        spec.loader = _Loader(spec.loader, patcher._loaded, fullname in patcher._quiet)
        return spec


class SeamPatcher:
    """``add(module_name, patch)``, then ``start()`` / ``stop()`` (or use as a context manager).

    ``patch(module)`` patches one copy and returns a function undoing it (or ``None``
    when the copy has nothing to patch). Each copy is patched once per ``start()``.
    """

    def __init__(self, quiet: Sequence[str] = ()) -> None:
        self._patches: Dict[str, List[Patch]] = {}
        self._quiet = frozenset(quiet)
        self._undo: List[Undo] = []
        self._done: Dict[Tuple[int, int], ModuleType] = {}  # (id(module), id(patch)) -> module
        self._finder: Optional[_Finder] = None
        self._lock = threading.RLock()

    @property
    def active(self) -> bool:
        return self._finder is not None

    def add(self, module_name: str, patch: Patch) -> None:
        """Patch every copy of ``module_name``; applied at once to copies already loaded when active."""
        with self._lock:
            self._patches.setdefault(module_name, []).append(patch)
            if self.active:
                for module in _copies(module_name):
                    self._apply(module, patch)

    def start(self) -> None:
        with self._lock:
            if self._finder is not None:
                return
            self._finder = _Finder(self)
            sys.meta_path.insert(0, self._finder)
            for name, patches in self._patches.items():
                for module in _copies(name):
                    for patch in patches:
                        self._apply(module, patch)

    def stop(self) -> None:
        with self._lock:
            if self._finder is None:
                return
            try:
                sys.meta_path.remove(self._finder)
            except ValueError:  # someone rebuilt sys.meta_path: nothing of ours is left in it
                pass
            self._finder = None
            undo, self._undo = self._undo, []
            self._done.clear()
        for step in reversed(undo):
            step()

    def __enter__(self) -> SeamPatcher:
        self.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    # --- internals -----------------------------------------------------------------------
    def _loaded(self, module: ModuleType) -> None:
        name = module.__name__
        if name not in self._patches:
            return
        _remember(module)
        with self._lock:
            if self._finder is None:
                return
            for patch in self._patches.get(name, ()):
                self._apply(module, patch)

    def _apply(self, module: ModuleType, patch: Patch) -> None:
        key = (id(module), id(patch))
        if key in self._done:
            return
        _remember(module)
        undo = patch(module)
        self._done[key] = module  # keeps the module alive, so its id is not reused meanwhile
        if undo is not None:
            self._undo.append(undo)


def patch_attribute(owner: Any, name: str, value: Any) -> Undo:
    """Set ``owner.name = value``; the returned function restores exactly what was there."""
    missing = object()
    saved = owner.__dict__.get(name, missing) if hasattr(owner, "__dict__") else getattr(owner, name, missing)
    setattr(owner, name, value)

    def undo() -> None:
        if saved is missing:
            try:
                delattr(owner, name)
            except AttributeError:
                pass
        else:
            setattr(owner, name, saved)

    return undo
