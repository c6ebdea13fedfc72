"""Start-up cost of the plugin: ``pytest --collect-only`` on 500 trivial tests, with the
plugin loaded vs ``-p no:fctrigger``.

Run: /work/venv/bin/python benchmarks/bench_startup.py [pairs] [--quick]

Every pytest run in an environment where pytest-fctrigger is installed pays for its
entry module (``pytest_fctrigger.plugin``) and its collection hooks, whether or not
a test uses it. Runs alternate (with, without, with, ...) so machine drift hits both
sides alike; the figure is the median of the per-pair ratios (with / without), each
run a fresh ``python -m pytest`` process.

Target (issue 2): ratio <= 1.05. ``--quick`` collects 30 tests, one pair, without the
warm-up pair (a smoke run, no measurement; every pytest start-up here costs over a
second, hypothesis and Faker being installed).
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _quick import exit_status, parse, parser

TARGET = 1.05
TESTS = 500
DEFAULT_PAIRS = 25
TESTS_PER_FILE = 50


def make_suite(root: Path, tests: int) -> None:
    # an ini of its own, so the project's addopts (-p pytester) do not apply
    (root / "pytest.ini").write_text("[pytest]\n")
    for f, first in enumerate(range(0, tests, TESTS_PER_FILE)):
        count = min(TESTS_PER_FILE, tests - first)
        body = "".join(f"def test_{f}_{i}():\n    assert {i} == {i}\n\n" for i in range(count))
        (root / f"test_trivial_{f}.py").write_text(body)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(root: Path, extra: list, tests: int):
    """(wall seconds, CPU seconds) of one ``pytest --collect-only`` process."""
    cmd = [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", *extra]
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    cpu0, t0 = _children_cpu(), time.perf_counter()
    proc = subprocess.run(cmd, cwd=root, env=env, capture_output=True, text=True)
    elapsed, cpu = time.perf_counter() - t0, _children_cpu() - cpu0
    if proc.returncode != 0 or f"{tests} tests collected" not in proc.stdout:
        raise SystemExit(f"collection failed ({' '.join(extra) or 'with plugin'}):\n{proc.stdout}\n{proc.stderr}")
    return elapsed, cpu


def main(argv=None) -> int:
    arg_parser = parser(__doc__)
    arg_parser.add_argument(
        "pairs", nargs="?", type=int, help=f"with/without runs (default {DEFAULT_PAIRS}; 1 with --quick)"
    )
    args = parse(arg_parser, argv)
    tests = 30 if args.quick else TESTS
    pairs = args.pairs if args.pairs is not None else (1 if args.quick else DEFAULT_PAIRS)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        make_suite(root, tests)
        # is the plugin really loaded in the "with" runs?
        probe = subprocess.run(
            [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", "--fc-seed", "1"],
            cwd=root,
            capture_output=True,
            text=True,
        )
        if probe.returncode != 0:
            raise SystemExit("the fctrigger plugin is not installed in this interpreter's environment")
        if not args.quick:
            run(root, [], tests), run(root, ["-p", "no:fctrigger"], tests)  # warm the OS file cache
        wall_ratios, cpu_ratios, with_times, without_times = [], [], [], []
        for _ in range(pairs):
            with_wall, with_cpu = run(root, [], tests)
            without_wall, without_cpu = run(root, ["-p", "no:fctrigger"], tests)
            with_times.append(with_wall)
            without_times.append(without_wall)
            wall_ratios.append(with_wall / without_wall)
            cpu_ratios.append(with_cpu / without_cpu)
    ratio = statistics.median(wall_ratios)
    cpu_ratio = statistics.median(cpu_ratios)
    ok = ratio <= TARGET
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"pytest --collect-only, {tests} trivial tests: with plugin {statistics.median(with_times) * 1000:.0f} ms, "
        f"-p no:fctrigger {statistics.median(without_times) * 1000:.0f} ms (medians of {pairs} runs each; "
        f"1-min load average {load:.1f} on {os.cpu_count()} CPUs)"
    )
    print(f"start-up ratio with/without plugin, wall time: {ratio:.3f} (target <= {TARGET}) {'PASS' if ok else 'MISS'}")
    print(
        f"start-up ratio with/without plugin, CPU time: {cpu_ratio:.3f} (target <= {TARGET}) "
        f"{'PASS' if cpu_ratio <= TARGET else 'MISS'}"
    )
    return exit_status(args, ok)


if __name__ == "__main__":
    raise SystemExit(main())
