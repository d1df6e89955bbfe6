"""Garbage in gets a 4xx with the common body naming the field; never a 5xx, never a change."""

import pytest
from django.test import Client
from django.utils import translation

from accord.partners.models import Partner
from tests.api.conftest import fields_of

pytestmark = pytest.mark.django_db

GARBAGE = [
    ("not json", b"{legal_name: nope"),
    ("truncated", b'{"legal_name": "X'),
    ("binary", b"\xff\xfe\x00\x01"),
    ("array", b"[1, 2, 3]"),
    ("string", b'"hello"'),
    ("number", b"42"),
    ("null", b"null"),
    ("empty object", b"{}"),
    ("wrong types", b'{"legal_name": 12, "country": ["PL"], "employees": "many", "industries": "retail"}'),
    ("unknown field", b'{"legal_name": "X GmbH", "country": "DE", "colour": "red"}'),
    ("deep nesting", b'{"legal_name": ' + b"[" * 500 + b"]" * 500 + b"}"),
    ("huge string", b'{"legal_name": "' + b"x" * 5000 + b'", "country": "DE"}'),
    ("negative", b'{"legal_name": "X", "country": "DE", "employees": -5, "latitude": 1000}'),
    ("bad date", b'{"legal_name": "X", "country": "DE", "joined_on": "yesterday"}'),
    ("bad enum", b'{"legal_name": "X", "country": "DE", "status": "sleeping", "size": "huge"}'),
]


@pytest.mark.parametrize(("label", "raw"), GARBAGE, ids=[g[0] for g in GARBAGE])
def test_garbage_on_create_is_a_4xx_with_the_common_body(api_as, vendor_admin, label, raw):
    response = api_as(vendor_admin).post("/partners", raw=raw)

    assert 400 <= response.status_code < 500
    body = response.json()
    assert set(body) == {"detail", "errors"}
    assert isinstance(body["detail"], str) and body["detail"]
    assert all(set(error) == {"field", "message"} for error in body["errors"])
    assert not Partner.objects.exists()


@pytest.mark.parametrize(("label", "raw"), GARBAGE, ids=[g[0] for g in GARBAGE])
def test_garbage_on_update_changes_nothing(api_as, vendor_admin, partner_a, label, raw):
    response = api_as(vendor_admin).patch(f"/partners/{partner_a.pk}", raw=raw)

    assert 400 <= response.status_code < 500 or (label == "empty object" and response.status_code == 200)
    partner_a.refresh_from_db()
    assert partner_a.legal_name == "Alpha Systems GmbH"


def test_malformed_json_says_so(api_as, vendor_admin):
    response = api_as(vendor_admin).post("/partners", raw=b"{oops")

    assert response.status_code == 400
    assert response.json() == {"detail": "The request body is not valid JSON.", "errors": []}


def test_wrong_types_and_unknown_fields_name_each_field(api_as, vendor_admin):
    response = api_as(vendor_admin).post("/partners", raw=b'{"legal_name": "X", "country": "DE", '
                                                          b'"employees": "many", "colour": "red"}')

    assert response.status_code == 422
    assert fields_of(response) == {"employees": "Enter a whole number.", "colour": "Unknown field."}


def test_missing_required_fields_are_named(api_as, vendor_admin):
    response = api_as(vendor_admin).post("/partners", {})

    assert fields_of(response) == {"legal_name": "This field is required.", "country": "This field is required."}


def test_bad_path_id_is_a_field_error_not_a_crash(api_as, vendor_admin):
    response = api_as(vendor_admin).get("/partners/abc")

    assert response.status_code in {404, 422}
    assert set(response.json()) == {"detail", "errors"}


def test_no_credentials_is_401(client):
    response = client.get("/api/v1/partners")

    assert response.status_code == 401
    assert response.json()["detail"].startswith("Authentication required")
    assert response.json()["errors"] == []


def test_wrong_method_is_405_with_the_common_body(api_as, vendor_admin):
    response = api_as(vendor_admin).delete("/partners")

    assert response.status_code == 405
    assert "GET" in response["Allow"] and "POST" in response["Allow"]
    assert set(response.json()) == {"detail", "errors"}


def test_unknown_endpoint_is_404_json(api_as, vendor_admin):
    response = api_as(vendor_admin).get("/no-such-thing")

    assert response.status_code == 404
    assert response.json()["detail"].startswith("There is no such API endpoint")


def test_errors_speak_the_users_language(api_as, vendor_admin):
    client = api_as(vendor_admin)

    with translation.override("pl"):
        response = client.client.post("/api/v1/partners", '{"colour": "red"}', content_type="application/json",
                                      headers={**client.headers, "Accept-Language": "pl"})

    assert response.status_code == 422
    assert response.json()["detail"] == "Żądanie zawiera nieprawidłowe pola."
    assert fields_of(response) == {"legal_name": "To pole jest wymagane.", "country": "To pole jest wymagane.",
                                   "colour": "Nieznane pole."}


def test_unauthenticated_in_russian(client):
    response = client.get("/api/v1/partners", headers={"Accept-Language": "ru"})

    assert response.json()["detail"].startswith("Требуется аутентификация")


def test_session_user_needs_csrf_for_unsafe_methods(partner_admin_a):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(partner_admin_a)
    url = f"/api/v1/partners/{partner_admin_a.partner_id}"

    assert browser.get(url).status_code == 200
    refused = browser.patch(url, '{"trading_name": "Alpha"}', content_type="application/json")
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"]

    browser.get("/api/v1/docs")  # sets the csrftoken cookie
    token = browser.cookies["csrftoken"].value
    accepted = browser.patch(url, '{"trading_name": "Alpha"}', content_type="application/json",
                             headers={"X-CSRFToken": token})
    assert accepted.status_code == 200
