"""Automated emails are plain text: what a partner or a rule author wrote arrives as written."""

import pytest

from accord.automation.messages import MessageContext, render

pytestmark = pytest.mark.django_db


def _context(partner) -> MessageContext:
    return MessageContext(rule_name="Payment reminder", trigger_text="7 days before the due date",
                          subject_label="Invoice INV-1 & co", partner=partner,
                          channel_manager=partner.channel_manager)


def test_built_in_templates_do_not_html_escape(partner_a, partner_admin_a):
    partner_a.trading_name = "O'Brien & Sons"
    partner_a.save()

    message = render({"template": "onboarding_reminder"}, _context(partner_a), partner_admin_a)

    assert "O'Brien & Sons" in message.subject
    assert "&amp;" not in message.body and "&#x27;" not in message.body


def test_rule_written_texts_do_not_html_escape(partner_a, partner_admin_a):
    params = {"subject": "About {{ subject_label }}", "body": "Dear <team> of {{ subject_label }}, it's due."}

    message = render(params, _context(partner_a), partner_admin_a)

    assert message.subject == "About Invoice INV-1 & co"
    assert message.body.startswith("Dear <team> of Invoice INV-1 & co, it's due.")


def test_payment_reminder_writes_amount_and_date_the_readers_way(partner_a, partner_admin_a):
    import datetime
    from decimal import Decimal

    partner_admin_a.language = "ru"
    context = MessageContext(rule_name="Dunning", trigger_text="7 days before", subject_label="INV-7",
                             partner=partner_a, channel_manager=partner_a.channel_manager,
                             fields={"number": "INV-7", "open_amount": Decimal("120500"), "currency": "RUB"},
                             anchor_date=datetime.date(2026, 11, 25))

    message = render({"template": "payment_reminder"}, context, partner_admin_a)

    assert "120\xa0500,00\xa0₽" in message.body
    assert "25 ноября 2026" in message.body
