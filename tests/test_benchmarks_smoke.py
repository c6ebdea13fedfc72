"""Every benchmark script still runs: ``benchmarks/bench_*.py --quick`` in a subprocess.

The benchmarks are scripts outside the package, so an API change can break one without
any other test noticing (bench_loops once built a ``Write`` from ``__dict__``). Each one
runs here with ``--quick``: the same code paths on tiny sizes, a few seconds each. The
figures it prints measure nothing; the test checks that the script exits 0 without a
traceback, says first that it is in quick mode, and prints its main figures as numbers.
Timing targets are never asserted (the benchmarks themselves judge those).

No network: each script (and every Python process it starts: bench_matrix and
bench_startup run pytest sessions) loads a ``sitecustomize`` that installs the suite's
``Tripwire`` (tests/cloud_guard_helpers.py) beneath everything. A non-loopback lookup
or connection is refused and written to a file the test asserts stays empty, even if
the script swallowed the error.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import textwrap
from pathlib import Path
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[1]
BENCHMARKS = ROOT / "benchmarks"
TESTS = Path(__file__).resolve().parent
QUICK_NOTICE = "quick mode: figures are not measurements"
TIMEOUT_S = 120
NUMBER = r"-?[\d,]+(?:\.\d+)?"

# per script, the figure lines it must print (sizes are the quick ones, so a script that
# ignored --quick would show up here, if its full run did not hit the timeout first)
FIGURES = {
    "bench_cloud_activation": [
        rf"first fc_cloud activation using oss2: {NUMBER} ms; import oss2 alone: {NUMBER} ms; ratio {NUMBER}",
        rf"first fc_cloud activation using mns.account: {NUMBER} ms; import mns.account alone: {NUMBER} ms",
    ],
    "bench_config_limits": [
        r"config limits: 3 bad inputs, each loaded in a fresh process; targets 1 s, 100 MB",
        rf"alias bomb \(billion laughs\) +{NUMBER} B: {NUMBER} s \(target < 1\)  peak {NUMBER} MB \(target < 100\)",
    ],
    "bench_crosscloud": [
        rf"fake OSS S3 API, boto3: 20 put_object\+get_object pairs of 1 KiB: {NUMBER} s wall, {NUMBER} s CPU",
        rf"peer, moto mock_aws S3, boto3, same workload: {NUMBER} s wall, {NUMBER} s CPU",
        rf"ratio fake / moto: {NUMBER} wall, {NUMBER} CPU",
        rf"one test, fc_cloud \+ fc_aws: {NUMBER} ms wall, {NUMBER} ms CPU",
    ],
    "bench_events": [
        rf"OSS events/s \(oss_event\) +{NUMBER} +\(wall +{NUMBER}\)",
        rf"Tablestore events/s \(tablestore_event, CBOR\) +{NUMBER} +\(wall +{NUMBER}\)",
    ],
    "bench_install_cost": [
        rf"default +CPU +{NUMBER} ms \(x{NUMBER}\) +wall +{NUMBER} ms \(x{NUMBER}\) +peak RSS +{NUMBER} MiB",
        rf"default install / bare pytest, CPU time: {NUMBER} \(target <= 1.05\)",
        rf"\[sdks\] install / bare pytest, CPU time: {NUMBER}",
    ],
    "bench_instances": [
        rf"warm instance, median fc_invoke of a no-op handler: {NUMBER} ms",
        rf"cold instance \(zygote fork, SDKs preloaded\), median first call: {NUMBER} ms",
        rf"suite of 20 invokes \(2 tests x 10 calls\): default {NUMBER} s, process {NUMBER} s wall",
        rf"suite ratio process / default: {NUMBER}",
    ],
    "bench_invoke": [
        rf"median fc_invoke overhead, no-op handler \(callable, with fc_cloud\): {NUMBER} us wall",
        rf"median fc_invoke overhead, CPU time of this process: {NUMBER} us",
    ],
    "bench_loops": [
        r"loop matching overhead \(20 oss2 put_object, 100 triggers declared\)",
        rf"oss2 put_object through the fake \(reference\) +{NUMBER} us",
        rf"match 1 write vs 100 triggers, fires nothing +{NUMBER} us +{NUMBER}% of put_object",
    ],
    "bench_matrix": [
        rf"30-case session, best of 1: fc_matrix {NUMBER} s CPU .*plain parametrize {NUMBER} s CPU",
        rf"session ratio fc_matrix / plain: {NUMBER}",
    ],
    "bench_oss": [
        rf"fake OSS, oss2: 20 put_object\+get_object pairs: {NUMBER} s wall, {NUMBER} s CPU",
        rf"router \+ simulated OSS \(our code, timed inside the fake\): {NUMBER} us CPU per request",
        rf"peer, moto mock_aws \+ boto3 S3, same workload: {NUMBER} s wall, {NUMBER} s CPU",
        rf"fake OSS, alibabacloud-oss-v2, same workload: {NUMBER} s wall",
    ],
    "bench_sls": [
        rf"pull 200 logs, count=10, lz4 on: {NUMBER} s",
        rf"pull 200 logs, count=1000, lz4 off: {NUMBER} s",
        r"checkpoint latency on fakeredis \(50 rounds\):",
        rf"read p99: {NUMBER} ms",
    ],
    "bench_flows": [
        rf"20 uploads through the pipeline: {NUMBER} s wall",
        rf"flow overhead per delivery \(excluding handler and SDK\), median: {NUMBER} us",
        rf"ratio flow / by hand: {NUMBER}",
    ],
    "bench_startup": [
        rf"pytest --collect-only, 30 trivial tests: with plugin {NUMBER} ms",
        rf"start-up ratio with/without plugin, wall time: {NUMBER}",
        rf"start-up ratio with/without plugin, CPU time: {NUMBER}",
    ],
    "bench_triggers": [
        r"s\.yaml with 5 functions and 20 triggers; lint findings: \d+",
        rf"load \+ lint: {NUMBER} ms CPU",
    ],
}

SITECUSTOMIZE = '''
"""Loaded by every Python process of a benchmark smoke run: no traffic leaves loopback."""
import os
import sys

sys.path.append({tests!r})
from cloud_guard_helpers import Tripwire


class _Setter:
    # Tripwire.install wants a monkeypatch; this process ends with its patches in place
    setattr = staticmethod(setattr)


class _Reporting(Tripwire):
    def _trip(self, what, target):
        with open({hits!r}, "a", encoding="utf-8") as fh:
            fh.write(f"{{os.getpid()}} {{sys.argv}}: {{what}} {{target!r}}\\n")
        super()._trip(what, target)


_Reporting(allow={allow!r}).install(_Setter())
with open({processes!r}, "a", encoding="utf-8") as fh:
    fh.write(f"{{os.getpid()}} {{sys.argv}}\\n")
'''


def test_every_benchmark_has_a_smoke_entry():
    assert sorted(p.stem for p in BENCHMARKS.glob("bench_*.py")) == sorted(FIGURES)


def smoke_env(tmp_path: Path) -> tuple:
    """(environment, hits file, processes file) for a script run behind the tripwire."""
    site = tmp_path / "site"
    site.mkdir()
    hits, processes = tmp_path / "network-hits.txt", tmp_path / "processes.txt"
    redis_url = os.environ.get("FC_TEST_REDIS_URL")  # a CI Redis may live off loopback
    allow = [urlsplit(redis_url).hostname] if redis_url else []
    (site / "sitecustomize.py").write_text(
        textwrap.dedent(SITECUSTOMIZE).format(
            tests=str(TESTS), hits=str(hits), processes=str(processes), allow=[h for h in allow if h]
        )
    )
    # the running pytest's own variables (xdist worker, addopts) must not reach the scripts' pytest sessions
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(site), env.get("PYTHONPATH")]))
    return env, hits, processes


def run_quick(script: Path, env: dict) -> subprocess.CompletedProcess:
    # a session of its own, so a timeout also ends the pytest sessions a benchmark started
    proc = subprocess.Popen(
        [sys.executable, str(script), "--quick"],
        cwd=ROOT,
        env=env,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        out, err = proc.communicate(timeout=TIMEOUT_S)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, err = proc.communicate()
        pytest.fail(f"{script.name} --quick took over {TIMEOUT_S} s\n{out}\n{err}")
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


@pytest.mark.parametrize("name", sorted(FIGURES))
def test_benchmark_quick_run(name, tmp_path):
    env, hits, processes = smoke_env(tmp_path)
    result = run_quick(BENCHMARKS / f"{name}.py", env)
    report = f"exit {result.returncode}\n--- stdout\n{result.stdout}\n--- stderr\n{result.stderr}"

    assert result.returncode == 0, report
    assert "Traceback" not in result.stderr, report
    assert result.stdout.splitlines()[0] == QUICK_NOTICE, report
    missing = [figure for figure in FIGURES[name] if not re.search(figure, result.stdout)]
    assert missing == [], report
    assert processes.exists(), "the tripwire was not installed in the benchmark's process"
    assert not hits.exists(), f"non-loopback traffic:\n{hits.read_text()}"


def test_instruction_counts_are_skipped_with_a_message_without_valgrind(tmp_path):
    # bench_cloud_activation --instructions on a machine without valgrind: says so, measures
    # nothing, exits 0 (no traceback, no callgrind run attempted)
    env, hits, _ = smoke_env(tmp_path)
    env["PATH"] = str(tmp_path / "empty")  # no valgrind on it (the script runs sys.executable)
    proc = subprocess.run(
        [sys.executable, str(BENCHMARKS / "bench_cloud_activation.py"), "--quick", "--instructions"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
    )
    report = f"exit {proc.returncode}\n--- stdout\n{proc.stdout}\n--- stderr\n{proc.stderr}"
    assert proc.returncode == 0, report
    assert "Traceback" not in proc.stderr, report
    assert proc.stdout.splitlines() == [
        QUICK_NOTICE,
        "valgrind not found (apt-get install valgrind): instruction counts skipped",
    ]
    assert not hits.exists()
