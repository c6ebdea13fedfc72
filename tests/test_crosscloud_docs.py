"""The tests shown on docs/cloud/cross-cloud.md pass as written."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

# imported here, so every in-process run shares them (numpy, under tablestore, loads only once)
pytest.importorskip("moto")
pytest.importorskip("boto3")
pytest.importorskip("oss2")
pytest.importorskip("tablestore")
pytest.importorskip("mns")
import requests  # noqa: F401

PAGE = Path(__file__).resolve().parents[1] / "docs" / "cloud" / "cross-cloud.md"


def test_the_cross_cloud_pages_examples_pass(pytester):
    blocks = [
        b
        for b in re.findall(r"```python\n(.*?)```", PAGE.read_text(encoding="utf-8"), re.S)
        if re.search(r"^def test_", b, re.M)
    ]
    assert len(blocks) == 3
    for i, block in enumerate(blocks):
        pytester.makepyfile(**{f"test_crosscloud_doc_{i}": block})
    tests = sum(len(re.findall(r"^def test_", b, re.M)) for b in blocks)
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=tests)
