"""oss2's CRC objects built from crcmod's own template copies while the cloud is active.

Why (speed, measured): oss2 verifies a CRC-64 on every upload and download (the
simulated OSS returns ``x-oss-hash-crc64ecma`` as OSS does, so the check really runs).
For that, ``oss2.utils.Crc64(init_crc)`` calls ``crcmod.Crc(...)``, and crcmod builds
its 256-entry table in pure Python on each construction: ~0.4 ms per request, more
than the rest of the simulated request put together (``benchmarks/bench_flows.py``).

The table depends only on the polynomial. crcmod's documented way to get another CRC
of the same kind without rebuilding it is ``Crc.new()`` (same table, value reset to
the initial CRC). So the first ``Crc64()`` (starting from 0) runs oss2's own
constructor unchanged; later ones copy its attributes, each crcmod CRC through
``.new()``. A CRC continued from another value (``init_crc``) is built by oss2. The
values oss2 computes and compares are bit for bit the same (the CRC check still fails on
a corrupted body); only the table is not rebuilt. A class whose
constructor keeps anything else (a future oss2 version) is left to its own
constructor every time.
"""

from __future__ import annotations

import types
from typing import Any, Callable, Dict, Optional, Tuple

_CLASSES = ("Crc64", "Crc32")


def _is_crcmod_crc(value: Any) -> bool:
    kind = type(value)
    return kind.__name__ == "Crc" and kind.__module__.startswith("crcmod") and callable(getattr(value, "new", None))


def _template(instance: Any) -> Optional[Dict[str, Tuple[bool, Any]]]:
    """What a later construction copies: {attribute: (is a crcmod CRC, value)}, or None
    when the instance holds anything but crcmod CRCs and plain (stateless) functions."""
    state = vars(instance)
    if not state:
        return None
    template = {}
    for name, value in state.items():
        if _is_crcmod_crc(value):
            template[name] = (True, value.new())  # a pristine copy: the first instance is in use
        elif isinstance(value, types.FunctionType):  # oss2's crc64 combine function (a closure)
            template[name] = (False, value)
        else:
            return None
    return template


def _arguments(function: types.FunctionType) -> Tuple[str, ...]:
    code = function.__code__
    return tuple(code.co_varnames[: code.co_argcount + code.co_kwonlyargcount])


def _fast_init(original: Callable[..., None]) -> Callable[..., None]:
    # class -> what to copy; None: built by oss2's constructor each time. Only CRCs starting
    # from 0 (every upload and download) are copied: a continued CRC (append_object's
    # init_crc) bakes its start into oss2's combine function, and caching one per start
    # value would grow without bound
    templates: Dict[Any, Optional[Dict[str, Tuple[bool, Any]]]] = {}

    def __init__(self: Any, init_crc: int = 0) -> None:
        key = type(self)
        if type(init_crc) is not int or init_crc != 0 or key not in templates:
            original(self, init_crc)
            if type(init_crc) is int and init_crc == 0:
                templates[key] = _template(self)
            return
        template = templates[key]
        if template is None:
            original(self, init_crc)
            return
        state = vars(self)
        for name, (is_crc, value) in template.items():
            state[name] = value.new() if is_crc else value

    __init__.__wrapped__ = original  # type: ignore[attr-defined]
    __init__.__doc__ = getattr(original, "__doc__", None)
    return __init__


def patch_oss2_utils(utils: Any) -> Optional[Callable[[], None]]:
    """Seam patch for one copy of ``oss2.utils`` (installed or vendored); returns the undo."""
    from .._seams import patch_attribute

    undo = []
    for name in _CLASSES:
        cls = getattr(utils, name, None)
        init = getattr(cls, "__init__", None) if isinstance(cls, type) else None
        init = getattr(init, "__wrapped__", init)  # a nested activation: wrap oss2's own, once
        if not isinstance(init, types.FunctionType) or _arguments(init) != ("self", "init_crc"):
            continue  # not the constructor this was written for: left alone
        undo.append(patch_attribute(cls, "__init__", _fast_init(init)))
    if not undo:
        return None

    def restore() -> None:
        for step in reversed(undo):
            step()

    return restore
