"""Log markers and captured output (the runtime's FC Invoke Start/End RequestId lines)."""

import logging
import re
import sys

from pytest_fctrigger.invoke import Invoker

LOG_LINE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (\S+) \[(\w+)\] (.*)$")


def chatty(event, context):
    print("to stdout")
    sys.stderr.write("to stderr\n")
    logging.getLogger("app").info("an info record")
    logging.getLogger().debug("below the runtime's INFO level")
    context.getLogger().warning("a warning")
    return "done"


def test_markers_wrap_the_handler_output():
    result = Invoker(rng=1)(chatty, b"")
    lines = result.logs.splitlines()
    rid = result.request_id
    assert lines[0] == f"FC Invoke Start RequestId: {rid}"
    assert lines[-1] == f"FC Invoke End RequestId: {rid}"
    assert lines[1:3] == ["to stdout", "to stderr"]
    records = [LOG_LINE.match(line).groups() for line in lines[3:-1]]
    assert records == [(rid, "INFO", "an info record"), (rid, "WARNING", "a warning")]
    assert "below the runtime's INFO level" not in result.logs


def test_each_call_has_its_own_logs_and_request_id():
    invoker = Invoker(rng=1)
    a, b = invoker(chatty, b""), invoker(chatty, b"")
    assert a.request_id != b.request_id
    assert b.request_id in b.logs and a.request_id not in b.logs


def test_root_logger_and_streams_are_restored():
    root = logging.getLogger()
    level, handlers, out, err = root.level, list(root.handlers), sys.stdout, sys.stderr
    Invoker(rng=1)(chatty, b"")
    assert (root.level, root.handlers, sys.stdout, sys.stderr) == (level, handlers, out, err)


def test_concurrent_instance_logger_writes_with_the_request_id():
    def handler(event, context):
        context.logger.info("from the request logger")

    result = Invoker(rng=1, context_defaults={"instance_concurrency": 10})(handler, b"")
    line = next(line for line in result.logs.splitlines() if "from the request logger" in line)
    assert LOG_LINE.match(line).groups() == (result.request_id, "INFO", "from the request logger")


def test_pytest_capture_sees_the_handler_output(pytester):
    pytester.makepyfile(
        """
        def handler(event, context):
            print("visible to pytest")
            return "ok"

        def test_it(fc_invoke):
            result = fc_invoke(handler, b"")
            assert "visible to pytest" in result.logs
            assert False, "show the captured output"
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        ["*Captured stdout call*", "FC Invoke Start RequestId: *", "visible to pytest", "FC Invoke End RequestId: *"]
    )
