"""Process instances (--fc-isolate=process): warm invoke, cold instance, a whole suite.

Run: .venv/bin/python benchmarks/bench_instances.py [--quick]

* warm: ``fc_invoke`` of a no-op handler string in a warm instance (with an active
  ``Cloud``, as the fixture has it): the median of single calls. Target <= 1 ms.
* cold: the first call of a new instance (fork from the warm zygote, namespaces, the
  environment, the memory limit, the handler's import, the call), median over fresh
  Invokers. Target <= 50 ms. The zygote's own start (a Python importing the SDKs, once
  per test process, overlapped with collection under pytest) is printed for information.
* suite: wall time of a generated pytest suite of 1,000 invokes (100 tests x 10 calls,
  each test with fc_cloud), ``--fc-isolate=process`` vs the default, in fresh pytest
  processes. Target: process mode <= 3x the default. The same 1,000 invokes as 1,000
  one-call tests (a new instance per test) are printed for information.

``--quick``: a few calls and a 20-invoke suite, no one-call-tests suite (a smoke run; no measurement).
"""

from __future__ import annotations

import io
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _quick import exit_status, parse, parser

WARM_TARGET_MS = 1.0
COLD_TARGET_MS = 50.0
SUITE_TARGET_RATIO = 3.0

HANDLER = "def handler(event, context):\n    return None\n"


def _median_ms(samples):
    return statistics.median(samples) * 1000.0


def measure_calls(warm_calls: int, cold_instances: int):
    from pytest_fctrigger.cloud import Cloud
    from pytest_fctrigger.events import FCRandom
    from pytest_fctrigger.instances._zygote_client import Zygote
    from pytest_fctrigger.invoke import Invoker

    started = time.perf_counter()
    Zygote.shared().info()
    zygote_s = time.perf_counter() - started
    rng = FCRandom(20240601)
    event = b'{"triggerTime":"2024-06-01T00:00:00Z","triggerName":"t","payload":""}'
    with tempfile.TemporaryDirectory() as code_dir:
        (Path(code_dir) / "index.py").write_text(HANDLER)
        cloud = Cloud(rng)
        with cloud.activate():
            invoker = Invoker(rng=rng, cloud=cloud, isolate="process")
            try:
                for _ in range(5):  # warm up the instance and this process' first-use imports
                    invoker("index.handler", event, code_dir=code_dir)
                warm = []
                for _ in range(warm_calls):
                    t0 = time.perf_counter()
                    invoker("index.handler", event, code_dir=code_dir)
                    warm.append(time.perf_counter() - t0)
            finally:
                invoker.close()
            cold = []
            for _ in range(cold_instances):
                fresh = Invoker(rng=rng, cloud=cloud, isolate="process")
                try:
                    t0 = time.perf_counter()
                    fresh("index.handler", event, code_dir=code_dir)
                    cold.append(time.perf_counter() - t0)
                finally:
                    fresh.close()
    return _median_ms(warm), _median_ms(cold), min(cold) * 1000.0, zygote_s


SUITE_TEST = """
import pytest

@pytest.fixture
def here(request):
    return str(request.config.rootpath)

@pytest.mark.parametrize("n", range({tests}))
def test_calls(fc_invoke, fc_cloud, here, n):
    for _ in range({calls}):
        assert fc_invoke("index.handler", {{"n": n}}, code_dir=here).payload == b"null"
"""


def run_suite(tests: int, calls: int, isolate: str) -> float:
    with tempfile.TemporaryDirectory() as root:
        Path(root, "index.py").write_text(HANDLER)
        Path(root, "test_suite.py").write_text(textwrap.dedent(SUITE_TEST.format(tests=tests, calls=calls)))
        Path(root, "pytest.ini").write_text("[pytest]\n")
        env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
        cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", "-p", "no:cacheprovider", "-x"]
        cmd.append(f"--fc-isolate={isolate}")
        started = time.perf_counter()
        proc = subprocess.run(cmd, cwd=root, env=env, capture_output=True, text=True)
        wall = time.perf_counter() - started
        if proc.returncode != 0:
            raise SystemExit(f"the generated suite failed ({isolate}):\n{proc.stdout[-3000:]}\n{proc.stderr[-2000:]}")
        return wall


def main(argv=None) -> int:
    args = parse(parser(__doc__), argv)
    warm_calls, cold_instances = (20, 3) if args.quick else (1000, 40)
    shape, info_shape = ((2, 10), (0, 0)) if args.quick else ((100, 10), (1000, 1))
    real_stdout = sys.stdout
    sys.stdout = io.StringIO()  # pytest captures the logs a call echoes; so do we
    try:
        warm_ms, cold_ms, cold_best_ms, zygote_s = measure_calls(warm_calls, cold_instances)
    finally:
        sys.stdout = real_stdout
    suite = {mode: run_suite(*shape, mode) for mode in ("none", "process")}
    ratio = suite["process"] / suite["none"]
    info = None if args.quick else {mode: run_suite(*info_shape, mode) for mode in ("none", "process")}
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    invokes = shape[0] * shape[1]
    ok_warm, ok_cold, ok_suite = warm_ms <= WARM_TARGET_MS, cold_ms <= COLD_TARGET_MS, ratio <= SUITE_TARGET_RATIO
    print(
        f"warm instance, median fc_invoke of a no-op handler: {warm_ms:.3f} ms "
        f"(target <= {WARM_TARGET_MS:g} ms) {'PASS' if ok_warm else 'MISS'}"
    )
    print(
        f"cold instance (zygote fork, SDKs preloaded), median first call: {cold_ms:.1f} ms "
        f"(target <= {COLD_TARGET_MS:g} ms) {'PASS' if ok_cold else 'MISS'}; best {cold_best_ms:.1f} ms"
    )
    print(
        f"suite of {invokes} invokes ({shape[0]} tests x {shape[1]} calls): default {suite['none']:.2f} s, "
        f"process {suite['process']:.2f} s wall"
    )
    print(
        f"suite ratio process / default: {ratio:.2f} (target <= {SUITE_TARGET_RATIO:g}) "
        f"{'PASS' if ok_suite else 'MISS'}"
    )
    if info is not None:
        print(
            f"  info: {info_shape[0] * info_shape[1]} invokes as {info_shape[0]} one-call tests (an instance per "
            f"test): default {info['none']:.2f} s, process {info['process']:.2f} s wall, ratio "
            f"{info['process'] / info['none']:.2f}"
        )
    print(f"  info: zygote start (a Python importing the SDKs, once per test process): {zygote_s:.2f} s")
    print(f"  [1-min load average {load:.1f} on {os.cpu_count()} CPUs; wall time includes waiting for a CPU]")
    return exit_status(args, ok_warm and ok_cold and ok_suite)


if __name__ == "__main__":
    raise SystemExit(main())
