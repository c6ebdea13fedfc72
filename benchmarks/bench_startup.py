"""Start-up cost of the plugin: ``pytest --collect-only`` on 500 trivial tests, with the
plugin loaded vs ``-p no:fctrigger``.

Run: /work/venv/bin/python benchmarks/bench_startup.py [pairs]

Every pytest run in an environment where pytest-fctrigger is installed pays for its
entry module (``pytest_fctrigger.plugin``) and its collection hooks, whether or not
a test uses it. Runs alternate (with, without, with, ...) so machine drift hits both
sides alike; the figure is the median of the per-pair ratios (with / without), each
run a fresh ``python -m pytest`` process.

Target (issue 2): ratio <= 1.05.
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

TARGET = 1.05
TESTS = 500
DEFAULT_PAIRS = 25


def make_suite(root: Path) -> None:
    # an ini of its own, so the project's addopts (-p pytester) do not apply
    (root / "pytest.ini").write_text("[pytest]\n")
    per_file = 50
    for f in range(TESTS // per_file):
        body = "".join(f"def test_{f}_{i}():\n    assert {i} == {i}\n\n" for i in range(per_file))
        (root / f"test_trivial_{f}.py").write_text(body)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(root: Path, extra: list):
    """(wall seconds, CPU seconds) of one ``pytest --collect-only`` process."""
    cmd = [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", *extra]
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    cpu0, t0 = _children_cpu(), time.perf_counter()
    proc = subprocess.run(cmd, cwd=root, env=env, capture_output=True, text=True)
    elapsed, cpu = time.perf_counter() - t0, _children_cpu() - cpu0
    if proc.returncode != 0 or f"{TESTS} tests collected" not in proc.stdout:
        raise SystemExit(f"collection failed ({' '.join(extra) or 'with plugin'}):\n{proc.stdout}\n{proc.stderr}")
    return elapsed, cpu


def main(argv: list) -> int:
    pairs = int(argv[1]) if len(argv) > 1 else DEFAULT_PAIRS
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        make_suite(root)
        # is the plugin really loaded in the "with" runs?
        probe = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider",
                                "--fc-seed", "1"], cwd=root, capture_output=True, text=True)
        if probe.returncode != 0:
            raise SystemExit("the fctrigger plugin is not installed in this interpreter's environment")
        run(root, []), run(root, ["-p", "no:fctrigger"])  # warm the OS file cache
        wall_ratios, cpu_ratios, with_times, without_times = [], [], [], []
        for _ in range(pairs):
            with_wall, with_cpu = run(root, [])
            without_wall, without_cpu = run(root, ["-p", "no:fctrigger"])
            with_times.append(with_wall)
            without_times.append(without_wall)
            wall_ratios.append(with_wall / without_wall)
            cpu_ratios.append(with_cpu / without_cpu)
    ratio = statistics.median(wall_ratios)
    cpu_ratio = statistics.median(cpu_ratios)
    ok = ratio <= TARGET
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"pytest --collect-only, {TESTS} trivial tests: with plugin {statistics.median(with_times) * 1000:.0f} ms, "
          f"-p no:fctrigger {statistics.median(without_times) * 1000:.0f} ms (medians of {pairs} runs each; "
          f"1-min load average {load:.1f} on {os.cpu_count()} CPUs)")
    print(f"start-up ratio with/without plugin, wall time: {ratio:.3f} (target <= {TARGET}) {'PASS' if ok else 'MISS'}")
    print(f"start-up ratio with/without plugin, CPU time: {cpu_ratio:.3f} (target <= {TARGET}) "
          f"{'PASS' if cpu_ratio <= TARGET else 'MISS'}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
