"""Selectors scope every partner-facing read; the partner's view of a conflict names no other partner."""

import pytest
from django.http import Http404

from accord.sales import selectors
from tests.sales.factories import make_lead, register

pytestmark = pytest.mark.django_db


def test_partners_see_only_their_own_deals_and_offers(partner_user_a, partner_admin_b, channel_manager):
    mine = register(partner_user_a)
    make_lead(channel_manager, city="Berlin")

    assert list(selectors.deal_list(partner_admin_b)) == []
    assert list(selectors.deal_list(partner_user_a)) == [mine]
    assert selectors.offers_for_partner(partner_admin_b).count() == 0
    with pytest.raises(Http404):
        selectors.deal_get(partner_admin_b, mine.pk)
    with pytest.raises(Http404):
        selectors.lead_list(partner_user_a)


def test_conflict_view_shows_date_and_owner_type_only(partner_user_a, partner_admin_b, channel_manager):
    first = register(partner_user_a, company_name="Romashka")
    own_second = register(partner_user_a, company_name="ROMASHKA LLC")
    other = register(partner_admin_b, company_name="Ромашка")
    vendor_first = register(channel_manager, company_name="Vektor Bank", company_country="DE")
    against_vendor = register(partner_admin_b, company_name="VEKTOR BANK AG", company_country="DE")

    assert selectors.conflict_for_partner(partner_admin_b, other).owner_type == "partner"
    assert selectors.conflict_for_partner(partner_admin_b, other).number == ""
    assert selectors.conflict_for_partner(partner_user_a, own_second).number == first.number
    assert selectors.conflict_for_partner(partner_admin_b, against_vendor).owner_type == "vendor"
    assert vendor_first.partner is None
