"""fc_invoke overhead: what the harness adds to a no-op handler, per call.

Run: /work/venv/bin/python benchmarks/bench_invoke.py [--quick]

The invoker is set up as the ``fc_invoke`` fixture sets it up: an ``Invoker`` with
the test's ``FCRandom`` and an active ``Cloud`` (fixture ``fc_cloud``), so a call
includes everything a test pays for: a fresh context and request id, the
environment swap and exact restore, log capture with the Start/End markers, the
SIGALRM timeout, the cloud re-entry and the write-journal slice. The figure is the
median over many rounds of (time per ``fc_invoke`` call - time per direct call).

Target (issue 2, on the project's 2-core machine): median overhead <= 200 us.
A string handler (``'index.handler'`` from a code dir, with module isolation) and a
plain ``invoke()`` without a cloud (network guard per call) are reported for
information. ``--quick`` runs 3 rounds of 20 calls (a smoke run; no measurement).
"""

from __future__ import annotations

import io
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _quick import exit_status, parse, parser

ROUNDS = 41
CALLS_PER_ROUND = 200
TARGET_US = 200.0


def noop(event, context):
    return None


def per_call_us(fn, clock, calls) -> float:
    t0 = clock()
    for _ in range(calls):
        fn()
    return (clock() - t0) / calls * 1e6


def median_overhead_us(call, direct, rounds=ROUNDS, calls=CALLS_PER_ROUND):
    """(wall, cpu) medians of the per-call overhead over ``rounds`` rounds of ``calls`` calls."""
    wall, cpu = [], []
    for _ in range(rounds):
        wall.append(per_call_us(call, time.perf_counter, calls) - per_call_us(direct, time.perf_counter, calls))
        cpu.append(per_call_us(call, time.process_time, calls) - per_call_us(direct, time.process_time, calls))
    return statistics.median(wall), statistics.median(cpu)


def main(argv=None) -> int:
    args = parse(parser(__doc__), argv)
    sizes = {"rounds": 3, "calls": 20} if args.quick else {"rounds": ROUNDS, "calls": CALLS_PER_ROUND}
    # pytest captures a test's output in memory; do the same, so terminal speed is not measured
    real_stdout = sys.stdout
    sys.stdout = io.StringIO()
    try:
        figures = measure(**sizes)
    finally:
        sys.stdout = real_stdout
    (wall, cpu), string_overhead, guarded_overhead = figures
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"median fc_invoke overhead, no-op handler (callable, with fc_cloud): {wall:.1f} us wall "
        f"(target <= {TARGET_US:.0f} us) {'PASS' if wall <= TARGET_US else 'MISS'}"
    )
    print(
        f"median fc_invoke overhead, CPU time of this process: {cpu:.1f} us "
        f"(target <= {TARGET_US:.0f} us) {'PASS' if cpu <= TARGET_US else 'MISS'}"
        f"  [1-min load average {load:.1f} on {os.cpu_count()} CPUs; wall time includes waiting for a CPU]"
    )
    print(
        f"  info: handler string 'index.handler' from a code dir: {string_overhead[0]:.1f} us wall, "
        f"{string_overhead[1]:.1f} us CPU"
    )
    print(
        f"  info: plain invoke() without a cloud (network guard per call): {guarded_overhead[0]:.1f} us wall, "
        f"{guarded_overhead[1]:.1f} us CPU"
    )
    return exit_status(args, wall <= TARGET_US)


def measure(rounds, calls):
    from pytest_fctrigger.cloud import Cloud
    from pytest_fctrigger.events import FCRandom
    from pytest_fctrigger.invoke import Invoker

    rng = FCRandom(20240601)
    event = b'{"triggerTime":"2024-06-01T00:00:00Z","triggerName":"t","payload":""}'
    cloud = Cloud(rng)
    direct_ctx = None

    with cloud.activate():
        invoker = Invoker(rng=rng, cloud=cloud)
        invoker(noop, event)  # warm up: first-use imports, the instance's credentials
        direct_ctx = invoker.new_context()
        overhead = median_overhead_us(lambda: invoker(noop, event), lambda: noop(event, direct_ctx), rounds, calls)

        with tempfile.TemporaryDirectory() as code_dir:
            (Path(code_dir) / "index.py").write_text("def handler(event, context):\n    return None\n")
            invoker("index.handler", event, code_dir=code_dir)
            string_overhead = median_overhead_us(
                lambda: invoker("index.handler", event, code_dir=code_dir),
                lambda: noop(event, direct_ctx),
                rounds,
                calls,
            )

    plain = Invoker(rng=rng)
    plain(noop, event)
    guarded_overhead = median_overhead_us(lambda: plain(noop, event), lambda: noop(event, direct_ctx), rounds, calls)
    return overhead, string_overhead, guarded_overhead


if __name__ == "__main__":
    raise SystemExit(main())
