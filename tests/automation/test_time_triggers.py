"""Date triggers: each partner's own local day, catch-up after downtime, re-checks at fire time, no duplicates."""

import datetime

import pytest
from django.core import mail

from accord.automation import engine
from accord.automation.models import Firing, Task, TriggerCursor
from tests.automation.factories import EMAIL_TO_PARTNER, make_invoice, make_rule
from tests.factories import PartnerAdminFactory, PartnerFactory

pytestmark = pytest.mark.django_db

DUE = datetime.date(2026, 5, 20)


def seven_days_before():
    return make_rule(code="dunning-7", name="Reminder 7 days before due",
                     trigger={"type": "date", "anchor": "invoice.due_date", "days": -7, "at": "09:00"},
                     actions=[EMAIL_TO_PARTNER])


def start_cursor(rule, moment):
    TriggerCursor.objects.update_or_create(rule=rule, defaults={"swept_until": moment})


def sent_to(email):
    return [m for m in mail.outbox if m.to == [email]]


def test_jakarta_and_new_york_each_get_the_reminder_on_their_own_local_day(at):
    jakarta = PartnerFactory(legal_name="PT Jaya", time_zone="Asia/Jakarta", currency="IDR")
    new_york = PartnerFactory(legal_name="Hudson LLC", time_zone="America/New_York", currency="USD")
    PartnerAdminFactory(partner=jakarta, email="budi@jaya.example")
    PartnerAdminFactory(partner=new_york, email="emily@hudson.example")
    make_invoice(jakarta, due_date=DUE, number="INV-JKT")
    make_invoice(new_york, due_date=DUE, number="INV-NYC")
    rule = seven_days_before()
    start_cursor(rule, at(2026, 5, 12, 12))

    # 09:00 in Jakarta on May 13 is 02:00 UTC; in New York it is still the evening of May 12.
    engine.drain(now=at(2026, 5, 13, 2, 30))
    assert [m.subject for m in sent_to("budi@jaya.example")] == ["Invoice INV-JKT is due in 7 days"]
    assert sent_to("emily@hudson.example") == []

    # 09:00 in New York on May 13 is 13:00 UTC.
    engine.drain(now=at(2026, 5, 13, 13, 30))
    assert [m.subject for m in sent_to("emily@hudson.example")] == ["Invoice INV-NYC is due in 7 days"]
    assert len(sent_to("budi@jaya.example")) == 1

    engine.drain(now=at(2026, 5, 14, 13, 30))
    assert len(mail.outbox) == 2


def test_a_paid_invoice_gets_no_reminder_even_if_it_was_already_queued(at, partner_a, partner_admin_a):
    unpaid = make_invoice(partner_a, due_date=DUE, number="INV-OPEN")
    paid_before = make_invoice(partner_a, due_date=DUE, number="INV-PAID", status="paid")
    paid_while_queued = make_invoice(partner_a, due_date=DUE, number="INV-LATE")
    rule = seven_days_before()
    start_cursor(rule, at(2026, 5, 12, 12))
    partner_a.time_zone = "UTC"
    partner_a.save()

    engine.process_outbox(now=at(2026, 5, 13, 10))
    engine.time_pass(now=at(2026, 5, 13, 10))
    type(paid_while_queued).objects.filter(pk=paid_while_queued.pk).update(status="paid", open_amount=0)
    engine.run_due_actions(now=at(2026, 5, 13, 10))

    assert [m.subject for m in mail.outbox] == ["Invoice INV-OPEN is due in 7 days"]
    late = Firing.objects.get(subject_id=paid_while_queued.pk)
    assert (late.status, late.reason) == ("skipped", "no_longer_applies")
    assert not Firing.objects.filter(subject_id=paid_before.pk).exists()
    assert Firing.objects.get(subject_id=unpaid.pk).status == "fired"


