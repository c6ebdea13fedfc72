"""The types users annotate fixtures and values with are exported from the package
(pytest-httpx style: ``def test_x(fc_invoke: Invoker, fc_cloud: Cloud)``)."""

from __future__ import annotations

import pytest

import pytest_fctrigger

FIXTURE_TYPES = {
    "fc_invoke": "Invoker",
    "fc_http": "HttpDriver",
    "fc_cloud": "Cloud",
    "fc_context": "FCContext",
    "fc_random": "FCRandom",
    "fc_settings": "FCSettings",
}
VALUE_TYPES = (
    "InvokeResult",
    "HttpResponse",
    "MatrixCase",
    "FCEvent",
    "FCContext312",
    "App",
    "FunctionSpec",
    "TriggerSpec",
    "Write",
    "OssService",
    "Bucket",
    "MnsService",
    "TablestoreService",
    "SlsService",
)


@pytest.mark.parametrize("name", sorted(set(FIXTURE_TYPES.values()) | set(VALUE_TYPES)))
def test_each_type_is_exported_as_a_class(name):
    assert name in pytest_fctrigger.__all__
    value = getattr(pytest_fctrigger, name)
    assert isinstance(value, type), name
    assert value.__name__ == name


def test_type_checking_imports_match_the_lazy_table():
    # the TYPE_CHECKING block is what editors and mypy see: it must name every lazy export
    # with the same origin, or an annotation would resolve to another object than at run time
    import ast
    import inspect

    tree = ast.parse(inspect.getsource(pytest_fctrigger))
    seen = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and getattr(node.test, "id", None) == "TYPE_CHECKING":
            for stmt in node.body:
                assert isinstance(stmt, ast.ImportFrom)
                seen.update({alias.name: stmt.module for alias in stmt.names})
    assert seen == pytest_fctrigger._LAZY


def test_fixtures_return_the_exported_types(pytester):
    annotations = ", ".join(f"{fixture}: {cls}" for fixture, cls in FIXTURE_TYPES.items())
    checks = "".join(f"    assert isinstance({f}, {c}), type({f})\n" for f, c in FIXTURE_TYPES.items())
    pytester.makepyfile(
        "from __future__ import annotations\n"
        "import typing\n"
        "import pytest\n"
        "from pytest_fctrigger import (\n"
        "    Bucket, Cloud, FCContext, FCEvent, FCRandom, FCSettings, HttpDriver, Invoker, InvokeResult,\n"
        "    MatrixCase, OssService,\n"
        ")\n"
        "\n"
        "def handler(event, context):\n"
        "    return 'ok'\n"
        "\n"
        f"def test_fixtures({annotations}):\n"
        f"{checks}"
        "    assert isinstance(fc_invoke(handler, b'{}'), InvokeResult)\n"
        "    bucket = fc_cloud.oss.bucket('types-demo')\n"
        "    assert isinstance(fc_cloud.oss, OssService) and isinstance(bucket, Bucket)\n"
        "    # the annotations resolve to the same classes (as editors and type checkers see them)\n"
        "    hints = typing.get_type_hints(test_fixtures)\n"
        "    assert hints['fc_invoke'] is Invoker and hints['fc_cloud'] is Cloud\n"
        "\n"
        "@pytest.mark.fc_matrix('timer')\n"
        "def test_matrix(fc_matrix_case: MatrixCase, fc_trigger_event: FCEvent):\n"
        "    assert isinstance(fc_matrix_case, MatrixCase)\n"
        "    assert isinstance(fc_trigger_event, FCEvent)\n"
    )
    result = pytester.runpytest_inprocess("-q", "-p", "no:randomly")
    result.assert_outcomes(passed=2)
