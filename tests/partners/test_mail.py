import pytest
from django.core import mail

from accord.partners.roles import Role
from accord.partners.services import user_invite

pytestmark = pytest.mark.django_db(transaction=True)


def test_plain_text_invitation_keeps_apostrophes_and_ampersands(partner_a, channel_manager):
    partner_a.trading_name = "O'Brien & Sons"
    partner_a.save()

    user_invite(actor=channel_manager, partner=partner_a, email="new.person@alpha.example", first_name="Siobhán",
                role=Role.PARTNER_USER, language="en")

    message = mail.outbox[-1]
    assert "O'Brien & Sons" in message.subject
    assert "O'Brien & Sons" in message.body
    assert "company's account" in message.body
    assert "&#x27;" not in message.body and "&amp;" not in message.body
