"""Commerce at scale on PostgreSQL: ageing, statement, cart availability, net prices, concurrent reservations.

    uv run python bench/commerce.py                  # builds the data set once, then measures
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/accord_commerce_bench uv run python bench/commerce.py

Data (built once with `accord seed --partners 5000` and COPY, reused by later runs): 5,000 partners,
20,000 products with list prices in every partner currency, tier and partner price lists, 3 warehouses,
3,000 inbound deliveries, 400,000 invoices with 1,000,000 invoice lines of which 200,000 invoices are open,
and a payment for every paid or partly paid invoice.

1. Ageing report for all partners (goal < 2 s). Baseline: COUNT(*) over the invoice table.
2. Partner statement, 200 random partners after 20 for warm-up (goal p95 < 50 ms). Baseline: one invoice
   fetched by primary key.
3. Availability/arrival-date answer for a 50-line cart, 200 carts (goal p95 < 50 ms). Baseline: the same.
4. Net price resolution for 10,000 random (partner, product, quantity) triples, loading included
   (goal > 20,000/s). Baseline: list-price dictionary lookups only (no rules).
5. 1,000 concurrent reservation attempts (16 threads, own connections) on 10 scarce products: no product may
   end with more reserved than on hand. Baseline: the same attempts as plain SELECTs of the stock row.

Last line: one JSON object with every figure.
"""

from __future__ import annotations

import datetime
import json
import os
import random
import statistics
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/accord_commerce_bench")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "accord.settings")

PARTNERS = 5_000
PRODUCTS = 20_000
INVOICES = 400_000
OPEN_INVOICES = 200_000
INVOICE_LINES = 1_000_000
DELIVERIES = 3_000
CATEGORIES = 40
SCARCE = 10
SCARCE_ON_HAND = 50
ATTEMPTS = 1_000
THREADS = 16
rng = random.Random(20261123)


