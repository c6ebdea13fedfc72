"""Bad input is bounded: alias bombs, recursive aliases, deep nesting, ${} doubling,
huge numbers, endless files and bad handler strings are ONE ConfigError line each.

How long these take and how much memory they use is measured by
benchmarks/bench_config_limits.py (targets: under 1 s and 100 MB for a file under
10 KB); the tests here check that each one is refused with a message a user can act on.
"""

from __future__ import annotations

import io
import os
import sys
import textwrap
from pathlib import Path

import pytest

from pytest_fctrigger import cli
from pytest_fctrigger.errors import ConfigError
from pytest_fctrigger.triggers import _yaml, template
from pytest_fctrigger.triggers.cron import CronError, parse_cron
from pytest_fctrigger.triggers.lint import lint
from pytest_fctrigger.triggers.loader import load_app

FUNCTION = """\
resources:
  f:
    component: fc3
    props:
      region: cn-hangzhou
      functionName: f
      runtime: python3.10
      handler: index.handler
      code: ./code
"""


def alias_bomb(levels: int = 9, width: int = 9) -> str:
    """The 'billion laughs' s.yaml: each var is a list of `width` aliases of the previous one."""
    lines = ["edition: 3.0.0", "name: bomb", "vars:", "  a0: &a0 [" + ", ".join(["lol"] * width) + "]"]
    for i in range(1, levels):
        lines.append(f"  a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * width) + "]")
    return "\n".join(lines) + "\n" + FUNCTION + f"      description: ${{vars.a{levels - 1}}}\n"


