"""A handler's error appears once in a failing test's report (FC's log line on stdout),
not a second time as a captured log record."""

from __future__ import annotations

pytest_plugins = ["pytester"]


def test_a_handler_error_is_reported_once(pytester):
    pytester.makepyfile(index="def handler(event, context):\n    raise ValueError('payment declined')\n")
    pytester.makepyfile(
        test_pay="""
        def test_pay(fc_invoke):
            fc_invoke("index.handler", b"{}")
        """
    )
    result = pytester.runpytest_inprocess("-p", "no:randomly")
    result.assert_outcomes(failed=1)
    text = result.stdout.str()
    assert text.count('"errorMessage": "payment declined"') == 1
