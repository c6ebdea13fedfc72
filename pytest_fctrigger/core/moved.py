"""Old public names that moved, kept working for one release with a DeprecationWarning.

A module lists what moved where and sets ``__getattr__ = moved_names(__name__, {...})``;
the old name then resolves to the new one (imported on first use) and warns once per
access site, naming the replacement (CHANGELOG "Deprecated" lists every entry).
"""

from __future__ import annotations

import importlib
import warnings
from typing import Any, Callable, Dict, Tuple


def moved_names(module: str, moved: Dict[str, Tuple[str, str]]) -> Callable[[str], Any]:
    """``__getattr__`` for ``module``: ``moved[old] = (new module, new name)``."""

    def __getattr__(name: str) -> Any:
        target = moved.get(name)
        if target is None:
            raise AttributeError(f"module {module!r} has no attribute {name!r}")
        new_module, new_name = target  # "name()": the value is what that function returns
        warnings.warn(
            f"{module}.{name} is deprecated and will be removed in the next release; use {new_module}.{new_name}",
            DeprecationWarning,
            stacklevel=2,
        )
        value = getattr(importlib.import_module(new_module), new_name.rstrip("()"))
        return value() if new_name.endswith("()") else value

    return __getattr__
