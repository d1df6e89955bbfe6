"""Automation engine throughput and the daily time-trigger pass, on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/accord_automation_bench uv run python bench/automation.py
    uv run python bench/automation.py --events 20000 --invoices 200000        # a quick run

1. Event throughput. 50 enabled rules, each on its own event type with a condition over the partner, and two
   `accord worker --only engine` processes (batches claimed with SKIP LOCKED). EVENTS events are committed at
   once (COPY) while the workers wait; the clock runs until every event is processed, i.e. matched, its ledger
   row written and its action enqueued as a task. Baseline, same run: the same number of plain single-row
   INSERT + COMMIT of the event rows alone (the floor cost of recording an event).
2. The daily time-trigger pass over INVOICES open invoices (COPY into commerce's table), due dates spread so
   that about 3% are due for some step of the dunning playbook today; run in a fresh process whose peak memory
   (ru_maxrss, and tracemalloc's peak of Python allocations) is reported.
3. The same pass done the naive way in the same run: every open invoice loaded as a model with its partner,
   each rule evaluated in Python, and each hit written one by one (ledger row, action, task).

Last line: one JSON object with every figure.
"""

from __future__ import annotations

import argparse
import datetime
import io
import json
import os
import random
import resource
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/accord_automation_bench")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "accord.settings")
os.environ.pop("ACCORD_TASKS_BACKEND", None)

RULES = 50
ZONES = ["Asia/Jakarta", "Europe/Warsaw", "Europe/Moscow", "America/New_York", "America/Chicago", "Europe/Berlin",
         "Asia/Tokyo", "Australia/Sydney", "America/Sao_Paulo", "UTC"]
NOW = datetime.datetime(2026, 6, 10, 10, 0, tzinfo=datetime.UTC)
DUE_SPREAD_DAYS = 100  # due dates uniform over today ± 100 days: each day holds 0.5% of the invoices


def bench_event_types() -> None:
    """The 50 event types of this benchmark (registered in every process that reads the rules)."""
    from accord.automation import api

    for i in range(RULES):
        api.register_event_type(f"bench.signal_{i}", label=f"Bench signal {i}", subject="partners.Partner")


def setup_django() -> None:
    import django

    django.setup()
    bench_event_types()


def ensure_database() -> None:
    import psycopg
    from django.conf import settings

    name = settings.DATABASES["default"]["NAME"]
    with psycopg.connect(host="127.0.0.1", user="postgres", dbname="postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def reset(*, keep_invoices: bool) -> None:
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0, interactive=False)
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE automation_event, automation_firing, automation_firingaction, automation_message, "
                       "automation_task, automation_triggercursor, automation_ruleversion, automation_rule, "
                       "automation_pause, django_tasks_database_dbtaskresult CASCADE")
        if not keep_invoices:
            cursor.execute("TRUNCATE commerce_invoice CASCADE")


def partners(count: int = 1000) -> list[int]:
    from accord.partners.models import Partner

    existing = list(Partner.objects.filter(legal_name__startswith="Bench ").values_list("pk", flat=True))
    if len(existing) >= count:
        return existing[:count]
    rows = [Partner(legal_name=f"Bench {i:05d}", country=random.choice(["DE", "PL", "ID", "US", "RU"]),
                    time_zone=ZONES[i % len(ZONES)], currency="EUR", status="active") for i in range(count)]
    Partner.objects.bulk_create(rows, batch_size=1000)
    return list(Partner.objects.filter(legal_name__startswith="Bench ").values_list("pk", flat=True))


def copy_rows(table: str, columns: list[str], rows) -> None:
    from django.db import connection

    buffer = io.StringIO()
    for row in rows:
        buffer.write("\t".join("\\N" if v is None else str(v) for v in row) + "\n")
    buffer.seek(0)
    with connection.cursor() as cursor, cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        while chunk := buffer.read(1 << 20):
            copy.write(chunk)


# --- 1. event throughput -----------------------------------------------------------------------------------------

def event_rules() -> None:
    from accord.automation import services

    for i in range(RULES):
        services.rule_create(
            actor=None, code=f"bench-{i}", name=f"Bench rule {i}", category="transactional", enabled=True,
            trigger={"type": "event", "event": f"bench.signal_{i}"},
            condition={"field": "partner.country", "op": "in", "value": ["DE", "PL", "ID", "US", "RU"]},
            actions=[{"type": "notify", "params": {"to": ["partner_admins"], "template": "generic"}}])


