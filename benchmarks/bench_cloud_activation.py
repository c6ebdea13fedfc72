"""First fc_cloud activation with one SDK used vs that SDK's own import time.

Run: .venv/bin/python benchmarks/bench_cloud_activation.py [pairs] [--instructions] [--quick]

Each measurement is a fresh Python process (imports are once per process, so only a
fresh one shows what the first test of a session pays). Both sides first import pytest
and the plugin's entry module (every pytest session with the plugin installed does), untimed;
then one side times ``import <sdk>`` alone, the other the first ``fc_cloud`` use with that
SDK: ``Cloud(rng).activate()``, ``import <sdk>`` inside it, and leaving it. Runs alternate
(cloud, sdk, cloud, ...) so machine drift hits both alike; the figure per SDK is the median
of the per-pair ratios.

Each pair starts at another phase of the garbage collector: both of its processes keep
``k`` empty lists alive after the prelude, ``k`` spread over one period of CPython's
generation counters (700 x 11 x 11 allocations). Without that, every process reached the
timed span at the same phase, and an SDK whose import ends a few hundred allocations
before the process's first full collection (alibabacloud_oss_v2: ~25 ms, memory-bound)
measured that collection on the fc_cloud side only, in every pair: a knife edge of that
one phase (the SDK-only side pays it a moment later), not a cost of fc_cloud.

``--instructions`` counts instructions instead of timing (``valgrind --tool=callgrind``,
``PYTHONHASHSEED`` fixed, bytecode caches warmed first): one process per side and SDK,
plus one that runs only the untimed prelude, whose count is subtracted from both sides,
so the ratio compares the same span the timings do. The counts hardly move with the
machine's load, so this settles a ratio that wall time (+-0.1 on a shared machine)
cannot. They are taken at one phase of the collector (no ballast): a full collection in
the span counts as instructions, not as the cache misses that make it slow in time.
Without valgrind it says so and measures nothing.

Target (issue 9): ratio <= 1.2 for every SDK (fc_cloud used to import all five SDKs
on activation: ~0.5 s on the first test). ``--quick``: two SDKs, one pair (a smoke run).
"""

from __future__ import annotations

import gc
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
from typing import Dict, List, Optional, Sequence

from _callgrind import MISSING, count_instructions, have_valgrind
from _quick import exit_status, parse, parser

TARGET = 1.2
DEFAULT_PAIRS = 7
SDKS = ("oss2", "alibabacloud_oss_v2", "aliyun.log", "tablestore", "mns.account")

_PRELUDE = """
import os, sys, time, warnings
warnings.simplefilter("ignore")
import pytest, pytest_fctrigger.plugin
_ballast = [[] for _ in range({ballast})]  # the garbage collector's phase (see the docstring)
"""


def _timed(span: str) -> str:
    """A whole process: the prelude, ``span`` timed, the seconds printed, and an exit
    without the interpreter's teardown (no part of the timed span, but --instructions
    would count it, and it differs between the sides: more modules)."""
    return (
        _PRELUDE
        + "t0 = time.perf_counter()\n"
        + span
        + "print(time.perf_counter() - t0)\nsys.stdout.flush()\nos._exit(0)\n"
    )


# the prelude and the clock calls alone: what --instructions subtracts from both sides
_NOTHING = _timed("")
_SDK_ONLY = _timed("import {sdk}\n")
_WITH_CLOUD = _timed(
    """from pytest_fctrigger.cloud import Cloud
cloud = Cloud(1)
with cloud.activate():
    import {sdk}
"""
)


def _env(cache: str) -> Dict[str, str]:
    # bytecode caches for every module, as an installation has them (pip compiles on
    # install; this checkout may run with PYTHONDONTWRITEBYTECODE): the warm-up runs fill
    # a private cache directory, so both sides load compiled code and nothing is written here
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = cache
    return env


def _command(template: str, sdk: str, ballast: int = 0) -> List[str]:
    return [sys.executable, "-c", textwrap.dedent(template.format(sdk=sdk, ballast=ballast))]


