"""The HTTP function, driven through the HTTP trigger as FC 3.0 delivers requests."""

import pytest


@pytest.fixture
def api(fc_app):
    return fc_app.function("api")


def test_get_with_a_query_parameter(fc_http, api):
    response = fc_http(api, "GET", "/greet", query={"name": "Ada"})

    assert response.status == 200
    assert response.headers["Content-Type"] == "application/json"
    assert response.json() == {"greeting": "hello, Ada"}


def test_post_with_a_json_body(fc_http, api):
    response = fc_http(api, "POST", "/greet", headers={"Content-Type": "application/json"}, body=b'{"name": "Lin"}')

    assert response.json() == {"greeting": "hello, Lin"}


def test_a_missing_name_is_a_400_from_the_function(fc_http, api):
    response = fc_http(api, "GET", "/greet")

    assert response.status == 400
    assert response.json() == {"error": "name is required"}


def test_fc_refuses_a_request_over_its_header_limit(fc_http, api):
    # seeds/001 HTTP trigger: all header keys and values together at most 4 KB
    response = fc_http(api, "GET", "/greet", query={"name": "Ada"}, headers={"X-Big": "x" * 5000})

    assert response.status == 400
    assert response.error_code == "InvalidArgument"
    assert response.invocation is None  # the function never ran


@pytest.mark.fc_matrix(app="../s.yaml", function="api")
def test_every_configured_method_gets_an_answer(fc_trigger_event, fc_matrix_case, fc_invoke):
    result = fc_invoke(fc_matrix_case.function, fc_trigger_event)

    assert fc_matrix_case.id in {"http[GET]", "http[POST]"}  # the methods s.yaml allows
    assert fc_trigger_event.data["requestContext"]["http"]["method"] == fc_matrix_case.label
    # the generated request names nobody, so the function answers 400 for either method
    assert result.json()["statusCode"] == 400
