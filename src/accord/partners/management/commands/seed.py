"""`accord seed --partners N [--seed S]`: realistic partners at scale for benchmarks and load tests.

Rows are written with bulk_create in batches inside one transaction (all or nothing), so no events are
emitted and no per-partner segment refresh runs; segment memberships are refreshed set-based at the end.
Running it again adds another N partners: domains and e-mail addresses are made unique against the
database, so the same seed on a different database state yields different (but still valid) addresses.
"""

from __future__ import annotations

import datetime
import math
import random
import time
from collections.abc import Iterator
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction
from django.utils import timezone
from tqdm import tqdm

from accord.partners import fakes
from accord.partners.demo import INDUSTRIES, SPECIALISATIONS, TIERS
from accord.partners.models import Industry, Partner, Segment, Specialisation, Tier, User
from accord.partners.roles import Role
from accord.partners.services import segment_refresh

SEED_PASSWORD = "accord-seed"  # noqa: S105 -- printed for load tests; seeded people are not real accounts
BATCH = 500
ANCHOR = datetime.date(2026, 1, 1)  # joined_on dates count back from here, so a seed gives the same data

STATUS_WEIGHTS = {Partner.Status.ACTIVE: 68, Partner.Status.ONBOARDING: 12, Partner.Status.APPLICANT: 3,
                  Partner.Status.SUSPENDED: 5, Partner.Status.CHURNED: 12}
SIZE_EMPLOYEES = {Partner.Size.MICRO: (1, 9, 25), Partner.Size.SMALL: (10, 49, 40),
                  Partner.Size.MEDIUM: (50, 249, 22), Partner.Size.LARGE: (250, 999, 10),
                  Partner.Size.ENTERPRISE: (1000, 20000, 3)}
KIND_WEIGHTS = {Partner.Kind.RESELLER: 45, Partner.Kind.INTEGRATOR: 20, Partner.Kind.DEALER: 15,
                Partner.Kind.DISTRIBUTOR: 8, Partner.Kind.AGENT: 12}
TIER_WEIGHTS = {"registered": 45, "silver": 30, "gold": 18, "platinum": 7}
CONTACT_WEIGHTS = {1: 35, 2: 35, 3: 20, 4: 10}
REVENUE_PER_EMPLOYEE = {"EUR": 1, "USD": 1.1, "GBP": 0.85, "RUB": 95, "PLN": 4.3, "IDR": 17000, "BRL": 5.5,
                        "CZK": 25}
SEGMENTS = {
    "Central & Eastern Europe": {"field": "country", "op": "in", "value": ["PL", "CZ", "RU"]},
    "Gold and Platinum": {"field": "tier", "op": "in", "value": ["gold", "platinum"]},
    "Large partners": {"field": "size", "op": "in", "value": ["large", "enterprise"]},
    "Security specialists": {"field": "specialisations", "op": "any_of", "value": ["security"]},
    "Churned partners": {"field": "status", "op": "eq", "value": "churned"},
}
PORTAL_LANGUAGES = {code for code, _name in settings.LANGUAGES}


def _pick(rng: random.Random, weights: dict):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


class Command(BaseCommand):
    help = "Generate N realistic partners (many countries, local names, valid tax IDs and phones) with people."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--partners", type=int, default=1000, help="how many partners to add")
        parser.add_argument("--seed", type=int, default=0, help="random seed: the same seed gives the same data")

    def handle(self, *args, partners: int, seed: int, **options) -> None:
        if partners < 1:
            raise CommandError("--partners: give a positive number")
        started = time.perf_counter()
        rng = random.Random(seed)
        with transaction.atomic():
            generator = _Generator(rng, fakes.Fakers(seed), partners)
            progress = tqdm(total=partners, unit="partners", desc="Seeding", disable=options["verbosity"] < 1)
            with progress:
                for created in generator.run():
                    progress.update(created)
            ensure_segments()
            members = {segment.name: segment_refresh(segment=segment) for segment in Segment.objects.all()}
        _refresh_statistics()
        elapsed = time.perf_counter() - started
        if options["verbosity"] >= 1:
            self.stdout.write(
                f"Added {partners} partners and {generator.people} people in {elapsed:.1f} s "
                f"({Partner.objects.count()} partners in the database). Segments: "
                + ", ".join(f"{name} {count}" for name, count in members.items()))
            self.stdout.write(f"Seeded people sign in with the password {SEED_PASSWORD!r}, e.g. "
                              f"{generator.sample_login}")