def gc_phases(count: int) -> List[int]:
    """``count`` ballast sizes spread evenly over one period of the collector's generations."""
    t0, t1, t2 = gc.get_threshold()
    period = t0 * (t1 + 1) * (t2 + 1)
    return [i * period // count for i in range(count)]


def measure(template: str, sdk: str, cache: str, ballast: int = 0) -> float:
    """Seconds the timed span of ``template`` took in a fresh process."""
    command = _command(template, sdk, ballast)
    proc = subprocess.run(command, capture_output=True, text=True, timeout=300, env=_env(cache))
    if proc.returncode != 0:
        raise SystemExit(f"measurement failed for {sdk}:\n{proc.stderr}")
    return float(proc.stdout.strip().splitlines()[-1])


def instructions(template: str, sdk: str, cache: str) -> int:
    """Instructions a fresh process running ``template`` executes (its bytecode already cached)."""
    return count_instructions(_command(template, sdk), env=_env(cache))


def main(argv: Optional[Sequence[str]] = None) -> int:
    arg_parser = parser(__doc__)
    arg_parser.add_argument("pairs", nargs="?", type=int, help=f"pairs per SDK (default {DEFAULT_PAIRS})")
    arg_parser.add_argument(
        "--instructions",
        action="store_true",
        help="count instructions with valgrind's callgrind instead of timing (slow: ~1 min per SDK)",
    )
    args = parse(arg_parser, argv)
    pairs = args.pairs if args.pairs is not None else (1 if args.quick else DEFAULT_PAIRS)
    sdks = ("oss2", "mns.account") if args.quick else SDKS
    if args.instructions and not have_valgrind():
        print(MISSING)
        return 0
    ok = True
    with tempfile.TemporaryDirectory() as cache:
        if args.instructions:
            measure(_NOTHING, "", cache)  # bytecode of the prelude's modules
            base = instructions(_NOTHING, "", cache)
            print(f"prelude alone (subtracted from both sides): {base / 1e6:.1f} M instructions")
            for sdk in sdks:
                ok = _one_sdk_instructions(sdk, base, cache) and ok
        else:
            for sdk in sdks:
                ok = _one_sdk(sdk, pairs, cache) and ok
    load = " ".join(f"{x:.2f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "unknown"
    if args.instructions:
        print(f"one callgrind run per side; load average {load} on {os.cpu_count()} CPUs")
    else:
        print(
            f"medians of {pairs} pairs of fresh processes, each pair at another phase of the garbage "
            f"collector; load average {load} on {os.cpu_count()} CPUs"
        )
    return exit_status(args, ok)


def _verdict(ratio: float) -> str:
    return f"ratio {ratio:.3f} (target <= {TARGET}) {'PASS' if ratio <= TARGET else 'MISS'}"


def _one_sdk_instructions(sdk: str, base: int, cache: str) -> bool:
    measure(_SDK_ONLY, sdk, cache)  # bytecode of every module either side imports
    measure(_WITH_CLOUD, sdk, cache)
    with_cloud = instructions(_WITH_CLOUD, sdk, cache) - base
    alone = instructions(_SDK_ONLY, sdk, cache) - base
    ratio = with_cloud / alone
    print(
        f"first fc_cloud activation using {sdk}: {with_cloud / 1e6:.1f} M instructions; "
        f"import {sdk} alone: {alone / 1e6:.1f} M instructions; {_verdict(ratio)}"
    )
    return ratio <= TARGET


def _one_sdk(sdk: str, pairs: int, cache: str) -> bool:
    measure(_SDK_ONLY, sdk, cache)  # warm the OS file cache and the bytecode caches
    measure(_WITH_CLOUD, sdk, cache)
    cloud_times, sdk_times, ratios = [], [], []
    for ballast in gc_phases(pairs):
        with_cloud = measure(_WITH_CLOUD, sdk, cache, ballast)
        alone = measure(_SDK_ONLY, sdk, cache, ballast)
        cloud_times.append(with_cloud)
        sdk_times.append(alone)
        ratios.append(with_cloud / alone)
    ratio = statistics.median(ratios)
    print(
        f"first fc_cloud activation using {sdk}: {statistics.median(cloud_times) * 1000:.0f} ms; "
        f"import {sdk} alone: {statistics.median(sdk_times) * 1000:.0f} ms; "
        f"{_verdict(ratio)}"
    )
    return ratio <= TARGET


if __name__ == "__main__":
    raise SystemExit(main())
