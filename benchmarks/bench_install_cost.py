"""What installing pytest-fctrigger costs every pytest session: one trivial test, bare
pytest vs pytest + this package, each in its own venv.

Run: python benchmarks/bench_install_cost.py [--runs N] [--venvs DIR] [--rebuild] [--quick]

A user installs the plugin into a function repo and then runs ``pytest`` there many times
a day, mostly for tests that never touch FC. What they feel is the whole install: our
entry module, and every pytest plugin our dependencies register (Faker's, for one, used
to add ~0.18 s to each session). ``bench_startup.py`` compares the plugin with
``-p no:fctrigger`` in one environment, which hides what the dependencies add; this
script compares whole installs.

Three venvs, built once under ``--venvs`` (default ``.benchmarks/install-cost``, reused
on later runs; ``--rebuild`` starts over) from the package registry and this checkout:
  bare      pytest only
  default   pytest + ``pip install <this checkout>``
  sdks      pytest + ``pip install '<this checkout>[sdks]'``
Each venv gets the same pytest version and compiled bytecode (as on a user's machine);
when this checkout's code or pyproject changed since a venv was built, only this package
is reinstalled there. Sessions run with bytecode writing on (``PYTHONDONTWRITEBYTECODE``
removed from their environment, as on a user's machine): with it set, pytest could not
cache the assertion-rewritten code of plugin modules and every session would recompile
them, a cost no user with default settings pays.
Runs alternate (bare, default, sdks, sdks with ``-p no:anyio``, bare, ...) so machine
drift hits every side alike; each figure is the median of the per-round ratio against the
bare run of that round, in CPU time (the verdict: the machine's load moves wall time) and
in wall time. Peak memory (ru_maxrss of the session process) is printed beside it.

Target (issue 13): default install <= 1.05x bare pytest. The ``[sdks]`` figure is
reported (an SDK's dependencies may register plugins of their own, e.g. anyio).

``--instructions`` also runs one session per side under ``valgrind --tool=callgrind``
and prints the instructions each executed: the same count whatever else the machine is
doing (PYTHONHASHSEED fixed, a fresh directory holding only the test), so it settles what
a loaded machine's timings cannot. With it the verdict is the instruction ratio (CPU time
is still printed beside it); without it, the CPU-time ratio.

``--quick`` builds nothing and needs no network: it reuses the venvs if they exist and
otherwise times the current interpreter with every plugin of the environment blocked
(``-p no:NAME`` for each pytest11 entry point) against the same with only fctrigger
loaded. Its figures are not measurements.
"""

from __future__ import annotations

import hashlib
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Dict, List, Tuple

from _callgrind import HASH_SEED, count_instructions, have_valgrind
from _quick import exit_status, parse, parser

TARGET = 1.05
DEFAULT_RUNS = 15
ROOT = Path(__file__).resolve().parents[1]
VENVS = ("bare", "default", "sdks")
# the [sdks] venv once more with anyio's plugin blocked (the figure the docs quote for -p no:anyio)
SIDES = ("bare", "default", "sdks", "sdks-no-anyio")
TEST_FILE = "def test_one():\n    assert 1 + 1 == 2\n"


def _venv_python(venv: Path) -> Path:
    return venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def _pip(python: Path, *args: str) -> None:
    cmd = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", *args]
    subprocess.run(cmd, check=True)


