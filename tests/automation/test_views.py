"""Console and portal pages of the automation engine, as the people who use them see them."""

import json

import pytest
from django.urls import reverse

from accord.automation import engine, services
from accord.automation.api import emit
from accord.automation.models import FiringAction, Message, Rule, Task
from accord.partners.roles import Role
from tests.automation.factories import EMAIL_TO_PARTNER, make_rule
from tests.factories import PartnerAdminFactory, UserFactory

pytestmark = pytest.mark.django_db

NOTIFY = {"type": "notify", "params": {"to": ["partner_admins"], "template": "generic"}}


@pytest.fixture
def admin_client(client, vendor_admin):
    client.force_login(vendor_admin)
    return client


def fired(partner, rule=None):
    rule = rule or make_rule(trigger={"type": "event", "event": "partner.updated"}, actions=[NOTIFY])
    emit("partner.updated", partner, partner=partner)
    engine.drain()
    return rule


def test_rule_list_shows_rules_in_a_fixed_number_of_queries(admin_client, django_assert_max_num_queries):
    for i in range(5):
        make_rule(code=f"r{i}", name=f"Rule number {i}", trigger={"type": "event", "event": "partner.updated"},
                  actions=[NOTIFY])

    with django_assert_max_num_queries(12):
        response = admin_client.get(reverse("console:automation_rules"))

    assert response.status_code == 200
    assert "Rule number 4" in response.content.decode()


def test_the_editor_refuses_a_bad_definition_naming_the_part_and_saves_nothing(admin_client):
    response = admin_client.post(reverse("console:automation_rule_create"), {
        "name": "Bad", "code": "bad", "category": "nudge", "trigger": '{"type": "event", "event": "partner.updated"}',
        "actions": json.dumps([{"type": "email", "params": {"to": ["everyone"], "template": "generic"}}]),
        "condition": "{", "variants": "[]"})

    text = response.content.decode()
    assert response.status_code == 200
    assert "condition: not valid JSON (line 1, column 2" in text
    assert not Rule.objects.exists()

    response = admin_client.post(reverse("console:automation_rule_create"), {
        "name": "Bad", "code": "bad", "category": "nudge", "trigger": '{"type": "event", "event": "partner.updated"}',
        "actions": json.dumps([{"type": "email", "params": {"to": ["everyone"], "template": "generic"}}]),
        "condition": "{}", "variants": "[]"})
    assert "actions[0].params.to[0]: unknown recipient" in response.content.decode()
    assert not Rule.objects.exists()


def test_saving_in_the_editor_adds_a_version_and_preview_shows_who_would_get_what(
        admin_client, partner_a, partner_admin_a):
    rule = make_rule(trigger={"type": "event", "event": "partner.updated"}, actions=[EMAIL_TO_PARTNER],
                     enabled=False)
    emit("partner.updated", partner_a, partner=partner_a)
    engine.process_outbox()
    url = reverse("console:automation_rule_detail", kwargs={"rule_id": rule.pk})
    form = {"name": "Profile changed", "category": "transactional", "trigger": json.dumps(rule.current_version.trigger),
            "condition": json.dumps({"field": "partner.country", "op": "eq", "value": "DE"}),
            "actions": json.dumps([{"type": "email", "params": {"to": ["partner_admins"], "template": "generic"}}]),
            "variants": "[]", "outcome_days": "14", "note": "Germany only"}

    preview = admin_client.post(url, {**form, "intent": "preview"}, headers={"HX-Request": "true"})
    assert "1 of 1 candidates would get it now." in preview.content.decode()
    assert "admin@alpha.example" in preview.content.decode()
    assert not FiringAction.objects.exists()  # a preview changes nothing

    admin_client.post(url, {**form, "intent": "save"})
    rule.refresh_from_db()
    assert rule.current_version.number == 2 and rule.name == "Profile changed"


def test_ledger_search_and_firing_detail_explain_what_happened(admin_client, partner_a, partner_admin_a,
                                                              django_assert_max_num_queries):
    fired(partner_a)

    with django_assert_max_num_queries(12):
        response = admin_client.get(reverse("console:automation_ledger"), {"status": "fired"})
    assert "Test rule" in response.content.decode() and "Alpha Systems GmbH" in response.content.decode()

    firing = Message.objects.get().firing
    detail = admin_client.get(reverse("console:automation_firing_detail", kwargs={"firing_id": firing.pk}))
    assert firing.key in detail.content.decode() and "admin@alpha.example" in detail.content.decode()


def test_a_failed_action_is_listed_and_can_be_retried(admin_client, partner_a):
    fired(partner_a)
    action = FiringAction.objects.get()
    FiringAction.objects.filter(pk=action.pk).update(status="failed", error="SMTP refused")

    page = admin_client.get(reverse("console:automation_failed"))
    assert "SMTP refused" in page.content.decode()
    admin_client.post(reverse("console:automation_action_retry", kwargs={"action_id": action.pk}))

    action.refresh_from_db()
    assert action.status in {"pending", "done"} and action.error == ""