def event_rows(count: int, partner_ids: list[int]):
    from django.contrib.contenttypes.models import ContentType

    from accord.partners.models import Partner

    type_id = ContentType.objects.get_for_model(Partner).pk
    now = datetime.datetime.now(datetime.UTC).isoformat()
    for i in range(count):
        partner = partner_ids[i % len(partner_ids)]
        yield (f"bench.signal_{i % RULES}", type_id, partner, partner, "{}", now)


EVENT_COLUMNS = ["type", "subject_type_id", "subject_id", "partner_id", "payload", "occurred_at"]


def throughput(count: int, partner_ids: list[int]) -> dict:
    from django.db import connection, transaction

    from accord.automation.models import Event, FiringAction

    env = {**os.environ, "ACCORD_LOG_LEVEL": "ERROR"}
    workers = [subprocess.Popen([sys.executable, __file__, "--worker"], env=env) for _ in range(2)]
    time.sleep(4)  # both workers are up and polling an empty outbox
    with transaction.atomic():
        copy_rows("automation_event", EVENT_COLUMNS, event_rows(count, partner_ids))
    started = time.perf_counter()
    while Event.objects.filter(processed_at__isnull=True).exists():
        time.sleep(0.05)
        if any(w.poll() is not None for w in workers):
            raise SystemExit("a worker died")
    elapsed = time.perf_counter() - started
    for worker in workers:
        worker.terminate()
    for worker in workers:
        worker.wait(timeout=30)
    actions = FiringAction.objects.count()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM django_tasks_database_dbtaskresult")
        tasks = cursor.fetchone()[0]
    assert actions == tasks == count, (actions, tasks, count)
    return {"events": count, "seconds": round(elapsed, 2), "events_per_s": round(count / elapsed),
            "actions_enqueued": tasks}


def baseline(count: int, partner_ids: list[int]) -> dict:
    """The same number of event rows, each one INSERT and one COMMIT (psycopg, autocommit)."""
    import psycopg
    from django.conf import settings

    db = settings.DATABASES["default"]
    rows = list(event_rows(count, partner_ids))
    with psycopg.connect(host=db["HOST"], port=db["PORT"] or 5432, user=db["USER"], dbname=db["NAME"],
                         autocommit=True) as conn:
        statement = (f"INSERT INTO automation_event ({', '.join(EVENT_COLUMNS)}) "
                     "VALUES (%s, %s, %s, %s, %s, %s)")
        started = time.perf_counter()
        for row in rows:
            conn.execute(statement, row)
        elapsed = time.perf_counter() - started
        conn.execute("DELETE FROM automation_event WHERE processed_at IS NULL")
    return {"events": count, "seconds": round(elapsed, 2), "events_per_s": round(count / elapsed)}


# --- 2. and 3. the time-trigger pass -----------------------------------------------------------------------------

def invoices(count: int, partner_ids: list[int]) -> dict:
    from accord.commerce.models import Invoice

    present = Invoice.objects.filter(number__startswith="BENCH-").count()
    if present == count:  # --keep-invoices: the same generated set is already there
        return {"invoices": count, "load_seconds": 0.0, "reused": True}
    if present:
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE commerce_invoice CASCADE")
    today = NOW.date()
    rng = random.Random(7)

    def rows():
        created = NOW.isoformat()
        for i in range(count):
            due = today + datetime.timedelta(days=rng.randint(-DUE_SPREAD_DAYS, DUE_SPREAD_DAYS))
            status = "partially_paid" if i % 10 == 0 else "issued"
            total = 1000 + i % 9000
            open_amount = total // 2 if status == "partially_paid" else total
            yield (f"BENCH-{i:08d}", "invoice", partner_ids[i % len(partner_ids)], status, "EUR", total,
                   open_amount, due - datetime.timedelta(days=30), due, "", created)

    started = time.perf_counter()
    copy_rows("commerce_invoice", ["number", "kind", "partner_id", "status", "currency", "total", "open_amount",
                                   "issue_date", "due_date", "note", "created_at"], rows())
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE commerce_invoice")
    return {"invoices": count, "load_seconds": round(time.perf_counter() - started, 1)}


