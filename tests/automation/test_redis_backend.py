"""The Redis task backend against the local Redis: enqueue, run, defer, and recovery from a dead worker."""

import datetime
import uuid

import pytest
import redis
from django.utils import timezone

from accord.automation import engine, tasks
from accord.automation.api import emit
from accord.automation.models import FiringAction, Message
from accord.automation.redis_backend import RedisBackend, RedisWorker
from tests.automation.factories import make_rule

pytestmark = pytest.mark.django_db
URL = "redis://127.0.0.1:6379/5"


@pytest.fixture
def backend():
    try:
        redis.Redis.from_url(URL).ping()
    except redis.ConnectionError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    prefix = f"accord-test:{uuid.uuid4().hex}"
    yield RedisBackend("redis", {"OPTIONS": {"URL": URL, "PREFIX": prefix}})
    client = redis.Redis.from_url(URL)
    for key in client.scan_iter(f"{prefix}:*"):
        client.delete(key)


@pytest.fixture
def action(partner_a, partner_admin_a):
    make_rule(trigger={"type": "event", "event": "partner.updated"},
              actions=[{"type": "notify", "params": {"to": ["partner_admins"], "template": "generic"}}])
    emit("partner.updated", partner_a, partner=partner_a)
    engine.process_outbox()
    return FiringAction.objects.get()


def test_a_queued_action_runs_once_and_its_result_is_kept(backend, action):
    results = backend.enqueue_many(tasks.run_action, [([action.pk], {}), ([action.pk], {})])

    RedisWorker(backend, batch=True).run()

    action.refresh_from_db()
    assert action.status == "done" and Message.objects.count() == 1
    finished = [backend.get_result(r.id) for r in results]
    assert [r.status for r in finished] == ["SUCCESSFUL", "SUCCESSFUL"]
    assert sorted(r.return_value for r in finished) == ["done", "not-claimed"]


def test_deferred_tasks_wait_for_their_time(backend, action):
    backend.enqueue_many(tasks.run_action, [([action.pk], {})],
                         run_after=timezone.now() + datetime.timedelta(hours=1))

    RedisWorker(backend, batch=True).run()

    action.refresh_from_db()
    assert action.status == "pending"


def test_work_held_by_a_dead_worker_is_requeued(backend, action):
    backend.enqueue_many(tasks.run_action, [([action.pk], {})])
    dead = RedisWorker(backend)
    dead.heartbeat()
    client = backend.client
    client.lmove(backend.key("queue", "default"), dead.processing(dead.worker_id), "RIGHT", "LEFT")
    client.delete(backend.key("alive", dead.worker_id))  # its heartbeat expired

    RedisWorker(backend, batch=True).run()

    action.refresh_from_db()
    assert action.status == "done"
    assert client.llen(dead.processing(dead.worker_id)) == 0
