"""API bodies keep Django's JSON formats after the switch to orjson."""

import datetime
import json
from decimal import Decimal
from enum import StrEnum

import pytest
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.translation import gettext_lazy

from accord.api.renderers import JSONRenderer
from tests.factories import PartnerFactory, VendorUserFactory


class Colour(StrEnum):
    RED = "red"


def test_values_are_written_as_djangos_encoder_writes_them(rf):
    value = {
        "created_at": datetime.datetime(2026, 11, 23, 18, 23, 46, 61234, tzinfo=datetime.UTC),
        "joined_on": datetime.date(2026, 1, 31),
        "opens_at": datetime.time(9, 30),
        "amount": Decimal("1200.50"),
        "label": gettext_lazy("Partners"),
        "colour": Colour.RED,
        "nested": [{"id": 1, "ratio": 0.25, "ok": True, "none": None}],
        "name": "ООО «Ромашка» Łódź",
    }
    body = JSONRenderer().render(rf.get("/"), value, response_status=200)
    assert json.loads(body) == json.loads(json.dumps(value, cls=DjangoJSONEncoder))
    assert b'"created_at":"2026-11-23T18:23:46.061Z"' in body
    assert b'"amount":"1200.50"' in body
    assert "«Ромашка» Łódź".encode() in body  # UTF-8, not \u escapes


@pytest.mark.django_db
def test_list_endpoints_answer_in_utf8_with_django_dates(api_as):
    partner = PartnerFactory(legal_name="ООО «Ромашка»")
    response = api_as(VendorUserFactory()).get("/partners")

    assert response["Content-Type"].startswith("application/json")
    assert "ООО «Ромашка»".encode() in response.content
    item = response.json()["items"][0]
    assert item["created_at"] == DjangoJSONEncoder().default(partner.created_at)
