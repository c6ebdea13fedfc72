"""Every row of the OSS trigger rule table in the seeds, as its own lint test.

seeds/001 6.1 "OSS触发器概述", 触发规则: "一个Bucket的不同触发器如果指定了相同的事件类型，则前缀和后缀
不能重复。假如一个触发器配置了oss:ObjectCreated:PutObject事件，source前缀和zip后缀。下表列出了是否可以
给该Bucket配置其它触发器。" Each test configures that trigger and the row's trigger on one
bucket (in two functions) and checks lint's verdict: illegal rows give error FCT102,
legal rows give no error.
"""

from __future__ import annotations

import pytest
from triggers_helpers import codes, oss_trigger, write_fc3

from pytest_fctrigger.triggers.lint import lint, oss_overlap

EXISTING = oss_trigger("existing", "oss:ObjectCreated:PutObject", "source", "zip")


def lint_with(tmp_path, row_trigger):
    path = write_fc3(tmp_path, {"first": [EXISTING], "second": [row_trigger]})
    return [f for f in lint(str(path)) if f.code in ("FCT102", "FCT103")]


def test_row_same_prefix_and_suffix_is_illegal(tmp_path):
    # 事件 oss:ObjectCreated:PutObject, 前缀 source, 后缀 zip -> 否 (前后缀一样)
    [finding] = lint_with(tmp_path, oss_trigger("row", "oss:ObjectCreated:PutObject", "source", "zip"))
    assert (finding.code, finding.severity) == ("FCT102", "error")
    assert (finding.function, finding.trigger) == ("second", "row")
    assert "'first/existing'" in finding.message and "bucket 'bkt'" in finding.message
    assert "oss:ObjectCreated:PutObject" in finding.message
    assert finding.fix


def test_row_same_prefix_no_suffix_is_illegal(tmp_path):
    # source, 无 -> 否 (前缀重合，后缀不设置包含了后缀为zip的对象)
    assert codes(lint_with(tmp_path, oss_trigger("row", "oss:ObjectCreated:PutObject", "source", ""))) == ["FCT102"]


def test_row_no_prefix_same_suffix_is_illegal(tmp_path):
    # 无, zip -> 否 (后缀重合，前缀不设置包含了前缀为source的对象)
    assert codes(lint_with(tmp_path, oss_trigger("row", "oss:ObjectCreated:PutObject", "", "zip"))) == ["FCT102"]


def test_row_source1_1zip_is_legal(tmp_path):
    # source1, 1zip -> 是 (不重合). FC accepts it; a key like "source1.1zip" still matches
    # both filters, which lint reports as the warning FCT103 (see lint.py docstring).
    findings = lint_with(tmp_path, oss_trigger("row", "oss:ObjectCreated:PutObject", "source1", "1zip"))
    assert not [f for f in findings if f.is_error]
    assert [(f.code, f.severity) for f in findings] == [("FCT103", "warning")]


def test_row_same_prefix_suffix_zip1_is_legal(tmp_path):
    # source, zip1 -> 是 (后缀不重合)
    assert lint_with(tmp_path, oss_trigger("row", "oss:ObjectCreated:PutObject", "source", "zip1")) == []


def test_row_prefix_1source_same_suffix_is_legal(tmp_path):
    # 1source, zip -> 是 (前缀不重合)
    assert lint_with(tmp_path, oss_trigger("row", "oss:ObjectCreated:PutObject", "1source", "zip")) == []


def test_row_different_event_is_legal(tmp_path):
    # oss:ObjectCreated:PostObject, source, zip -> 是 (事件不同)
    assert lint_with(tmp_path, oss_trigger("row", "oss:ObjectCreated:PostObject", "source", "zip")) == []


def test_wildcard_event_is_expanded_before_comparing(tmp_path):
    # oss:ObjectCreated:* includes PutObject, so it shares an event with the existing trigger
    [finding] = lint_with(tmp_path, oss_trigger("row", "oss:ObjectCreated:*", "source", "zip"))
    assert finding.code == "FCT102"
    # ...but not ObjectRemoved events
    assert lint_with(tmp_path, oss_trigger("row2", "oss:ObjectRemoved:DeleteObject", "source", "zip")) == []


def test_other_bucket_never_conflicts(tmp_path):
    assert lint_with(tmp_path, oss_trigger("row", "oss:ObjectCreated:PutObject", "source", "zip", bucket="b2")) == []


@pytest.mark.parametrize(
    "prefix, suffix, verdict",
    [
        ("source", "zip", "duplicate"),
        ("source", "", "duplicate"),
        ("", "zip", "duplicate"),
        ("source1", "1zip", "overlap"),
        ("source", "zip1", None),
        ("1source", "zip", None),
        ("", "", "duplicate"),
        ("sourcex", "", "overlap"),
        ("sou", "zip", "overlap"),
        ("dst", "zip", None),
    ],
)
def test_oss_overlap_function_against_the_table_trigger(prefix, suffix, verdict):
    assert oss_overlap("source", "zip", prefix, suffix) == verdict
    assert oss_overlap(prefix, suffix, "source", "zip") == verdict  # symmetric
