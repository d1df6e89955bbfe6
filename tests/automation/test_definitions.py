"""Invalid rule definitions are refused on save with a message naming the bad part, and nothing is saved."""

import pytest
from django.core.exceptions import ValidationError

from accord.automation import services
from accord.automation.models import Rule
from tests.automation.factories import EMAIL_TO_PARTNER, make_rule

pytestmark = pytest.mark.django_db

EVENT = {"type": "event", "event": "partner.updated"}


@pytest.mark.parametrize(("definition", "field", "names"), [
    ({"trigger": {"type": "sometimes"}}, "trigger", "trigger.type"),
    ({"trigger": {"type": "event", "event": "partner.teleported"}}, "trigger", "trigger.event"),
    ({"trigger": {"type": "date", "anchor": "invoice.due_date"}}, "trigger", "trigger.days"),
    ({"trigger": {"type": "date", "anchor": "invoice.due_date", "days": -7, "at": "25:00"}}, "trigger", "trigger.at"),
    ({"trigger": {"type": "date", "anchor": "invoice.due_date", "from_days": -1, "to_days": -3}}, "trigger",
     "trigger.to_days"),
    ({"trigger": {"type": "schedule", "every": "month", "day": 31}}, "trigger", "trigger.day"),
    ({"condition": {"all": [{"field": "partner.country", "op": "eq", "value": "DE"},
                            {"field": "partner.country", "op": "bigger", "value": 3}]}}, "condition",
     "condition.all[1].op"),
    ({"condition": {"any": [{"field": "partner.shoe_size", "op": "eq", "value": 3}]}}, "condition",
     "condition.any[0].field"),
    ({"condition": {"not": {"field": "partner.joined_on", "op": "gt", "value": "yesterday-ish"}}}, "condition",
     "condition.not.value"),
    ({"condition": {"segment": "No such segment"}}, "condition", "condition.segment"),
    ({"condition": {"field": "invoice.open_amount", "op": "gt", "value": 5}}, "condition", "condition.field"),
    ({"actions": []}, "actions", "actions"),
    ({"actions": [{"type": "fax"}]}, "actions", "actions[0].type"),
    ({"actions": [{"type": "email", "params": {"to": ["everyone"], "template": "generic"}}]}, "actions",
     "actions[0].params.to[0]"),
    ({"actions": [{"type": "email", "params": {"to": ["partner_admins"], "template": "nope"}}]}, "actions",
     "actions[0].params.template"),
    ({"actions": [{"type": "email", "params": {"to": ["partner_admins"], "subject": "{% if %}", "body": "x"}}]},
     "actions", "actions[0].params.subject"),
    ({"actions": [{"type": "webhook", "params": {"endpoint": "erp"}}]}, "actions", "actions[0].params.endpoint"),
    ({"actions": [{"type": "task.create", "params": {"title": "Call", "priority": "asap"}}]}, "actions",
     "actions[0].params.priority"),
    ({"variants": [{"name": "A"}]}, "variants", "variants"),
])
def test_invalid_definitions_are_refused_naming_the_bad_part(definition, field, names):
    data = {"trigger": EVENT, "actions": [EMAIL_TO_PARTNER], **definition}

    with pytest.raises(ValidationError) as refused:
        make_rule(**data)

    messages = refused.value.message_dict[field]
    assert any(message.startswith(f"{names}:") for message in messages), messages
    assert not Rule.objects.exists()


def test_timed_rules_cannot_read_event_payloads():
    with pytest.raises(ValidationError) as refused:
        make_rule(trigger={"type": "date", "anchor": "invoice.due_date", "days": -7}, actions=[EMAIL_TO_PARTNER],
                  condition={"field": "payload.amount", "op": "gt", "value": 1})

    assert "condition.field" in refused.value.message_dict["condition"][0]


def test_editing_the_definition_adds_a_version_and_keeps_the_old_one():
    rule = make_rule(trigger=EVENT, actions=[EMAIL_TO_PARTNER])

    services.rule_update(actor=None, rule=rule, condition={"field": "partner.country", "op": "eq", "value": "PL"},
                         note="Poland only")
    services.rule_update(actor=None, rule=rule, name="Renamed")  # metadata only: no new version

    rule.refresh_from_db()
    assert [v.number for v in rule.versions.all()] == [2, 1]
    assert rule.current_version.number == 2 and rule.current_version.note == "Poland only"
    assert rule.versions.get(number=1).condition == {}
    assert rule.name == "Renamed"


def test_a_bad_edit_changes_nothing():
    rule = make_rule(trigger=EVENT, actions=[EMAIL_TO_PARTNER])

    with pytest.raises(ValidationError):
        services.rule_update(actor=None, rule=rule, name="New name", actions=[{"type": "fax"}])

    rule.refresh_from_db()
    assert rule.name == "Test rule" and rule.versions.count() == 1
