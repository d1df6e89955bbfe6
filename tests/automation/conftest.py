import datetime

import pytest
from django.utils import timezone


@pytest.fixture
def at():
    """Build an aware UTC moment: at(2026, 5, 1, 9) -> 2026-05-01 09:00 UTC."""

    def build(year, month, day, hour=0, minute=0):
        return datetime.datetime(year, month, day, hour, minute, tzinfo=datetime.UTC)

    return build


@pytest.fixture
def today():
    return timezone.localdate()