def write(tmp_path: Path, text: str, name: str = "s.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def one_line_error(path: Path, line=None) -> ConfigError:
    with pytest.raises(ConfigError) as info:
        load_app(path, warn=False)
    error = info.value
    assert "\n" not in str(error)
    assert error.file == str(path)
    if line is not None:
        assert error.line == line, str(error)
    assert error.__cause__ is None
    return error


def test_an_alias_bomb_is_refused_at_the_line_of_the_anchor_that_explodes(tmp_path):
    text = alias_bomb()
    assert len(text.encode()) < 1024
    path = write(tmp_path, text)
    error = one_line_error(path)
    assert "YAML aliases here expand to" in error.reason and "billion laughs" in error.reason
    # the anchor whose expansion first passes the limit: a5 (597,871 values)
    assert error.line == text.splitlines().index("  a5: &a5 [" + ", ".join(["*a4"] * 9) + "]") + 1


def test_aliases_a_real_file_uses_still_load(tmp_path):
    # `<<: *common` and reused lists are ordinary YAML; only explosive expansion is refused
    path = write(
        tmp_path,
        "edition: 3.0.0\nname: ok\nvars:\n  common: &common {runtime: python3.10, handler: index.handler}\n"
        "resources:\n"
        + "".join(
            f"  f{i}:\n    component: fc3\n    props:\n      <<: *common\n      functionName: f{i}\n" for i in range(50)
        ),
    )
    app = load_app(path, warn=False)
    assert len(app.functions) == 50
    assert app.functions["f7"].handler == "index.handler"


def test_a_recursive_alias_is_one_config_error_not_recursion_error(tmp_path):
    path = write(tmp_path, "edition: 3.0.0\nname: x\nvars: &v\n  self: *v\n" + FUNCTION)
    error = one_line_error(path, line=3)
    assert "recursive YAML alias" in error.reason


@pytest.mark.parametrize("shape", ["[", "{a: "])
def test_990_deep_nesting_is_one_config_error_not_recursion_error(tmp_path, shape):
    close = {"[": "]", "{a: ": "}"}[shape]
    path = write(tmp_path, FUNCTION.replace("edition", "") + "      x: " + shape * 990 + "1" + close * 990 + "\n")
    path.write_text("edition: 3.0.0\n" + path.read_text())
    error = one_line_error(path)
    assert f"more than {_yaml.MAX_DEPTH} levels deep" in error.reason


def test_deep_nesting_is_refused_by_the_pure_python_parser_too(tmp_path, monkeypatch):
    # without libyaml (or after pytester re-imported yaml) the pure-Python composer is used,
    # which recurses per level
    import yaml

    monkeypatch.setattr(yaml, "CSafeLoader", None)
    monkeypatch.setattr(_yaml, "_LOADER_CLASS", None)
    path = write(tmp_path, "edition: 3.0.0\nname: x\nvars:\n  d: " + "[" * 990 + "]" * 990 + "\n" + FUNCTION)
    error = one_line_error(path, line=4)
    assert "levels deep" in error.reason
    monkeypatch.setattr(_yaml, "_LOADER_CLASS", None)  # rebuilt with libyaml after the test


def test_a_5000_digit_integer_is_one_config_error_naming_its_line(tmp_path):
    path = write(tmp_path, "edition: 3.0.0\nname: x\nvars:\n  n: " + "9" * 5000 + "\n" + FUNCTION)
    error = one_line_error(path, line=4)
    assert "an integer of 5,000 digits is too long to read; quote it" in error.reason


def test_a_5000_digit_timeout_string_is_one_config_error(tmp_path):
    path = write(tmp_path, "edition: 3.0.0\nname: x\n" + FUNCTION + "      timeout: '" + "9" * 5000 + "'\n")
    error = one_line_error(path, line=12)
    assert "timeout must be a positive integer" in error.reason
    assert len(str(error)) < 300  # the value is shortened, not echoed whole


def test_string_doubling_vars_stop_at_the_output_bound(tmp_path):
    lines = ["edition: 3.0.0", "name: x", "vars:", "  v0: xxxxxxxxxxxxxxxx"]
    lines += [f"  v{i}: ${{vars.v{i - 1}}}${{vars.v{i - 1}}}" for i in range(1, 30)]
    path = write(tmp_path, "\n".join(lines) + "\n" + FUNCTION + "      description: ${vars.v29}\n")
    error = one_line_error(path)
    assert f"expand to more than {template.MAX_EXPANSION_CHARS:,} characters" in error.reason
    assert error.reason.count("cannot evaluate") == 0  # one message, not one per var on the way
    assert 4 < error.line < 34  # the var where the bound was passed


def test_a_long_chain_of_vars_is_one_config_error_not_recursion_error(tmp_path):
    lines = ["edition: 3.0.0", "name: x", "vars:", "  v0: base"]
    lines += [f"  v{i}: ${{vars.v{i - 1}}}-" for i in range(1, 400)]
    path = write(tmp_path, "\n".join(lines) + "\n" + FUNCTION + "      description: ${vars.v399}\n")
    error = one_line_error(path)
    assert f"more than {template.MAX_VAR_CHAIN} levels deep" in error.reason


def test_dev_zero_is_one_error_line_from_load_app_and_lint(tmp_path):
    if not os.path.exists("/dev/zero"):
        pytest.skip("no /dev/zero on this system")
    with pytest.raises(ConfigError, match="larger than 10 MB") as info:
        load_app("/dev/zero")
    assert str(info.value).startswith("/dev/zero: the file is larger than 10 MB (or endless)")
    [finding] = lint("/dev/zero")
    assert finding.code == "FCT001"


def test_a_file_over_the_size_cap_is_refused_without_parsing(tmp_path, monkeypatch):
    monkeypatch.setattr(_yaml, "MAX_FILE_BYTES", 1000)
    path = write(tmp_path, "edition: 3.0.0\nname: x\n" + FUNCTION + "#" * 1000 + "\n")
    error = one_line_error(path)
    assert "larger than" in error.reason


def test_handler_given_as_a_list_is_a_wrong_type_at_its_line_not_missing(tmp_path):
    path = write(
        tmp_path, "edition: 3.0.0\nname: x\n" + FUNCTION.replace("handler: index.handler", "handler: [index, handler]")
    )
    error = one_line_error(path, line=10)
    assert error.reason == (
        "function 'f': handler must be a string (e.g. index.handler), got a list: ['index', 'handler']"
    )


def test_a_handler_with_a_nul_character_in_s_yaml_is_a_config_error_at_its_line(tmp_path):
    path = write(
        tmp_path, "edition: 3.0.0\nname: x\n" + FUNCTION.replace("handler: index.handler", 'handler: "\\0.handler"')
    )
    error = one_line_error(path, line=10)
    assert "contains a control character" in error.reason


def test_fc_invoke_of_a_nul_handler_string_is_a_config_error(pytester):
    pytester.makepyfile(
        index="def handler(event, context):\n    return 'ok'\n",
        test_nul=textwrap.dedent(
            """
            import pytest
            from pytest_fctrigger.errors import ConfigError

            def test_nul(fc_invoke):
                with pytest.raises(ConfigError, match="contains a control character"):
                    fc_invoke("\\x00.handler", b"{}")
            """
        ),
    )
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)


