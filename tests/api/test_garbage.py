"""Every API route, every method, fed garbage: a 4xx with the common error body, never a 5xx."""

import json
import re

import pytest
from django.test import Client

from accord.api.urls import api
from accord.partners.roles import Role
from tests.factories import PartnerAdminFactory, UserFactory

SCHEMA = api.get_openapi_schema(path_prefix="/api/v1/")
ROUTES = [(path, method) for path, operations in SCHEMA["paths"].items() for method in operations
          if method in {"get", "post", "put", "patch", "delete"}]
BODIES = [b"{oops", b"[]", b'"text"', b"null", b"{}", b'{"unknown_field": 1}',
          json.dumps({"a": "x" * 20000}).encode(), b"\xff\xfe"]
PATH_VALUES = ["abc", "999999999", "-1", "1.5", "9" * 30]


def _path(path: str, value: str) -> str:
    return re.sub(r"{\w+}", value, path)


def _query_garbage(path: str, method: str) -> dict:
    names = [p["name"] for p in SCHEMA["paths"][path][method].get("parameters", ()) if p.get("in") == "query"]
    return dict.fromkeys(names, "¿abc?")


def _assert_clean_4xx(response, what: str) -> None:
    assert response.status_code < 500, f"{what} answered {response.status_code}"
    if response.status_code >= 400:
        body = response.json()
        assert set(body) == {"detail", "errors"}, f"{what}: {body}"


@pytest.mark.django_db
@pytest.mark.parametrize(("path", "method"), ROUTES, ids=[f"{m.upper()} {p}" for p, m in ROUTES])
@pytest.mark.parametrize("who", ["vendor_admin", "partner_admin", "anonymous"])
def test_garbage_never_causes_a_server_error(path, method, who):
    client = Client()
    if who == "vendor_admin":
        client.force_login(UserFactory(roles=[Role.VENDOR_ADMIN], is_staff=True))
    elif who == "partner_admin":
        client.force_login(PartnerAdminFactory())
    for value in PATH_VALUES:
        url = _path(path, value)
        if method == "get":
            _assert_clean_4xx(client.get(url, _query_garbage(path, method)), f"GET {url} with garbage query")
            continue
        for body in BODIES:
            response = client.generic(method.upper(), url, body, content_type="application/json")
            _assert_clean_4xx(response, f"{method.upper()} {url} with body {body[:30]!r}")
