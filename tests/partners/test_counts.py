"""count_rows and count_rows_by answer exactly what the equivalent QuerySet would."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accord.partners.counts import count_many, count_rows, count_rows_by
from accord.partners.models import Partner, User
from tests.factories import PartnerAdminFactory, PartnerFactory, PartnerUserFactory, TierFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def partners():
    gold = TierFactory(name="Gold")
    made = [PartnerFactory(country="DE", status=Partner.Status.ACTIVE, tier=gold),
            PartnerFactory(country="DE", status=Partner.Status.SUSPENDED),
            PartnerFactory(country="PL", status=Partner.Status.ACTIVE, tier=gold),
            PartnerFactory(country="ID", status=Partner.Status.CHURNED, tier=None)]
    PartnerAdminFactory(partner=made[0])
    PartnerUserFactory(partner=made[0], is_active=False)
    PartnerUserFactory(partner=made[2])
    return made


@pytest.mark.parametrize("filters", [
    {},
    {"country": "DE"},
    {"country": "DE", "status": Partner.Status.ACTIVE},
    {"status__in": [Partner.Status.ACTIVE, Partner.Status.CHURNED]},
    {"status__in": []},
    {"tier__isnull": True},
    {"tier__isnull": False, "country__in": ("PL", "ID")},
])
def test_partner_counts_match_the_orm(partners, filters):
    assert count_rows(Partner, **filters) == Partner.objects.filter(**filters).count()


def test_foreign_keys_and_booleans(partners):
    first = partners[0]
    assert count_rows(User, partner_id=first.pk, is_active=True) == 1
    assert count_rows(User, partner=first) == 2
    assert count_rows(User, partner__isnull=True) == User.objects.filter(partner__isnull=True).count()


def test_grouped_counts_leave_out_values_that_do_not_occur(partners):
    assert count_rows_by(Partner, "status", country="DE") == {"active": 1, "suspended": 1}
    assert count_rows_by(Partner, "status", country="US") == {}


def test_what_it_cannot_express_is_refused_not_guessed():
    with pytest.raises(ValueError, match="country__icontains"):
        count_rows(Partner, country__icontains="d")
    with pytest.raises(ValueError, match="tier__isnull"):
        count_rows(Partner, tier=None)


def test_count_many_answers_each_counter_in_one_statement(partners):
    first = partners[0]
    with CaptureQueriesContext(connection) as queries:
        counts = count_many(german=(Partner, {"country": "DE"}), none=(Partner, {"status__in": []}),
                            active_people=(User, {"partner_id": first.pk, "is_active": True}))

    assert counts == {"german": Partner.objects.filter(country="DE").count(), "none": 0,
                      "active_people": User.objects.filter(partner=first, is_active=True).count()}
    assert len(queries) == 1
    assert count_many() == {}