def test_a_due_date_moved_away_and_back_does_not_send_twice(at, partner_a, partner_admin_a):
    partner_a.time_zone = "UTC"
    partner_a.save()
    invoice = make_invoice(partner_a, due_date=DUE)
    rule = seven_days_before()
    start_cursor(rule, at(2026, 5, 12, 12))
    engine.drain(now=at(2026, 5, 13, 10))
    assert len(mail.outbox) == 1

    invoice.due_date = DUE + datetime.timedelta(days=1)
    invoice.save()
    invoice.due_date = DUE
    invoice.save()
    TriggerCursor.objects.filter(rule=rule).update(swept_until=at(2026, 5, 12, 12))  # even a re-run of the day
    engine.drain(now=at(2026, 5, 13, 11))

    assert len(mail.outbox) == 1
    assert Firing.objects.count() == 1


def dunning_playbook():
    """The ladder the built-in receivables playbook uses (see automation/demo.py)."""
    reminder = {"type": "email", "params": {"to": ["partner_admins"], "template": "payment_reminder"}}
    rules = [
        make_rule(code="d-7", trigger={"type": "date", "anchor": "invoice.due_date", "days": -7}, actions=[reminder]),
        make_rule(code="d-last", trigger={"type": "date", "anchor": "invoice.due_date", "from_days": -3,
                                          "to_days": -1, "catch_up": "latest"}, actions=[reminder]),
        make_rule(code="d+1", trigger={"type": "date", "anchor": "invoice.due_date", "days": 1},
                  actions=[{"type": "task.create", "params": {"title": "Call about {{ fields.number }}",
                                                              "assign_to": "channel_manager"}}]),
    ]
    return rules


def test_after_three_days_down_each_missed_step_runs_once_in_order_and_stale_ones_are_skipped(
        at, partner_a, partner_admin_a):
    partner_a.time_zone = "UTC"
    partner_a.save()
    open_invoice = make_invoice(partner_a, due_date=DUE, number="INV-A")
    paid_meanwhile = make_invoice(partner_a, due_date=DUE, number="INV-B")
    rules = dunning_playbook()
    for rule in rules:
        start_cursor(rule, at(2026, 5, 16, 12))
    # The worker ran on May 17 at 10:00 (the first of the last three days), then was down until May 21 10:00.
    engine.drain(now=at(2026, 5, 17, 10))
    assert [m.subject for m in mail.outbox] == ["Invoice INV-A is due in 3 days", "Invoice INV-B is due in 3 days"]
    type(paid_meanwhile).objects.filter(pk=paid_meanwhile.pk).update(status="paid", open_amount=0)
    mail.outbox.clear()

    engine.drain(now=at(2026, 5, 21, 10))
    engine.drain(now=at(2026, 5, 21, 10, 5))  # a second pass the same day changes nothing

    # May 18 and 19 reminders are stale once the due date passed: recorded as superseded, not sent.
    last_days = Firing.objects.filter(rule__code="d-last", subject_id=open_invoice.pk).order_by("occurrence")
    assert [(f.occurrence, f.status, f.reason) for f in last_days] == [
        ("2026-05-17", "fired", ""), ("2026-05-18", "skipped", "superseded"), ("2026-05-19", "skipped", "superseded")]
    assert mail.outbox == []
    # The day-after-due task was missed on May 21 09:00 (the pass ran at 10:00): created once.
    task = Task.objects.get()
    assert task.title == "Call about INV-A" and task.assignee == partner_a.channel_manager
    assert not Firing.objects.filter(subject_id=paid_meanwhile.pk, rule__code="d+1").exists()


def test_a_missed_single_step_is_sent_late_once(at, partner_a, partner_admin_a):
    partner_a.time_zone = "UTC"
    partner_a.save()
    make_invoice(partner_a, due_date=DUE, number="INV-A")
    rule = seven_days_before()
    start_cursor(rule, at(2026, 5, 11, 10))  # last pass May 11; down until May 14

    engine.drain(now=at(2026, 5, 14, 10))
    engine.drain(now=at(2026, 5, 15, 10))

    assert [m.subject for m in mail.outbox] == ["Invoice INV-A is due in 6 days"]


def test_a_failed_pass_does_not_move_the_cursor(at, partner_a, monkeypatch):
    rule = seven_days_before()
    start_cursor(rule, at(2026, 5, 12, 12))

    def broken(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(engine, "_insert_select", broken)
    stats = engine.time_pass(now=at(2026, 5, 13, 10))

    assert stats == {"dunning-7": {"error": True}}
    assert TriggerCursor.objects.get(rule=rule).swept_until == at(2026, 5, 12, 12)
