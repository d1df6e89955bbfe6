"""Sales objects a partner's people can see, for the isolation walker (tests/test_isolation.py)."""

from accord.partners.models import Partner, User
from accord.partners.roles import Role
from accord.sales import services
from accord.sales.models import Lead
from tests.sales.factories import TerritoryFactory, close_date


def populate(partner: Partner) -> dict:
    """A deal (rejected and appealed, so a request exists), a lead offered to `partner`, a territory."""
    tag = f"sl{partner.pk}q"
    person = User.objects.filter(partner=partner, groups__name__in=[Role.PARTNER_ADMIN, Role.PARTNER_USER]).first()
    if person is None:
        from tests.factories import PartnerUserFactory

        person = PartnerUserFactory(partner=partner, email=f"seller-{tag}@example.com")
    deal = services.deal_register(actor=person, company_name=f"Kunde {tag} Werkzeugbau", company_country="DE",
                                  company_city="Köln", value="1000", expected_close_date=close_date(),
                                  contact_name=f"Contact {tag}")
    cam = partner.channel_manager
    services.deal_reject(actor=cam, deal=deal, reason=f"Reason {tag}")
    request = services.deal_appeal(actor=person, deal=deal, reason=f"Appeal {tag}")
    lead = services.lead_create(actor=cam, company_name=f"Prospect {tag} Holding", country=partner.country,
                                city=partner.city, contact_name=f"Lead contact {tag}", route=False)
    offer = services.lead_assign(actor=cam, lead=lead, partner=partner)
    territory = TerritoryFactory(partner=partner, country=partner.country, region=f"Region {tag}")
    Lead.objects.filter(pk=lead.pk).update(message=f"Lead message {tag}")
    return {
        "deal_id": deal.pk, "offer_id": offer.pk, "territory_id": territory.pk, "lead_id": lead.pk,
        "request_id": request.pk,
        "markers": [deal.number, f"Kunde {tag}", f"Reason {tag}", f"Appeal {tag}", f"Prospect {tag}",
                    f"Region {tag}", f"Lead message {tag}", lead.number],
    }
