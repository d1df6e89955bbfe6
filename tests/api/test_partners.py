import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accord.partners.models import Partner
from accord.partners.roles import Role
from accord.partners.services import segment_save
from tests.api.conftest import fields_of
from tests.factories import (
    IndustryFactory,
    PartnerAdminFactory,
    PartnerFactory,
    SpecialisationFactory,
    TierFactory,
    UserFactory,
    VendorUserFactory,
)

pytestmark = pytest.mark.django_db


def test_vendor_sees_every_partner_with_count_and_page(api_as, vendor_admin, partner_a, partner_b):
    PartnerFactory.create_batch(3)

    response = api_as(vendor_admin).get("/partners", limit=2, offset=1)

    assert response.status_code == 200
    page = response.json()
    assert page["count"] == 5
    assert (page["limit"], page["offset"]) == (2, 1)
    assert len(page["items"]) == 2


def test_partner_user_lists_only_its_own_partner(api_as, partner_user_a, partner_b):
    page = api_as(partner_user_a).get("/partners").json()

    assert [p["legal_name"] for p in page["items"]] == ["Alpha Systems GmbH"]
    assert page["count"] == 1


def test_partner_of_another_partner_is_404_not_403(api_as, partner_admin_a, partner_b):
    response = api_as(partner_admin_a).get(f"/partners/{partner_b.pk}")

    assert response.status_code == 404
    assert response.json() == {"detail": "Not found.", "errors": []}


def test_filters_search_country_tier_status_segment(api_as, vendor_admin):
    gold = TierFactory(code="gold", name="Gold", rank=20)
    warsaw = PartnerFactory(legal_name="Wisła Integracje Sp. z o.o.", country="PL", tier=gold)
    PartnerFactory(legal_name="Wisła Logistics GmbH", country="DE", status=Partner.Status.CHURNED)
    PartnerFactory(legal_name="Nordwind GmbH", country="DE")
    poland = segment_save(actor=vendor_admin, name="Poland", rule={"field": "country", "op": "eq", "value": "PL"})
    client = api_as(vendor_admin)

    def names(**params):
        return [p["legal_name"] for p in client.get("/partners", **params).json()["items"]]

    assert names(search="wisła") == ["Wisła Integracje Sp. z o.o.", "Wisła Logistics GmbH"]
    assert names(country="pl") == [warsaw.legal_name]
    assert names(tier="gold") == [warsaw.legal_name]
    assert names(status="churned") == ["Wisła Logistics GmbH"]
    assert names(segment_id=poland.pk) == [warsaw.legal_name]
    assert names(ordering="-legal_name")[0] == "Wisła Logistics GmbH"


def test_bad_filter_values_are_field_errors(api_as, vendor_admin):
    response = api_as(vendor_admin).get("/partners", status="sleeping", ordering="colour", limit=5000)

    assert response.status_code == 422
    assert set(fields_of(response)) == {"status", "ordering", "limit"}
    assert "200" in fields_of(response)["limit"]


def test_list_query_count_does_not_grow_with_partners(api_as, vendor_admin, django_assert_max_num_queries):
    retail = IndustryFactory(code="retail")
    for partner in PartnerFactory.create_batch(20):
        partner.industries.add(retail)
    client = api_as(vendor_admin)

    # token lookup, last-used stamp, roles, count, page, industries, specialisations
    with django_assert_max_num_queries(7):
        page = client.get("/partners", limit=20).json()

    assert len(page["items"]) == 20
    assert page["items"][0]["industries"] == ["retail"]


