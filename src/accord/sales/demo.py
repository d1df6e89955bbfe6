"""Demo data for sales: territories, capacities and certifications, registrations showing each verdict, and
leads routed to the demo partners. Idempotent: records are looked up by their natural keys first."""

from __future__ import annotations

import datetime

from django.utils import timezone

from accord.partners.models import Partner, User
from accord.sales import services
from accord.sales.models import Certification, Deal, Lead, RoutingProfile, Territory

# partner legal name -> (territories [(country, region)], capacity, certified SKUs)
ROUTING = {
    "Nordwind Systemhaus GmbH": ([("DE", "Hamburg"), ("DE", "")], 12, ["SW-24G", "SW-48G", "RT-200"]),
    "ООО «Ромашка Технологии»": ([("RU", "")], 8, ["SW-24G"]),
    "Wisła Integracje Sp. z o.o.": ([("PL", ""), ("CZ", "")], 15, ["RT-200", "RT-900"]),
    "PT Nusantara Solusi Digital": ([("ID", "Jakarta")], 6, []),
    "Lakeside Networks Inc.": ([("US", "")], 10, ["SW-24X", "RT-900"]),
}
# registering user, customer, country, city, domain, value, days to close, SKUs
DEALS = [
    ("anna.schmidt@nordwind-systemhaus.de", "Hanseatic Shipping GmbH", "DE", "Hamburg", "hanseatic-shipping.de",
     "48000", 75, ["SW-48G", "RT-200"]),
    ("ivan.petrov@romashka-tech.ru", "ООО «Северсталь Логистика»", "RU", "Череповец", "", "3200000", 120,
     ["SW-24G"]),
    ("piotr.kowalski@wisla-integracje.pl", "Zakłady Mięsne Łuków S.A.", "PL", "Łuków", "zm-lukow.pl", "91000",
     60, ["RT-900"]),
    # The same customer as the Russian partner's, written in Latin letters: rejected as a duplicate.
    ("emily.clark@lakeside-networks.com", "Severstal Logistika LLC", "RU", "Cherepovets", "", "55000", 90,
     ["SW-24G"]),
    # Same name as an open registration but other products: sent to a channel manager.
    ("budi.santoso@nusantara-solusi.co.id", "Hanseatic Shipping", "DE", "Hamburg", "", "12000", 100, ["SW-24X"]),
    ("cam@accord.example", "Bank Mandiri (Persero) Tbk", "ID", "Jakarta", "bankmandiri.co.id", "250000", 150,
     ["RT-900"]),
]
# company, country, city, industry code, SKUs, contact
LEADS = [
    ("Elbphilharmonie Gastronomie GmbH", "DE", "Hamburg", "hospitality", ["SW-24G"], "Jana Köhler"),
    ("Szpital Wojewódzki w Krakowie", "PL", "Kraków", "healthcare", ["RT-200"], "Marta Nowak"),
    ("PT Kereta Api Logistik", "ID", "Bandung", "logistics", [], "Dewi Lestari"),
    ("Midwest Credit Union", "US", "Milwaukee", "finance", ["RT-900"], "Tom Becker"),
    ("Fazenda Boa Vista Ltda", "BR", "Campinas", "manufacturing", [], "Rafael Souza"),
]


def seed() -> None:
    from accord.commerce.models import Product
    from accord.partners.models import Industry

    products = {p.sku: p for p in Product.objects.all()}
    admin = User.objects.filter(email="admin@accord.example").first()
    if admin is None:
        return
    for legal_name, (territories, capacity, skus) in ROUTING.items():
        partner = Partner.objects.filter(legal_name=legal_name).first()
        if partner is None:
            continue
        for country, region in territories:
            Territory.objects.get_or_create(partner=partner, country=country, region=region)
        RoutingProfile.objects.get_or_create(partner=partner, defaults={"capacity": capacity})
        for sku in skus:
            if sku in products:
                Certification.objects.get_or_create(
                    partner=partner, product=products[sku],
                    defaults={"valid_until": timezone.localdate() + datetime.timedelta(days=365)})
    for email, company, country, city, domain, value, days, skus in DEALS:
        user = User.objects.filter(email=email).first()
        if user is None or Deal.objects.filter(company_name=company, registered_by=user).exists():
            continue
        deal = services.deal_register(actor=user, company_name=company, company_country=country, company_city=city,
                                      company_domain=domain, value=value,
                                      expected_close_date=timezone.localdate() + datetime.timedelta(days=days),
                                      products=[products[s] for s in skus if s in products],
                                      contact_name="", stage=Deal.Stage.PROPOSAL)
        if deal.company_name == "Hanseatic Shipping GmbH":
            services.deal_approve(actor=User.objects.get(email="cam@accord.example"), deal=deal,
                                  reason="Confirmed with the customer's IT lead.")
    industries = {i.code: i for i in Industry.objects.all()}
    for company, country, city, industry, skus, contact in LEADS:
        if Lead.objects.filter(company_name=company).exists():
            continue
        services.lead_create(actor=admin, company_name=company, country=country, city=city,
                             industry=industries.get(industry), products=[products[s] for s in skus if s in products],
                             contact_name=contact, contact_email="", message="Asked for a quote on the website.")
