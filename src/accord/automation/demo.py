"""The built-in playbooks, loaded by `accord demo` as ordinary, editable rules (idempotent: looked up by code).

Each playbook is data: a vendor admin can change any step in the console, and the ledger will say which
version acted. Playbooks that need a domain's events or dates are loaded only when that domain registered them.
"""

from __future__ import annotations

import datetime

from accord.automation import services
from accord.automation.models import QuietHours, Rule
from accord.automation.registry import date_anchors, event_types
from accord.partners.models import User

#: days past the due date after which a head of sales takes over (edit the rule to change it)
ESCALATE_AFTER_DAYS = 14

REMINDER = {"type": "email", "params": {"to": ["partner_admins"], "template": "payment_reminder"}}

PLAYBOOKS: list[dict] = [
    # 1. Receivables dunning
    {"code": "dunning-7-days-before", "playbook": "receivables-dunning", "category": "transactional",
     "name": "Payment reminder 7 days before the due date",
     "description": "Tells the partner the open amount a week ahead, so payment can be planned.",
     "trigger": {"type": "date", "anchor": "invoice.due_date", "days": -7, "at": "09:00"},
     "condition": {"field": "invoice.open_amount", "op": "gt", "value": 0}, "actions": [REMINDER]},
    {"code": "dunning-last-3-days", "playbook": "receivables-dunning", "category": "transactional",
     "name": "Daily reminder in the last 3 days before the due date",
     "description": "One reminder a day; after downtime only today's goes out (catch_up: latest).",
     "trigger": {"type": "date", "anchor": "invoice.due_date", "from_days": -3, "to_days": -1, "at": "09:00",
                 "catch_up": "latest"},
     "condition": {"field": "invoice.open_amount", "op": "gt", "value": 0}, "actions": [REMINDER]},
    {"code": "dunning-overdue-task", "playbook": "receivables-dunning", "category": "transactional",
     "name": "Overdue: notice to the partner and a task for its channel manager",
     "description": "The day after the due date the partner is told, and a person takes over.",
     "trigger": {"type": "date", "anchor": "invoice.due_date", "days": 1, "at": "09:00"},
     "condition": {"field": "invoice.open_amount", "op": "gt", "value": 0},
     "actions": [
         {"type": "email", "params": {"to": ["partner_admins"], "template": "payment_overdue"}},
         {"type": "task.create", "params": {
             "title": {"en": "Overdue invoice {{ fields.number }}: {{ fields.open_amount|floatformat:2 }} "
                             "{{ fields.currency }} open ({{ partner.display_name }})",
                       "ru": "Просрочен счёт {{ fields.number }}: к оплате {{ fields.open_amount|floatformat:2 }} "
                             "{{ fields.currency }} ({{ partner.display_name }})",
                       "pl": "Zaległa faktura {{ fields.number }}: do zapłaty {{ fields.open_amount|floatformat:2 }} "
                             "{{ fields.currency }} ({{ partner.display_name }})",
                       "id": "Faktur {{ fields.number }} lewat jatuh tempo: sisa "
                             "{{ fields.open_amount|floatformat:2 }} {{ fields.currency }} "
                             "({{ partner.display_name }})"},
             "assign_to": "channel_manager", "due_days": 2, "priority": "high"}}]},
    {"code": "dunning-escalation", "playbook": "receivables-dunning", "category": "transactional",
     "name": f"Escalate to the head of sales {ESCALATE_AFTER_DAYS} days after the due date",
     "description": "Edit the trigger's days to change the threshold; the head of sales holds the vendor admin "
                    "role.",
     "trigger": {"type": "date", "anchor": "invoice.due_date", "days": ESCALATE_AFTER_DAYS, "at": "09:00"},
     "condition": {"field": "invoice.open_amount", "op": "gt", "value": 0},
     "actions": [{"type": "task.escalate", "params": {"to": "role:vendor_admin", "priority": "urgent"}}]},
    # 2. Incoming goods
    {"code": "goods-arrived", "playbook": "incoming-goods", "category": "transactional",
     "name": "Reserved goods arrived: tell the partner and its manager",
     "trigger": {"type": "event", "event": "reservation.goods_arrived"},
     "actions": [{"type": "email", "params": {"to": ["partner_admins"], "template": "goods_arrived"}},
                 {"type": "notify", "params": {"to": ["channel_manager"], "template": "goods_arrived"}}]},
    # 3. Delivery date changed
    {"code": "delivery-date-changed", "playbook": "incoming-goods", "category": "transactional",
     "name": "Delivery date changed: tell every partner holding a reservation on it",
     "trigger": {"type": "event", "event": "delivery.date_changed",
                 "fan_out": {"model": "commerce.Reservation", "via": "delivery_line__delivery"}},
     "condition": {"field": "reservation.status", "op": "eq", "value": "active"},
     "actions": [{"type": "email", "params": {"to": ["partner_admins"], "template": "delivery_date_changed"}},
                 {"type": "notify", "params": {"to": ["partner_admins"], "template": "delivery_date_changed"}}]},
    # 4. Onboarding and training
    {"code": "onboarding-nudge", "playbook": "onboarding", "category": "nudge",
     "name": "Unfinished onboarding or portal inactivity: weekly at most",
     "trigger": {"type": "schedule", "every": "day", "at": "10:00", "catch_up": "latest"},
     "condition": {"any": [{"field": "partner.status", "op": "eq", "value": "onboarding"},
                           {"field": "partner.last_login", "op": "lt", "value": {"days_ago": 30}},
                           {"field": "partner.last_login", "op": "is_empty"}]},
     "throttle_days": 7,
     "actions": [{"type": "email", "params": {"to": ["partner_admins"], "template": "onboarding_reminder"}}]},
    # 5. Performance
    {"code": "monthly-performance", "playbook": "performance", "category": "nudge",
     "name": "Monthly figures against segment peers",
     "trigger": {"type": "schedule", "every": "month", "day": 1, "at": "09:00", "catch_up": "latest"},
     "condition": {"field": "partner.status", "op": "eq", "value": "active"},
     "actions": [{"type": "email", "params": {"to": ["partner_admins"], "template": "performance_notice",
                                              "figures": ["order.total", "invoice.open_amount"]}}]},
]


def _available(definition: dict) -> bool:
    """A playbook step loads only when the domain it watches is installed (its names are registered)."""
    from accord.automation.registry import condition_fields

    trigger = definition["trigger"]
    if trigger.get("type") == "event" and trigger["event"] not in event_types():
        return False
    if trigger.get("type") == "date" and trigger["anchor"] not in date_anchors():
        return False
    figures = [f for a in definition["actions"] for f in a.get("params", {}).get("figures", [])]
    return all(name in condition_fields() for name in figures)


def seed() -> None:
    owner = User.objects.filter(email="admin@accord.example").first()
    QuietHours.objects.get_or_create(pk=1, defaults={"start": datetime.time(20), "end": datetime.time(8)})
    existing = set(Rule.objects.values_list("code", flat=True))
    for definition in PLAYBOOKS:
        if definition["code"] in existing or not _available(definition):
            continue
        services.rule_create(actor=owner, owner=owner, enabled=True, note="built-in playbook", **definition)
