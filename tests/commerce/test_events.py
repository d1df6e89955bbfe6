import datetime

import pytest

from accord.automation.registry import condition_fields, date_anchors, event_types
from accord.commerce.models import Invoice

pytestmark = pytest.mark.django_db


def test_every_commerce_event_type_the_engine_relies_on_is_registered():
    names = set(event_types())

    assert {"order.placed", "order.confirmed", "order.shipped", "invoice.issued", "invoice.paid",
            "invoice.partially_paid", "payment.received", "stock.arrived", "delivery.date_changed",
            "reservation.made", "reservation.expired", "product_notice.published"} <= names


def test_due_date_anchor_selects_only_unpaid_invoices(partner_a):
    anchor = date_anchors()["invoice.due_date"]
    today = datetime.date.today()
    common = {"partner": partner_a, "currency": "EUR", "total": 100, "issue_date": today, "due_date": today}
    open_one = Invoice.objects.create(number="A-1", open_amount=100, **common)
    Invoice.objects.create(number="A-2", open_amount=0, status=Invoice.Status.PAID, **common)
    part = Invoice.objects.create(number="A-3", open_amount=40, status=Invoice.Status.PARTIALLY_PAID, **common)

    assert set(Invoice.objects.filter(anchor.open_filter())) == {open_one, part}
    assert anchor.field == "due_date" and anchor.model == "commerce.Invoice"


def test_days_overdue_condition_field_is_computed_in_sql(partner_a):
    field = condition_fields()["invoice.days_overdue"]
    today = datetime.date.today()
    late = Invoice.objects.create(number="L-1", partner=partner_a, currency="EUR", total=10, open_amount=10,
                                  issue_date=today - datetime.timedelta(days=60),
                                  due_date=today - datetime.timedelta(days=31))
    Invoice.objects.create(number="L-2", partner=partner_a, currency="EUR", total=10, open_amount=10,
                           issue_date=today, due_date=today + datetime.timedelta(days=5))

    assert list(Invoice.objects.filter(**{f"{field.path}__gt": 30})) == [late]
    assert late.days_overdue(today) == 31


def test_the_engine_compiles_a_days_overdue_condition_over_invoices(partner_a):
    from accord.automation.conditions import Scope, compile_q

    today = datetime.date.today()
    late = Invoice.objects.create(number="C-1", partner=partner_a, currency="EUR", total=10, open_amount=10,
                                  issue_date=today - datetime.timedelta(days=50),
                                  due_date=today - datetime.timedelta(days=20))
    Invoice.objects.create(number="C-2", partner=partner_a, currency="EUR", total=10, open_amount=10,
                           issue_date=today, due_date=today + datetime.timedelta(days=3))
    condition = {"all": [{"field": "invoice.days_overdue", "op": "gte", "value": 14},
                         {"field": "invoice.open_amount", "op": "gt", "value": 5}]}

    q = compile_q(condition, Scope(model="commerce.Invoice"))

    assert list(Invoice.objects.filter(q)) == [late]
    assert list(Invoice.objects.values_list("due_date__days_since", flat=True).order_by("number")) == [20, -3]
