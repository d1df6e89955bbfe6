"""Simultaneous registrations of one customer on PostgreSQL: exactly one passes, the others see it."""

import threading

import pytest
from django.db import connection, connections

from accord.sales.models import Deal
from tests.factories import PartnerUserFactory
from tests.sales.factories import register

postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="needs the server database")


@pytest.mark.django_db(transaction=True)
@postgres_only
def test_simultaneous_registrations_of_one_customer_accept_only_one():
    users = [PartnerUserFactory() for _ in range(4)]
    names = ["ООО «Ромашка»", "Romashka LLC", "ROMASHKA", "Romaschka GmbH"]
    start = threading.Barrier(len(users))

    def attempt(user, name) -> None:
        try:
            start.wait()
            register(user, company_name=name)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt, args=pair) for pair in zip(users, names, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    statuses = sorted(Deal.objects.values_list("status", flat=True))
    assert statuses == ["rejected", "rejected", "rejected", "submitted"]
