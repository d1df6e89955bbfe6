"""The built-in playbooks load as valid, enabled rules, once, and the dunning ladder works end to end."""

import datetime

import pytest
from django.core import mail

from accord.automation import demo, engine
from accord.automation.models import Rule, Task, TriggerCursor
from accord.partners.roles import Role
from tests.automation.factories import make_invoice
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_playbooks_load_once_and_enabled():
    demo.seed()
    demo.seed()

    codes = set(Rule.objects.filter(enabled=True).values_list("code", flat=True))
    assert codes == {p["code"] for p in demo.PLAYBOOKS}
    assert Rule.objects.count() == len(demo.PLAYBOOKS)
    assert set(Rule.objects.values_list("playbook", flat=True)) == {
        "receivables-dunning", "incoming-goods", "onboarding", "performance"}


def test_the_dunning_playbook_reminds_then_hands_over_then_escalates(at, partner_a, partner_admin_a):
    head_of_sales = UserFactory(roles=[Role.VENDOR_ADMIN], email="head@vendor.example", last_name="Aaronson")
    partner_a.time_zone = "UTC"
    partner_a.save()
    demo.seed()
    due = datetime.date(2026, 5, 20)
    make_invoice(partner_a, due_date=due, number="INV-100", open_amount="990.00")
    TriggerCursor.objects.all().delete()
    for rule in Rule.objects.all():
        TriggerCursor.objects.create(rule=rule, swept_until=at(2026, 5, 1))

    subjects = []
    for day in range(12, 20 + demo.ESCALATE_AFTER_DAYS + 1):
        engine.drain(now=at(2026, 5, 1, 10) + datetime.timedelta(days=day - 1))
        subjects += [m.subject for m in mail.outbox if m.subject.startswith("Invoice")]
        mail.outbox.clear()

    assert subjects == ["Invoice INV-100 is due in 7 days", "Invoice INV-100 is due in 3 days",
                        "Invoice INV-100 is due in 2 days", "Invoice INV-100 is due tomorrow",
                        "Invoice INV-100 is overdue"]
    task = Task.objects.get()
    assert task.title == "Overdue invoice INV-100: 990.00 EUR open (Alpha Systems GmbH)"
    assert task.assignee == head_of_sales and task.escalation_level == 1
