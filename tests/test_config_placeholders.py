"""Template text left for hand editing, and {{ }} substitutions that break the YAML, are
reported with the file, the line, the placeholder and (for {{ }}) the value substituted."""

from __future__ import annotations

import pytest

from pytest_fctrigger.errors import ConfigError
from pytest_fctrigger.triggers.lint import lint
from pytest_fctrigger.triggers.loader import load_app

HEAD = """\
edition: 3.0.0
name: x
resources:
  f:
    component: fc3
    props:
      functionName: f
      runtime: python3.10
      handler: index.handler
      triggers:
        - triggerName: {name}
          triggerType: mns_topic
          sourceArn: {arn}
"""


@pytest.mark.parametrize(
    "name, arn, placeholder",
    [
        ("{TriggerName}", "acs:mns:cn-hangzhou:123:/topics/t", "{TriggerName}"),
        ("t1", "acs:mns:{Region}:123:/topics/t", "{Region}"),
    ],
)
def test_a_hand_edit_placeholder_is_an_error_naming_file_line_and_placeholder(tmp_path, name, arn, placeholder):
    path = tmp_path / "s.yaml"
    path.write_text(HEAD.format(name=name, arn=arn))
    with pytest.raises(ConfigError) as info:
        load_app(path, warn=False)
    assert (info.value.file, info.value.line) == (str(path), 11 if name != "t1" else 13)
    assert f"placeholder {placeholder}" in info.value.reason and "left unedited" in info.value.reason
    [finding] = lint(str(path))
    assert finding.code == "FCT001" and placeholder in finding.message


def test_a_trigger_never_loads_named_like_a_mapping(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text(HEAD.format(name="{TriggerName}", arn="acs:mns:cn-hangzhou:123:/topics/t"))
    with pytest.raises(ConfigError, match="TriggerName"):
        load_app(path, warn=False)


def test_a_substitution_that_breaks_the_yaml_names_the_placeholder_and_value(tmp_path):
    (tmp_path / "publish.yaml").write_text('Parameters:\n  properties:\n    topic:\n      default: ""\n')
    path = tmp_path / "s.yaml"
    path.write_text(HEAD.format(name="t", arn="acs:mns:cn-hangzhou:123:/topics/{{ topic }}: x"))
    with pytest.raises(ConfigError) as info:
        load_app(path, warn=False)
    assert info.value.line == 13
    assert "mapping values are not allowed" in info.value.reason
    assert "after substituting {{ topic }} -> '' on this line" in info.value.reason