def test_task_inbox_done_snooze_and_reassign(client, channel_manager, partner_a):
    colleague = UserFactory(roles=[Role.CHANNEL_MANAGER], email="second@vendor.example")
    task = Task.objects.create(title="Call Alpha about INV-7", assignee=channel_manager, partner_id=partner_a.pk)
    client.force_login(channel_manager)

    inbox = client.get(reverse("console:automation_tasks"))
    assert "Call Alpha about INV-7" in inbox.content.decode()
    url = reverse("console:automation_task_detail", kwargs={"task_id": task.pk})
    client.post(url, {"intent": "snooze", "until": "2099-01-01T09:00"})
    client.post(url, {"intent": "reassign", "assignee": colleague.pk})
    task.refresh_from_db()
    assert task.assignee == colleague and task.snoozed_until.year == 2099
    client.post(url, {"intent": "done"})
    task.refresh_from_db()
    assert task.status == "done" and [h["what"] for h in task.history] == ["snoozed", "reassigned", "done"]


def test_overdue_tasks_escalate_to_the_role_once(vendor_admin, partner_a):
    task = Task.objects.create(title="Call", assignee=partner_a.channel_manager, partner_id=partner_a.pk,
                               escalate_to_role="vendor_admin", due_at="2020-01-01T00:00:00Z")

    engine.sweep()
    engine.sweep()

    task.refresh_from_db()
    assert task.assignee == vendor_admin and task.escalation_level == 1 and task.priority == Task.Priority.URGENT


def test_pausing_a_partner_from_the_console(admin_client, partner_a):
    admin_client.post(reverse("console:automation_pauses"), {"intent": "pause", "scope": "partner",
                                                             "partner": partner_a.pk, "reason": "Fire at the site"})
    page = admin_client.get(reverse("console:automation_pauses"))
    assert "Fire at the site" in page.content.decode()

    refused = admin_client.post(reverse("console:automation_pauses"), {"intent": "pause", "scope": "partner",
                                                                       "reason": ""})
    assert "Choose the partner to pause." in refused.content.decode()


def test_partners_see_their_messages_and_why_but_not_anyone_elses(client, partner_a, partner_b, partner_admin_a,
                                                                 partner_admin_b, django_assert_max_num_queries):
    fired(partner_a)
    fired(partner_b, rule=Rule.objects.get())
    client.force_login(partner_admin_a)

    with django_assert_max_num_queries(15):
        page = client.get(reverse("portal:automation_messages"))
    text = page.content.decode()
    assert "Test rule: Alpha Systems GmbH" in text and "Sent by the rule" in text
    assert "Beta Networks" not in text

    own = Message.objects.get(recipient=partner_admin_a)
    other = Message.objects.get(recipient=partner_admin_b)
    assert client.get(reverse("portal:automation_message_detail",
                              kwargs={"automated_message_id": own.pk})).status_code == 200
    assert client.get(reverse("portal:automation_message_detail",
                              kwargs={"automated_message_id": other.pk})).status_code == 404
    own.refresh_from_db()
    assert own.read_at is not None


def test_a_partner_user_does_not_see_the_channel_managers_internal_messages(client, partner_a, partner_user_a):
    make_rule(trigger={"type": "event", "event": "partner.updated"},
              actions=[{"type": "notify", "params": {"to": ["channel_manager"], "template": "generic"}}])
    fired(partner_a, rule=Rule.objects.get())
    admin = PartnerAdminFactory(partner=partner_a)
    client.force_login(admin)

    assert "Test rule" not in client.get(reverse("portal:automation_messages")).content.decode()


def test_console_pages_refuse_partner_people(client, partner_admin_a):
    client.force_login(partner_admin_a)
    for name in ("automation_rules", "automation_ledger", "automation_tasks", "automation_failed",
                 "automation_experiments", "automation_pauses"):
        assert client.get(reverse(f"console:{name}")).status_code == 404


def test_the_console_dashboard_and_partner_page_show_the_automation_slots(admin_client, partner_a):
    fired(partner_a)
    services.pause_create(actor=None, scope="partner", partner=partner_a, reason="Office move")

    detail = admin_client.get(reverse("console:partner_detail", kwargs={"partner_id": partner_a.pk}))
    dashboard = admin_client.get(reverse("console:dashboard"))

    assert "Nudges paused: Office move" in detail.content.decode()
    assert "Rules fired in 24 hours" in dashboard.content.decode()


def test_support_staff_see_endpoints_and_the_ledger_in_the_admin(client, partner_a):
    from tests.factories import UserFactory as People

    fired(partner_a)
    superuser = People(is_staff=True, is_superuser=True)
    client.force_login(superuser)

    for model in ("webhookendpoint", "quiethours", "pause", "firing"):
        assert client.get(f"/admin/automation/{model}/").status_code == 200
    from accord.automation.models import Firing

    firing = Firing.objects.get()
    assert client.get(f"/admin/automation/firing/{firing.pk}/change/").status_code == 200