def dunning_rules() -> None:
    from accord.automation import demo, services

    for definition in demo.PLAYBOOKS:
        if definition["playbook"] == "receivables-dunning":
            services.rule_create(actor=None, enabled=True, **definition)


def reset_pass_state() -> None:
    from django.db import connection

    from accord.automation.models import Rule, TriggerCursor

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE automation_firing, automation_firingaction, automation_task, "
                       "django_tasks_database_dbtaskresult CASCADE")
    TriggerCursor.objects.all().delete()
    for rule in Rule.objects.filter(playbook="receivables-dunning"):
        TriggerCursor.objects.create(rule=rule, swept_until=NOW - datetime.timedelta(days=1))


def time_pass_process() -> None:
    """Run in a fresh process: the pass, its duration and its peak memory."""
    setup_django()
    from accord.automation import engine
    from accord.automation.models import Firing, FiringAction

    tracemalloc.start()
    started = time.perf_counter()
    stats = engine.time_pass(now=NOW)
    elapsed = time.perf_counter() - started
    _current, peak = tracemalloc.get_traced_memory()
    fired = Firing.objects.filter(status="fired").count()
    print(json.dumps({"seconds": round(elapsed, 2), "fired": fired, "recorded": Firing.objects.count(),
                      "actions": FiringAction.objects.count(), "rules": stats,
                      "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
                      "tracemalloc_peak_mb": round(peak / 2**20, 1)}))


