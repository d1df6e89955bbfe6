"""Template helpers for commerce pages: money in the reader's locale, and the dashboard/360 summaries."""

from __future__ import annotations

import datetime
from decimal import Decimal

from babel.numbers import format_currency
from django import template
from django.utils import timezone
from django.utils.translation import get_language

from accord.commerce import selectors
from accord.commerce.pricing import round_money

register = template.Library()


@register.filter
def money(amount, currency: str = "EUR") -> str:
    """`1234.5|money:"EUR"` → "€1,234.50" in English, "1 234,50 €" in Polish; rounded per currency."""
    if amount is None or amount == "":
        return "—"
    language = (get_language() or "en").replace("-", "_")
    try:
        return format_currency(round_money(Decimal(amount), currency), currency, locale=language)
    except (ValueError, ArithmeticError):
        return f"{amount} {currency}"


@register.simple_tag(takes_context=True)
def portal_commerce_summary(context) -> dict:
    """What the partner dashboard shows: open orders, what falls due within 7 days, what is overdue."""
    return selectors.portal_dashboard(context["request"].user, today=timezone.localdate())


@register.simple_tag(takes_context=True)
def console_commerce_summary(context) -> dict:
    """The console dashboard: orders waiting for a decision, overdue receivables, deliveries due this week."""
    user = context["request"].user
    today = timezone.localdate()
    rows = selectors.receivables_by_partner(user, today=today)
    return {
        "to_confirm": selectors.orders_awaiting_confirmation(user).count(),
        "overdue": selectors.ageing_totals(row for row in rows if row["overdue"] > 0),
        "partners_overdue": sum(1 for row in rows if row["overdue"] > 0),
        "arriving": selectors.deliveries(user).filter(expected_on__lte=today + datetime.timedelta(days=7)).count(),
    }


@register.simple_tag(takes_context=True)
def partner_commerce(context, partner) -> dict:
    return selectors.partner_commerce_summary(context["request"].user, partner)


@register.filter
def product_name(product) -> str:
    """The product's name in the reader's language."""
    return product.translated()[0]


@register.filter
def product_description(product) -> str:
    return product.translated()[1]


@register.filter
def status_class(status: str) -> str:
    """The badge colour of an order, invoice, delivery or reservation status."""
    if status in {"paid", "delivered", "shipped", "arrived", "confirmed", "available", "consumed", "applied",
                  "resolved"}:
        return "ok"
    if status in {"rejected", "cancelled", "expired", "end_of_life", "critical", "high"}:
        return "bad"
    if status in {"partially_paid", "partly_shipped", "placed", "in_transit", "announced", "medium", "quoted"}:
        return "warn"
    return ""


@register.filter
def get_item(mapping, key):
    """`answers|get_item:product_id` for dicts keyed by id."""
    return mapping.get(key) if mapping else None