def _refresh_statistics() -> None:
    """Bring the planner's statistics (and PostgreSQL's visibility map) up to the bulk load at once.

    Autovacuum would get there within minutes; until then PostgreSQL plans with empty statistics (sequential
    scans for 50-row pages, heap visits for index-only counts) and a benchmark run just after seeding would
    measure that instead of the steady state.
    """
    vacuum = connection.vendor == "postgresql" and not connection.in_atomic_block  # VACUUM needs autocommit
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if vacuum else "ANALYZE")


class _Generator:
    """Builds partners batch by batch; keeps the sets that make domains and e-mails unique."""

    def __init__(self, rng: random.Random, fakers: fakes.Fakers, count: int) -> None:
        self.rng, self.fakers, self.count = rng, fakers, count
        self.countries = fakes.COUNTRIES
        self.country_weights = [country.weight for country in self.countries]
        self.tiers = {code: Tier.objects.get_or_create(code=code, defaults={"name": name, "rank": rank})[0]
                      for code, name, rank in TIERS}
        self.industries = [Industry.objects.get_or_create(code=code, defaults={"name": name})[0].pk
                           for code, name in INDUSTRIES]
        self.specialisations = [Specialisation.objects.get_or_create(code=code, defaults={"name": name})[0].pk
                                for code, name in SPECIALISATIONS]
        self.groups = {role: Group.objects.get_or_create(name=role.value)[0] for role in Role}
        self.password = make_password(SEED_PASSWORD)
        self.domains = set(Partner.objects.exclude(web_domain="").values_list("web_domain", flat=True))
        self.emails = set(User.objects.values_list("email", flat=True))
        self.managers = self._channel_managers(max(3, min(40, math.ceil(count / 150))))
        self.people = 0
        self.sample_login = ""

    def _channel_managers(self, wanted: int) -> list[int]:
        """Reuse the CAMs there are; add seeded ones so each has a plausible book of partners."""
        group = self.groups[Role.CHANNEL_MANAGER]
        existing = list(User.objects.filter(groups=group, partner__isnull=True, is_active=True)
                        .order_by("pk").values_list("pk", flat=True))
        new = []
        for number in range(len(existing), wanted):
            country = self.countries[number % len(self.countries)]
            faker = self.fakers[country.locale]
            email = self._unique_email(f"cam.{fakes.slug(faker.last_name())}", "accord.example")
            new.append(User(email=email, first_name=faker.first_name(), last_name=faker.last_name(),
                            password=self.password, phone=fakes.phone(self.rng, country.code),
                            job_title="Channel Account Manager", is_staff=False,
                            language=country.language if country.language in PORTAL_LANGUAGES else "en"))
        User.objects.bulk_create(new)
        User.groups.through.objects.bulk_create([User.groups.through(user_id=u.pk, group_id=group.pk) for u in new])
        return existing + [u.pk for u in new]

    def _unique_domain(self, stem: str, tld: str) -> str:
        domain, number = f"{stem}.{tld}", 1
        while domain in self.domains:
            number += 1
            domain = f"{stem}{number}.{tld}"
        self.domains.add(domain)
        return domain

    def _unique_email(self, local: str, domain: str) -> str:
        email, number = f"{local}@{domain}", 1
        while email in self.emails:
            number += 1
            email = f"{local}{number}@{domain}"
        self.emails.add(email)
        return email

    def run(self) -> Iterator[int]:
        for start in range(0, self.count, BATCH):
            size = min(BATCH, self.count - start)
            self._batch(size)
            yield size

    def _batch(self, size: int) -> None:
        rng = self.rng
        partners, contacts = [], []
        for _ in range(size):
            country = rng.choices(self.countries, weights=self.country_weights)[0]
            partner = self._partner(country)
            partners.append(partner)
            contacts.append((country, partner))
        Partner.objects.bulk_create(partners, batch_size=BATCH)
        industry_rows, specialisation_rows, users = [], [], []
        for partner in partners:
            industry_rows += [Partner.industries.through(partner_id=partner.pk, industry_id=pk)
                              for pk in rng.sample(self.industries, rng.randint(1, 3))]
            specialisation_rows += [Partner.specialisations.through(partner_id=partner.pk, specialisation_id=pk)
                                    for pk in rng.sample(self.specialisations, rng.randint(1, 3))]
        for country, partner in contacts:
            users += self._people(country, partner)
        Partner.industries.through.objects.bulk_create(industry_rows, batch_size=1000)
        Partner.specialisations.through.objects.bulk_create(specialisation_rows, batch_size=1000)
        User.objects.bulk_create([user for user, _role in users], batch_size=BATCH)
        User.groups.through.objects.bulk_create(
            [User.groups.through(user_id=user.pk, group_id=self.groups[role].pk) for user, role in users],
            batch_size=1000)
        self.people += len(users)
        if not self.sample_login and users:
            self.sample_login = users[0][0].email

    def _partner(self, country: fakes.Country) -> Partner:
        rng, faker = self.rng, self.fakers[country.locale]
        first_word = rng.choice(country.stems) if rng.random() < 0.25 else faker.last_name()
        stem = f"{first_word} {rng.choice(country.trades)}"
        legal_name = rng.choice(country.legal_forms).format(name=stem)
        domain = self._unique_domain(fakes.slug(stem), country.tld)
        city = rng.choice(country.cities)
        size = _pick(rng, {size: weight for size, (_lo, _hi, weight) in SIZE_EMPLOYEES.items()})
        low, high, _weight = SIZE_EMPLOYEES[size]
        employees = rng.randint(low, high)
        revenue = employees * rng.randint(60_000, 200_000) * REVENUE_PER_EMPLOYEE[country.currency]
        status = _pick(rng, STATUS_WEIGHTS)
        joined = ANCHOR - datetime.timedelta(days=rng.randint(30, 7 * 365))
        return Partner(
            legal_name=legal_name, trading_name=stem if rng.random() < 0.3 else "",
            kind=_pick(rng, KIND_WEIGHTS), status=status, country=country.code, region=city.region,
            street=faker.street_address(), city=city.name, postal_code=faker.postcode(),
            latitude=round(city.latitude + rng.uniform(-0.05, 0.05), 5),
            longitude=round(city.longitude + rng.uniform(-0.05, 0.05), 5),
            web_domain=domain, tax_id=fakes.tax_id(rng, country.code), email=f"info@{domain}",
            phone=fakes.phone(rng, country.code), size=size, employees=employees,
            annual_revenue=Decimal(round(revenue, -3)),
            competing_products="\n".join(rng.sample(fakes.COMPETING_PRODUCTS, rng.randint(0, 3))),
            language=country.language, time_zone=city.time_zone, currency=country.currency,
            tier=self.tiers[_pick(rng, TIER_WEIGHTS)], channel_manager_id=rng.choice(self.managers),
            joined_on=None if status == Partner.Status.APPLICANT else joined,
            last_portal_login=(timezone.now() - datetime.timedelta(hours=rng.randint(1, 24 * 120))
                               if status == Partner.Status.ACTIVE else None),
        )

    def _people(self, country: fakes.Country, partner: Partner) -> list[tuple[User, Role]]:
        rng, faker = self.rng, self.fakers[country.locale]
        language = country.language if country.language in PORTAL_LANGUAGES else "en"
        people = []
        for number in range(_pick(rng, CONTACT_WEIGHTS)):
            first, last = faker.first_name(), faker.last_name()
            email = self._unique_email(f"{fakes.slug(first)}.{fakes.slug(last)}".replace("-", ""),
                                       partner.web_domain)
            user = User(email=email, first_name=first, last_name=last, partner_id=partner.pk,
                        password=self.password, phone=fakes.phone(rng, country.code, mobile=True),
                        job_title=rng.choice(fakes.JOB_TITLES.get(country.language, fakes.JOB_TITLES["en"])),
                        language=language, time_zone=partner.time_zone,
                        is_active=partner.status != Partner.Status.CHURNED)
            people.append((user, Role.PARTNER_ADMIN if number == 0 else Role.PARTNER_USER))
        return people


def ensure_segments() -> None:
    """A few useful segments when none exist yet, so console filters have something to filter by."""
    if Segment.objects.exists():
        return
    for name, rule in SEGMENTS.items():
        Segment.objects.create(name=name, rule=rule)