def test_list_items_are_exactly_what_the_detail_endpoint_answers(api_as, vendor_admin, partner_a):
    # given partners with every optional field set or empty, codes out of alphabetical order, and a manager
    # whose name is empty (the e-mail address stands in for it)
    unnamed = VendorUserFactory(email="unnamed@example.com", first_name="", last_name="")
    full = PartnerFactory(legal_name="Gamma AG", channel_manager=unnamed, latitude=52.52, longitude=13.405,
                          employees=40, annual_revenue=Decimal("1250000.50"), joined_on=datetime.date(2024, 3, 1),
                          size=Partner.Size.MEDIUM, kind=Partner.Kind.INTEGRATOR)
    full.industries.add(IndustryFactory(code="retail"), IndustryFactory(code="banking"))
    full.specialisations.add(SpecialisationFactory(code="security"), SpecialisationFactory(code="cloud"))
    PartnerFactory(legal_name="Delta GmbH", tier=None, channel_manager=None)
    client = api_as(vendor_admin)

    # when the list is read
    items = client.get("/partners").json()["items"]

    # then each item is byte for byte the partner's detail (which ninja validates against PartnerOut)
    assert [item["legal_name"] for item in items] == ["Alpha Systems GmbH", "Delta GmbH", "Gamma AG"]
    for item in items:
        assert item == client.get(f"/partners/{item['id']}").json()
    assert items[2]["industries"] == ["banking", "retail"]
    assert items[2]["channel_manager"]["name"] == "unnamed@example.com"
    assert (items[1]["tier"], items[1]["channel_manager"]) == (None, None)


def test_a_page_that_ends_the_list_needs_no_count_query(api_as, vendor_admin):
    PartnerFactory.create_batch(5)
    client = api_as(vendor_admin)

    def page_and_counts(**params):
        with CaptureQueriesContext(connection) as queries:
            page = client.get("/partners", **params).json()
        return page, sum(query["sql"].startswith("SELECT COUNT(*)") and "partners_partner" in query["sql"]
                         for query in queries.captured_queries)

    # a short last page shows where the list ends
    page, counts = page_and_counts(limit=3, offset=3)
    assert (page["count"], len(page["items"]), counts) == (5, 2, 0)
    # a full page or one past the end does not: those are counted
    page, counts = page_and_counts(limit=5)
    assert (page["count"], len(page["items"]), counts) == (5, 5, 1)
    page, counts = page_and_counts(limit=5, offset=10)
    assert (page["count"], page["items"], counts) == (5, [], 1)
    page, counts = page_and_counts(country="XX")
    assert (page["count"], page["items"], counts) == (0, [], 0)


def test_channel_manager_creates_partner_through_the_service(api_as, channel_manager):
    IndustryFactory(code="retail")
    TierFactory(code="gold", name="Gold", rank=20)

    response = api_as(channel_manager).post("/partners", {
        "legal_name": "Wisła Integracje Sp. z o.o.", "country": "pl", "tax_id": "526-025-02-74",
        "phone": "22 555 12 34", "web_domain": "https://www.wisla.pl/", "tier": "gold",
        "industries": ["retail"], "channel_manager_id": channel_manager.pk,
    })

    assert response.status_code == 201, response.json()
    partner = response.json()
    assert (partner["country"], partner["tax_id"], partner["phone"]) == ("PL", "5260250274", "+48225551234")
    assert (partner["web_domain"], partner["tier"], partner["industries"]) == ("wisla.pl", "gold", ["retail"])
    assert partner["channel_manager"]["email"] == "cam@example.com"
    assert (partner["time_zone"], partner["currency"]) == ("Europe/Warsaw", "PLN")


def test_invalid_partner_names_every_bad_field_and_saves_nothing(api_as, vendor_admin):
    response = api_as(vendor_admin).post("/partners", {
        "legal_name": "Broken LLC", "country": "PL", "tax_id": "1234567890", "phone": "12",
        "web_domain": "not a domain", "tier": "diamond", "industries": ["space-travel"],
    })

    assert response.status_code == 422
    errors = fields_of(response)
    assert set(errors) == {"tax_id", "phone", "web_domain", "tier", "industries"}
    assert "1234567890" in errors["tax_id"]
    assert not Partner.objects.filter(legal_name="Broken LLC").exists()


def test_unknown_country_is_a_field_error(api_as, vendor_admin):
    response = api_as(vendor_admin).post("/partners", {"legal_name": "Nowhere Ltd", "country": "XX"})

    assert response.status_code == 422
    assert "XX" in fields_of(response)["country"]


