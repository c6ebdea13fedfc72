"""Moved to :mod:`pytest_fctrigger.core._random` (the core layer); kept as a re-export.

Modules of every layer import ``FCRandom``; it lives in ``core`` so that ``events``,
``context`` and ``cloud`` depend on ``core`` rather than on each other.
"""

from __future__ import annotations

from ..core._random import (
    DEFAULT_REGION,
    FC_REGIONS,
    UTC,
    FCRandom,
    epoch_ms,
    iso_ms,
    iso_s,
    seed_from_text,
)

__all__ = ["DEFAULT_REGION", "FC_REGIONS", "UTC", "FCRandom", "epoch_ms", "iso_ms", "iso_s", "seed_from_text"]
