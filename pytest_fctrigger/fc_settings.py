"""``FCSettings``: the resolved pytest-fctrigger options of one test (the ``fc_settings`` fixture).

Kept out of the ``pytest11`` entry module (``pytest_fctrigger.plugin``, which still
exports the name): building a dataclass execs its generated methods, a cost every pytest
session would pay at start-up, including the many that run no fc test. This module is
imported by the first test that resolves its settings.
"""

from __future__ import annotations

import dataclasses
from typing import Optional

__all__ = ["FCSettings"]


@dataclasses.dataclass(frozen=True)
class FCSettings:
    """Options of one test: command line / ini, overridden by ``fc`` markers (closest wins)."""

    seed: int
    region: str
    runtime: str
    loop: str
    loop_depth: int
    allow_network: bool
    timeout: Optional[float]
    redis_url: Optional[str]
    isolate: str = "none"
