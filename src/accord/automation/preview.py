"""Dry run: "who would this rule hit now, and with what?", for any definition, saved or not, changing nothing.

Timed rules are evaluated in SQL for today's occurrence in every partner's time zone; event rules are
replayed against the events of the last days. Each hit shows the first message as its recipient would read it.
"""

from __future__ import annotations

import datetime
import zoneinfo
from dataclasses import dataclass

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Case, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from accord.automation import conditions, definitions, engine, messages
from accord.automation.execution import build_context
from accord.automation.models import Event, Firing, FiringAction, Rule, RuleVersion
from accord.automation.registry import date_anchors
from accord.partners.models import Partner, active_partner_q

REPLAY_DAYS = 7
SAMPLE = 20


@dataclass
class Hit:
    subject_label: str
    partner: Partner | None
    hits: bool
    reason: str
    recipients: list[str]
    message_subject: str


@dataclass
class Preview:
    total: int
    matching: int
    hits: list[Hit]
    note: str


def rule_preview(*, definition: dict, rule: Rule | None = None, now: datetime.datetime | None = None) -> Preview:
    """Validate `definition` (raises ValidationError naming the bad part), then show whom it would reach."""
    from accord.automation.services import rule_validate

    trigger = rule_validate(**definition)
    now = now or timezone.now()
    version = RuleVersion(trigger=definition["trigger"], condition=definition.get("condition") or {},
                          actions=definition.get("actions") or [], variants=definition.get("variants") or [])
    rule = rule or Rule(pk=0, code="preview", name="Preview", category=definition.get("category", "nudge"))
    version.rule = rule
    if trigger.type == "event":
        rows, total, matching = _replay(trigger, version, now)
        note = _("Replayed against the events of the last %(days)s days.") % {"days": REPLAY_DAYS}
    else:
        rows, total, matching = _timed(trigger, version, now)
        note = _("Today's occurrence, in each partner's own time zone.")
    return Preview(total, matching, [_hit(rule, version, trigger, *row) for row in rows[:SAMPLE]], note)


def _timed(trigger: definitions.Trigger, version: RuleVersion, now: datetime.datetime):
    scope = trigger.scope()
    condition = conditions.compile_q(version.condition, scope)
    zones = engine._zones(trigger)
    if trigger.type == "schedule":
        base = Partner.objects.filter(active_partner_q())
        model = Partner
    else:
        anchor = date_anchors()[trigger.anchor]
        model = apps.get_model(anchor.model)
        base = model._default_manager.all()
        if anchor.open_filter is not None:
            base = base.filter(anchor.open_filter())
        field = model._meta.get_field(trigger.anchor_field.split("__")[0])
        path = trigger.anchor_field + ("__date" if isinstance(field, models.DateTimeField) else "")
        due = Q(pk__in=[])
        for zone in zones:
            today = now.astimezone(zoneinfo.ZoneInfo(zone)).date()
            anchors = [today - datetime.timedelta(days=k) for k in range(trigger.first_day, trigger.last_day + 1)]
            zone_q = Q(**{f"{engine._tz_path(trigger)}": zone}) if trigger.partner_path else Q()
            due |= zone_q & Q(**{f"{path}__in": anchors})
        base = base.filter(due)
    annotated = base.annotate(would_fire=Case(When(condition or Q(pk__isnull=False), then=Value(True)),
                                              default=Value(False), output_field=models.BooleanField()))
    partner_ref = engine._partner_ref(trigger)
    total = annotated.count()
    matching = annotated.filter(would_fire=True).count()
    sample = list(annotated.order_by("-would_fire", "pk").values_list(
        "pk", partner_ref if partner_ref else "pk", "would_fire")[:SAMPLE])
    content_type = ContentType.objects.get_for_model(model)
    return [(content_type, pk, partner if partner_ref else None, hit, None) for pk, partner, hit in sample], \
        total, matching


def _replay(trigger: definitions.Trigger, version: RuleVersion, now: datetime.datetime):
    events = list(Event.objects.filter(type=trigger.event, occurred_at__gte=now - datetime.timedelta(days=REPLAY_DAYS))
                  .order_by("-id")[:500])
    scope = trigger.scope()
    active = engine.ActiveRule(version.rule, version, trigger, conditions.referenced_fields(version.condition, scope),
                               conditions.uses_segments(version.condition, scope))
    candidates = [(active, e, e.subject_type_id, e.subject_id, e.partner_id) for e in events]
    if trigger.fan_via or trigger.audience:
        fanned = engine._fan_out(active, events)
        content_type = ContentType.objects.get_for_model(apps.get_model(trigger.model)).pk
        candidates = [(active, e, content_type, s, p or e.partner_id) for e in events
                      for s, p in fanned.get(e.subject_id, [])]
    facts = engine._load_facts(candidates) if candidates else None
    rows = []
    for _active, event, type_id, subject_id, partner_id in candidates:
        values, segments = facts(active, type_id, subject_id, partner_id)
        hit = conditions.evaluate(version.condition, scope, conditions.Facts(values, event.payload or {}, segments))
        rows.append((ContentType.objects.get_for_id(type_id), subject_id, partner_id, hit, event))
    matching = sum(1 for row in rows if row[3])
    rows.sort(key=lambda row: not row[3])
    return rows, len(rows), matching


def _hit(rule: Rule, version: RuleVersion, trigger, content_type, subject_id, partner_id, hit, event) -> Hit:
    """Render what the first message action would say, in memory (nothing is saved)."""
    firing = Firing(key="preview", rule=rule, rule_version=version, subject_type=content_type, subject_id=subject_id,
                    partner_id=partner_id, event_id=event.pk if event else None)
    action_spec = next((a for a in version.actions if a["type"] in {"email", "notify"}), version.actions[0])
    action = FiringAction(firing=firing, kind=action_spec["type"], params=action_spec.get("params", {}))
    context = build_context(action)
    recipients, subject = [], ""
    if action.kind in {"email", "notify"}:
        people = messages.recipients(action.params["to"], partner=context.partner, owner=context.owner)
        recipients = [p.email for p in people]
        params = action.params if "subject" in action.params else {"template": action.params.get("template")}
        subject = messages.render(params, context.message, people[0] if people else None).subject
    reason = "" if hit else str(Firing.Reason.CONDITION_FALSE.label)
    return Hit(context.message.subject_label, context.partner, hit, reason, recipients, subject)
