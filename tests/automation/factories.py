"""Rules, invoices and helpers for the automation tests (built on tests/factories.py)."""

from __future__ import annotations

import datetime
import itertools
from decimal import Decimal

from accord.automation import services
from accord.automation.models import Rule

_codes = itertools.count(1)


def make_rule(*, trigger: dict, actions: list, condition: dict | None = None, category: str = "transactional",
              enabled: bool = True, **extra) -> Rule:
    """A rule created through the real service, so every test rule is a valid one."""
    return services.rule_create(actor=None, code=extra.pop("code", f"rule-{next(_codes)}"),
                                name=extra.pop("name", "Test rule"), trigger=trigger, actions=actions,
                                condition=condition, category=category, enabled=enabled, **extra)


def make_invoice(partner, *, due_date: datetime.date, number: str | None = None, open_amount: str = "1200.00",
                 status: str = "issued"):
    from accord.commerce.models import Invoice

    total = Decimal(open_amount) if status != "paid" else Decimal("1200.00")
    return Invoice.objects.create(
        number=number or f"INV-{next(_codes):05d}", partner=partner, currency=partner.currency, total=total,
        open_amount=Decimal(open_amount) if status != "paid" else Decimal("0"),
        issue_date=due_date - datetime.timedelta(days=30), due_date=due_date, status=status)


EMAIL_TO_PARTNER = {"type": "email", "params": {"to": ["partner_admins"], "template": "payment_reminder"}}