def _checkout_fingerprint() -> str:
    """What the installed package is built from: pyproject and every module of the package."""
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes())
    for path in sorted((ROOT / "pytest_fctrigger").rglob("*.py")):
        digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def build_venvs(base: Path, rebuild: bool, install: bool = True) -> Dict[str, Path]:
    """The three venvs, built (or reused) under ``base``; returns each side's python.
    ``install=False`` (quick mode: no network) reuses them as they are, even when stale."""
    pythons = {}
    pytest_pin = _pytest_version()
    fingerprint = _checkout_fingerprint()
    for side in VENVS:
        venv = base / side
        python = _venv_python(venv)
        marker = venv / ".built"
        stale = install and side != "bare" and marker.exists() and marker.read_text().strip() != fingerprint
        if stale and not rebuild:
            # the checkout changed since: this package again, its dependencies as they are
            print(f"reinstalling this checkout in venv {side!r} ...", flush=True)
            _pip(python, "--no-deps", "--force-reinstall", str(ROOT))
            subprocess.run([str(python), "-m", "compileall", "-q", str(venv)], check=False)
            marker.write_text(fingerprint + "\n")
        elif rebuild or not marker.exists():
            print(f"building venv {side!r} in {venv} ...", flush=True)
            subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True)
            _pip(python, f"pytest=={pytest_pin}")
            if side == "default":
                _pip(python, str(ROOT))
            elif side == "sdks":
                _pip(python, f"{ROOT}[sdks]")
            # bytecode compiled once, as on a user's machine after the first run
            subprocess.run([str(python), "-m", "compileall", "-q", str(venv)], check=False)
            marker.write_text(fingerprint + "\n")
        pythons[side] = python
    return pythons


def _pytest_version() -> str:
    import pytest

    return pytest.__version__


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _session_env() -> Dict[str, str]:
    """The environment of a session: this one, with bytecode writing on (as on a user's machine)."""
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def run_session(python: Path, cwd: Path, extra: List[str]) -> Tuple[float, float]:
    """(wall seconds, CPU seconds) of one ``pytest -q`` process running the one test."""
    cmd = [str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider", *extra]
    cpu0, t0 = _children_cpu(), time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, env=_session_env())
    elapsed, cpu = time.perf_counter() - t0, _children_cpu() - cpu0
    if proc.returncode != 0 or "1 passed" not in proc.stdout:
        raise SystemExit(f"session failed ({python} {' '.join(extra)}):\n{proc.stdout}\n{proc.stderr}")
    return elapsed, cpu


def _all_plugins_blocked() -> List[str]:
    from importlib.metadata import entry_points

    eps = entry_points()
    group = eps.select(group="pytest11") if hasattr(eps, "select") else eps.get("pytest11", ())  # type: ignore[arg-type]
    return sorted({ep.name for ep in group})


