"""The automation REST API: rules CRUD for vendor admins, the ledger, tasks and partners' own messages."""

import json

import pytest

from accord.automation import engine
from accord.automation.api import emit
from accord.automation.models import Rule, Task
from tests.automation.factories import make_rule

pytestmark = pytest.mark.django_db
RULE = {"code": "welcome", "name": "Welcome", "category": "nudge",
        "trigger": {"type": "event", "event": "partner.created"},
        "actions": [{"type": "notify", "params": {"to": ["partner_admins"], "template": "generic"}}]}


def api(client, method, path, body=None):
    return getattr(client, method)(f"/api/v1{path}", data=json.dumps(body) if body is not None else None,
                                   content_type="application/json")


def test_vendor_admins_create_change_preview_and_delete_rules(client, vendor_admin):
    client.force_login(vendor_admin)

    created = api(client, "post", "/automation/rules", RULE)
    assert created.status_code == 201 and created.json()["version"] == 1
    rule_id = created.json()["id"]
    changed = api(client, "patch", f"/automation/rules/{rule_id}", {"throttle_days": 7, "note": "weekly"})
    assert changed.json()["version"] == 2 and changed.json()["throttle_days"] == 7
    preview = api(client, "post", f"/automation/rules/{rule_id}/preview", {})
    assert preview.status_code == 200 and preview.json()["candidates"] == 0
    assert api(client, "delete", f"/automation/rules/{rule_id}").status_code == 204
    assert not Rule.objects.exists()


def test_a_bad_rule_is_a_422_naming_the_field_and_the_part(client, vendor_admin):
    client.force_login(vendor_admin)
    body = {**RULE, "actions": [{"type": "email", "params": {"to": ["partner_admins"], "template": "nope"}}]}

    response = api(client, "post", "/automation/rules", body)

    assert response.status_code == 422
    error = response.json()["errors"][0]
    assert error["field"] == "actions" and error["message"].startswith("actions[0].params.template:")


def test_a_rule_with_history_cannot_be_deleted(client, vendor_admin, partner_a):
    client.force_login(vendor_admin)
    rule = make_rule(trigger={"type": "event", "event": "partner.updated"}, actions=RULE["actions"])
    emit("partner.updated", partner_a, partner=partner_a)
    engine.drain()

    assert api(client, "delete", f"/automation/rules/{rule.pk}").status_code == 422


def test_channel_managers_read_rules_but_cannot_write_them(client, channel_manager):
    client.force_login(channel_manager)

    assert api(client, "get", "/automation/rules").status_code == 200
    assert api(client, "post", "/automation/rules", RULE).status_code == 403


def test_ledger_and_tasks_for_staff_and_partner_people_see_only_their_own(
        client, channel_manager, partner_a, partner_b, partner_admin_a, partner_admin_b,
        django_assert_max_num_queries):
    make_rule(trigger={"type": "event", "event": "partner.updated"}, actions=RULE["actions"])
    emit("partner.updated", partner_a, partner=partner_a)
    emit("partner.updated", partner_b, partner=partner_b)
    engine.drain()
    task = Task.objects.create(title="Call", assignee=channel_manager, partner_id=partner_a.pk)

    client.force_login(channel_manager)
    with django_assert_max_num_queries(8):
        ledger = api(client, "get", "/automation/firings")
    assert ledger.json()["count"] == 2
    assert api(client, "get", "/automation/tasks").json()["count"] == 1
    assert api(client, "post", f"/automation/tasks/{task.pk}/done", {"note": "called"}).json()["status"] == "done"

    client.force_login(partner_admin_a)
    mine = api(client, "get", "/automation/firings").json()
    assert [f["partner_id"] for f in mine["items"]] == [partner_a.pk]
    other = next(f for f in ledger.json()["items"] if f["partner_id"] == partner_b.pk)
    assert api(client, "get", f"/automation/firings/{other['id']}").status_code == 404
    assert api(client, "get", f"/automation/tasks/{task.pk}").status_code == 404
    assert api(client, "get", "/automation/messages").json()["count"] == 1
