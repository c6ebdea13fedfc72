"""Instruction counts of one process under ``valgrind --tool=callgrind``.

What a loaded, shared machine's timings cannot settle, an instruction count can: the
same process executes (nearly) the same instructions whatever else the machine does.
The counts are only comparable when the runs are alike, so every run here fixes
``PYTHONHASHSEED`` (set iteration order, hence the work of a dict- or set-heavy import)
and the caller is expected to have warmed the bytecode caches first (a run that
compiles a module counts the compiler too).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Mapping, Optional, Sequence

__all__ = ["HASH_SEED", "MISSING", "count_instructions", "have_valgrind"]

HASH_SEED = "0"
MISSING = "valgrind not found (apt-get install valgrind): instruction counts skipped"
_COLLECTED = re.compile(r"Collected : (\d+)")


def have_valgrind() -> bool:
    return shutil.which("valgrind") is not None


def count_instructions(
    cmd: Sequence[str],
    *,
    cwd: Optional[Path] = None,
    env: Optional[Mapping[str, str]] = None,
    timeout: float = 1800,
) -> int:
    """Instructions ``cmd`` executes (callgrind's total, every thread), with ``PYTHONHASHSEED`` fixed.

    Raises ``SystemExit`` with callgrind's output when the command fails or callgrind
    reports no total (the caller's figures would be meaningless).
    """
    run_env = dict(os.environ if env is None else env)
    run_env["PYTHONHASHSEED"] = HASH_SEED
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "callgrind.out"  # the profile itself is not kept: only the total is read
        full = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", *cmd]
        proc = subprocess.run(full, cwd=cwd, capture_output=True, text=True, env=run_env, timeout=timeout)
    match = _COLLECTED.search(proc.stderr)
    if proc.returncode != 0 or match is None:
        raise SystemExit(f"callgrind run failed ({' '.join(cmd)}):\n{proc.stderr[-2000:]}")
    return int(match.group(1))
