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


def test_a_mail_server_that_is_down_neither_breaks_nor_undoes_the_invitation(partner_a, channel_manager, settings):
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                                    "OPTIONS": {"host": "127.0.0.1", "port": 9, "timeout": 2}}}

    user = user_invite(actor=channel_manager, partner=partner_a, email="later@alpha.example", role=Role.PARTNER_USER)

    assert user.pk is not None and partner_a.users.filter(email="later@alpha.example").exists()
