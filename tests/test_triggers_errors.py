"""Bad config files give ONE ConfigError naming the file and the line.

Each file under tests/data/triggers/errors/ states the expected line and message in its
first two comment lines (``# expect-line:`` / ``# expect:``), so every case (malformed
YAML, unknown trigger type, missing required key, bad value) is its own test.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pytest_fctrigger.errors import ConfigError
from pytest_fctrigger.triggers.lint import lint
from pytest_fctrigger.triggers.loader import load_app

ERRORS = Path(__file__).parent / "data" / "triggers" / "errors"
CASES = sorted(p for p in ERRORS.iterdir() if p.suffix in (".yaml", ".yml"))


def _expectations(path: Path):
    line_text, message_text = path.read_text(encoding="utf-8").splitlines()[:2]
    return int(line_text.split(":", 1)[1]), message_text.split(":", 1)[1].strip()


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_bad_file_raises_one_config_error_with_file_and_line(path):
    line, message = _expectations(path)
    with pytest.raises(ConfigError) as info:
        load_app(path, warn=False)
    error = info.value
    assert (error.file, error.line) == (str(path), line), str(error)
    assert message in error.reason
    # one line: "<file>:<line>: <reason>", no traceback noise, no chained exception shown
    assert str(error) == f"{path}:{line}: {error.reason}"
    assert "\n" not in str(error)
    assert error.__suppress_context__ or error.__cause__ is None


@pytest.mark.parametrize("path", CASES[:3], ids=[p.stem for p in CASES[:3]])
def test_lint_reports_a_load_failure_as_one_fct001_finding(path):
    line, message = _expectations(path)
    [finding] = lint(str(path))
    assert (finding.code, finding.severity, finding.line, finding.file) == ("FCT001", "error", line, str(path))
    assert message in finding.message


def test_missing_file_and_non_utf8_file(tmp_path):
    with pytest.raises(ConfigError, match="no such file") as info:
        load_app(tmp_path / "s.yaml")
    assert info.value.file == str(tmp_path / "s.yaml")
    (tmp_path / "latin1.yaml").write_bytes(b"edition: 3.0.0\nname: caf\xe9\n")
    with pytest.raises(ConfigError, match="not UTF-8") as info:
        load_app(tmp_path / "latin1.yaml")
    assert info.value.line == 2


def test_unsupported_edition(tmp_path):
    (tmp_path / "s.yaml").write_text("edition: 2.0.0\nname: x\nservices: {}\n")
    with pytest.raises(ConfigError, match="unsupported edition '2.0.0'") as info:
        load_app(tmp_path / "s.yaml")
    assert info.value.line == 1
