"""The sales sweep runs once per interval whoever calls it, and deadline tasks expire only overdue offers."""

import datetime

import pytest
from django.utils import timezone

from accord.sales import tasks
from accord.sales.models import LeadOffer, SalesSettings
from tests.factories import PartnerFactory
from tests.sales.factories import make_lead

pytestmark = pytest.mark.django_db


def test_sweep_is_claimed_once_per_interval(channel_manager):
    first = tasks.sales_sweep.call()
    second = tasks.sales_sweep.call()

    assert "offers_expired" in first and second == {"skipped": True}
    assert SalesSettings.current().sweep_due_at > timezone.now()


def test_sweep_catches_up_overdue_offers(channel_manager, partner_a):
    PartnerFactory(legal_name="Second GmbH", channel_manager=channel_manager)
    lead = make_lead(channel_manager, city="Berlin")
    LeadOffer.objects.filter(lead=lead).update(deadline=timezone.now() - datetime.timedelta(hours=1))

    result = tasks.sales_sweep.call()

    assert result["offers_expired"] == 1
    assert lead.offers.filter(status=LeadOffer.Status.PENDING).get().partner.legal_name == "Second GmbH"


def test_deadline_task_leaves_an_offer_that_is_not_yet_due(channel_manager, partner_a):
    offer = make_lead(channel_manager, city="Berlin").offers.get()

    assert tasks.offer_deadline_reached.call(offer.pk) == "nothing to do"
    offer.refresh_from_db()
    assert offer.status == LeadOffer.Status.PENDING
