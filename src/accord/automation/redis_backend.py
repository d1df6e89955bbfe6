"""A small Redis task backend for `django.tasks`, for scale-out (ACCORD_TASKS_BACKEND=redis, REDIS_URL).

Ready task ids wait in a list per queue; deferred ones in a sorted set by time. A worker moves an id
atomically (BLMOVE) into its own processing list, runs it, records the result and removes it; a worker
that dies leaves its list behind, and any live worker puts those ids back once the dead one's heartbeat
has expired. A task may therefore run twice after a crash, which is why engine tasks are idempotent.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from traceback import format_exception

import redis
from django.conf import settings
from django.db import close_old_connections, connection
from django.tasks.backends.base import BaseTaskBackend
from django.tasks.base import Task, TaskError, TaskResult, TaskResultStatus
from django.tasks.exceptions import TaskResultDoesNotExist
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)
HEARTBEAT_SECONDS = 30
RESULT_TTL_SECONDS = 7 * 24 * 3600


class RedisBackend(BaseTaskBackend):
    supports_defer = True
    supports_get_result = True

    def __init__(self, alias: str, params: dict) -> None:
        super().__init__(alias, params)
        self.url = self.options.get("URL") or settings.REDIS_URL or "redis://127.0.0.1:6379/0"
        self.prefix = self.options.get("PREFIX", "accord:tasks")
        self._client = None

    @property
    def client(self) -> redis.Redis:
        if self._client is None:
            self._client = redis.Redis.from_url(self.url)
        return self._client

    def key(self, *parts: str) -> str:
        return ":".join([self.prefix, *parts])

    def _result(self, task: Task, result_id: str, args, kwargs, status=TaskResultStatus.READY, **times) -> TaskResult:
        return TaskResult(task=task, id=result_id, status=status, enqueued_at=times.get("enqueued_at"),
                          started_at=times.get("started_at"), last_attempted_at=times.get("started_at"),
                          finished_at=times.get("finished_at"), args=list(args), kwargs=dict(kwargs),
                          backend=self.alias, errors=times.get("errors", []), worker_ids=times.get("worker_ids", []))

    def enqueue(self, task: Task, args, kwargs) -> TaskResult:
        self.validate_task(task)
        return self.enqueue_many(task, [(args, kwargs)], run_after=task.run_after)[0]

    def enqueue_many(self, task: Task, calls: list, *, run_after=None) -> list[TaskResult]:
        """Push many calls of one task in a single round trip."""
        now = timezone.now()
        results = []
        pipe = self.client.pipeline(transaction=False)
        for args, kwargs in calls:
            result_id = uuid.uuid4().hex
            record = {"task": task.module_path, "queue": task.queue_name, "args": list(args), "kwargs": kwargs,
                      "status": TaskResultStatus.READY, "enqueued_at": now.isoformat()}
            pipe.set(self.key("result", result_id), json.dumps(record), ex=RESULT_TTL_SECONDS)
            if run_after is not None and run_after > now:
                pipe.zadd(self.key("delayed", task.queue_name), {result_id: run_after.timestamp()})
            else:
                pipe.lpush(self.key("queue", task.queue_name), result_id)
            results.append(self._result(task, result_id, args, kwargs, enqueued_at=now))
        pipe.execute()
        return results

    def get_result(self, result_id: str) -> TaskResult:
        raw = self.client.get(self.key("result", result_id))
        if raw is None:
            raise TaskResultDoesNotExist(result_id)
        record = json.loads(raw)
        task = import_string(record["task"])
        errors = [TaskError(exception_class_path=record["error_class"], traceback=record.get("traceback", ""))] \
            if record.get("error_class") else []
        result = self._result(task, result_id, record["args"], record["kwargs"],
                              status=TaskResultStatus[record["status"]],
                              enqueued_at=parse_datetime(record["enqueued_at"]),
                              started_at=parse_datetime(record["started_at"]) if record.get("started_at") else None,
                              finished_at=parse_datetime(record["finished_at"]) if record.get("finished_at") else None,
                              errors=errors, worker_ids=record.get("worker_ids", []))
        object.__setattr__(result, "_return_value", record.get("return_value"))
        return result


class RedisWorker:
    """Consume one backend's queues until stopped (or, with batch=True, until they are empty)."""

    def __init__(self, backend: RedisBackend, *, interval: float = 1.0, batch: bool = False,
                 queues: list[str] | None = None) -> None:
        self.backend, self.interval, self.batch = backend, interval, batch
        self.queues = queues or sorted(backend.queues)
        self.worker_id = uuid.uuid4().hex
        self.running = True

    def processing(self, worker_id: str) -> str:
        return self.backend.key("processing", worker_id)

    def heartbeat(self) -> None:
        client = self.backend.client
        client.set(self.backend.key("alive", self.worker_id), "1", ex=HEARTBEAT_SECONDS)
        client.sadd(self.backend.key("workers"), self.worker_id)

    def recover(self) -> int:
        """Requeue what dead workers were holding."""
        client, moved = self.backend.client, 0
        for raw in client.smembers(self.backend.key("workers")):
            worker_id = raw.decode()
            if worker_id == self.worker_id or client.exists(self.backend.key("alive", worker_id)):
                continue
            while (item := client.rpop(self.processing(worker_id))) is not None:
                record = json.loads(client.get(self.backend.key("result", item.decode())) or "{}")
                client.lpush(self.backend.key("queue", record.get("queue", "default")), item)
                moved += 1
            client.srem(self.backend.key("workers"), worker_id)
        return moved

    def promote_delayed(self) -> None:
        client, now = self.backend.client, time.time()
        for queue in self.queues:
            for item in client.zrangebyscore(self.backend.key("delayed", queue), 0, now, start=0, num=500):
                if client.zrem(self.backend.key("delayed", queue), item):
                    client.lpush(self.backend.key("queue", queue), item)

    def run_one(self) -> bool:
        client = self.backend.client
        for queue in self.queues:
            item = client.lmove(self.backend.key("queue", queue), self.processing(self.worker_id), "RIGHT", "LEFT")
            if item is not None:
                self.execute(item.decode())
                client.lrem(self.processing(self.worker_id), 1, item)
                return True
        return False

    def execute(self, result_id: str) -> None:
        client = self.backend.client
        key = self.backend.key("result", result_id)
        record = json.loads(client.get(key) or "{}")
        if not record:
            return
        record.update(status=TaskResultStatus.RUNNING, started_at=timezone.now().isoformat(),
                      worker_ids=[*record.get("worker_ids", []), self.worker_id])
        client.set(key, json.dumps(record), ex=RESULT_TTL_SECONDS)
        if not connection.in_atomic_block:  # a worker between tasks, not a caller's transaction
            close_old_connections()
        try:
            task = import_string(record["task"])
            value = task.call(*record["args"], **record["kwargs"])
            record.update(status=TaskResultStatus.SUCCESSFUL, return_value=value)
        except Exception as error:  # recorded on the result, like the database backend does
            record.update(status=TaskResultStatus.FAILED, error_class=f"{type(error).__module__}."
                          f"{type(error).__qualname__}", traceback="".join(format_exception(error)))
        record["finished_at"] = timezone.now().isoformat()
        client.set(key, json.dumps(record, default=str), ex=RESULT_TTL_SECONDS)

    def run(self) -> None:
        last_maintenance = 0.0
        while self.running:
            if time.monotonic() - last_maintenance > HEARTBEAT_SECONDS / 3:
                self.heartbeat()
                self.recover()
                self.promote_delayed()
                last_maintenance = time.monotonic()
            if self.run_one():
                continue
            if self.batch:
                return
            time.sleep(self.interval)
