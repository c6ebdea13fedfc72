"""The API reference (docs/api/, rendered by mkdocstrings) covers every public name."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import pytest_fctrigger

API = Path(__file__).resolve().parents[1] / "docs" / "api"


def documented() -> set:
    """``module.Name`` for every object a ``::: target`` directive renders."""
    found = set()
    for page in API.glob("*.md"):
        lines = page.read_text(encoding="utf-8").splitlines()
        for i, line in enumerate(lines):
            match = re.match(r"::: ([\w.]+)\s*$", line)
            if not match:
                continue
            target = match.group(1)
            members = []
            block = lines[i + 1 :]
            for j, option in enumerate(block):
                if option and not option.startswith(" "):
                    break
                if option.strip() == "members:":
                    for item in block[j + 1 :]:
                        m = re.match(r"\s+- (\w+)$", item)
                        if not m:
                            break
                        members.append(m.group(1))
            if members:
                found.update(f"{target}.{name}" for name in members)
            else:
                found.add(target)  # the whole module (or the one object named)
    return found


@pytest.mark.parametrize("name", sorted(n for n in pytest_fctrigger.__all__ if n != "__version__"))
def test_every_public_name_has_a_reference_entry(name):
    module = pytest_fctrigger._LAZY[name]
    entries = documented()
    assert f"{module}.{name}" in entries or module in entries, (
        f"{name} ({module}) is in no docs/api/*.md page: add it to a ::: directive"
    )
