"""The ``fc_matrix`` ``log`` case with ``fc_cloud.sls``: when the trigger's logstore exists
in the test's simulated SLS, the case's cursors are real cursors of that logstore, so a
``pull_logs`` handler can run the case (it used to get cursors ``fc_cloud.sls`` rejected
with ``InvalidCursor``)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]
pytest.importorskip("aliyun.log")

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "sls-etl"


def test_a_pull_logs_handler_runs_the_log_matrix_case(pytester):
    shutil.copy(EXAMPLE / "s.yaml", pytester.path / "s.yaml")
    shutil.copytree(EXAMPLE / "src", pytester.path / "src")
    pytester.makeini("[pytest]\nfc_app = s.yaml\n")
    pytester.makepyfile(
        test_matrix="""
        import pytest

        @pytest.fixture
        def access_log(fc_cloud):
            store = fc_cloud.sls.logstore("web-logs", "access-log", shards=2)
            store.append(0, [{"status": "200", "path": "/"}, {"status": "503", "path": "/pay"}])
            fc_cloud.sls.logstore("web-logs", "access-errors")
            return store

        @pytest.mark.fc_matrix(app="s.yaml", function="access-etl")
        def test_etl(access_log, fc_trigger_event, fc_invoke, fc_app):
            result = fc_invoke(fc_app.function("access-etl"), fc_trigger_event)
            assert result.return_value == {"pulled": 2, "written": 1}
        """
    )
    result = pytester.runpytest_inprocess("-p", "no:randomly")
    result.assert_outcomes(passed=1)


def test_without_the_logstore_the_case_keeps_its_generated_cursors():
    from pytest_fctrigger.events import decode_sls_cursor
    from pytest_fctrigger.events._random import FCRandom
    from pytest_fctrigger.matrix import cases_for_app
    from pytest_fctrigger.triggers.loader import load_app

    [case] = cases_for_app(load_app(EXAMPLE / "s.yaml", env={}, warn=False), "access-etl")
    source = case.build(FCRandom(3)).data["source"]
    assert decode_sls_cursor(source["endCursor"]) > decode_sls_cursor(source["beginCursor"])
