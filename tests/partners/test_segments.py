import pytest
from django.core.exceptions import ValidationError

from accord.partners.models import Partner
from accord.partners.segments import compile_rule, matching_partners
from accord.partners.services import partner_update, segment_save
from tests.factories import IndustryFactory, PartnerFactory, TierFactory

pytestmark = pytest.mark.django_db


def test_rule_matches_on_country_tier_and_industry():
    gold = TierFactory(code="gold", rank=20)
    retail = IndustryFactory(code="retail")
    match = PartnerFactory(country="PL", tier=gold)
    match.industries.add(retail)
    PartnerFactory(country="PL", tier=gold)
    PartnerFactory(country="DE", tier=gold).industries.add(retail)
    rule = {"all": [{"field": "country", "op": "eq", "value": "pl"},
                    {"field": "tier", "op": "in", "value": ["gold"]},
                    {"field": "industries", "op": "any_of", "value": ["retail"]}]}

    assert list(matching_partners(rule)) == [match]


def test_not_and_any_combine():
    de = PartnerFactory(country="DE", employees=500)
    PartnerFactory(country="DE", employees=5)
    us = PartnerFactory(country="US", employees=5)
    rule = {"any": [{"field": "employees", "op": "gte", "value": 100},
                    {"not": {"field": "country", "op": "eq", "value": "DE"}}]}

    assert set(matching_partners(rule)) == {de, us}


@pytest.mark.parametrize(("rule", "message"), [
    ({}, "rule: is empty"),
    ({"all": []}, "all: must be a non-empty list"),
    ({"all": [{"field": "colour", "op": "eq", "value": "x"}]}, "all[0].field: unknown field 'colour'"),
    ({"field": "employees", "op": "contains", "value": 1}, "rule.op: operator 'contains' does not apply"),
    ({"field": "employees", "op": "gt", "value": "many"}, "rule.value: 'many' is not a number"),
    ({"field": "status", "op": "eq", "value": "sleeping"}, "rule.value: 'sleeping' is not one of"),
    ({"field": "country", "op": "in", "value": "PL"}, "rule.value: must be a non-empty list"),
])
def test_invalid_rules_name_the_bad_part(rule, message):
    with pytest.raises(ValidationError) as error:
        compile_rule(rule)
    assert message in error.value.messages[0]


def test_membership_follows_partner_changes(vendor_admin):
    partner = PartnerFactory(country="DE")
    segment = segment_save(actor=vendor_admin, name="Poland", rule={"field": "country", "op": "eq", "value": "PL"})
    assert not segment.members.filter(pk=partner.pk).exists()

    partner_update(actor=vendor_admin, partner=partner, data={"country": "PL", "tax_id": ""})

    assert segment.members.filter(pk=partner.pk).exists()
    assert Partner.objects.get(pk=partner.pk).country == "PL"


def test_rule_errors_are_in_the_users_language():
    from django.utils import translation

    with translation.override("pl"), pytest.raises(ValidationError) as error:
        compile_rule({"field": "colour", "op": "eq", "value": "x"})

    assert error.value.messages[0].startswith("rule.field: nieznane pole 'colour'")


@pytest.mark.django_db(transaction=True)  # each update commits, so its events are not collapsed into one
def test_status_change_is_judged_against_the_locked_row_not_the_callers_stale_copy(vendor_admin):
    from accord.automation.models import Event

    partner = PartnerFactory(status=Partner.Status.ACTIVE)
    stale_copy = Partner.objects.get(pk=partner.pk)
    partner_update(actor=vendor_admin, partner=partner, data={"status": Partner.Status.SUSPENDED})

    partner_update(actor=vendor_admin, partner=stale_copy, data={"status": Partner.Status.SUSPENDED})

    changes = Event.objects.filter(type="partner.status_changed", subject_id=partner.pk)
    assert [(e.payload["old"], e.payload["new"]) for e in changes] == [("active", "suspended")]
