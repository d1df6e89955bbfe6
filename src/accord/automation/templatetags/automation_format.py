"""Formatting for automated messages: amounts the way the reader's language writes them."""

from decimal import Decimal, InvalidOperation

from babel.numbers import format_currency
from django import template
from django.utils.translation import get_language, to_locale

register = template.Library()


@register.filter
def money(amount, currency: str) -> str:
    """`120500` + `RUB` reads "120 500,00 ₽" in Russian and "RUB 120,500.00" in English."""
    try:
        value = Decimal(str(amount))
    except (InvalidOperation, ValueError):
        return f"{amount} {currency}".strip()
    if not currency:
        return f"{value:.2f}"
    return format_currency(value, currency, locale=to_locale(get_language() or "en"))
