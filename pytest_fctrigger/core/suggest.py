"""'Did you mean': the closest valid name for a misspelt one (difflib, stdlib)."""

from __future__ import annotations

import difflib
from typing import Iterable, Optional


def closest(name: str, valid: Iterable[str], cutoff: float = 0.6) -> Optional[str]:
    """The valid name closest to ``name`` (case-insensitive), or None when none is close."""
    choices = [str(v) for v in valid]
    by_lower = {c.lower(): c for c in choices}
    if str(name).lower() in by_lower:
        return by_lower[str(name).lower()]
    found = difflib.get_close_matches(str(name).lower(), list(by_lower), n=1, cutoff=cutoff)
    return by_lower[found[0]] if found else None


def did_you_mean(name: str, valid: Iterable[str], cutoff: float = 0.6) -> str:
    """``"; did you mean 'bucket'?"`` or ``""`` (ready to append to a message)."""
    best = closest(name, valid, cutoff)
    return f"; did you mean {best!r}?" if best is not None and best != name else ""


def unknown_name(what: str, name: str, valid: Iterable[str]) -> str:
    """``unknown <what> 'buckt' (did you mean 'bucket'?); valid: a, b, c``."""
    names = sorted({str(v) for v in valid})
    best = closest(name, names)
    hint = f" (did you mean {best!r}?)" if best is not None and best != name else ""
    return f"unknown {what} {name!r}{hint}; valid: {', '.join(names)}"
