"""Actions at fire time: pauses and quiet hours, retries with backoff, failed state, webhooks, real SMTP."""

import datetime
import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.core import mail

from accord.automation import engine, services
from accord.automation.api import emit
from accord.automation.execution import MAX_ATTEMPTS, action_run
from accord.automation.models import Firing, FiringAction, Message, Pause, WebhookEndpoint
from tests.automation.factories import make_rule

pytestmark = pytest.mark.django_db

EMAIL = {"type": "email", "params": {"to": ["partner_admins"], "template": "generic"}}


def nudge(**extra):
    return make_rule(trigger={"type": "event", "event": "partner.updated"}, actions=[EMAIL], category="nudge",
                     **extra)


def test_a_paused_partner_gets_no_nudge_but_still_gets_transactional_messages(at, partner_a, partner_admin_a):
    nudge(code="nudge")
    make_rule(code="receipt", trigger={"type": "event", "event": "partner.updated"}, actions=[EMAIL],
              category="transactional", name="Receipt")
    services.pause_create(actor=None, scope="partner", partner=partner_a, reason="Flood in the warehouse",
                          until=at(2030, 1, 1))
    emit("partner.updated", partner_a, partner=partner_a)

    engine.drain(now=at(2026, 5, 13, 11))

    assert [m.subject for m in mail.outbox] == ["Receipt: Alpha Systems GmbH"]
    skipped = Firing.objects.get(rule__code="nudge")
    assert (skipped.status, skipped.reason) == ("skipped", "paused_partner")


def test_a_global_pause_ends_at_its_date_and_lifting_resumes(at, partner_a, partner_admin_a):
    nudge()
    pause = services.pause_create(actor=None, scope="global", reason="Quarter-end freeze", until=at(2030, 1, 1))
    emit("partner.updated", partner_a, partner=partner_a)
    engine.drain(now=at(2026, 5, 13, 11))
    services.pause_lift(actor=None, pause=pause)
    emit("partner.status_changed", partner_a, partner=partner_a)  # unrelated; then a new update
    engine.drain(now=at(2026, 5, 13, 11))
    from accord.automation.models import Event

    Event.objects.create(type="partner.updated", subject_type_id=Event.objects.first().subject_type_id,
                         subject_id=partner_a.pk, partner_id=partner_a.pk)
    engine.drain(now=at(2026, 5, 13, 11))

    assert list(Firing.objects.order_by("id").values_list("reason", flat=True)) == ["paused_global", ""]
    assert len(mail.outbox) == 1
    assert not Pause.objects.filter(Pause.active_q()).exists()


def test_quiet_hours_defer_nudges_to_the_partners_morning(at, partner_a, partner_admin_a):
    partner_a.time_zone = "Asia/Jakarta"
    partner_a.save()
    nudge()
    services.quiet_hours_set(actor=None, enabled=True, start=datetime.time(20), end=datetime.time(8))
    emit("partner.updated", partner_a, partner=partner_a)

    engine.drain(now=at(2026, 5, 13, 15))  # 22:00 in Jakarta
    firing = Firing.objects.get()
    assert (firing.status, firing.reason) == ("deferred", "quiet_hours")
    assert firing.due_at == at(2026, 5, 14, 1)  # 08:00 in Jakarta
    assert mail.outbox == []

    engine.drain(now=at(2026, 5, 14, 0, 30))
    assert mail.outbox == []
    engine.drain(now=at(2026, 5, 14, 1, 5))
    assert len(mail.outbox) == 1
    assert Firing.objects.get().status == "fired"


class Receiver(BaseHTTPRequestHandler):
    calls: list = []
    answers: list = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        Receiver.calls.append((dict(self.headers), body))
        status = Receiver.answers.pop(0) if Receiver.answers else 200
        self.send_response(status)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def receiver():
    server = HTTPServer(("127.0.0.1", 0), Receiver)
    Receiver.calls, Receiver.answers = [], []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/hook"
    server.shutdown()


