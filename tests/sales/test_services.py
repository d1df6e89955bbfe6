"""Deal registration verdicts, the approval workflow, and lead routing with deadlines and re-routing."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone

from accord.automation.models import Event
from accord.sales import services
from accord.sales.models import Deal, DealRequest, Lead, LeadOffer, MatchKey, SalesSettings
from tests.factories import PartnerAdminFactory, PartnerFactory, PartnerUserFactory
from tests.sales.factories import (
    ProductFactory,
    RoutingProfileFactory,
    TerritoryFactory,
    close_date,
    make_lead,
    register,
)

pytestmark = pytest.mark.django_db


def test_first_registration_is_accepted_and_waits_for_approval(partner_user_a):
    deal = register(partner_user_a, company_name="ООО «Ромашка»", company_domain="romashka.ru")

    assert deal.status == Deal.Status.SUBMITTED and deal.verdict == Deal.Verdict.ACCEPTED
    assert deal.number.startswith("D-")
    assert MatchKey.objects.filter(deal=deal).exists()
    assert Event.objects.filter(type="deal.registered", subject_id=deal.pk).exists()


def test_same_customer_in_another_script_is_rejected_as_duplicate(partner_user_a, partner_admin_b):
    first = register(partner_user_a, company_name="ООО «Ромашка»")

    second = register(partner_admin_b, company_name="Romashka LLC")

    assert second.status == Deal.Status.REJECTED and second.verdict == Deal.Verdict.DUPLICATE
    assert second.conflict_with_id == first.pk
    assert second.conflicts[0]["reasons"]
    assert not MatchKey.objects.filter(deal=second).exists()
    assert Event.objects.filter(type="deal.rejected", subject_id=second.pk).exists()


def test_uncertain_match_goes_to_review(partner_user_a, partner_admin_b):
    # Same customer, but no product in common: perhaps another project, a person decides.
    register(partner_user_a, company_name="Vektor AG", company_country="DE", products=[ProductFactory()])

    deal = register(partner_admin_b, company_name="VEKTOR", company_country="DE", products=[ProductFactory()])

    assert deal.status == Deal.Status.REVIEW and deal.verdict == Deal.Verdict.REVIEW
    assert "products" in [r["field"] for r in deal.conflicts[0]["reasons"]]


def test_closed_deals_do_not_block_new_registrations(partner_user_a, partner_admin_b, channel_manager):
    first = register(partner_user_a, company_name="Vektor AG", company_country="DE")
    services.deal_approve(actor=channel_manager, deal=first)
    services.deal_close(actor=partner_user_a, deal=first, won=False, reason="budget cut")

    again = register(partner_admin_b, company_name="Vektor AG", company_country="DE")

    assert again.status == Deal.Status.SUBMITTED


def test_vendor_direct_opportunity_is_approved_at_once(channel_manager):
    deal = register(channel_manager, company_name="Zenit Bank")

    assert deal.partner is None and deal.status == Deal.Status.APPROVED
    assert deal.protected_until == timezone.localdate() + datetime.timedelta(days=90)


@pytest.mark.parametrize(("fields", "field"), [
    ({"company_name": "  "}, "company_name"),
    ({"expected_close_date": datetime.date(2001, 1, 1)}, "expected_close_date"),
    ({"expected_close_date": datetime.date(2200, 1, 1)}, "expected_close_date"),
    ({"company_country": "XX"}, "company_country"),
    ({"value": "-5"}, "value"),
    ({"company_domain": "not a domain"}, "company_domain"),
])
def test_bad_registration_names_the_field_and_saves_nothing(partner_user_a, fields, field):
    with pytest.raises(ValidationError) as error:
        register(partner_user_a, **fields)

    assert field in error.value.message_dict
    assert not Deal.objects.exists()


def test_approval_reject_appeal_and_extension(partner_user_a, partner_admin_b, channel_manager):
    register(partner_user_a, company_name="Orbita Systems", company_country="PL")
    rejected = register(partner_admin_b, company_name="ORBITA SYSTEMS SP. Z O.O.", company_country="PL")

    appeal = services.deal_appeal(actor=partner_admin_b, deal=rejected, reason="We met them first, in March.")
    with pytest.raises(ValidationError):
        services.deal_appeal(actor=partner_admin_b, deal=rejected, reason="again")
    services.deal_request_decide(actor=channel_manager, request=appeal, grant=True, reason="Confirmed by customer")
    rejected.refresh_from_db()
    assert rejected.status == Deal.Status.APPROVED and rejected.protected_until

    extension = services.deal_request_extension(actor=partner_admin_b, deal=rejected, days=30, reason="Tender delayed")
    before = rejected.protected_until
    services.deal_request_decide(actor=channel_manager, request=extension, grant=True)
    rejected.refresh_from_db()
    assert rejected.protected_until == before + datetime.timedelta(days=30)
    assert DealRequest.objects.filter(status=DealRequest.Status.GRANTED).count() == 2


def test_another_partner_cannot_touch_a_deal(partner_user_a, partner_admin_b):
    deal = register(partner_user_a)

    with pytest.raises(Http404):
        services.deal_update_stage(actor=partner_admin_b, deal=deal, stage=Deal.Stage.PROPOSAL)


def test_protection_expires_and_warns_once(partner_user_a, channel_manager):
    deal = services.deal_approve(actor=channel_manager, deal=register(partner_user_a))
    soon = deal.protected_until - datetime.timedelta(days=3)

    assert services.deals_expire(today=soon) == {"expired": 0, "expiring": 1}
    assert services.deals_expire(today=soon) == {"expired": 0, "expiring": 0}
    assert services.deals_expire(today=deal.protected_until + datetime.timedelta(days=1))["expired"] == 1
    deal.refresh_from_db()
    assert deal.status == Deal.Status.EXPIRED


# --- leads ---

@pytest.fixture
def hamburg_partner(channel_manager):
    partner = PartnerFactory(legal_name="Elbe IT GmbH", city="Hamburg", country="DE", time_zone="Europe/Berlin",
                             channel_manager=channel_manager)
    TerritoryFactory(partner=partner, country="DE", region="Hamburg")
    return partner


@pytest.fixture
def munich_partner(channel_manager):
    return PartnerFactory(legal_name="Isar Systems GmbH", city="München", country="DE", channel_manager=channel_manager)


def test_lead_goes_to_the_nearest_partner_with_explanation(channel_manager, hamburg_partner, munich_partner):
    lead = make_lead(channel_manager, city="Hamburg")

    offer = lead.offers.get()
    assert offer.partner == hamburg_partner
    assert offer.explanation["candidates"][0]["partner_id"] == hamburg_partner.pk
    assert {"geography", "territory"} <= set(offer.explanation["candidates"][0]["factors"])
    assert offer.deadline > timezone.now()
    lead.refresh_from_db()
    assert lead.status == Lead.Status.OFFERED and lead.partner == hamburg_partner


def test_decline_reroutes_to_the_next_partner_and_never_back(channel_manager, hamburg_partner, munich_partner):
    SalesSettings.objects.update_or_create(pk=SalesSettings.current().pk, defaults={"max_routing_attempts": 2})
    lead = make_lead(channel_manager, city="Hamburg")
    hamburg_user = PartnerUserFactory(partner=hamburg_partner)

    services.lead_decline(actor=hamburg_user, offer=lead.offers.get(), reason="No capacity in Q3")

    pending = lead.offers.get(status=LeadOffer.Status.PENDING)
    assert pending.partner == munich_partner
    assert hamburg_partner.pk in pending.explanation["excluded"]
    munich_user = PartnerUserFactory(partner=munich_partner)
    services.lead_decline(actor=munich_user, offer=pending, reason="Too far")
    lead.refresh_from_db()
    assert lead.status == Lead.Status.UNROUTED and lead.partner is None


def test_expired_offer_is_rerouted_by_the_sweep(channel_manager, hamburg_partner, munich_partner):
    lead = make_lead(channel_manager, city="Hamburg")
    offer = lead.offers.get()

    assert services.offers_expire(now=offer.deadline + datetime.timedelta(minutes=1)) == 1

    offer.refresh_from_db()
    assert offer.status == LeadOffer.Status.EXPIRED
    assert lead.offers.get(status=LeadOffer.Status.PENDING).partner == munich_partner


def test_accept_convert_and_win_tracks_the_lead(channel_manager, hamburg_partner):
    product = ProductFactory()
    lead = make_lead(channel_manager, products=[product])
    user = PartnerAdminFactory(partner=hamburg_partner)

    services.lead_accept(actor=user, offer=lead.offers.get())
    deal = services.lead_convert(actor=user, lead=lead, value="10000", expected_close_date=close_date())
    deal = services.deal_close(actor=user, deal=deal, won=True)

    lead.refresh_from_db()
    assert deal.status == Deal.Status.WON and list(deal.products.all()) == [product]
    assert lead.status == Lead.Status.WON
    assert [e.status for e in lead.history.all()] == ["new", "offered", "accepted", "converted", "won"]


def test_capacity_is_respected_in_batch_routing(channel_manager, vendor_admin, hamburg_partner, munich_partner):
    RoutingProfileFactory(partner=hamburg_partner, capacity=2)
    RoutingProfileFactory(partner=munich_partner, capacity=1)
    leads = [make_lead(channel_manager, company_name=f"Kunde {i}", route=False) for i in range(4)]

    result = services.leads_route_batch(actor=channel_manager, leads=leads)

    partners = [offer.partner_id for offer in result.values() if offer]
    assert partners.count(hamburg_partner.pk) == 2 and partners.count(munich_partner.pk) == 1
    assert Lead.objects.filter(status=Lead.Status.UNROUTED).count() == 1


def test_csv_import_is_atomic_and_reports_lines(channel_manager, hamburg_partner):
    broken = ("company_name,country,city,contact_name,contact_email\n"
              "Good GmbH,DE,Hamburg,Anna,anna@good.example\n"
              "Bad Corp,XX,Nowhere,Bob,bob@bad.example\n"
              ",DE,Berlin,Carl,not-an-email\n")
    with pytest.raises(ValidationError) as error:
        services.leads_import_csv(actor=channel_manager, file=broken.encode())

    problems = error.value.message_dict["file"]
    assert any(p.startswith("Line 3, country") for p in problems)
    assert any(p.startswith("Line 4, company_name") for p in problems)
    assert any(p.startswith("Line 4, contact_email") for p in problems)
    assert not Lead.objects.exists()

    good = "company_name;country;city;contact_name\nGood GmbH;DE;Hamburg;Anna\nFine AG;DE;Hamburg;Ben\n"
    leads = services.leads_import_csv(actor=channel_manager, file=good.encode())
    assert len(leads) == 2 and all(lead.source == Lead.Source.IMPORT for lead in leads)
    assert LeadOffer.objects.count() == 2


def test_lead_with_unknown_country_is_refused(channel_manager):
    with pytest.raises(ValidationError) as error:
        make_lead(channel_manager, country="ZZ")

    assert "country" in error.value.message_dict
    assert not Lead.objects.exists()


def test_settings_reject_inverted_thresholds(channel_manager):
    with pytest.raises(ValidationError) as error:
        services.sales_settings_update(actor=channel_manager, data={"review_threshold": 95})

    assert "review_threshold" in error.value.message_dict
