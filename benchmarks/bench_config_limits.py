"""Bad config input is bounded: time and peak memory of load_app on a corpus of bombs.

Each case is a file under 10 KB that, before the limits, ran for minutes or took GBs
(or crashed with RecursionError / ValueError / MemoryError). Each is loaded in a fresh
subprocess, so its peak RSS (ru_maxrss) is its own; the figure shown is the peak above
that of a process that only imported the loader. Targets (issue 9): under 1 s and
under 100 MB per file, and one ConfigError.

    python benchmarks/bench_config_limits.py [--quick]
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Dict, List, Tuple

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _quick

TARGET_S = 1.0
TARGET_MB = 100.0

FUNCTION = """\
resources:
  f:
    component: fc3
    props:
      functionName: f
      runtime: python3.10
      handler: index.handler
      code: ./code
"""

# Runs in the subprocess: import first (baseline RSS), then load and time.
CHILD = """
import json, resource, sys, time
from pytest_fctrigger.errors import FCTriggerError
from pytest_fctrigger.triggers.loader import load_app
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
start = time.perf_counter()
try:
    load_app(sys.argv[1], warn=False)
    outcome = "loaded"
except FCTriggerError as exc:
    outcome = "ConfigError: " + str(exc).splitlines()[0][:90]
except BaseException as exc:
    outcome = type(exc).__name__ + ": " + str(exc)[:80]
elapsed = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"s": elapsed, "kb": peak - base, "outcome": outcome, "lines": len(outcome.splitlines())}))
"""


def corpus() -> List[Tuple[str, str]]:
    """(name, file text) of each bomb; every one is under 10 KB."""
    head = "edition: 3.0.0\nname: bomb\n"
    laughs = ["vars:", "  a0: &a0 [" + ", ".join(["lol"] * 9) + "]"]
    laughs += [f"  a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 9)]
    doubling = ["vars:", "  v0: xxxxxxxxxxxxxxxx"] + [
        f"  v{i}: ${{vars.v{i - 1}}}${{vars.v{i - 1}}}" for i in range(1, 30)
    ]
    chain = ["vars:", "  v0: base"] + [f"  v{i}: ${{vars.v{i - 1}}}-" for i in range(1, 400)]
    # just under the alias limit: the most a file may legitimately expand to
    under = ["vars:", "  b0: &b0 [" + ", ".join(["x"] * 9) + "]"]
    under += [f"  b{i}: &b{i} [" + ", ".join([f"*b{i - 1}"] * 9) + "]" for i in range(1, 5)]
    return [
        ("alias bomb (billion laughs)", head + "\n".join(laughs) + "\n" + FUNCTION + "      description: ${vars.a8}\n"),
        ("recursive alias", head + "vars: &v\n  self: *v\n" + FUNCTION),
        ("990-deep nesting", head + FUNCTION + "      x: " + "[" * 990 + "]" * 990 + "\n"),
        ("${} string doubling", head + "\n".join(doubling) + "\n" + FUNCTION + "      description: ${vars.v29}\n"),
        ("400-var ${} chain", head + "\n".join(chain) + "\n" + FUNCTION + "      description: ${vars.v399}\n"),
        ("5000-digit integer", head + "vars:\n  n: " + "9" * 5000 + "\n" + FUNCTION),
        (
            "aliases under the limit (74k values)",
            head + "\n".join(under) + "\n" + FUNCTION + "      x: *b3\n",
        ),
    ]


def measure(path: str) -> Dict[str, object]:
    env = dict(os.environ)
    result = subprocess.run(
        [sys.executable, "-c", CHILD, path], capture_output=True, text=True, timeout=120, env=env, check=False
    )
    lines = result.stdout.strip().splitlines()
    if result.returncode != 0 or not lines:
        return {"s": float("nan"), "kb": 0, "outcome": f"crashed: {result.stderr.strip()[-120:]}", "lines": 2}
    return json.loads(lines[-1])


def main() -> int:
    args = _quick.parse(_quick.parser(__doc__))
    cases = corpus()
    if os.path.exists("/dev/zero"):
        cases.append(("/dev/zero (endless input)", ""))
    if args.quick:
        cases = cases[:2] + cases[-1:]
    print(
        f"config limits: {len(cases)} bad inputs, each loaded in a fresh process; "
        f"targets {TARGET_S:g} s, {TARGET_MB:g} MB"
    )
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        for index, (name, text) in enumerate(cases):
            if name.startswith("/dev/zero"):
                path, size = "/dev/zero", "endless"
            else:
                path = str(Path(tmp) / f"s{index}.yaml")
                Path(path).write_text(text, encoding="utf-8")
                size = f"{len(text.encode()):,} B"
                assert len(text.encode()) < 10 * 1024, name
            figure = measure(path)
            seconds, mb = float(str(figure["s"])), int(str(figure["kb"])) / 1024
            met = seconds < TARGET_S and mb < TARGET_MB and figure["lines"] == 1
            ok = ok and met and not str(figure["outcome"]).startswith(("crashed", "Recursion", "Memory", "Value"))
            print(
                f"{name:42} {size:>9}: {seconds:.3f} s (target < {TARGET_S:g})  "
                f"peak {mb:.1f} MB (target < {TARGET_MB:g})  {'ok' if met else 'MISS'}  -> {figure['outcome']}"
            )
    print(f"verdict: {'all within targets' if ok else 'MISS'}")
    return _quick.exit_status(args, ok)


if __name__ == "__main__":
    sys.exit(main())
