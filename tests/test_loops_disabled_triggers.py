"""Issue 9, "Why": "A trigger with enable: false still produces matrix cases and still raises
SelfTriggerLoop". A disabled trigger fires nothing in FC, so ``fc_invoke`` does not report
a loop through it, whether it comes from an ``fc_trigger`` marker or from an s.yaml
``FunctionSpec``, and ``fc_invoke(..., include_disabled=True)`` (or
``Invoker(include_disabled=True)``) checks it on purpose (pytester: the user's view).

The handler is the real SLS ETL sample of tests/data/loops/sls_enrich: it put_logs its
output into the logstore given by the event's parameter, here the trigger's own source.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from pytest_fctrigger.errors import ConfigError
from pytest_fctrigger.invoke import Invoker

CODE = Path(__file__).parent / "data" / "loops" / "sls_enrich"

HEADER = f"""
import pytest
from pytest_fctrigger import SelfTriggerLoop

CODE = {str(CODE)!r}

@pytest.fixture
def into_source(fc_cloud, sls_event):
    store = fc_cloud.sls.logstore("etl", "raw", shards=1)
    begin, end = store.append(0, [{{"user": "u1"}}])
    return sls_event(project="etl", logstore="raw", shard_id=0, begin_cursor=begin, end_cursor=end,
                     endpoint=fc_cloud.sls.endpoint(), parameter={{"target_logstore": "raw"}})
"""

MARKER = HEADER + textwrap.dedent(
    """
    DISABLED = pytest.mark.fc_trigger("log", name="etl", project="etl", logstore="raw", enable=False)

    @DISABLED
    def test_disabled_trigger_is_not_a_loop(fc_invoke, into_source):
        result = fc_invoke("index.handler", into_source, code_dir=CODE)
        assert result.loop is None
        assert [w.describe() for w in result.writes] == ["PutLogs logstore etl/raw"]

    @DISABLED
    def test_include_disabled_checks_it_on_purpose(fc_invoke, into_source):
        with pytest.raises(SelfTriggerLoop) as info:
            fc_invoke("index.handler", into_source, code_dir=CODE, include_disabled=True)
        assert "fires log trigger 'etl' again" in str(info.value)

    @pytest.mark.fc_trigger("log", name="etl", project="etl", logstore="raw", enable=True)
    def test_an_enabled_trigger_still_loops(fc_invoke, into_source):
        with pytest.raises(SelfTriggerLoop):
            fc_invoke("index.handler", into_source, code_dir=CODE)
    """
)


def _run(pytester, source):
    pytester.makepyfile(test_disabled=source)
    # a subprocess: in-process runs would re-import half of the package next to the
    # modules this test process already holds (two FCRandom classes)
    return pytester.runpytest_subprocess("-p", "no:cacheprovider", "-p", "no:randomly", "--tb=short")


def test_marker_trigger_with_enable_false_fires_no_loop_unless_included(pytester):
    result = _run(pytester, MARKER)
    result.assert_outcomes(passed=3)


SYAML = """\
edition: 3.0.0
name: etl
resources:
  enrich:
    component: fc3
    props:
      region: cn-hangzhou
      functionName: enrich
      runtime: python3.10
      handler: index.handler
      code: {code}
      triggers:
        - triggerName: etl
          triggerType: log
          sourceArn: acs:log:cn-hangzhou:${{config(AccountID)}}:project/etl
          triggerConfig:
            enable: {enable}
            sourceConfig: {{logstore: raw}}
            logConfig: {{project: etl, logstore: fc-logs}}
            jobConfig: {{triggerInterval: 60, maxRetryTime: 3}}
"""

SPEC = HEADER + textwrap.dedent(
    """
    from pathlib import Path
    from pytest_fctrigger import load_app

    def app(name):
        return load_app(Path(__file__).parent / name)

    def test_spec_with_a_disabled_trigger_is_not_a_loop(fc_invoke, into_source):
        result = fc_invoke(app("off.yaml").function("enrich"), into_source)
        assert result.loop is None and len(result.writes) == 1

    def test_spec_with_a_disabled_trigger_included_on_purpose(fc_invoke, into_source):
        with pytest.raises(SelfTriggerLoop):
            fc_invoke(app("off.yaml").function("enrich"), into_source, include_disabled=True)

    def test_spec_with_the_trigger_enabled_loops(fc_invoke, into_source):
        with pytest.raises(SelfTriggerLoop):
            fc_invoke(app("on.yaml").function("enrich"), into_source)
    """
)


def test_s_yaml_trigger_with_enable_false_fires_no_loop_unless_included(pytester):
    pytester.path.joinpath("off.yaml").write_text(SYAML.format(code=CODE, enable="false"), encoding="utf-8")
    pytester.path.joinpath("on.yaml").write_text(SYAML.format(code=CODE, enable="true"), encoding="utf-8")
    result = _run(pytester, SPEC)
    result.assert_outcomes(passed=3)


@pytest.mark.parametrize("value", ["yes", 1, None])
def test_include_disabled_must_be_a_bool(value):
    with pytest.raises(ConfigError, match=r"Invoker\(include_disabled=...\): must be True or False"):
        Invoker(include_disabled=value)


def test_include_disabled_on_a_call_is_checked(fc_cloud):
    with pytest.raises(ConfigError, match=r"fc_invoke\(\.\.\., include_disabled=\.\.\.\): must be True or False"):
        Invoker(cloud=fc_cloud)(lambda event, context: None, b"", include_disabled="yes")


# --------------------------------------------------------------------------- fc_matrix
MATRIX_YAML = """\
edition: 3.0.0
name: timers
resources:
  jobs:
    component: fc3
    props:
      region: cn-hangzhou
      functionName: jobs
      runtime: python3.10
      handler: index.handler
      triggers:
        - triggerName: live
          triggerType: timer
          triggerConfig: {cronExpression: "0 0 8 * * *", enable: true}
        - triggerName: paused
          triggerType: timer
          triggerConfig: {cronExpression: "0 0 9 * * *", enable: false}
"""


def test_fc_matrix_of_an_s_yaml_skips_a_disabled_trigger_unless_included(pytester):
    # issue 9 "Why": a trigger with enable: false still produced matrix cases
    pytester.path.joinpath("s.yaml").write_text(MATRIX_YAML, encoding="utf-8")
    pytester.makepyfile(
        test_matrix="""
        import pytest

        @pytest.mark.fc_matrix(app="s.yaml", fires=1)
        def test_default(fc_trigger_event):
            pass

        @pytest.mark.fc_matrix(app="s.yaml", fires=1, include_disabled=True)
        def test_on_purpose(fc_trigger_event):
            pass
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-p", "no:randomly", "--collect-only", "-q")
    ids = sorted(line.split("::", 1)[1] for line in result.outlines if "::" in line)
    assert ids == [
        "test_default[live[fire-1]]",
        "test_on_purpose[live[fire-1]]",
        "test_on_purpose[paused[fire-1]]",
    ]