def main() -> int:
    arg_parser = parser(__doc__)
    arg_parser.add_argument("--runs", type=int, default=DEFAULT_RUNS, help="alternating rounds (default %(default)s)")
    arg_parser.add_argument("--venvs", type=Path, default=ROOT / ".benchmarks" / "install-cost")
    arg_parser.add_argument("--rebuild", action="store_true", help="rebuild the venvs from the registry")
    arg_parser.add_argument(
        "--instructions", action="store_true", help="also count instructions per session with valgrind (slow)"
    )
    args = parse(arg_parser)
    runs = 2 if args.quick else args.runs
    if runs < 1:
        arg_parser.error("--runs must be >= 1")

    sides: Dict[str, Tuple[Path, List[str]]]
    have_venvs = all((args.venvs / side / ".built").exists() for side in VENVS)
    if args.quick and not have_venvs:
        # no network in quick mode: the current interpreter, every other plugin blocked
        blocked = [arg for name in _all_plugins_blocked() for arg in ("-p", f"no:{name}")]
        only_ours = [a for name in _all_plugins_blocked() if name != "fctrigger" for a in ("-p", f"no:{name}")]
        here = Path(sys.executable)
        sides = dict.fromkeys(SIDES, (here, only_ours))
        sides["bare"] = (here, blocked)
        print("quick: venvs not built; timing this interpreter with other plugins blocked", flush=True)
    else:
        pythons = build_venvs(args.venvs, args.rebuild, install=not args.quick)
        sides = {side: (python, []) for side, python in pythons.items()}
        sides["sdks-no-anyio"] = (pythons["sdks"], ["-p", "no:anyio"])

    with tempfile.TemporaryDirectory() as tmp:
        cwd = Path(tmp)
        (cwd / "pytest.ini").write_text("[pytest]\n")  # no rootdir config of this repo applies
        (cwd / "test_one.py").write_text(TEST_FILE)
        for python, extra in sides.values():  # warm-up: file cache, bytecode of the test
            run_session(python, cwd, extra)
        walls: Dict[str, List[float]] = {side: [] for side in SIDES}
        cpus: Dict[str, List[float]] = {side: [] for side in SIDES}
        rss: Dict[str, float] = {}
        for _ in range(runs):
            for side in SIDES:
                python, extra = sides[side]
                wall, cpu = run_session(python, cwd, extra)
                walls[side].append(wall)
                cpus[side].append(cpu)
        for side in SIDES:  # peak memory of one session per side, measured apart
            python, extra = sides[side]
            rss[side] = _session_rss(python, cwd, extra)

    def ratio(series: Dict[str, List[float]], side: str) -> float:
        return statistics.median(a / b for a, b in zip(series[side], series["bare"]))

    print(f"one-test pytest session, median of {runs} alternating runs (ratios: median of per-round ratios):")
    for side in SIDES:
        print(
            f"  {side:<14} CPU {statistics.median(cpus[side]) * 1000:7.1f} ms (x{ratio(cpus, side):5.3f})  "
            f"wall {statistics.median(walls[side]) * 1000:7.1f} ms (x{ratio(walls, side):5.3f})  "
            f"peak RSS {rss[side]:6.1f} MiB"
        )
    # judged on instructions when counted, else on CPU time: a session's wall time on a
    # shared machine moves with everything else
    verdicts = [("CPU time", ratio(cpus, "default"))]
    if args.instructions and not args.quick:
        counts = {side: _session_instructions(*sides[side]) for side in SIDES}
        print("one session per side under callgrind:")
        for side in SIDES:
            print(f"  {side:<14} {counts[side] / 1e6:9.1f} M instructions (x{counts[side] / counts['bare']:5.3f})")
        verdicts.insert(0, ("instructions", counts["default"] / counts["bare"]))
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    for i, (measure, value) in enumerate(verdicts):
        mark = (
            ("PASS" if value <= TARGET else "MISS") if i == 0 else ("(within target)" if value <= TARGET else "(over)")
        )
        print(f"default install / bare pytest, {measure}: {value:.3f} (target <= {TARGET}) {mark}")
    print(f"default install / bare pytest, wall time: {ratio(walls, 'default'):.3f} (reported)")
    print(f"[sdks] install / bare pytest, CPU time: {ratio(cpus, 'sdks'):.3f} (reported)")
    print(f"[sdks] install with -p no:anyio / bare pytest, CPU time: {ratio(cpus, 'sdks-no-anyio'):.3f} (reported)")
    ok = verdicts[0][1] <= TARGET
    print(f"verdict ({verdicts[0][0]}): {'PASS' if ok else 'MISS'}")
    return exit_status(args, ok)


def _session_instructions(python: Path, extra: List[str]) -> int:
    """Instructions one session executes (callgrind's total), in a fresh directory."""
    if not have_valgrind():
        raise SystemExit("--instructions needs valgrind (apt-get install valgrind)")
    with tempfile.TemporaryDirectory() as tmp:
        cwd = Path(tmp)
        (cwd / "pytest.ini").write_text("[pytest]\n")
        (cwd / "test_one.py").write_text(TEST_FILE)
        cmd = [str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider", *extra]
        env = dict(_session_env(), PYTHONHASHSEED=HASH_SEED)
        subprocess.run(cmd, cwd=cwd, capture_output=True, env=env)  # bytecode of the test, as in the timed runs
        return count_instructions(cmd, cwd=cwd, env=env)


def _session_rss(python: Path, cwd: Path, extra: List[str]) -> float:
    """Peak RSS (MiB) of one session: a wrapper process reads its only child's ru_maxrss."""
    code = (
        "import resource, subprocess, sys\n"
        "subprocess.run(sys.argv[1:], capture_output=True)\n"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
    )
    cmd = [sys.executable, "-c", code, str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider", *extra]
    out = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, check=True, env=_session_env()).stdout.strip()
    return int(out.splitlines()[-1]) / 1024


if __name__ == "__main__":
    sys.exit(main())
