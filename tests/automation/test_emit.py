import pytest
from django.db import transaction

from accord.automation.api import emit
from accord.automation.models import Event
from tests.factories import PartnerFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_event_is_written_in_the_callers_transaction():
    partner = PartnerFactory()
    Event.objects.all().delete()
    with pytest.raises(RuntimeError), transaction.atomic():
        emit("partner.updated", partner, partner=partner, fields=["city"])
        raise RuntimeError("the change failed")

    assert not Event.objects.exists()


def test_several_emits_of_one_subject_in_one_transaction_collapse():
    partner = PartnerFactory()
    Event.objects.all().delete()
    with transaction.atomic():
        emit("partner.updated", partner, partner=partner, city="Kraków")
        emit("partner.updated", partner, partner=partner, region="Małopolskie")
    with transaction.atomic():
        emit("partner.updated", partner, partner=partner, city="Gdańsk")

    events = list(Event.objects.filter(type="partner.updated").order_by("id"))
    assert [e.payload for e in events] == [{"city": "Kraków", "region": "Małopolskie"}, {"city": "Gdańsk"}]


def test_unknown_event_type_is_refused():
    with pytest.raises(LookupError):
        emit("partner.teleported", PartnerFactory())
