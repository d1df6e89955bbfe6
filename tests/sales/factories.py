"""Factories for sales, built on tests/factories.py. Deals and leads are made through the real services."""

import datetime

import factory

from accord.commerce.models import Product
from accord.sales import services
from accord.sales.models import RoutingProfile, Territory


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product
        django_get_or_create = ("sku",)

    sku = factory.Sequence(lambda n: f"SKU-{n:04d}")
    name = factory.Sequence(lambda n: f"Product {n}")


class TerritoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Territory

    country = "DE"
    region = ""


class RoutingProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RoutingProfile
        django_get_or_create = ("partner",)

    capacity = 10


def close_date(days: int = 60) -> datetime.date:
    return datetime.date.today() + datetime.timedelta(days=days)


def register(actor, company_name="Ромашка Технологии", **fields):
    """Register a deal through the service, with plausible defaults."""
    fields.setdefault("company_country", "RU")
    fields.setdefault("value", "25000")
    fields.setdefault("expected_close_date", close_date())
    return services.deal_register(actor=actor, company_name=company_name, **fields)


def make_lead(actor, company_name="Bergmann Maschinenbau GmbH", route=True, **fields):
    fields.setdefault("country", "DE")
    fields.setdefault("city", "Hamburg")
    fields.setdefault("contact_name", "Lena Bergmann")
    fields.setdefault("contact_email", "lena@bergmann.example")
    return services.lead_create(actor=actor, company_name=company_name, route=route, **fields)