def ensure_database() -> None:
    import psycopg
    from django.conf import settings

    db = settings.DATABASES["default"]
    if db["ENGINE"] != "django.db.backends.postgresql":
        sys.exit("bench/commerce.py needs PostgreSQL: set DATABASE_URL=postgres://…")
    with psycopg.connect(host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432, user=db["USER"],
                         dbname="postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db["NAME"]]).fetchone():
            conn.execute(f'CREATE DATABASE "{db["NAME"]}"')


def copy_rows(table: str, columns: list[str], rows) -> int:
    """COPY rows into a table through the Django connection's psycopg cursor."""
    from django.db import connection

    connection.ensure_connection()
    count = 0
    with connection.connection.cursor() as cursor, cursor.copy(
            f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
            count += 1
    return count


def build() -> None:
    """Create whatever part of the data set is missing (each part checks its own size)."""
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from accord.commerce.models import (
        Category,
        InboundDelivery,
        Invoice,
        InvoiceLine,
        ListPrice,
        PriceList,
        Product,
        Warehouse,
    )
    from accord.partners.models import Partner, Tier

    call_command("migrate", verbosity=0, interactive=False)
    have = Partner.objects.count()
    if have < PARTNERS:
        print(f"seeding {PARTNERS - have} partners (accord seed)…", flush=True)
        call_command("seed", partners=PARTNERS - have, seed=7)
    now = timezone.now()
    today = timezone.localdate()
    partners = list(Partner.objects.order_by("pk").values_list("pk", "currency", "tier_id")[:PARTNERS])
    currencies = sorted({currency for _pk, currency, _tier in partners})
    if Product.objects.filter(sku__startswith="B-").count() < PRODUCTS:
        print("building catalog, prices, stock and deliveries (COPY)…", flush=True)
        with transaction.atomic():
            tops = [Category.objects.create(code=f"bench-top-{i}", name=f"Bench top {i}") for i in range(10)]
            children = [Category.objects.create(code=f"bench-{i}", name=f"Bench {i}", parent=tops[i % 10])
                        for i in range(CATEGORIES - 10)]
            cats = [c.pk for c in tops + children]
            copy_rows("commerce_product", ["sku", "name", "description", "category_id", "lifecycle", "unit",
                                           "created_at", "updated_at"],
                      ((f"B-{i:05d}", f"Bench product {i}", "", rng.choice(cats), "available", "pcs", now, now)
                       for i in range(PRODUCTS)))
            products = list(Product.objects.filter(sku__startswith="B-").values_list("pk", flat=True))
            base = {pk: Decimal(rng.randrange(500, 500_000)) / 100 for pk in products}
            copy_rows("commerce_listprice", ["product_id", "currency", "amount", "valid_from"],
                      ((pk, currency, base[pk], datetime.date(2000, 1, 1)) for pk in products
                       for currency in currencies))
            for tier in Tier.objects.all():
                for currency in currencies:
                    price_list = PriceList.objects.create(
                        code=f"bench-{tier.code}-{currency}".lower(), name=f"{tier.name} {currency}",
                        currency=currency, scope="tier", tier=tier, valid_from=datetime.date(2026, 1, 1))
                    copy_rows("commerce_pricelistitem", ["price_list_id", "category_id", "min_quantity",
                                                         "discount_percent"],
                              ((price_list.pk, cat, quantity, Decimal(tier.rank) / 4 + extra)
                               for cat in cats for quantity, extra in ((1, 0), (20, 5))))
            for partner_pk, currency, _tier in rng.sample(partners, 1_000):
                price_list = PriceList.objects.create(code=f"bench-partner-{partner_pk}",
                                                      name=f"Partner terms {partner_pk}", currency=currency,
                                                      scope="partner", partner_id=partner_pk,
                                                      valid_from=datetime.date(2026, 1, 1))
                copy_rows("commerce_pricelistitem", ["price_list_id", "product_id", "min_quantity", "net_price"],
                          ((price_list.pk, pk, 1, base[pk] * Decimal("0.8"))
                           for pk in rng.sample(products, 10)))
            warehouses = [Warehouse.objects.get_or_create(code=f"bench-{c}", defaults={"name": f"Bench {c}",
                                                                                        "country": "DE"})[0].pk
                          for c in ("a", "b", "c")]
            copy_rows("commerce_stocklevel", ["warehouse_id", "product_id", "on_hand", "reserved", "updated_at"],
                      ((wh, pk, rng.randrange(0, 200), 0, now) for pk in products
                       for wh in rng.sample(warehouses, rng.choice((1, 2)))))
            copy_rows("commerce_inbounddelivery", ["reference", "warehouse_id", "supplier", "status", "ordered_on",
                                                   "expected_on", "first_expected_on", "created_at"],
                      ((f"B-IN-{i:05d}", rng.choice(warehouses), "Bench supplier", "planned", today,
                        today + datetime.timedelta(days=d), today + datetime.timedelta(days=d), now)
                       for i, d in ((i, rng.randrange(1, 90)) for i in range(DELIVERIES))))
            deliveries = list(InboundDelivery.objects.filter(reference__startswith="B-IN-").values_list("pk",
                                                                                                        flat=True))
            copy_rows("commerce_inbounddeliveryline", ["delivery_id", "product_id", "quantity", "reserved"],
                      ((d, pk, rng.randrange(10, 300), 0) for d in deliveries for pk in rng.sample(products, 4)))
    if Invoice.objects.count() < INVOICES:
        print("building invoices, lines and payments (COPY)…", flush=True)
        with transaction.atomic():
            invoices = []
            for i in range(INVOICES):
                partner_pk, currency, _tier = partners[i % len(partners)]
                lines = 3 if i % 2 else 2  # 2.5 lines per invoice on average: 1,000,000 lines
                amounts = [Decimal(rng.randrange(1_000, 500_000)) / 100 for _ in range(lines)]
                total = sum(amounts)
                issued = today - datetime.timedelta(days=rng.randrange(0, 400))
                due = issued + datetime.timedelta(days=30)
                if i % 2 == 0:  # half open: due dates from 200 days ago to 60 days ahead
                    due = today + datetime.timedelta(days=rng.randrange(-200, 60))
                    issued = due - datetime.timedelta(days=30)
                    partial = i % 10 == 0
                    status, open_amount = ("partially_paid", total / 2) if partial else ("issued", total)
                else:
                    status, open_amount = "paid", Decimal(0)
                invoices.append((f"B-INV-{i:07d}", "invoice", partner_pk, status, currency, total,
                                 open_amount.quantize(Decimal("0.01")), issued, due,
                                 due if status == "paid" else None, "", now, amounts))
            copy_rows("commerce_invoice", ["number", "kind", "partner_id", "status", "currency", "total",
                                           "open_amount", "issue_date", "due_date", "paid_on", "note", "created_at"],
                      (row[:12] for row in invoices))
            ids = dict(Invoice.objects.filter(number__startswith="B-INV-").values_list("number", "pk"))
            copy_rows("commerce_invoiceline", ["invoice_id", "description", "quantity", "unit_price", "amount"],
                      ((ids[row[0]], "Bench line", 1, amount, amount) for row in invoices for amount in row[12]))
            copy_rows("commerce_payment", ["partner_id", "invoice_id", "currency", "amount", "received_on",
                                           "reference", "created_at"],
                      ((row[2], ids[row[0]], row[4], row[5] - row[6], row[8], "bench", now) for row in invoices
                       if row[3] != "issued"))
        del invoices
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    assert InvoiceLine.objects.count() >= INVOICE_LINES and ListPrice.objects.exists()


def timed(func, repeat: int) -> list[float]:
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        runs.append((time.perf_counter() - start) * 1000)
    return runs


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) > 1 else values[0]


def main() -> None:
    import django

    django.setup()
    ensure_database()
    build()
    from django.db import connection, connections
    from django.db.models import F, Sum

    from accord.commerce import selectors, services
    from accord.commerce.models import Invoice, InvoiceLine, Product, Reservation, StockLevel, Warehouse
    from accord.commerce.pricing import PriceBook
    from accord.partners.models import Partner, User

    admin = User.objects.filter(is_superuser=True, partner__isnull=True).first() or User.objects.create_superuser(
        "bench-admin@example.com", "bench-admin-password")
    sizes = {"partners": Partner.objects.count(), "products": Product.objects.count(),
             "invoices": Invoice.objects.count(), "invoice_lines": InvoiceLine.objects.count(),
             "open_invoices": Invoice.objects.filter(status__in=["issued", "partially_paid"]).count()}
    load = os.getloadavg()[0]
    print(f"machine: {os.cpu_count()} cores, load average {load:.1f} at the start (shared machines skew every "
          f"figure; compare each with its baseline)")
    print(f"data: {sizes['partners']:,} partners, {sizes['products']:,} products, {sizes['invoices']:,} invoices "
          f"with {sizes['invoice_lines']:,} lines, {sizes['open_invoices']:,} open")
    results: dict = {"data": sizes, "load_average": round(load, 1)}

    # 1. ageing for all partners
    rows: list = []
    runs = timed(lambda: rows.extend(selectors.ageing()), 3)
    with connection.cursor() as cursor:
        baseline = timed(lambda: cursor.execute("SELECT count(*) FROM commerce_invoice"), 3)
    ageing_ms = statistics.median(runs)
    print(f"1. ageing report, all partners: {ageing_ms:.0f} ms median of 3 ({len(rows) // 3:,} partner/currency "
          f"rows)  goal < 2000 ms  {'OK' if ageing_ms < 2000 else 'MISSED'}  "
          f"[baseline COUNT(*) of all invoices: {statistics.median(baseline):.0f} ms]")
    results["ageing_ms"] = round(ageing_ms, 1)
    results["ageing_baseline_count_ms"] = round(statistics.median(baseline), 1)

    # 2. partner statement
    partner_objs = list(Partner.objects.order_by("?")[:220])
    for partner in partner_objs[200:]:  # warm-up: the first reads after the bulk load come from disk
        selectors.statement(admin, partner)
    partner_objs = partner_objs[:200]
    statement_runs = [timed(lambda p=p: selectors.statement(admin, p), 1)[0] for p in partner_objs]
    some_ids = list(Invoice.objects.order_by("?").values_list("pk", flat=True)[:200])
    pk_runs = [timed(lambda i=i: Invoice.objects.get(pk=i), 1)[0] for i in some_ids]
    print(f"2. partner statement: p95 {p95(statement_runs):.1f} ms, median {statistics.median(statement_runs):.1f} ms "
          f"over 200 partners  goal p95 < 50 ms  {'OK' if p95(statement_runs) < 50 else 'MISSED'}  "
          f"[baseline invoice by pk: p95 {p95(pk_runs):.1f} ms]")
    results["statement_p95_ms"] = round(p95(statement_runs), 2)
    results["statement_baseline_pk_p95_ms"] = round(p95(pk_runs), 2)

    # 3. availability for a 50-line cart
    product_ids = list(Product.objects.filter(sku__startswith="B-").values_list("pk", flat=True))
    carts = [{pk: rng.randrange(1, 120) for pk in rng.sample(product_ids, 50)} for _ in range(200)]
    answers: list = []
    cart_runs = [timed(lambda c=c: answers.append(selectors.availability(c)), 1)[0] for c in carts]
    dated = sum(1 for a in answers[-1].values() if a.earliest_date)
    print(f"3. availability of a 50-line cart: p95 {p95(cart_runs):.1f} ms, median "
          f"{statistics.median(cart_runs):.1f} ms over 200 carts ({dated}/50 lines dated in the last)  "
          f"goal p95 < 50 ms  {'OK' if p95(cart_runs) < 50 else 'MISSED'}  [baseline invoice by pk: "
          f"p95 {p95(pk_runs):.1f} ms]")
    results["availability_p95_ms"] = round(p95(cart_runs), 2)

    # 4. net price resolution
    everyone = list(Partner.objects.filter(pk__in=Partner.objects.order_by("?").values("pk")[:5000]))
    categories = dict(Product.objects.filter(sku__startswith="B-").values_list("pk", "category_id"))
    triples = [(rng.choice(everyone), rng.choice(product_ids), rng.randrange(1, 60)) for _ in range(10_000)]
    start = time.perf_counter()
    needed: dict[str, set[int]] = {}
    for partner, product_id, _quantity in triples:
        needed.setdefault(partner.currency, set()).add(product_id)
    book = PriceBook(partners={t[0] for t in triples}, products=needed)
    loaded = time.perf_counter()
    priced = sum(1 for partner, product_id, quantity in triples
                 if book.price(partner.pk, (product_id, categories[product_id]), quantity) is not None)
    done = time.perf_counter()
    rate = len(triples) / (done - start)
    resolve_rate = len(triples) / (done - loaded)
    baseline_start = time.perf_counter()
    for partner, product_id, _quantity in triples:
        book.list_prices.get((partner.currency, product_id))
    baseline_rate = len(triples) / (time.perf_counter() - baseline_start)
    currencies = len({t[0].currency for t in triples})
    print(f"4. net price resolution: {rate:,.0f}/s for 10,000 (partner, product, quantity), loading included "
          f"({currencies} currencies, {priced:,} priced, loading {1000 * (loaded - start):.0f} ms); "
          f"{resolve_rate:,.0f}/s once loaded  goal > 20,000/s  {'OK' if rate > 20_000 else 'MISSED'}  "
          f"[baseline list-price lookups only: {baseline_rate:,.0f}/s]")
    results["prices_per_second"] = round(rate)
    results["prices_per_second_loaded"] = round(resolve_rate)
    results["prices_baseline_lookups_per_second"] = round(baseline_rate)

    # 5. concurrent reservations on scarce products
    warehouse, _created = Warehouse.objects.get_or_create(code="bench-scarce", defaults={"name": "Scarce",
                                                                                         "country": "DE"})
    scarce = list(Product.objects.filter(sku__startswith="B-").order_by("pk")[:SCARCE])
    Reservation.objects.filter(product__in=scarce).delete()
    StockLevel.objects.filter(product__in=scarce).update(reserved=0)
    for product in scarce:
        StockLevel.objects.update_or_create(warehouse=warehouse, product=product,
                                            defaults={"on_hand": SCARCE_ON_HAND, "reserved": 0})
    partner_pool = everyone[:200]
    plan = [(rng.choice(partner_pool), rng.choice(scarce), rng.randrange(1, 4)) for _ in range(ATTEMPTS)]
    outcomes = {"made": 0, "refused": 0}
    lock = threading.Lock()
    latencies: list[float] = []

    def attempt(item) -> None:
        partner, product, quantity = item
        began = time.perf_counter()
        try:
            services.reservation_make(actor=None, partner=partner, product=product, quantity=quantity,
                                      warehouse=warehouse)
            key = "made"
        except services.ValidationError:
            key = "refused"
        with lock:
            outcomes[key] += 1
            latencies.append((time.perf_counter() - began) * 1000)

    def run(work, items) -> float:
        """Run `work` over items on THREADS threads; Django gives each thread its own database connection."""
        started = time.perf_counter()
        with ThreadPoolExecutor(THREADS) as pool:
            list(pool.map(work, items))
        return time.perf_counter() - started

    elapsed = run(attempt, plan)
    connections.close_all()
    levels = StockLevel.objects.filter(warehouse=warehouse, product__in=scarce)
    over = levels.filter(reserved__gt=F("on_hand")).count()
    held = Reservation.objects.filter(product__in=scarce, status="active").aggregate(total=Sum("quantity"))["total"]
    reserved_total = levels.aggregate(total=Sum("reserved"))["total"]

    def look(item) -> None:
        StockLevel.objects.filter(warehouse=warehouse, product=item[1]).values_list("reserved", flat=True).first()

    baseline_elapsed = run(look, plan)
    consistent = held == reserved_total
    print(f"5. {ATTEMPTS:,} concurrent reservation attempts ({THREADS} threads) on {SCARCE} products × "
          f"{SCARCE_ON_HAND} units: {outcomes['made']} made, {outcomes['refused']} refused, "
          f"{reserved_total}/{SCARCE * SCARCE_ON_HAND} units reserved, over-reserved products: {over}, "
          f"reservations == stock reserved: {consistent}; {ATTEMPTS / elapsed:,.0f} attempts/s, "
          f"p95 {p95(latencies):.1f} ms  goal: no over-reservation  {'OK' if not over and consistent else 'MISSED'}  "
          f"[baseline plain SELECT of the stock row: {ATTEMPTS / baseline_elapsed:,.0f}/s]")
    results.update({"reservation_attempts": ATTEMPTS, "reservations_made": outcomes["made"],
                    "reservations_refused": outcomes["refused"], "units_reserved": reserved_total,
                    "units_available": SCARCE * SCARCE_ON_HAND, "over_reserved_products": over,
                    "reservations_consistent": consistent, "reservation_attempts_per_second": round(ATTEMPTS / elapsed),
                    "reservation_p95_ms": round(p95(latencies), 2),
                    "reservation_baseline_selects_per_second": round(ATTEMPTS / baseline_elapsed)})
    results["goals_met"] = (ageing_ms < 2000 and p95(statement_runs) < 50 and p95(cart_runs) < 50
                            and rate > 20_000 and not over and consistent)
    print(json.dumps(results))


if __name__ == "__main__":
    main()
