"""`accord worker`: the engine loop (outbox, time triggers, sweeper) and the task worker in one process.

Run as many as you like on as many machines as you like: events are claimed with SKIP LOCKED, each timed
rule's pass holds its cursor row, actions are claimed with a conditional UPDATE, and the database task
backend claims its rows with SKIP LOCKED too. `--only engine` / `--only tasks` split the two roles.
"""

from __future__ import annotations

import logging
import signal
import sys
import threading
import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections, connection
from django.tasks import task_backends
from django.utils.crypto import get_random_string

logger = logging.getLogger("accord.automation.worker")


class EngineLoop:
    """Outbox batches as fast as they come; the time pass and the sweeper on their own clocks."""

    def __init__(self, *, interval: float, time_every: float, sweep_every: float, batch_size: int) -> None:
        self.interval, self.time_every, self.sweep_every = interval, time_every, sweep_every
        self.batch_size = batch_size
        self.running = True

    def tick(self, *, force: bool = False, state: dict) -> int:
        from accord.automation import engine

        close_old_connections()
        processed = engine.process_outbox(batch_size=self.batch_size)
        now = time.monotonic()
        if force or now - state.get("timed", 0) >= self.time_every:
            engine.time_pass()
            state["timed"] = now
        if force or now - state.get("swept", 0) >= self.sweep_every:
            engine.sweep()
            state["swept"] = now
        return processed

    def run(self) -> None:
        state: dict = {}
        while self.running:
            try:
                processed = self.tick(state=state)
            except Exception:  # a failing batch is retried; the loop must not die
                logger.exception("engine tick failed")
                processed = 0
            if not processed:
                time.sleep(self.interval)
        connection.close()


class Command(BaseCommand):
    help = "Run the automation engine and the background task worker."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--batch", action="store_true", help="process everything due now, then exit")
        parser.add_argument("--only", choices=["engine", "tasks"], help="run one role only")
        parser.add_argument("--interval", type=float, default=0.5, help="seconds to wait when idle")
        parser.add_argument("--time-every", type=float, default=60.0, help="seconds between time-trigger passes")
        parser.add_argument("--sweep-every", type=float, default=15.0, help="seconds between sweeps")
        parser.add_argument("--batch-size", type=int, default=1000, help="events claimed per batch")

    def handle(self, *args, **options) -> None:
        loop = EngineLoop(interval=options["interval"], time_every=options["time_every"],
                          sweep_every=options["sweep_every"], batch_size=options["batch_size"])
        only = options["only"]
        if options["batch"]:
            self._batch(loop, only)
            return
        if only == "engine":
            self._stop_on_signal(loop)
            loop.run()
            return
        if only != "tasks":
            threading.Thread(target=loop.run, name="accord-engine", daemon=True).start()
        self._run_tasks(interval=options["interval"], loop=loop)

    def _stop_on_signal(self, loop: EngineLoop) -> None:
        def stop(*_args) -> None:
            loop.running = False

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)

    def _run_tasks(self, *, interval: float, loop: EngineLoop, batch: bool = False) -> None:
        backend = task_backends["default"]
        module = backend.__class__.__module__
        if module.startswith("django_tasks_db"):
            from django_tasks_db.management.commands.db_worker import Worker

            worker = Worker(queue_names=["*"], interval=interval, batch=batch, backend_name=backend.alias,
                            startup_delay=not batch, max_tasks=None, worker_id=get_random_string(32),
                            excluded_queue_names=[])
            if not batch:
                worker.configure_signals()
            worker.run()
        elif module.startswith("accord.automation.redis_backend"):
            from accord.automation.redis_backend import RedisWorker

            RedisWorker(backend, interval=interval, batch=batch).run()
        elif not batch:
            # Immediate or dummy backends have nothing to consume: run the engine in the foreground.
            loop.running = True
            self._stop_on_signal(loop)
            loop.run()
        loop.running = False

    def _batch(self, loop: EngineLoop, only: str | None) -> None:
        """Drain: engine until the outbox is empty, then the queued tasks, until neither has work."""
        from accord.automation import engine
        from accord.automation.models import Event, FiringAction

        for _round in range(1000):
            if only != "tasks":
                loop.tick(force=True, state={})
                while engine.process_outbox(batch_size=loop.batch_size):
                    pass
            if only != "engine":
                self._run_tasks(interval=0, loop=loop, batch=True)
                engine.run_due_actions()  # whatever is due but lost its wake-up call
            busy = Event.objects.filter(processed_at__isnull=True).exists() or FiringAction.objects.filter(
                status=FiringAction.Status.PENDING, next_attempt_at__lte=engine.timezone.now()).exists()
            if not busy or only:
                break
        sys.stdout.flush()
