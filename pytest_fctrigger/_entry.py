"""The ``pytest11`` entry point: ``pytest_fctrigger.plugin``, loaded by Python's own importer.

pytest imports every module of a plugin's distribution through its assertion-rewriting
import hook, which reads its cached code with ``marshal.load`` on an open file, one small
``readinto`` call per object: for the plugin module (all its fixtures, hooks and help
texts) that costs about ten times what Python's own loader spends on the same module, in
every pytest session, fc tests or not (benchmarks/bench_install_cost.py). The plugin
module has no ``assert`` statement to rewrite (tests/test_plugin_startup.py checks), so
loading it with the standard path finder and its ``__pycache__`` loses nothing. The same
goes for the few modules its start-up hooks import in every session (``_STARTUP``).

The entry point names ``pytest_fctrigger._entry:plugin``: the plugin pytest registers
(``-p no:fctrigger`` still blocks it by name) is the ``pytest_fctrigger.plugin`` module
itself, the one ``import pytest_fctrigger.plugin`` returns.
"""

from __future__ import annotations

import importlib
import sys
from importlib.machinery import PathFinder
from importlib.util import module_from_spec
from types import ModuleType

import pytest_fctrigger  # noqa: F401  the package of every module below

# what every session imports, parents first: the entry module, its hookspecs (pytest_addhooks),
# the settings tables (pytest_addoption) and the credential hiding (pytest_load_initial_conftests)
_STARTUP = (
    "pytest_fctrigger.core",
    "pytest_fctrigger.core.settings",
    "pytest_fctrigger.core.credential_env",
    "pytest_fctrigger.hookspecs",
    "pytest_fctrigger.plugin",
)


def _load(name: str) -> ModuleType:
    """``import name`` with the standard path finder only (the parent package is loaded)."""
    module = sys.modules.get(name)
    if module is not None:  # imported before (a pytester run inside a session, a user's import)
        return module
    parent_name, _, child = name.rpartition(".")
    parent = sys.modules[parent_name]
    spec = PathFinder.find_spec(name, parent.__path__)
    if spec is None or spec.loader is None:  # not found: import's own error and message
        return importlib.import_module(name)
    module = module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise
    setattr(parent, child, module)  # as ``import`` binds a submodule to its package
    return module


for _name in _STARTUP:
    _load(_name)
del _name
plugin = sys.modules["pytest_fctrigger.plugin"]