def naive_pass() -> dict:
    """What many engines do: load every open invoice with its partner, decide in Python, write hit by hit."""
    import zoneinfo

    from django.contrib.contenttypes.models import ContentType
    from django.db import transaction

    from accord.automation import definitions, tasks
    from accord.automation.models import Firing, FiringAction, Rule
    from accord.commerce.models import Invoice

    rules = [(rule, definitions.parse_trigger(rule.current_version.trigger))
             for rule in Rule.objects.filter(playbook="receivables-dunning").select_related("current_version")]
    content_type = ContentType.objects.get_for_model(Invoice)
    tracemalloc.start()
    started = time.perf_counter()
    hits = 0
    open_invoices = Invoice.objects.filter(status__in=["issued", "partially_paid"], kind="invoice").select_related(
        "partner").order_by("pk")
    chunk: list = []
    zones: dict = {}

    def decide_and_write(invoices: list) -> int:
        """One transaction per chunk; each hit checked and written on its own, as a per-record engine does."""
        written = 0
        with transaction.atomic():
            for invoice in invoices:
                zone = zones.setdefault(invoice.partner.time_zone, zoneinfo.ZoneInfo(invoice.partner.time_zone))
                for rule, trigger in rules:
                    local_today = NOW.astimezone(zone).date()
                    if datetime.datetime.combine(local_today, trigger.at, tzinfo=zone) > NOW:
                        local_today -= datetime.timedelta(days=1)
                    offset = (local_today - invoice.due_date).days
                    if not trigger.first_day <= offset <= trigger.last_day or invoice.open_amount <= 0:
                        continue
                    occurrence = invoice.due_date.isoformat() if trigger.first_day == trigger.last_day else \
                        local_today.isoformat()
                    key = f"{rule.pk}|{content_type.pk}:{invoice.pk}|{occurrence}"
                    if Firing.objects.filter(key=key).exists():
                        continue
                    firing = Firing.objects.create(
                        key=key, rule=rule, rule_version=rule.current_version, subject_type=content_type,
                        subject_id=invoice.pk, partner_id=invoice.partner_id, occurrence=occurrence,
                        trigger=rule.current_version.trigger)
                    for position, action in enumerate(rule.current_version.actions):
                        row = FiringAction.objects.create(firing=firing, position=position, kind=action["type"],
                                                          params=action.get("params", {}))
                        tasks.run_action.enqueue(row.pk)
                    written += 1
        return written

    for invoice in open_invoices.iterator(chunk_size=5000):
        chunk.append(invoice)
        if len(chunk) == 5000:
            hits += decide_and_write(chunk)
            chunk = []
    hits += decide_and_write(chunk)
    elapsed = time.perf_counter() - started
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {"seconds": round(elapsed, 2), "fired": hits, "tracemalloc_peak_mb": round(peak / 2**20, 1)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=50_000)
    parser.add_argument("--invoices", type=int, default=1_000_000)
    parser.add_argument("--keep-invoices", action="store_true",
                        help="reuse the invoices a previous run generated (same count) instead of loading them again")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--time-pass", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        setup_django()
        from django.core.management import call_command

        call_command("worker", only="engine", interval=0.02, batch_size=1000)
        return
    if args.time_pass:
        time_pass_process()
        return
    if not os.environ["DATABASE_URL"].startswith("postgres"):
        raise SystemExit("bench/automation.py needs PostgreSQL (DATABASE_URL=postgres://…)")
    import django

    django.setup()
    ensure_database()
    bench_event_types()
    reset(keep_invoices=args.keep_invoices)
    partner_ids = partners()
    print(f"data: {len(partner_ids)} partners in {len(ZONES)} time zones, {RULES} event rules, "
          f"{args.events:,} events, {args.invoices:,} open invoices", flush=True)

    base = baseline(args.events, partner_ids)
    print(f"(1) baseline: {base['events']:,} single-row INSERT+COMMIT of events: {base['seconds']} s = "
          f"{base['events_per_s']:,} events/s", flush=True)
    event_rules()
    engine_run = throughput(args.events, partner_ids)
    ratio = engine_run["events_per_s"] / base["events_per_s"]
    print(f"(1) engine, 2 workers, {RULES} rules: {engine_run['events']:,} events matched, recorded and "
          f"enqueued in {engine_run['seconds']} s = {engine_run['events_per_s']:,} events/s "
          f"({ratio:.2f} × baseline)", flush=True)

    load = invoices(args.invoices, partner_ids)
    if load.get("reused"):
        print(f"(2) reusing the {load['invoices']:,} open invoices generated by an earlier run", flush=True)
    else:
        print(f"(2) loaded {load['invoices']:,} open invoices by COPY in {load['load_seconds']} s", flush=True)
    dunning_rules()
    reset_pass_state()
    output = subprocess.run([sys.executable, __file__, "--time-pass"], capture_output=True, text=True, check=True,
                            env={**os.environ, "ACCORD_LOG_LEVEL": "ERROR"})
    timed = json.loads(output.stdout.strip().splitlines()[-1])
    share = timed["fired"] / args.invoices
    print(f"(2) set-based pass: {timed['fired']:,} firings ({share:.1%} of the invoices), {timed['actions']:,} "
          f"actions enqueued in {timed['seconds']} s; peak RSS {timed['peak_rss_mb']} MB, Python allocations "
          f"peak {timed['tracemalloc_peak_mb']} MB", flush=True)

    reset_pass_state()
    naive = naive_pass()
    speedup = naive["seconds"] / timed["seconds"]
    print(f"(3) naive pass: {naive['fired']:,} firings in {naive['seconds']} s "
          f"(Python allocations peak {naive['tracemalloc_peak_mb']} MB); set-based is {speedup:.1f} × faster",
          flush=True)
    assert naive["fired"] == timed["fired"], (naive["fired"], timed["fired"])
    print(json.dumps({
        "partners": len(partner_ids), "rules": RULES, "workers": 2, "events": args.events,
        "baseline_events_per_s": base["events_per_s"], "engine_events_per_s": engine_run["events_per_s"],
        "engine_vs_baseline": round(ratio, 2), "invoices": args.invoices, "due_today": timed["fired"],
        "due_share": round(share, 4), "time_pass_seconds": timed["seconds"],
        "time_pass_peak_rss_mb": timed["peak_rss_mb"], "time_pass_tracemalloc_peak_mb": timed["tracemalloc_peak_mb"],
        "naive_pass_seconds": naive["seconds"], "set_based_speedup": round(speedup, 1),
        "goals_met": {"throughput_5000": engine_run["events_per_s"] >= 5000, "half_baseline": ratio >= 0.5,
                      "pass_under_15s": timed["seconds"] < 15, "pass_under_500mb": timed["peak_rss_mb"] < 500,
                      "20x_naive": speedup >= 20}}))


if __name__ == "__main__":
    main()
