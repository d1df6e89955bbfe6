"""Real concurrent reservations against PostgreSQL: whatever the interleaving, nothing is over-reserved."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from accord.commerce import services
from accord.commerce.models import Reservation, StockLevel
from tests.commerce.factories import WarehouseFactory, incoming, priced_product
from tests.factories import PartnerFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs a server database for real concurrency"),
]


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


def test_concurrent_reservations_on_an_incoming_delivery_never_exceed_it():
    product = priced_product()
    line = incoming(product, 7, warehouse=WarehouseFactory(code="dock")).lines.get()
    partner = PartnerFactory()

    made, _refused = _race(16, lambda i: services.reservation_make(
        actor=partner.channel_manager, partner=partner, product=product, quantity=1, delivery_line=line))

    line.refresh_from_db()
    assert made == line.reserved == 7 == Reservation.objects.filter(delivery_line=line).count()