def test_webhooks_are_signed_and_retried_with_backoff_until_they_succeed(at, partner_a, receiver):
    WebhookEndpoint.objects.create(name="erp", url=receiver, secret="s3cret")
    make_rule(trigger={"type": "event", "event": "partner.updated"}, actions=[{"type": "webhook",
                                                                               "params": {"endpoint": "erp"}}])
    Receiver.answers = [500, 503]
    emit("partner.updated", partner_a, partner=partner_a, fields=["city"])
    start = at(2026, 5, 13, 12)

    engine.drain(now=start)
    action = FiringAction.objects.get()
    assert (action.status, action.attempts) == ("pending", 1) and "500" in action.error
    assert action.next_attempt_at == start + datetime.timedelta(seconds=30)
    engine.drain(now=start + datetime.timedelta(seconds=31))
    action.refresh_from_db()
    assert action.next_attempt_at == start + datetime.timedelta(seconds=31 + 120)
    engine.drain(now=start + datetime.timedelta(seconds=200))

    action.refresh_from_db()
    assert (action.status, action.attempts) == ("done", 3)
    headers, body = Receiver.calls[-1]
    signature = hmac.new(b"s3cret", headers["X-Accord-Timestamp"].encode() + b"." + body, hashlib.sha256).hexdigest()
    assert headers["X-Accord-Signature"] == f"sha256={signature}"
    assert len({h["X-Accord-Delivery"] for h, _b in Receiver.calls}) == 1  # receivers can dedupe on it
    document = json.loads(body)
    assert document["subject"]["id"] == partner_a.pk and document["payload"] == {"fields": ["city"]}


def test_an_action_that_keeps_failing_ends_failed_and_can_be_retried_from_the_console(
        at, partner_a, receiver, vendor_admin):
    WebhookEndpoint.objects.create(name="erp", url=receiver, secret="s3cret")
    make_rule(trigger={"type": "event", "event": "partner.updated"},
              actions=[{"type": "webhook", "params": {"endpoint": "erp"}}])
    Receiver.answers = [500] * MAX_ATTEMPTS
    emit("partner.updated", partner_a, partner=partner_a)
    moment = at(2026, 5, 13, 12)
    for _ in range(MAX_ATTEMPTS):
        engine.drain(now=moment)
        moment += datetime.timedelta(days=1)

    action = FiringAction.objects.get()
    assert (action.status, action.attempts) == ("failed", MAX_ATTEMPTS)

    services.firing_action_retry(actor=vendor_admin, action=action)
    engine.run_due_actions()
    action.refresh_from_db()
    assert action.status == "done"


def test_an_email_whose_sending_was_interrupted_is_never_sent_again_automatically(partner_a, partner_admin_a):
    make_rule(trigger={"type": "event", "event": "partner.updated"}, actions=[EMAIL])
    emit("partner.updated", partner_a, partner=partner_a)
    engine.process_outbox()
    action = FiringAction.objects.get()
    # A worker died between writing "sending" and hearing back from the mail server:
    Message.objects.create(firing=action.firing, action=action, channel="email", recipient=partner_admin_a,
                           subject="?", body="?", delivery="sending")

    action_run(action_id=action.pk)

    action.refresh_from_db()
    assert action.status == "failed" and "check before retrying" in action.error
    assert mail.outbox == []
    assert Message.objects.get().delivery == "uncertain"


@pytest.fixture
def smtp_server(settings):
    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Message as MessageHandler

    received = []

    class Collect(MessageHandler):
        def handle_message(self, message):
            received.append(message)

    controller = Controller(Collect(), hostname="127.0.0.1", port=8525)
    controller.start()
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                                    "OPTIONS": {"host": "127.0.0.1", "port": 8525, "timeout": 5}}}
    yield received
    controller.stop()


def test_real_smtp_in_the_recipients_language_with_the_channel_manager_to_reply_to(
        smtp_server, partner_a, partner_admin_a, partner_user_a):
    partner_user_a.language = "pl"
    partner_user_a.save()
    make_rule(trigger={"type": "event", "event": "partner.updated"},
              actions=[{"type": "email", "params": {"to": ["partner_users"], "template": "onboarding_reminder"}}])
    emit("partner.updated", partner_a, partner=partner_a)

    engine.drain()

    by_recipient = {m["To"]: m for m in smtp_server}
    assert set(by_recipient) == {"admin@alpha.example", "user@alpha.example"}
    polish = by_recipient["user@alpha.example"]
    assert polish["Reply-To"] == "cam@example.com"
    text = polish.get_payload(decode=True).decode()
    assert "Katarzyna Nowak" in text and "cam@example.com" in text
    english = by_recipient["admin@alpha.example"].get_payload(decode=True).decode()
    assert "Your channel manager" in english and "Your channel manager" not in text
    assert "Partner profile updated" in english and "Partner profile updated" not in text
