"""Lint rules about a function itself rather than one of its triggers (FCT6xx).

Trigger rules live with their kind (``pytest_fctrigger/kinds/<type>.py``); what FC checks
on the function whatever its triggers (trigger names, memory) is here.

Memory (FCT602). FC 2.0 (``fc`` component, Funcraft) has two instance types: the
console's function page ("配置HTTP触发器" / "Configure an HTTP trigger", creating the
function) offers elastic instances (``e1``, the default) 128 MB, 256 MB, 512 MB, 1 GB,
2 GB or 3 GB, and performance instances (``c1``) 4, 8, 16 or 32 GB. The console list is a
selection: the API ("Instance types and usage modes" / "实例类型及使用模式") takes any
elastic size from 128 to 3072 MB in steps of 64 MB, so a step of 64 MB in that range is
not reported (a lint that cries wolf on a deployable file gets ignored); the
performance sizes are the four of both pages. FC 3.0 (``fc3``) has no instance types:
its API ("CreateFunctionInput", 2023-03-30) takes 128 MB to 32 GB in steps of 64 MB.
GPU instance types are not checked (no size table for them here). Every violation is an
error: FC refuses to create or update the function.
"""

from __future__ import annotations

from typing import Any, Dict, Optional, Tuple

ELASTIC = "e1"
PERFORMANCE = "c1"
MEMORY_STEP_MB = 64
ELASTIC_MEMORY_MB = (128, 3072)  # inclusive
PERFORMANCE_MEMORY_MB = (4096, 8192, 16384, 32768)
FC3_MEMORY_MB = (128, 32768)  # inclusive
_INSTANCE_NAMES: Dict[str, str] = {ELASTIC: "elastic instance", PERFORMANCE: "performance instance"}


def memory_problem(memory: Any, instance_type: Optional[str], fc_format: str) -> Optional[Tuple[str, str]]:
    """``(what is wrong, the fix)`` when FC refuses ``memory`` MB for this function, else None.

    ``instance_type`` is the function's ``instanceType`` as written (None: not set);
    ``fc_format`` is the app's format (``fc``, ``fc3``, ``funcraft`` or ``""`` for an
    ``App`` built in code, which gets the FC 3.0 range unless it names an instance type).
    """
    if isinstance(memory, bool) or not isinstance(memory, int):
        return None  # the loader already refuses a non-integer memorySize
    kind = (instance_type or "").strip().lower()
    if not kind and fc_format in ("fc", "funcraft"):
        kind = ELASTIC  # FC 2.0's default instance type
    if kind == ELASTIC:
        low, high = ELASTIC_MEMORY_MB
        if low <= memory <= high and memory % MEMORY_STEP_MB == 0:
            return None
        named = "instanceType e1" if instance_type else "instanceType e1, the default"
        fix = f"set a memorySize from {low} to {high} in steps of {MEMORY_STEP_MB}"
        if memory > high:
            fix += f", or instanceType: c1 (performance instance: {_sizes(PERFORMANCE_MEMORY_MB)})"
        return (
            f"memorySize {memory} MB is not available on an elastic instance ({named}): it takes "
            f"{low} MB to 3 GB in steps of {MEMORY_STEP_MB} MB",
            fix,
        )
    if kind == PERFORMANCE:
        if memory in PERFORMANCE_MEMORY_MB:
            return None
        fix = f"set memorySize to one of {', '.join(map(str, PERFORMANCE_MEMORY_MB))}"
        if memory <= ELASTIC_MEMORY_MB[1]:
            fix += " or use an elastic instance (instanceType: e1) for up to 3072 MB"
        return (
            f"memorySize {memory} MB is not a performance instance size (instanceType c1): "
            f"it takes {_sizes(PERFORMANCE_MEMORY_MB)}",
            fix,
        )
    if kind:
        return None  # a GPU instance type: no size table to check against
    low, high = FC3_MEMORY_MB
    if low <= memory <= high and memory % MEMORY_STEP_MB == 0:
        return None
    return (
        f"memorySize {memory} MB is not a Function Compute 3.0 memory size: it takes {low} MB "
        f"to 32 GB in steps of {MEMORY_STEP_MB} MB",
        f"set a memorySize from {low} to {high} that is a multiple of {MEMORY_STEP_MB}",
    )


def _sizes(sizes: Tuple[int, ...]) -> str:
    gb = [str(size // 1024) for size in sizes]
    return ", ".join(gb[:-1]) + f" or {gb[-1]} GB"


def lint_memory(checker: Any, function: Any, fc_format: str) -> None:
    """FCT602 for ``function`` (a ``FunctionSpec``), at its ``memorySize`` line."""
    problem = memory_problem(function.memory, getattr(function, "instance_type", None), fc_format)
    if problem is None:
        return
    message, fix = problem
    checker.add("FCT602", None, f"function {function.name!r}: {message}", fix, "memorySize", function)
