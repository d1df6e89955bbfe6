import pytest
from django.urls import reverse

from accord.partners.services import segment_save
from tests.factories import PartnerFactory, TierFactory, VendorUserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client, channel_manager):
    client.force_login(channel_manager)
    return client


def _names(response):
    return [p["legal_name"] for p in response.context["page"].object_list]


@pytest.mark.parametrize("query", ["Wisła", "wisla-integracje", "5260250274", "Kraków"])
def test_search_finds_by_name_domain_tax_id_and_city(signed_in, query):
    PartnerFactory(legal_name="Wisła Integracje Sp. z o.o.", country="PL", city="Kraków",
                   web_domain="wisla-integracje.pl", tax_id="5260250274")
    PartnerFactory(legal_name="Nordwind GmbH", city="Hamburg")

    response = signed_in.get(reverse("console:partner_list"), {"q": query})

    assert _names(response) == ["Wisła Integracje Sp. z o.o."]


def test_filters_combine(signed_in, vendor_admin):
    gold = TierFactory(code="gold", name="Gold", rank=20)
    other_cam = VendorUserFactory()
    PartnerFactory(legal_name="Match", country="PL", tier=gold, status="suspended", channel_manager=other_cam)
    PartnerFactory(legal_name="Wrong tier", country="PL", status="suspended", channel_manager=other_cam)
    PartnerFactory(legal_name="Wrong status", country="PL", tier=gold, channel_manager=other_cam)
    PartnerFactory(legal_name="Wrong country", country="DE", tier=gold, status="suspended",
                   channel_manager=other_cam)
    PartnerFactory(legal_name="Wrong CAM", country="PL", tier=gold, status="suspended")

    response = signed_in.get(reverse("console:partner_list"), {
        "tier": "gold", "country": "PL", "status": "suspended", "channel_manager": other_cam.pk})

    assert _names(response) == ["Match"]


def test_segment_filter(signed_in, vendor_admin):
    PartnerFactory(legal_name="Polish", country="PL")
    PartnerFactory(legal_name="German", country="DE")
    segment = segment_save(actor=vendor_admin, name="Poland", rule={"field": "country", "op": "eq", "value": "PL"})

    assert _names(signed_in.get(reverse("console:partner_list"), {"segment": segment.pk})) == ["Polish"]


def test_unknown_filter_values_are_ignored_not_an_error(signed_in, partner_a):
    response = signed_in.get(reverse("console:partner_list"), {"tier": "diamond", "segment": "x", "sort": "evil"})

    assert response.status_code == 200
    assert _names(response) == [partner_a.legal_name]


def test_sorting_by_column_and_direction(signed_in):
    PartnerFactory(legal_name="Alpha", city="Zabrze")
    PartnerFactory(legal_name="Beta", city="Aachen")

    assert _names(signed_in.get(reverse("console:partner_list"), {"sort": "city"})) == ["Beta", "Alpha"]
    assert _names(signed_in.get(reverse("console:partner_list"), {"sort": "-city"})) == ["Alpha", "Beta"]
    assert _names(signed_in.get(reverse("console:partner_list"), {"sort": "-name"})) == ["Beta", "Alpha"]


def test_pages_of_25(signed_in):
    PartnerFactory.create_batch(30)

    first = signed_in.get(reverse("console:partner_list"))
    second = signed_in.get(reverse("console:partner_list"), {"page": 2})

    assert len(first.context["page"].object_list) == 25
    assert len(second.context["page"].object_list) == 5
    assert "Page 1 of 2" in first.content.decode()


def test_htmx_gets_only_the_results(signed_in, partner_a):
    response = signed_in.get(reverse("console:partner_list"), {"q": "Alpha"}, headers={"HX-Request": "true"})

    body = response.content.decode()
    assert body.lstrip().startswith('<div id="results">')
    assert "Alpha Systems GmbH" in body
    assert "<html" not in body


def test_query_count_does_not_grow_with_rows(signed_in, django_assert_max_num_queries, channel_manager):
    PartnerFactory.create_batch(3, channel_manager=channel_manager)
    with django_assert_max_num_queries(50) as few:
        signed_in.get(reverse("console:partner_list"))
    PartnerFactory.create_batch(22, channel_manager=channel_manager)

    with django_assert_max_num_queries(len(few.captured_queries)):
        response = signed_in.get(reverse("console:partner_list"))

    assert len(response.context["page"].object_list) == 25
