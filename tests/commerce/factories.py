"""Factories for commerce, built on tests/factories.py; fixtures for a small priced catalog with stock."""

import datetime
from decimal import Decimal

import factory
import pytest
from django.utils import timezone

from accord.commerce import services
from accord.commerce.models import Category, InboundDelivery, Invoice, Product, StockLevel, Warehouse
from tests.factories import PartnerFactory


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"category-{n}")
    name = factory.LazyAttribute(lambda o: o.code.title())


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    sku = factory.Sequence(lambda n: f"SKU-{n:05d}")
    name = factory.Sequence(lambda n: f"Switch model {n}")
    category = factory.SubFactory(CategoryFactory, code="switches", name="Switches")
    lifecycle = Product.Lifecycle.AVAILABLE


class WarehouseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Warehouse
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"wh-{n}")
    name = factory.LazyAttribute(lambda o: f"Warehouse {o.code}")
    country = "DE"


def priced_product(*, list_price="100.00", currency="EUR", on_hand=0, warehouse=None, **fields) -> Product:
    """A product with a list price and, if asked, stock in a warehouse."""
    product = ProductFactory(**fields)
    services.list_price_set(actor=None, product=product, currency=currency, amount=list_price)
    if on_hand:
        services.stock_set(actor=None, warehouse=warehouse or WarehouseFactory(code="main"), product=product,
                           on_hand=on_hand)
    return product


def incoming(product, quantity, *, days=10, warehouse=None, reference=None) -> InboundDelivery:
    return services.delivery_plan(actor=None, reference=reference or f"IN-{product.sku}-{days}",
                                  warehouse=warehouse or WarehouseFactory(code="main"),
                                  expected_on=timezone.localdate() + datetime.timedelta(days=days),
                                  lines={product: quantity})


def open_invoice(partner, total="100.00", *, days_overdue=0, currency=None, number=None) -> Invoice:
    due = timezone.localdate() - datetime.timedelta(days=days_overdue)
    return services.invoice_issue(actor=None, partner=partner, currency=currency or partner.currency,
                                  lines=[{"description": "Goods", "quantity": 1, "unit_price": Decimal(total)}],
                                  issue_date=due - datetime.timedelta(days=30), due_date=due, number=number or "")


@pytest.fixture
def warehouse(db):
    return WarehouseFactory(code="main", name="Hamburg central")


@pytest.fixture
def product(warehouse):
    return priced_product(sku="SW-24", name="Switch 24 ports", on_hand=10, warehouse=warehouse)


@pytest.fixture
def other_partner(db):
    return PartnerFactory(legal_name="Gamma Reseller BV", country="NL", city="Utrecht")


def stock_of(product, warehouse) -> StockLevel:
    return StockLevel.objects.get(product=product, warehouse=warehouse)
