"""Real concurrent reservations on PostgreSQL and on the embedded SQLite file: nothing is ever over-reserved."""

import json
import os
import subprocess
import sys
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from accord.commerce import services
from accord.commerce.models import Reservation, StockLevel
from tests.commerce.factories import WarehouseFactory, incoming, priced_product
from tests.factories import PartnerFactory

postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="needs the server database")


def _race(attempts: int, reserve) -> tuple[int, int]:
    start = threading.Barrier(attempts)
    outcomes: list[str] = []
    lock = threading.Lock()

    def attempt(index: int) -> None:
        try:
            start.wait()
            reserve(index)
            result = "ok"
        except ValidationError:
            result = "refused"
        finally:
            connections.close_all()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(attempts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes.count("ok"), outcomes.count("refused")


@pytest.mark.django_db(transaction=True)
@postgres_only
def test_concurrent_reservations_on_scarce_stock_never_exceed_it():
    warehouse = WarehouseFactory(code="scarce")
    product = priced_product(on_hand=10, warehouse=warehouse)
    partners = [PartnerFactory() for _ in range(4)]

    made, refused = _race(24, lambda i: services.reservation_make(
        actor=partners[i % 4].channel_manager, partner=partners[i % 4], product=product, quantity=1 + i % 2))

    level = StockLevel.objects.get(product=product, warehouse=warehouse)
    held = sum(Reservation.objects.filter(product=product).values_list("quantity", flat=True))
    assert level.reserved == held <= level.on_hand == 10
    assert made > 0 and refused > 0 and made + refused == 24
    assert level.on_hand - level.reserved < 2  # nobody was refused while enough was free


@pytest.mark.django_db(transaction=True)
@postgres_only
def test_concurrent_reservations_on_an_incoming_delivery_never_exceed_it():
    product = priced_product()
    line = incoming(product, 7, warehouse=WarehouseFactory(code="dock")).lines.get()
    partner = PartnerFactory()

    made, _refused = _race(16, lambda i: services.reservation_make(
        actor=partner.channel_manager, partner=partner, product=product, quantity=1, delivery_line=line))

    line.refresh_from_db()
    assert made == line.reserved == 7 == Reservation.objects.filter(delivery_line=line).count()


SQLITE_RACE = r"""
import json, os, threading
import django
django.setup()
from django.core.management import call_command
from django.core.exceptions import ValidationError
from django.db import connections
call_command("migrate", verbosity=0)
from accord.commerce import services
from accord.commerce.models import Product, Reservation, StockLevel, Warehouse
from accord.partners.models import Partner
warehouse = Warehouse.objects.create(code="race", name="Race", country="DE")
product = Product.objects.create(sku="RACE-1", name="Scarce")
services.stock_set(actor=None, warehouse=warehouse, product=product, on_hand=10)
partner = Partner.objects.create(legal_name="Racer", country="DE", currency="EUR")
start = threading.Barrier(12)
outcomes = []
def attempt(i):
    start.wait()
    try:
        services.reservation_make(actor=None, partner=partner, product=product, quantity=1 + i % 2,
                                  warehouse=warehouse)
        outcomes.append("ok")
    except ValidationError:
        outcomes.append("refused")
    finally:
        connections.close_all()
threads = [threading.Thread(target=attempt, args=(i,)) for i in range(12)]
[t.start() for t in threads]
[t.join() for t in threads]
level = StockLevel.objects.get(product=product)
held = sum(Reservation.objects.filter(product=product).values_list("quantity", flat=True))
print(json.dumps({"ok": outcomes.count("ok"), "refused": outcomes.count("refused"), "reserved": level.reserved,
                  "held": held, "on_hand": level.on_hand}))
"""


@pytest.mark.slow
def test_concurrent_reservations_on_the_embedded_sqlite_file_never_exceed_stock(tmp_path):
    """The embedded default (SQLite file, WAL, IMMEDIATE transactions) under real threads, in a fresh process."""
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env.update(ACCORD_HOME=str(tmp_path), DJANGO_SETTINGS_MODULE="accord.test_settings")
    result = subprocess.run([sys.executable, "-c", SQLITE_RACE], env=env, capture_output=True, text=True,
                            timeout=300, check=True)
    figures = json.loads(result.stdout.strip().splitlines()[-1])

    assert figures["reserved"] == figures["held"] <= figures["on_hand"] == 10
    assert figures["ok"] + figures["refused"] == 12 and figures["refused"] > 0
    assert figures["on_hand"] - figures["reserved"] < 2
