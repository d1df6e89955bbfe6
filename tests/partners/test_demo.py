"""The partners demo data: rich enough to explore every console page, and idempotent."""

import pytest

from accord.partners import demo
from accord.partners.models import Application, ManagerMessage, Partner, QualificationQuestion, Segment, User

pytestmark = pytest.mark.django_db


def _counts():
    return {model.__name__: model.objects.count()
            for model in (Partner, User, Segment, QualificationQuestion, Application, ManagerMessage)}


def test_seed_twice_duplicates_nothing():
    demo.seed()
    first = _counts()

    demo.seed()

    assert _counts() == first


def test_demo_covers_countries_statuses_segments_and_the_review_queue():
    demo.seed()

    countries = set(Partner.objects.values_list("country", flat=True))
    assert {"RU", "PL", "ID", "DE", "US"} <= countries and len(countries) >= 7
    assert Partner.objects.count() >= 25
    statuses = set(Partner.objects.values_list("status", flat=True))
    assert {"active", "onboarding", "suspended", "churned"} <= statuses
    assert Partner.objects.exclude(tax_id="").count() == Partner.objects.count()
    indonesian = Segment.objects.get(name="Indonesian resellers")
    assert set(indonesian.members.values_list("country", flat=True)) == {"ID"}
    assert Segment.objects.get(name="Gold and Platinum in the EU").members.filter(country="US").count() == 0
    assert Application.objects.filter(status="submitted").count() >= 3
    assert QualificationQuestion.objects.get(weight=3).localized("pl")[0].startswith("Ilu")
    assert ManagerMessage.objects.filter(recipient__email="cam@accord.example").exists()
