"""The message to the channel manager through a real SMTP server (aiosmtpd, in this process)."""

import email
import socket
from email import policy

import pytest
from aiosmtpd.controller import Controller
from django.urls import reverse

HTMX = {"HTTP_HX_REQUEST": "true"}


class Inbox:
    """An SMTP handler that keeps every message it accepts."""

    def __init__(self) -> None:
        self.received: list[tuple[list[str], bytes]] = []

    async def handle_DATA(self, server, session, envelope):
        self.received.append((list(envelope.rcpt_tos), envelope.original_content or envelope.content))
        return "250 Message accepted for delivery"


def _free_port() -> int:
    """A free port in this developer's range, so parallel test runs on the machine never collide."""
    for port in range(8150, 8200):
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) != 0:
                return port
    raise RuntimeError("no free port in 8150-8199")


@pytest.fixture
def smtp_inbox(settings):
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                                    "OPTIONS": {"host": "127.0.0.1", "port": controller.port, "timeout": 5}}}
    yield inbox
    controller.stop()


def test_the_channel_manager_receives_the_message_by_smtp(client, partner_user_a, channel_manager, smtp_inbox,
                                                          django_capture_on_commit_callbacks):
    client.force_login(partner_user_a)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("portal:manager"), {"subject": "Demo units for a hospital",
                                                           "body": "Could we borrow two units?\nThanks, Sarah"},
                               **HTMX)

    assert "Your message is on its way" in response.content.decode()
    ((recipients, raw),) = smtp_inbox.received
    assert recipients == ["cam@example.com"]
    message = email.message_from_bytes(raw, policy=policy.default)
    assert message["To"] == "cam@example.com"
    assert message["Reply-To"] == "user@alpha.example"
    assert message["Subject"] == "Alpha Systems GmbH: Demo units for a hospital"
    body = message.get_body(("plain",)).get_content().replace("\r\n", "\n")  # lines travel as CRLF
    assert "wrote to you from the partner portal" in body
    assert "Could we borrow two units?\nThanks, Sarah" in body