@pytest.mark.parametrize(
    "expression", ["0 " + "9" * 5000 + " * * * *", "@every " + "9" * 5000 + "s", "0 1-" + "9" * 5000 + " * * * *"]
)
def test_a_cron_with_a_5000_digit_number_is_one_cron_error(expression):
    with pytest.raises(CronError, match="a number in it is too long to read") as info:
        parse_cron(expression)
    assert len(str(info.value)) < 300


def run_lint(*argv: str):
    out, err = io.StringIO(), io.StringIO()
    old = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = out, err
    try:
        status = cli.main(["lint", *argv])
    finally:
        sys.stdout, sys.stderr = old
    return status, out.getvalue(), err.getvalue()


@pytest.mark.parametrize("case", ["alias-bomb", "dev-zero"])
def test_fctrigger_lint_on_bad_input_exits_1_with_one_line(tmp_path, case):
    if case == "dev-zero":
        if not os.path.exists("/dev/zero"):
            pytest.skip("no /dev/zero on this system")
        target = "/dev/zero"
    else:
        target = str(write(tmp_path, alias_bomb()))
    status, out, err = run_lint(target)
    assert status == 1
    assert err == ""
    [line] = out.splitlines()
    assert line.startswith(f"{target}:") and "error FCT001" in line


def test_load_app_fc_matrix_and_fc_app_report_the_alias_bomb_in_one_line(pytester):
    pytester.path.joinpath("s.yaml").write_text(alias_bomb())
    pytester.makeini("[pytest]\nfc_app = s.yaml\n")
    pytester.makepyfile(
        test_load=textwrap.dedent(
            """
            import pytest
            from pytest_fctrigger import load_app
            from pytest_fctrigger.errors import ConfigError

            def test_load_app():
                with pytest.raises(ConfigError, match="billion laughs") as info:
                    load_app("s.yaml")
                assert "\\n" not in str(info.value)

            def test_fc_app(fc_app):
                pass
            """
        ),
        test_matrix=textwrap.dedent(
            """
            import pytest

            @pytest.mark.fc_matrix(app="s.yaml")
            def test_matrix(fc_trigger_event):
                pass
            """
        ),
    )
    result = pytester.runpytest("-p", "no:cacheprovider", "--continue-on-collection-errors")
    result.assert_outcomes(passed=1, errors=2)
    result.stdout.fnmatch_lines(["*test_matrix: *s.yaml:9: YAML aliases here expand to *billion laughs*"])
    result.stdout.fnmatch_lines(["*ini fc_app = s.yaml: *s.yaml:9: YAML aliases here expand to *billion laughs*"])
    assert "Traceback" not in result.stdout.str()
    assert "RecursionError" not in result.stdout.str() and "MemoryError" not in result.stdout.str()
