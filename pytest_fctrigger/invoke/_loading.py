"""Loading handler modules from the code dir the way the runtime's loader does, per instance."""

from __future__ import annotations

import importlib.machinery
import importlib.util
import os
import sys
from typing import Any, Callable, Dict, List, Optional


def _find_module_path(name: str, directory: str) -> Optional[str]:
    """The package dir or module file ``name`` in ``directory``, searched like ``imp.find_module``."""
    if not name or not os.path.isdir(directory):
        return None
    pkg = os.path.join(directory, name)
    if os.path.isdir(pkg):
        for suffix in importlib.machinery.all_suffixes():
            if os.path.isfile(os.path.join(pkg, "__init__" + suffix)):
                return pkg
    for suffix in (
        importlib.machinery.EXTENSION_SUFFIXES
        + importlib.machinery.SOURCE_SUFFIXES
        + importlib.machinery.BYTECODE_SUFFIXES
    ):
        path = pkg + suffix
        if os.path.isfile(path):
            return path
    return None


def _module_file(path: str) -> str:
    if os.path.isdir(path):
        for suffix in importlib.machinery.all_suffixes():
            candidate = os.path.join(path, "__init__" + suffix)
            if os.path.isfile(candidate):
                return candidate
    return path


def _same_file(module: Any, path: str) -> bool:
    mod_file = getattr(module, "__file__", None)
    if not mod_file:
        return False
    try:
        return os.path.samefile(mod_file, path)
    except OSError:
        return False


def _import_from_code_dir(modname: str, code_dir: str, shadowed: Dict[str, Any]) -> Any:
    pos = modname.rfind("/")
    if pos != -1:
        path = os.path.join(code_dir, modname[:pos])
        segments = modname[pos + 1 :].split(".") if modname[pos + 1 :] else []
    else:
        path = code_dir
        segments = modname.split(".")
    if not segments:
        raise ModuleNotFoundError(f"No module named {modname!r}")
    for segment in segments:
        found = _find_module_path(segment, path)
        if found is None:  # what the runtime's imp.find_module raises (the code dir is in the message)
            raise ImportError(f"No module named {segment!r}")
        path = found
    file = _module_file(path)
    root = os.path.join(os.path.normpath(os.path.abspath(code_dir)), "")
    if not os.path.normpath(os.path.abspath(file)).startswith(root):
        # "../x.handler", "/abs/x.handler": FC loads handlers from the code package only
        raise ImportError(f"No module named {modname!r} in the code directory (it resolves to {file}, outside it)")
    existing = sys.modules.get(modname)
    if existing is not None:
        if _same_file(existing, file):
            return existing
        shadowed.setdefault(modname, existing)  # another module of that name: hide it for the call
        del sys.modules[modname]
    spec = importlib.util.spec_from_file_location(
        modname, file, submodule_search_locations=[path] if os.path.isdir(path) else None
    )
    if spec is None or spec.loader is None:
        raise ModuleNotFoundError(f"cannot load {file} as a Python module")
    module = importlib.util.module_from_spec(spec)
    sys.modules[modname] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        sys.modules.pop(modname, None)
        raise
    return module


# --------------------------------------------------------------------------- instance state
class _Instance:
    """One function instance: its loaded handlers and modules, kept between calls."""

    def __init__(self, code_dir: Optional[str]):
        self.code_dir = code_dir
        self.handlers: Dict[str, Callable] = {}
        self.modules: Dict[str, Any] = {}
        self.extra_path: List[str] = []
        self.initialized: set = set()
        self._top_names: Optional[List[str]] = None

    def top_level_names(self) -> List[str]:
        """Module names importable from the code dir (``x.py``, packages)."""
        if self._top_names is None:
            names = set()
            if self.code_dir and os.path.isdir(self.code_dir):
                suffixes = tuple(importlib.machinery.all_suffixes())
                for entry in os.listdir(self.code_dir):
                    full = os.path.join(self.code_dir, entry)
                    if os.path.isdir(full) and _module_file(full) != full:
                        names.add(entry)
                    elif entry.endswith(suffixes):
                        names.add(entry.split(".", 1)[0])
            self._top_names = sorted(names)
        return self._top_names

    def owns(self, module: Any) -> bool:
        file = getattr(module, "__file__", None)
        if not file:
            return False
        file = os.path.abspath(file)
        roots = ([self.code_dir] if self.code_dir else []) + self.extra_path
        return any(file.startswith(os.path.join(os.path.abspath(r), "")) for r in roots)


class _ModuleScope:
    """Puts an instance's modules and code dir in place for one call, and takes them out after."""

    def __init__(self, instance: _Instance):
        self.instance = instance
        self.shadowed: Dict[str, Any] = {}

    def enter(self) -> None:
        inst = self.instance
        self.saved_path = list(sys.path)
        roots = ([inst.code_dir] if inst.code_dir else []) + inst.extra_path
        sys.path[:0] = [r for r in roots if r not in sys.path]
        modules = sys.modules
        for name in inst.top_level_names():
            existing = modules.get(name)
            if existing is not None and name not in inst.modules and not inst.owns(existing):
                self._shadow(name)
        for name, module in inst.modules.items():
            if modules.get(name) is not module:
                if name in modules and name not in self.shadowed:
                    self.shadowed[name] = modules[name]
                modules[name] = module
        # the names before the call, in sys.modules' order: names imported during the call
        # are then the ones after them (a dict keeps insertion order), found without hashing
        # every module name twice per call (~1,000 names once the SDKs are loaded)
        self.before = list(modules)

    def _imported_during_call(self) -> List[str]:
        """Names in ``sys.modules`` now that were not there when the call began."""
        before = self.before
        now = list(sys.modules)
        count = len(before)
        if now[:count] == before:  # nothing removed: whatever is new was appended after them
            return now[count:]
        return list(set(now).difference(before))

    def _shadow(self, name: str) -> None:
        modules = sys.modules
        prefix = name + "."
        for key in [k for k in modules if k == name or k.startswith(prefix)]:
            self.shadowed.setdefault(key, modules.pop(key))

    def exit(self) -> None:
        inst = self.instance
        modules = sys.modules
        # before the instance's own modules leave sys.modules: then nothing was removed
        # since enter() (usually), and the new names are found by the fast path
        imported = self._imported_during_call()
        for name in [n for n in inst.modules if n in modules]:
            inst.modules[name] = modules.pop(name)
        for name in imported:
            module = modules.get(name)
            if module is not None and inst.owns(module):
                inst.modules[name] = module
                del modules[name]
        inst.extra_path = [
            p for p in sys.path if p not in self.saved_path and p != inst.code_dir and p not in inst.extra_path
        ] + inst.extra_path
        sys.path[:] = self.saved_path
        for name, module in self.shadowed.items():
            modules[name] = module
