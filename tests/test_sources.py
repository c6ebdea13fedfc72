"""What users read cites FC's documentation, never the project's private notes.

Users have the package, its docs and the README; they do not have the seed documents
(``seeds/``), the research notes (``reference/``) or the design notes (``DESIGN.md``) the
project was built from. Runtime messages, lint rule sources, docstrings and user docs cite
FC's pages by title instead, and docs/sources.md lists the pages the package cites (issue 9:
"messages cite FC's documentation by page title ... a Sources docs page lists those pages").
Tests keep citing the seeds: they are for the project's developers.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Iterator, List, Set, Tuple

import pytest
from loops_helpers import oss_write, ots_write

from pytest_fctrigger.loops import LoopDetector, SelfTriggerLoop
from pytest_fctrigger.triggers.model import TriggerSpec
from pytest_fctrigger.triggers.rules import RULES

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "pytest_fctrigger"
DOCS = ROOT / "docs"
SOURCES_PAGE = DOCS / "sources.md"

# A path into the project's notes. ``reference/`` only counts as a path of its own: URL
# segments such as ``.../oss/developer-reference/...`` are FC's, not ours.
PRIVATE = re.compile(
    r"(?<![\w./-])seeds/"  # seeds/001, seeds/003 ...
    r"|(?<![\w./-])reference/"  # reference/fc-runtime-and-config.md
    r"|\breference (?:notes|section \d)"  # "reference section 7", "the reference notes"
    r"|\bDESIGN\b"  # DESIGN.md, DESIGN "No network, ever"
)
# Text the package cites a page with: FC docs "Title" / FC docs 'Title' (quotes may be escaped).
CITED_TITLE = re.compile(r"FC docs\s*\\?[\"']([^\"'\\]+)")


def _user_facing_files() -> Iterator[Path]:
    for path in sorted(PACKAGE.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix in (".py", ".pyi", ".md", ".txt"):
            yield path
    for path in sorted(DOCS.rglob("*.md")):
        yield path
    yield ROOT / "README.md"


def _private_mentions(text: str) -> List[Tuple[int, str]]:
    return [
        (text.count("\n", 0, m.start()) + 1, text[max(0, m.start() - 20) : m.end() + 20].replace("\n", " "))
        for m in PRIVATE.finditer(text)
    ]


@pytest.mark.parametrize(
    "sample",
    [
        "(seeds/001 7.2)",
        "see reference/fc-runtime-and-config.md 2.1",
        '"reference section 7"',
        "the reference notes mark it",
        'Two forms (DESIGN.md "Triggers")',
        '| DESIGN "No network, ever" |',
    ],
)
def test_the_scan_finds_each_form_of_a_private_citation(sample: str) -> None:
    assert _private_mentions(sample)


@pytest.mark.parametrize(
    "sample",
    [
        "https://www.alibabacloud.com/help/en/oss/developer-reference/compatibility-with-amazon-s3",
        "https://help.aliyun.com/en/mns/developer-reference/",
        "the SLS API reference error tables",
        "API reference: docs/api/",
        "seeded per test; --fc-seed 7; seeds are per test",
        "the design of the flows",
    ],
)
def test_the_scan_leaves_ordinary_words_and_fc_urls_alone(sample: str) -> None:
    assert _private_mentions(sample) == []


def test_no_user_facing_file_names_seeds_reference_or_design() -> None:
    found: List[str] = []
    for path in _user_facing_files():
        for line, excerpt in _private_mentions(path.read_text(encoding="utf-8")):
            found.append(f"{path.relative_to(ROOT)}:{line}: ...{excerpt}...")
    assert not found, (
        "users do not have seeds/, reference/ or DESIGN.md; cite FC's page by title (and URL) "
        "as listed in docs/sources.md instead:\n" + "\n".join(found)
    )


def test_every_lint_rule_source_is_free_of_private_citations() -> None:
    bad = {code: rule.source for code, rule in RULES.items() if _private_mentions(rule.source)}
    assert bad == {}


def test_the_sources_page_lists_every_fc_page_the_package_cites() -> None:
    listed = SOURCES_PAGE.read_text(encoding="utf-8")
    cited: Set[str] = set()
    for path in _user_facing_files():
        if PACKAGE in path.parents:
            cited.update(title.strip() for title in CITED_TITLE.findall(path.read_text(encoding="utf-8")))
    for rule in RULES.values():
        cited.update(title.strip() for title in CITED_TITLE.findall(rule.source))
    assert cited, "the package cites no FC page by title"
    missing = sorted(title for title in cited if title not in listed)
    assert missing == [], f"pages cited by the package but missing from docs/sources.md: {missing}"


@pytest.mark.parametrize(
    "trigger, write",
    [
        (TriggerSpec.from_marker("oss", bucket="images"), oss_write("images", "out/cat.png")),
        (TriggerSpec.from_marker("tablestore", instance="shop", table="orders"), ots_write("shop", "orders", "PutRow")),
    ],
    ids=["oss", "tablestore"],
)
def test_a_self_trigger_loop_report_cites_fc_pages_listed_on_the_sources_page(trigger: TriggerSpec, write: Any) -> None:
    with pytest.raises(SelfTriggerLoop) as info:
        LoopDetector([trigger]).check([write], handler="index.handler")
    message = str(info.value)
    assert _private_mentions(message) == []
    titles = CITED_TITLE.findall(message)
    assert "Configure a native OSS trigger" in titles
    listed = SOURCES_PAGE.read_text(encoding="utf-8")
    assert [title for title in titles if title not in listed] == []
