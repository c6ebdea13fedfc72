"""The examples of the fc_cloud pages (docs/cloud/*.md) run as a user's test files.

Every ```python block of a page that defines a test is written to a test file and run
through the plugin's fixtures (pytester, in-process, above the session's tripwire), so a
page cannot drift from what the code does. A companion test run after them checks that
the next test starts from an empty cloud: nothing the examples did leaks.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import requests  # noqa: F401  one requests for every in-process run (see test_loops_plugin.py)

# imported here, so every in-process run shares them (numpy, under tablestore, loads only once)
pytest.importorskip("tablestore")
pytest.importorskip("mns")

PAGES = Path(__file__).resolve().parents[1] / "docs" / "cloud"

FRESH = """
def test_zz_the_next_test_starts_from_an_empty_cloud(fc_cloud):
    assert fc_cloud.oss.buckets == {}
    assert fc_cloud.mns.topics == {} and fc_cloud.mns.queues == {}
    assert fc_cloud.tablestore.tables == {}
    assert list(fc_cloud.journal) == []
"""


def example_blocks(page: str):
    text = (PAGES / page).read_text(encoding="utf-8")
    return [b for b in re.findall(r"```python\n(.*?)```", text, re.S) if re.search(r"^def test_", b, re.M)]


@pytest.mark.parametrize("page", ["index.md", "oss.md", "mns.md", "tablestore.md"])
def test_the_pages_examples_pass_and_leave_nothing_behind(pytester, page):
    blocks = example_blocks(page)
    assert blocks, f"docs/cloud/{page} shows no test"
    stem = page[:-3]
    for i, block in enumerate(blocks):
        pytester.makepyfile(**{f"test_{stem}_{i}": block})
    pytester.makepyfile(test_zz_fresh=FRESH)
    tests = sum(len(re.findall(r"^def test_", b, re.M)) for b in blocks)
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=tests + 1)
