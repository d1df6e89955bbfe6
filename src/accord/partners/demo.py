"""Demo data for partners core: tiers, reference data, vendor staff and partners with their people."""

from __future__ import annotations

import datetime

from accord.partners.models import Industry, Partner, Specialisation, Tier, User
from accord.partners.roles import Role
from accord.partners.services import user_set_roles

DEMO_PASSWORD = "accord-demo"  # noqa: S105 -- printed on screen by `accord demo`

TIERS = [("registered", "Registered", 0), ("silver", "Silver", 10), ("gold", "Gold", 20),
         ("platinum", "Platinum", 30)]
INDUSTRIES = [("manufacturing", "Manufacturing"), ("retail", "Retail"), ("healthcare", "Healthcare"),
              ("finance", "Financial services"), ("public-sector", "Public sector"), ("education", "Education"),
              ("logistics", "Logistics"), ("energy", "Energy & utilities"), ("telecom", "Telecommunications"),
              ("hospitality", "Hospitality")]
SPECIALISATIONS = [("networking", "Networking"), ("security", "Security"), ("cloud", "Cloud"),
                   ("storage", "Storage"), ("iot", "IoT"), ("services", "Managed services"),
                   ("installation", "Installation"), ("support", "Technical support")]

VENDOR_STAFF = [
    ("admin@accord.example", "Alex", "Morgan", Role.VENDOR_ADMIN, "+4930901820"),
    ("cam@accord.example", "Katarzyna", "Nowak", Role.CHANNEL_MANAGER, "+48225551234"),
    ("cam2@accord.example", "Dmitry", "Sokolov", Role.CHANNEL_MANAGER, "+74951234567"),
    ("finance@accord.example", "Fatima", "Rahman", Role.FINANCE_APPROVER, "+4930901821"),
    ("support@accord.example", "Sam", "Lee", Role.SUPPORT_AGENT, "+4930901822"),
]

PARTNERS = [
    # legal name, country, city, region, domain, tax id, tier, size, language, tz, currency, cam, industries
    ("Nordwind Systemhaus GmbH", "DE", "Hamburg", "Hamburg", "nordwind-systemhaus.de", "DE136695976", "gold",
     "medium", "en", "Europe/Berlin", "EUR", "cam@accord.example", ["manufacturing", "logistics"]),
    ("ООО «Ромашка Технологии»", "RU", "Москва", "Москва", "romashka-tech.ru", "7707083893", "silver", "small",
     "ru", "Europe/Moscow", "RUB", "cam2@accord.example", ["retail", "finance"]),
    ("Wisła Integracje Sp. z o.o.", "PL", "Kraków", "Małopolskie", "wisla-integracje.pl", "5260250274",
     "platinum", "large", "pl", "Europe/Warsaw", "PLN", "cam@accord.example", ["public-sector", "education"]),
    ("PT Nusantara Solusi Digital", "ID", "Jakarta", "DKI Jakarta", "nusantara-solusi.co.id",
     "013000666091000", "registered", "small", "id", "Asia/Jakarta", "IDR", "cam2@accord.example",
     ["telecom", "hospitality"]),
    ("Lakeside Networks Inc.", "US", "Chicago", "IL", "lakeside-networks.com", "36-4726312", "gold",
     "medium", "en", "America/Chicago", "USD", "cam@accord.example", ["healthcare", "finance"]),
]

PARTNER_PEOPLE = [
    ("anna.schmidt@nordwind-systemhaus.de", "Anna", "Schmidt", Role.PARTNER_ADMIN, "Nordwind Systemhaus GmbH"),
    ("jonas.weber@nordwind-systemhaus.de", "Jonas", "Weber", Role.PARTNER_USER, "Nordwind Systemhaus GmbH"),
    ("ivan.petrov@romashka-tech.ru", "Иван", "Петров", Role.PARTNER_ADMIN, "ООО «Ромашка Технологии»"),
    ("piotr.kowalski@wisla-integracje.pl", "Piotr", "Kowalski", Role.PARTNER_ADMIN, "Wisła Integracje Sp. z o.o."),
    ("budi.santoso@nusantara-solusi.co.id", "Budi", "Santoso", Role.PARTNER_ADMIN, "PT Nusantara Solusi Digital"),
    ("emily.clark@lakeside-networks.com", "Emily", "Clark", Role.PARTNER_ADMIN, "Lakeside Networks Inc."),
]


def _user(email: str, first: str, last: str, role: Role, *, partner: Partner | None = None,
          phone: str = "", language: str = "en", time_zone: str = "UTC") -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email, DEMO_PASSWORD, first_name=first, last_name=last, partner=partner,
                                        phone=phone, language=language, time_zone=time_zone,
                                        is_staff=role == Role.VENDOR_ADMIN)
    user_set_roles(user=user, roles=[role])
    return user


def seed() -> None:
    tiers = {code: Tier.objects.update_or_create(code=code, defaults={"name": name, "rank": rank})[0]
             for code, name, rank in TIERS}
    industries = {code: Industry.objects.get_or_create(code=code, defaults={"name": name})[0]
                  for code, name in INDUSTRIES}
    for code, name in SPECIALISATIONS:
        Specialisation.objects.get_or_create(code=code, defaults={"name": name})
    staff = {email: _user(email, first, last, role, phone=phone) for email, first, last, role, phone in VENDOR_STAFF}
    admin = staff["admin@accord.example"]
    if not admin.is_superuser:
        admin.is_superuser = True
        admin.save(update_fields=["is_superuser"])
    partners = {}
    for (name, country, city, region, domain, tax_id, tier, size, language, tz, currency, cam,
         industry_codes) in PARTNERS:
        partner, _created = Partner.objects.get_or_create(legal_name=name, defaults={
            "country": country, "city": city, "region": region, "web_domain": domain, "tax_id": tax_id,
            "tier": tiers[tier], "size": size, "language": language, "time_zone": tz, "currency": currency,
            "channel_manager": staff[cam], "status": Partner.Status.ACTIVE,
            "joined_on": datetime.date(2024, 3, 1), "email": f"info@{domain}",
        })
        partner.industries.set([industries[code] for code in industry_codes])
        partners[name] = partner
    for email, first, last, role, partner_name in PARTNER_PEOPLE:
        partner = partners[partner_name]
        _user(email, first, last, role, partner=partner, language=partner.language, time_zone=partner.time_zone)


def logins_text() -> str:
    rows = [
        ("Vendor admin", "admin@accord.example"),
        ("Channel account manager", "cam@accord.example"),
        ("Finance approver", "finance@accord.example"),
        ("Partner admin, Nordwind Systemhaus (DE)", "anna.schmidt@nordwind-systemhaus.de"),
        ("Partner admin, Wisła Integracje (PL)", "piotr.kowalski@wisla-integracje.pl"),
    ]
    width = max(len(label) for label, _ in rows)
    lines = [f"Demo logins (password for all: {DEMO_PASSWORD}):"]
    lines += [f"  {label.ljust(width)}  {email}" for label, email in rows]
    return "\n".join(lines)
