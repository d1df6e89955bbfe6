"""Portal and console sales pages: what partners and channel managers see and do."""

import pytest
from django.urls import reverse

from accord.sales.models import Deal, Lead, LeadOffer
from tests.factories import PartnerFactory
from tests.sales.factories import TerritoryFactory, close_date, make_lead, register

pytestmark = pytest.mark.django_db


def test_partner_registers_and_sees_the_verdict_at_once(client, partner_user_a):
    client.force_login(partner_user_a)

    response = client.post(reverse("portal:sales_deal_register"), {
        "company_name": "ООО «Ромашка»", "company_country": "RU", "value": "12000", "currency": "EUR",
        "expected_close_date": close_date().isoformat(), "stage": "qualification"}, follow=True)

    deal = Deal.objects.get()
    assert response.redirect_chain[-1][0] == reverse("portal:sales_deal", kwargs={"deal_id": deal.pk})
    assert "No conflict found" in response.text


def test_duplicate_names_date_and_owner_type_but_never_the_other_partner(client, partner_user_a, partner_admin_b):
    register(partner_user_a, company_name="ООО «Ромашка»")
    client.force_login(partner_admin_b)

    response = client.post(reverse("portal:sales_deal_register"), {
        "company_name": "Romashka LLC", "company_country": "RU", "value": "5000", "currency": "EUR",
        "expected_close_date": close_date().isoformat(), "stage": "qualification"}, follow=True)

    assert "Duplicate" in response.text and "by another partner" in response.text
    assert "Alpha Systems" not in response.text and "Ромашка" not in response.text


def test_bad_registration_shows_the_field_error_and_saves_nothing(client, partner_user_a):
    client.force_login(partner_user_a)

    response = client.post(reverse("portal:sales_deal_register"), {
        "company_name": "", "company_country": "DE", "value": "100", "expected_close_date": "2001-01-01",
        "stage": "qualification"})

    assert response.status_code == 200
    assert "Enter the end customer" in response.text and "cannot be in the past" in response.text
    assert not Deal.objects.exists()


def test_another_partners_deal_is_a_404(client, partner_user_a, partner_admin_b):
    deal = register(partner_user_a)
    client.force_login(partner_admin_b)

    assert client.get(reverse("portal:sales_deal", kwargs={"deal_id": deal.pk})).status_code == 404


def test_partner_appeals_a_rejection_and_the_cam_grants_it(client, partner_user_a, partner_admin_b, channel_manager):
    register(partner_user_a, company_name="Vektor GmbH", company_country="DE")
    rejected = register(partner_admin_b, company_name="VEKTOR", company_country="DE")
    client.force_login(partner_admin_b)
    client.post(reverse("portal:sales_deal", kwargs={"deal_id": rejected.pk}),
                {"action": "appeal", "reason": "Different subsidiary, see tax ID"})
    client.force_login(channel_manager)

    queue = client.get(reverse("console:sales_review"))
    request = rejected.requests.get()
    client.post(reverse("console:sales_request_decide", kwargs={"request_id": request.pk}),
                {"decision": "grant", "reason": "Checked"})

    assert "Different subsidiary" in queue.text
    rejected.refresh_from_db()
    assert rejected.status == Deal.Status.APPROVED


def test_console_deal_page_explains_the_match(client, partner_user_a, partner_admin_b, channel_manager):
    register(partner_user_a, company_name="Lakeside Networks Inc.", company_country="US")
    second = register(partner_admin_b, company_name="Lakesdie Networks", company_country="US")
    client.force_login(channel_manager)

    response = client.get(reverse("console:sales_deal", kwargs={"deal_id": second.pk}))

    assert "Alpha Systems" in response.text  # vendor staff see whose registration it is
    assert "Name sounds alike" in response.text or "Company name" in response.text


def test_partner_accepts_a_lead_from_the_portal(client, channel_manager, partner_admin_a):
    lead = make_lead(channel_manager, city="Berlin")
    offer = lead.offers.get()
    assert offer.partner_id == partner_admin_a.partner_id
    client.force_login(partner_admin_a)

    listing = client.get(reverse("portal:sales_lead_list"))
    client.post(reverse("portal:sales_lead", kwargs={"offer_id": offer.pk}), {"action": "accept"})

    assert lead.company_name in listing.text
    offer.refresh_from_db()
    assert offer.status == LeadOffer.Status.ACCEPTED


def test_lead_page_shows_the_routing_explanation(client, channel_manager, partner_a):
    PartnerFactory(legal_name="Far Away Pty", country="DE", city="München", channel_manager=channel_manager)
    TerritoryFactory(partner=partner_a, country="DE", region="Berlin")
    lead = make_lead(channel_manager, city="Berlin")
    client.force_login(channel_manager)

    response = client.get(reverse("console:sales_lead", kwargs={"lead_id": lead.pk}))

    assert "Far Away Pty" in response.text and "Alpha Systems GmbH" in response.text
    assert "Declared territory" in response.text and "Distance" in response.text


