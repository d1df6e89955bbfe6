"""Handing actions to `django.tasks`, many at a time.

The `FiringAction` row is the durable state; a task only says "run action N now". With the database backend
the task rows are inserted in bulk in the same transaction as the ledger rows, so a firing and its wake-up
call commit (or vanish) together. Other backends (Redis, the immediate one in tests) are called once the
transaction commits. A lost task is harmless: the sweeper re-enqueues actions that stay pending.
"""

from __future__ import annotations

import datetime
import uuid

from django.db import transaction
from django.tasks import task_backends
from django.utils import timezone

from accord.automation import tasks


def enqueue_actions(action_ids: list[int], *, run_after: datetime.datetime | None = None) -> None:
    if not action_ids:
        return
    backend = task_backends[tasks.run_action.backend]
    if backend.__class__.__module__.startswith("django_tasks_db"):
        from django_tasks_db.models import DBTaskResult, get_date_max

        from accord.automation import bulk

        path = tasks.run_action.module_path
        if bulk.fast():
            now = timezone.now()
            bulk.copy_rows(DBTaskResult, [
                "id", "status", "enqueued_at", "args_kwargs", "priority", "task_path", "worker_ids", "queue_name",
                "backend_name", "run_after", "exception_class_path", "traceback"], [
                (uuid.uuid4(), "READY", now, {"args": [pk], "kwargs": {}}, 0, path, [],
                 tasks.run_action.queue_name, backend.alias, run_after or get_date_max(), "", "")
                for pk in action_ids])
            return
        DBTaskResult.objects.bulk_create(
            [DBTaskResult(args_kwargs={"args": [pk], "kwargs": {}}, priority=0, task_path=path,
                          queue_name=tasks.run_action.queue_name, backend_name=backend.alias,
                          run_after=run_after or get_date_max()) for pk in action_ids],
            batch_size=2000)
        return
    if hasattr(backend, "enqueue_many"):
        transaction.on_commit(lambda: backend.enqueue_many(tasks.run_action, [([pk], {}) for pk in action_ids],
                                                           run_after=run_after))
        return

    def enqueue_each() -> None:
        for pk in action_ids:
            tasks.run_action.enqueue(pk)

    transaction.on_commit(enqueue_each)
