"""Per-case overhead of a 1,000-case ``fc_matrix`` vs plain ``pytest.mark.parametrize``.

Run: /work/venv/bin/python benchmarks/bench_matrix.py [--quick]

Two pytest sessions over 1,000 tests each, in fresh interpreters, alternated and
repeated:

* matrix: ``@pytest.mark.fc_matrix("oss", "cdn_events", ...)`` over every trigger type,
  widened to 1,000 cases by a ``pytest_fctrigger_matrix_cases`` hook (the documented
  way to add cases); each test receives its event through ``fc_trigger_event``, built
  lazily from the test's seed (fc_settings -> fc_random -> the builder).
* plain: ``@pytest.mark.parametrize("event", [...1,000 dicts...])`` with the same
  decoded payloads, precomputed.

Both test bodies do the same trivial check. The figure is whole-session time (CPU of
the child process, the machine being shared; wall time is printed beside it), best of
the repetitions for each side. Target (issue 3): matrix / plain <= 1.2.
``--quick`` runs one 30-case session per side without the warm-up round (a smoke run,
no measurement; every pytest start-up here costs over a second, hypothesis and Faker
being installed).
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from _quick import exit_status, parse, parser

CASES = 1000
REPETITIONS = 7
TARGET_RATIO = 1.2

CONFTEST = """
from pytest_fctrigger.matrix import MatrixCase

def pytest_fctrigger_matrix_cases(config, definition, cases):
    base = list(cases)
    cases[:] = [MatrixCase(f"{c.id}#{i}", c.trigger_type, c.variant, c.fields, source=c.source)
                for i, c in zip(range(%(n)d), (base * (%(n)d // len(base) + 1)))]
"""

MATRIX_TEST = """
import pytest

@pytest.mark.fc_matrix()
def test_event(fc_trigger_event):
    assert fc_trigger_event.data is not None
"""

PLAIN_TEST = """
import json
import pytest

with open(%(data)r, encoding="utf-8") as fh:
    EVENTS = json.load(fh)

@pytest.mark.parametrize("event", EVENTS, ids=[f"case{i}" for i in range(len(EVENTS))])
def test_event(event):
    assert event is not None
"""


def write_projects(tmp: Path, cases: int) -> tuple:
    from pytest_fctrigger.events._random import FCRandom
    from pytest_fctrigger.events.catalog import CATALOG

    matrix = tmp / "matrix"
    plain = tmp / "plain"
    for folder in (matrix, plain):
        folder.mkdir()
        (folder / "pytest.ini").write_text("[pytest]\naddopts = -p no:cacheprovider\n")
    (matrix / "conftest.py").write_text(CONFTEST % {"n": cases})
    (matrix / "test_matrix.py").write_text(MATRIX_TEST)
    variants = [(s, v) for s in CATALOG.values() for v in s.variants]
    rng = FCRandom(1)
    payloads = []
    for i in range(cases):
        source, variant = variants[i % len(variants)]
        data = source.build(rng, variant).data
        payloads.append(data if isinstance(data, (dict, list)) else {"body": str(data)})
    data_file = plain / "events.json"
    data_file.write_text(json.dumps(payloads, default=str))
    (plain / "test_plain.py").write_text(PLAIN_TEST % {"data": str(data_file)})
    return matrix, plain


def run_session(folder: Path, cases: int) -> tuple:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", "-x"], cwd=folder, capture_output=True, text=True
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0 or f"{cases} passed" not in proc.stdout:
        raise SystemExit(f"session in {folder} failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return cpu, wall


def main(argv=None) -> int:
    args = parse(parser(__doc__), argv)
    cases, repetitions = (30, 1) if args.quick else (CASES, REPETITIONS)
    with tempfile.TemporaryDirectory() as tmp:
        matrix, plain = write_projects(Path(tmp), cases)
        if not args.quick:
            run_session(matrix, cases), run_session(plain, cases)  # warm the file system and bytecode caches
        results = {"matrix": [], "plain": []}
        for _ in range(repetitions):
            results["matrix"].append(run_session(matrix, cases))
            results["plain"].append(run_session(plain, cases))
    best = {k: (min(c for c, _ in v), min(w for _, w in v)) for k, v in results.items()}
    ratio = best["matrix"][0] / best["plain"][0]
    per_case_us = (best["matrix"][0] - best["plain"][0]) / cases * 1e6
    verdict = "PASS" if ratio <= TARGET_RATIO else "MISS"
    print(
        f"{cases}-case session, best of {repetitions}: fc_matrix {best['matrix'][0]:.2f} s CPU "
        f"(wall {best['matrix'][1]:.2f} s), plain parametrize {best['plain'][0]:.2f} s CPU "
        f"(wall {best['plain'][1]:.2f} s); load avg {os.getloadavg()[0]:.1f}"
    )
    print(f"fc_matrix overhead per case: {per_case_us:.0f} us")
    print(f"session ratio fc_matrix / plain: {ratio:.3f}; target <= {TARGET_RATIO}: {verdict}")
    return exit_status(args, verdict == "PASS")


if __name__ == "__main__":
    sys.exit(main())