def test_csv_import_page_lists_broken_lines(client, channel_manager):
    client.force_login(channel_manager)
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("leads.csv", b"company_name,country,contact_name\nAcme,QQ,Bob\n", "text/csv")
    response = client.post(reverse("console:sales_lead_import"), {"file": upload})

    assert "Line 2, country" in response.text
    assert not Lead.objects.exists()


def test_public_web_form_creates_a_routed_lead(client, partner_a):
    response = client.post(reverse("portal:sales_contact"), {
        "company_name": "Hanse Logistik GmbH", "country": "DE", "city": "Berlin", "contact_name": "Jan",
        "contact_email": "jan@hanse.example", "website": ""})

    assert response.status_code == 302
    lead = Lead.objects.get()
    assert lead.source == Lead.Source.WEB and lead.partner == partner_a


def test_web_form_bad_country_is_named(client):
    response = client.post(reverse("portal:sales_contact"), {"company_name": "X", "country": "", "contact_name": "Y"})

    assert response.status_code == 200 and "country code" in response.text
    assert not Lead.objects.exists()


def test_settings_page_saves_weights(client, channel_manager):
    client.force_login(channel_manager)
    page = client.get(reverse("console:sales_settings"))
    data = {name: field.initial if field.initial is not None else "" for name, field in
            page.context["form"].fields.items()}
    data.update({k: getattr(page.context["settings"], k) for k in data})
    data["weight_geography"] = 5

    client.post(reverse("console:sales_settings"), data)

    from accord.sales.models import SalesSettings
    assert SalesSettings.current().weight_geography == 5


@pytest.mark.parametrize("name", ["console:sales_review", "console:sales_deal_list", "console:sales_lead_list",
                                  "console:sales_lead_create", "console:sales_lead_import", "console:sales_settings",
                                  "console:sales_deal_register", "console:dashboard"])
def test_console_pages_render(client, channel_manager, name):
    client.force_login(channel_manager)

    assert client.get(reverse(name)).status_code == 200


@pytest.mark.parametrize("name", ["portal:sales_deal_list", "portal:sales_lead_list", "portal:sales_territories",
                                  "portal:sales_deal_register"])
def test_portal_pages_render_and_console_is_hidden(client, partner_user_a, name):
    client.force_login(partner_user_a)

    assert client.get(reverse(name)).status_code == 200
    assert client.get(reverse("console:sales_review")).status_code == 404


def test_deal_list_query_count_does_not_grow(client, partner_user_a, django_assert_max_num_queries):
    for i in range(3):
        register(partner_user_a, company_name=f"Kunde {i} Werkzeugbau", company_country="DE")
    client.force_login(partner_user_a)
    client.get(reverse("portal:sales_deal_list"))
    for i in range(3, 8):
        register(partner_user_a, company_name=f"Firma{i}x Anlagenbau", company_country="DE")

    with django_assert_max_num_queries(12):
        response = client.get(reverse("portal:sales_deal_list"))
    assert response.status_code == 200


def test_console_lead_list_query_count(client, channel_manager, partner_a, django_assert_max_num_queries):
    for i in range(6):
        make_lead(channel_manager, company_name=f"Prospect {i}")
    client.force_login(channel_manager)

    with django_assert_max_num_queries(25):
        response = client.get(reverse("console:sales_lead_list"))
    assert response.status_code == 200


def test_verdict_is_shown_in_the_partners_language(client, partner_user_a, partner_admin_b):
    register(partner_user_a, company_name="ООО «Ромашка»")
    partner_admin_b.language = "ru"
    partner_admin_b.save()
    client.force_login(partner_admin_b)

    response = client.post(reverse("portal:sales_deal_register"), {
        "company_name": "Romashka LLC", "company_country": "RU", "value": "5000", "currency": "EUR",
        "expected_close_date": close_date().isoformat(), "stage": "qualification"}, follow=True)

    assert "Дубликат" in response.text and "другой партнёр" in response.text


def test_cam_sets_capacity_territory_and_certification_on_the_partner_page(client, channel_manager, partner_a):
    from tests.sales.factories import ProductFactory

    product = ProductFactory(name="Edge router 900")
    client.force_login(channel_manager)
    url = reverse("console:sales_partner_routing", kwargs={"partner_id": partner_a.pk})

    client.post(url, {"action": "profile", "capacity": "3", "accepts_leads": "on"})
    client.post(url, {"action": "territory", "country": "PL", "region": "Kraków"})
    client.post(url, {"action": "certification", "product": product.pk, "valid_until": "2030-01-01"})
    page = client.get(reverse("console:partner_detail", kwargs={"partner_id": partner_a.pk}))

    assert partner_a.routing_profile.capacity == 3
    assert "Kraków" in page.text and "Edge router 900" in page.text


def test_partner_admin_declares_a_territory_and_a_user_cannot(client, partner_admin_a, partner_user_a):
    client.force_login(partner_admin_a)
    client.post(reverse("portal:sales_territories"), {"country": "DE", "region": "Hamburg"})
    client.force_login(partner_user_a)
    client.post(reverse("portal:sales_territories"), {"country": "FR", "region": ""})

    assert list(partner_admin_a.partner.territories.values_list("country", "region")) == [("DE", "Hamburg")]
