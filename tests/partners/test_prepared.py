"""Prepared list queries answer exactly what the QuerySet they were built from answers, for any values."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext

from accord.partners import selectors
from accord.partners.models import Partner, Tier
from accord.partners.prepared import MAX_SHAPES, PreparedQuery
from accord.partners.services import segment_save
from tests.factories import PartnerFactory, TierFactory, VendorUserFactory

pytestmark = pytest.mark.django_db

COLUMNS = ("id", "legal_name", "country", "status", "annual_revenue", "latitude", "joined_on", "created_at",
           "tier__code", "channel_manager__email")
VALUES = {"partner_id", "search", "segment", "tier", "country", "status"}


def partners(*, scope, partner_id=None, ordering="legal_name", **filters):
    return selectors.scoped_partner_list(selectors.Scope(scope, partner_id), **filters).order_by(ordering, "pk")


PAGE = PreparedQuery(lambda *, offset, limit, **arguments: partners(**arguments).values(*COLUMNS)[
    offset:offset + limit], values=VALUES)
COUNT = PreparedQuery(partners, values=VALUES)


@pytest.fixture
def world():
    gold = TierFactory(code="gold", name="Gold", rank=30)
    made = [
        PartnerFactory(legal_name="Alpha 100% GmbH", country="DE", tier=gold, annual_revenue=Decimal("1200.50"),
                       latitude=52.52, joined_on=datetime.date(2024, 5, 1)),
        PartnerFactory(legal_name="Beta_Net Sp. z o.o.", country="PL", status=Partner.Status.SUSPENDED),
        PartnerFactory(legal_name="Gamma \\ Systems", country="PL", tier=None, channel_manager=None),
        PartnerFactory(legal_name="ООО «Дельта»", country="RU", tier=gold),
    ]
    segment = segment_save(actor=VendorUserFactory(), name="Poland", rule={"field": "country", "op": "eq",
                                                                            "value": "PL"})
    return made, segment


def arguments_for(world):
    made, segment = world
    return [
        {"scope": "vendor"},
        {"scope": "vendor", "country": "PL"},
        {"scope": "vendor", "country": "DE", "tier": "gold"},
        {"scope": "vendor", "status": "suspended", "ordering": "-legal_name"},
        {"scope": "vendor", "segment": segment.pk, "ordering": "-created_at"},
        {"scope": "vendor", "search": "100%"},
        {"scope": "vendor", "search": "_net"},
        {"scope": "vendor", "search": "\\"},
        {"scope": "vendor", "search": "дельта"},
        {"scope": "vendor", "search": "nobody"},
        {"scope": "partner", "partner_id": made[0].pk},
        {"scope": "partner", "partner_id": made[1].pk, "country": "DE"},
        {"scope": "none"},
    ]


def test_rows_and_counts_equal_the_querysets(world):
    for arguments in arguments_for(world):
        for offset, limit in [(0, 50), (1, 2), (3, 10)]:
            expected = list(partners(**arguments).values(*COLUMNS)[offset:offset + limit])
            assert PAGE.rows(offset=offset, limit=limit, **arguments) == expected, arguments
        assert COUNT.count(**arguments) == partners(**arguments).count(), arguments


def test_values_come_back_as_django_types(world):
    row = PAGE.rows(offset=0, limit=1, scope="vendor", country="DE")[0]
    assert row["annual_revenue"] == Decimal("1200.50")
    assert row["joined_on"] == datetime.date(2024, 5, 1)
    assert row["created_at"].tzinfo is not None
    assert row["tier__code"] == "gold"


def test_a_shape_is_built_once_and_then_only_bound(world):
    made, _segment = world
    calls = []
    counting = PreparedQuery(lambda **arguments: calls.append(arguments) or partners(**arguments), values=VALUES)
    for partner in made:
        assert counting.count(scope="partner", partner_id=partner.pk) == 1
    assert len(calls) == 1
    counting.count(scope="vendor", country="PL")
    counting.count(scope="vendor", country="RU")
    assert len(calls) == 2
    with CaptureQueriesContext(connection) as queries:
        counting.count(scope="vendor", country="DE")
    assert len(queries) == 1


def test_another_partner_is_never_reached_by_binding(world):
    made, _segment = world
    for partner in made:
        rows = PAGE.rows(offset=0, limit=50, scope="partner", partner_id=partner.pk)
        assert [row["id"] for row in rows] == [partner.pk]


def test_a_builder_that_normalises_a_value_is_refused():
    shouting = PreparedQuery(lambda *, country: Partner.objects.filter(country=country.upper()), values={"country"})
    with pytest.raises(ValueError, match="country"):
        shouting.count(country="de")


def test_lookups_other_than_exact_and_contains_are_refused():
    prefix = PreparedQuery(lambda *, name: Partner.objects.filter(legal_name__startswith=name), values={"name"})
    with pytest.raises(ValueError, match="name"):
        prefix.count(name="Al")
    either = PreparedQuery(lambda *, name: Partner.objects.filter(Q(legal_name=name) | Q(legal_name__icontains=name)),
                           values={"name"})
    assert either.count(name="nobody") == 0


def test_an_id_no_column_can_hold_matches_nothing(world):
    assert PAGE.rows(offset=0, limit=5, scope="partner", partner_id=2**70) == []
    assert COUNT.count(scope="vendor", segment=-(2**70)) == 0


def test_many_shapes_do_not_grow_the_cache_without_bound(world):
    offsets = PreparedQuery(lambda *, offset: Partner.objects.order_by("pk").values("pk")[offset:offset + 1],
                            values=set())
    for offset in range(MAX_SHAPES + 5):
        offsets.rows(offset=offset % 4)
        offsets.rows(offset=100 + offset)
    assert len(offsets._compiled) <= MAX_SHAPES
    assert offsets.rows(offset=0) == list(Partner.objects.order_by("pk").values("pk")[:1])


def test_a_query_without_values_is_compiled_once_and_read_fresh_every_time():
    calls = []
    tiers = PreparedQuery(lambda: calls.append(1) or Tier.objects.order_by("rank").values_list("code", "name"))
    TierFactory(code="silver", name="Silver", rank=10)
    assert tiers.rows() == [{"code": "silver", "name": "Silver"}]
    TierFactory(code="gold", name="Gold", rank=30)
    assert tiers.rows() == [{"code": "silver", "name": "Silver"}, {"code": "gold", "name": "Gold"}]
    assert len(calls) == 1


def test_instances_are_the_model_objects_the_queryset_gives(world):
    by_country = PreparedQuery(lambda *, country: Partner.objects.filter(country=country).order_by("pk"),
                               values={"country"})
    for country in ("PL", "DE", "XX"):
        expected = list(Partner.objects.filter(country=country).order_by("pk"))
        got = by_country.instances(country=country)
        assert got == expected
        for mine, theirs in zip(got, expected, strict=True):
            assert {f.attname: getattr(mine, f.attname) for f in Partner._meta.concrete_fields} == {
                f.attname: getattr(theirs, f.attname) for f in Partner._meta.concrete_fields}
            assert not mine._state.adding
    partner = by_country.instances(country="DE")[0]
    partner.city = "Hamburg"
    partner.save(update_fields=["city"])
    assert Partner.objects.get(pk=partner.pk).city == "Hamburg"
