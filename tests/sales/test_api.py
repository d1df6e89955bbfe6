"""The sales API: registration verdicts, scoping (404 for others), vendor decisions, leads and their routing."""

import pytest

from accord.sales.models import Deal, Lead, LeadOffer
from tests.api.conftest import ApiClient
from tests.sales.factories import ProductFactory, close_date, register

pytestmark = pytest.mark.django_db


def _deal(**overrides) -> dict:
    return {"company_name": "ООО «Ромашка»", "company_country": "RU", "value": "25000", "currency": "EUR",
            "expected_close_date": close_date().isoformat(), **overrides}


def fields_of(response) -> dict:
    return {error["field"]: error["message"] for error in response.json()["errors"]}


def test_partner_registers_and_the_duplicate_names_no_partner(partner_user_a, partner_admin_b):
    product = ProductFactory()
    first = ApiClient(partner_user_a).post("/deals", _deal(product_ids=[product.pk]))
    second = ApiClient(partner_admin_b).post("/deals", _deal(company_name="Romashka LLC"))

    assert first.status_code == 201 and first.json()["verdict"] == "accepted"
    assert first.json()["product_ids"] == [product.pk]
    body = second.json()
    assert body["verdict"] == "duplicate" and body["status"] == "rejected"
    assert body["conflict"]["owner_type"] == "partner" and body["conflict"]["number"] == ""
    assert body["candidates"] is None
    assert "Alpha" not in second.text


def test_bad_deal_names_each_field_and_saves_nothing(partner_user_a):
    response = ApiClient(partner_user_a).post("/deals", _deal(company_name="", expected_close_date="2001-01-01",
                                                               company_country="ZZ", product_ids=[999999]))

    assert response.status_code == 422
    assert "product_ids" in fields_of(response)
    response = ApiClient(partner_user_a).post("/deals", _deal(company_name="", expected_close_date="2001-01-01",
                                                               company_country="ZZ"))
    assert {"company_name", "expected_close_date", "company_country"} <= set(fields_of(response))
    assert not Deal.objects.exists()


def test_other_partners_deal_is_404_and_vendor_sees_candidates(partner_user_a, partner_admin_b, channel_manager):
    deal = register(partner_user_a)
    register(partner_admin_b, company_name="Romashka")

    assert ApiClient(partner_admin_b).get(f"/deals/{deal.pk}").status_code == 404
    assert ApiClient(partner_admin_b).post(f"/deals/{deal.pk}/stage", {"stage": "proposal"}).status_code == 404
    listing = ApiClient(channel_manager).get("/deals").json()
    assert len(listing) == 2 and any(d["candidates"] for d in listing)


def test_vendor_approves_and_partner_closes(partner_user_a, channel_manager):
    deal = register(partner_user_a)

    approved = ApiClient(channel_manager).post(f"/deals/{deal.pk}/approve", {"reason": "ok"})
    won = ApiClient(partner_user_a).post(f"/deals/{deal.pk}/close", {"won": True})
    denied = ApiClient(partner_user_a).post(f"/deals/{deal.pk}/approve", {"reason": "me"})

    assert approved.json()["status"] == "approved" and approved.json()["protected_until"]
    assert won.json()["status"] == "won"
    assert denied.status_code == 404


def test_lead_from_the_api_is_routed_and_explained(channel_manager, partner_admin_a):
    response = ApiClient(channel_manager).post("/leads", {"company_name": "Spree Medizintechnik", "country": "DE",
                                                          "city": "Berlin", "contact_name": "Eva"})

    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "offered" and body["partner_id"] == partner_admin_a.partner_id
    assert body["offers"][0]["explanation"]["candidates"][0]["factors"]["geography"] > 0
    offers = ApiClient(partner_admin_a).get("/lead-offers").json()
    assert offers[0]["contact_name"] == "Eva"


def test_lead_with_unknown_country_is_a_field_error(channel_manager):
    response = ApiClient(channel_manager).post("/leads", {"company_name": "X", "country": "QQ", "contact_name": "Y"})

    assert response.status_code == 422 and "country" in fields_of(response)
    assert not Lead.objects.exists()


def test_partner_declines_and_cannot_touch_leads_endpoints(channel_manager, partner_admin_a, partner_admin_b):
    lead_id = ApiClient(channel_manager).post("/leads", {"company_name": "Spree AG", "country": "DE",
                                                         "city": "Berlin", "contact_name": "Eva"}).json()["id"]
    offer = LeadOffer.objects.get(lead_id=lead_id)

    assert ApiClient(partner_admin_b).post(f"/lead-offers/{offer.pk}/accept").status_code == 404
    assert ApiClient(partner_admin_a).get(f"/leads/{lead_id}").status_code == 404
    declined = ApiClient(partner_admin_a).post(f"/lead-offers/{offer.pk}/decline", {"reason": "Not our field"})
    assert declined.json()["offer"]["status"] == "declined"
    assert declined.json()["contact_name"] is None


def test_settings_patch_validates(channel_manager, partner_admin_a):
    assert ApiClient(channel_manager).patch("/sales/settings", {"weight_tier": 3}).json()["weight_tier"] == 3
    bad = ApiClient(channel_manager).patch("/sales/settings", {"review_threshold": 99})
    assert bad.status_code == 422 and "review_threshold" in fields_of(bad)
    assert ApiClient(partner_admin_a).get("/sales/settings").status_code == 404


def test_deal_list_query_count(partner_user_a, django_assert_max_num_queries):
    for i in range(5):
        register(partner_user_a, company_name=f"Firma{i}q Anlagenbau", company_country="DE")
    client = ApiClient(partner_user_a)

    with django_assert_max_num_queries(8):
        response = client.get("/deals")
    assert len(response.json()) == 5