@pytest.mark.parametrize("role", [Role.FINANCE_APPROVER, Role.SUPPORT_AGENT])
def test_read_only_vendor_roles_cannot_create(api_as, role):
    response = api_as(UserFactory(roles=[role])).post("/partners", {"legal_name": "X GmbH", "country": "DE"})

    assert response.status_code == 403
    assert response.json()["detail"] == "You do not have permission to do this."


def test_partner_admin_edits_own_profile(api_as, partner_admin_a):
    response = api_as(partner_admin_a).patch(f"/partners/{partner_admin_a.partner_id}",
                                             {"trading_name": "Alpha", "phone": "+49 30 901820"})

    assert response.status_code == 200, response.json()
    partner_admin_a.partner.refresh_from_db()
    assert (partner_admin_a.partner.trading_name, partner_admin_a.partner.phone) == ("Alpha", "+4930901820")


def test_partner_admin_cannot_change_program_fields(api_as, partner_admin_a):
    response = api_as(partner_admin_a).patch(f"/partners/{partner_admin_a.partner_id}",
                                             {"status": "active", "tier": None, "city": "Köln"})

    assert response.status_code == 422
    assert set(fields_of(response)) == {"status", "tier"}
    partner_admin_a.partner.refresh_from_db()
    assert partner_admin_a.partner.city == "Berlin"


def test_partner_admin_cannot_touch_another_partner(api_as, partner_admin_a, partner_b):
    response = api_as(partner_admin_a).patch(f"/partners/{partner_b.pk}", {"trading_name": "Hacked"})

    assert response.status_code == 404
    partner_b.refresh_from_db()
    assert partner_b.trading_name == ""


def test_partner_user_may_read_but_not_edit_own_partner(api_as, partner_user_a):
    client = api_as(partner_user_a)

    assert client.get(f"/partners/{partner_user_a.partner_id}").status_code == 200
    assert client.patch(f"/partners/{partner_user_a.partner_id}", {"city": "Bonn"}).status_code == 403


def test_vendor_changes_tier_and_status(api_as, channel_manager, partner_a):
    TierFactory(code="platinum", name="Platinum", rank=30)

    response = api_as(channel_manager).patch(f"/partners/{partner_a.pk}",
                                             {"tier": "platinum", "status": "suspended"})

    assert response.status_code == 200
    partner_a.refresh_from_db()
    assert (partner_a.tier.code, partner_a.status) == ("platinum", "suspended")


def test_patch_null_on_required_field_is_an_error(api_as, vendor_admin, partner_a):
    response = api_as(vendor_admin).patch(f"/partners/{partner_a.pk}", {"legal_name": None})

    assert response.status_code == 422
    assert "legal_name" in fields_of(response)


def test_tiers_are_readable_by_partner_users(api_as, partner_user_a):
    TierFactory(code="gold", name="Gold", rank=20)

    tiers = api_as(partner_user_a).get("/tiers").json()

    assert [t["code"] for t in tiers] == ["silver", "gold"]


def test_tier_detail_and_missing_tier(api_as, partner_user_a):
    client = api_as(partner_user_a)
    tier = partner_user_a.partner.tier

    assert client.get(f"/tiers/{tier.pk}").json()["name"] == "Silver"
    assert client.get("/tiers/999999").status_code == 404


def test_segments_with_member_counts_for_vendor_staff(api_as, vendor_admin, partner_a, partner_b):
    segment = segment_save(actor=vendor_admin, name="Poland", rule={"field": "country", "op": "eq", "value": "PL"})
    client = api_as(vendor_admin)

    assert client.get("/segments").json()[0]["member_count"] == 1
    assert client.get(f"/segments/{segment.pk}").json()["name"] == "Poland"
    assert client.get("/segments/999999").status_code == 404


def test_segments_are_not_for_partner_users(api_as, partner_admin_a):
    response = api_as(partner_admin_a).get("/segments")

    assert response.status_code == 403


def test_another_partners_admin_token_is_scoped_like_its_user(api_as, partner_a):
    other_admin = PartnerAdminFactory()

    page = api_as(other_admin).get("/partners").json()

    assert [p["id"] for p in page["items"]] == [other_admin.partner_id]
