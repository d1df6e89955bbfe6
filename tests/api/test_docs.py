import re

import pytest

pytestmark = pytest.mark.django_db


def test_openapi_lists_the_endpoints_and_error_bodies(client):
    schema = client.get("/api/v1/openapi.json").json()

    assert {"/api/v1/partners", "/api/v1/partners/{partner_id}", "/api/v1/tiers", "/api/v1/segments"} <= set(
        schema["paths"])
    responses = schema["paths"]["/api/v1/partners/{partner_id}"]["get"]["responses"]
    assert {"200", "404"} <= set(responses)
    schemes = schema["components"]["securitySchemes"]
    assert any(s.get("scheme") == "bearer" for s in schemes.values())


def test_docs_page_loads_nothing_from_outside(client):
    html = client.get("/api/v1/docs").content.decode()

    assert "swagger-ui-bundle.js" in html
    external = re.findall(r"""(?:src|href)=["'](?:https?:)?//[^"']+""", html)
    assert external == []


def test_vendored_swagger_assets_are_served(client):
    response = client.get("/static/ninja/swagger-ui-bundle.js")

    assert response.status_code == 200


def test_healthz_answers_without_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")

    assert response.content == b"ok"
