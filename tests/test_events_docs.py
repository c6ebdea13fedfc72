"""The event pages say what the code does: documented signatures are the builders'
keyword arguments, and the pages' self-contained examples run."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest

from pytest_fctrigger import events

DOCS = Path(__file__).resolve().parents[1] / "docs"
PAGES = sorted((DOCS / "events").glob("*.md"))
SIGNATURE = re.compile(r"(\w+_(?:event|record))\(\*,(.*?)\)(?: ->|\n|$)", re.S)


def python_blocks(page):
    return re.findall(r"```python\n(.*?)```", page.read_text(encoding="utf-8"), re.S)


def documented_signatures():
    for page in PAGES:
        for block in python_blocks(page):
            for match in SIGNATURE.finditer(block):
                names = [re.split(r"[=\s]", p.strip())[0] for p in match.group(2).split(",") if p.strip()]
                yield page.name, match.group(1), names


SIGNATURES = list(documented_signatures())


def test_every_builder_has_a_documented_signature():
    documented = {name for _, name, _ in SIGNATURES}
    builders = {n for n in events.__all__ if n.endswith(("_event", "_record"))} - {"apigw_event", "http_event"}
    assert builders <= documented  # apigw_event/http_event are on docs/http.md as prose


@pytest.mark.parametrize("page,name,names", SIGNATURES, ids=[f"{p}:{n}" for p, n, _ in SIGNATURES])
def test_documented_signature_is_the_builders(page, name, names):
    builder = getattr(events, name)
    assert names == [p.name for p in inspect.signature(builder).parameters.values() if p.kind is p.KEYWORD_ONLY]


def test_self_contained_examples_run(pytester):
    """Module-level snippets are executed; test functions run under the plugin."""
    tests = []
    for page in PAGES + [DOCS / "context.md"]:
        for block in python_blocks(page):
            if SIGNATURE.search(block) or "code_dir=" in block or block.lstrip().startswith("{"):
                continue  # signatures, the CBOR shape, and examples that need the reader's handler
            if "def test_" in block:
                tests.append(block)
            elif "@pytest.fixture" not in block:
                exec(compile(block, str(page), "exec"), {})
    assert len(tests) >= 3
    for i, block in enumerate(tests):
        pytester.makepyfile(**{f"test_doc_{i}": "import pytest\n" + block})
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=len(tests))
