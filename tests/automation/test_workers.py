"""Real worker processes on PostgreSQL: concurrent workers act exactly once; a SIGKILL loses nothing.

These start `accord worker` as subprocesses against the test database and a real SMTP server (aiosmtpd).
"""

import os
import signal
import subprocess
import sys
import time

import pytest
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connection

from accord.automation.models import Event, Firing, FiringAction, Message
from tests.automation.factories import make_rule
from tests.factories import PartnerAdminFactory, PartnerFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]
SMTP_PORT = 8527
EVENTS = 300


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("worker processes share the test database only on PostgreSQL")


@pytest.fixture
def smtp():
    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Message as MessageHandler

    received = []

    class Collect(MessageHandler):
        def handle_message(self, message):
            received.append(message["Message-ID"])

    controller = Controller(Collect(), hostname="127.0.0.1", port=SMTP_PORT)
    controller.start()
    yield received
    controller.stop()


def backlog() -> int:
    """EVENTS committed events for 10 partners, each with an admin, and a rule that mails and notifies."""
    make_rule(trigger={"type": "event", "event": "partner.updated"},
              actions=[{"type": "notify", "params": {"to": ["partner_admins"], "template": "generic"}},
                       {"type": "email", "params": {"to": ["partner_admins"], "template": "generic"}}])
    partners = PartnerFactory.create_batch(10, time_zone="UTC")
    for partner in partners:
        PartnerAdminFactory(partner=partner)
    content_type = ContentType.objects.get_for_model(partners[0])
    Event.objects.bulk_create([Event(type="partner.updated", subject_type=content_type,
                                     subject_id=partners[i % 10].pk, partner_id=partners[i % 10].pk)
                               for i in range(EVENTS)])
    return EVENTS


def start_worker(*extra: str, batch_size: int = 25) -> subprocess.Popen:
    db = settings.DATABASES["default"]
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "accord.settings",
           "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}",
           "EMAIL_URL": f"smtp://127.0.0.1:{SMTP_PORT}", "ACCORD_LOG_LEVEL": "ERROR"}
    env.pop("ACCORD_TASKS_BACKEND", None)
    return subprocess.Popen([sys.executable, "-m", "accord.cli", "manage", "worker", "--interval", "0.05",
                             "--batch-size", str(batch_size), "--sweep-every", "1", *extra], env=env)


def wait_until(check, timeout: float = 90.0, every: float = 0.1) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(every)


def settled() -> bool:
    return (not Event.objects.filter(processed_at__isnull=True).exists()
            and not FiringAction.objects.exclude(status__in=["done", "failed", "skipped"]).exists())


def test_two_workers_in_parallel_act_exactly_once(smtp):
    total = backlog()
    workers = [start_worker(), start_worker()]
    try:
        wait_until(settled)
    finally:
        for worker in workers:
            worker.send_signal(signal.SIGTERM)
        for worker in workers:
            worker.wait(timeout=20)

    assert Firing.objects.filter(status="fired").count() == total
    assert FiringAction.objects.filter(status="done").count() == 2 * total
    assert Message.objects.filter(channel="in_app").count() == total
    assert len(smtp) == len(set(smtp)) == total


def test_a_worker_killed_mid_batch_loses_no_event_and_sends_nothing_twice(smtp):
    total = backlog()
    victim = start_worker(batch_size=5)  # small batches: the kill lands while the outbox is being worked
    wait_until(lambda: Event.objects.filter(processed_at__isnull=False).exists(), timeout=60, every=0.005)
    victim.send_signal(signal.SIGKILL)
    victim.wait(timeout=10)
    processed_at_kill = Event.objects.filter(processed_at__isnull=False).count()
    assert processed_at_kill < total, "the worker finished before it could be killed mid-way"

    # Whatever the dead worker had claimed is held by its lease; let it expire and restart a worker.
    FiringAction.objects.filter(status="running").update(lease_until="2000-01-01T00:00:00Z")
    survivor = start_worker("--batch")
    survivor.wait(timeout=120)

    assert not Event.objects.filter(processed_at__isnull=True).exists()
    assert Firing.objects.filter(status="fired").count() == total
    assert Message.objects.filter(channel="in_app").count() == total
    uncertain = Message.objects.filter(delivery="uncertain").count()
    assert uncertain <= 1  # at most the one email in flight at the kill is "in doubt", and it says so
    assert len(smtp) == len(set(smtp))  # nothing sent twice
    assert total - uncertain <= len(smtp) <= total
    assert FiringAction.objects.filter(status="done").count() == 2 * total - uncertain
