"""Every write the engine's people make: rules and versions, pauses, quiet hours, tasks, retries.

Keyword-only, validated first (errors keyed by field, naming the bad part), atomic, emitting events last.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accord.automation import api as automation
from accord.automation import definitions
from accord.automation.models import FiringAction, Message, Pause, QuietHours, Rule, RuleVersion, Task
from accord.partners.models import Partner, User

DEFINITION_FIELDS = ("trigger", "condition", "actions", "variants", "throttle_days", "outcome_event",
                     "outcome_days")


def _definition(data: dict) -> dict:
    return {
        "trigger": data.get("trigger"), "condition": data.get("condition") or {},
        "actions": data.get("actions") or [], "variants": data.get("variants") or [],
        "throttle_days": data.get("throttle_days"), "outcome_event": data.get("outcome_event") or "",
        "outcome_days": data.get("outcome_days") or 14,
    }


def rule_validate(**definition) -> definitions.Trigger:
    """Validate a definition without saving (the editor's "check" and preview use it)."""
    data = _definition(definition)
    if not isinstance(data["outcome_days"], int) or not 1 <= data["outcome_days"] <= 365:
        raise ValidationError({"outcome_days": [_("outcome_days: must be a whole number from 1 to 365")]})
    return definitions.validate_definition(
        trigger=data["trigger"], condition=data["condition"], actions=data["actions"], variants=data["variants"],
        throttle_days=data["throttle_days"], outcome_event=data["outcome_event"])


def _check_meta(*, code: str, name: str, category: str, rule: Rule | None) -> None:
    errors = {}
    if not name or not name.strip():
        errors["name"] = [_("This field is required.")]
    if category not in Rule.Category.values:
        errors["category"] = [_("Choose transactional or nudge.")]
    if rule is None:
        if not code:
            errors["code"] = [_("This field is required.")]
        elif Rule.objects.filter(code=code).exists():
            errors["code"] = [_("A rule with this code already exists.")]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def rule_create(*, actor: User | None, code: str, name: str, trigger: dict, actions: list,
                condition: dict | None = None, category: str = Rule.Category.NUDGE, description: str = "",
                owner: User | None = None, enabled: bool = False, playbook: str = "", variants: list | None = None,
                throttle_days: int | None = None, outcome_event: str = "", outcome_days: int = 14,
                note: str = "") -> Rule:
    definition = _definition(locals())
    _check_meta(code=code, name=name, category=category, rule=None)
    rule_validate(**definition)
    rule = Rule.objects.create(code=code, name=name.strip(), description=description, category=category,
                               owner=owner or actor, enabled=enabled, playbook=playbook)
    version = RuleVersion.objects.create(rule=rule, number=1, created_by=actor, note=note, **definition)
    rule.current_version = version
    rule.save(update_fields=["current_version"])
    return rule


@transaction.atomic
def rule_update(*, actor: User | None, rule: Rule, note: str = "", **changes) -> Rule:
    """Change a rule; a changed definition becomes a new version (the ledger keeps which version acted)."""
    allowed = {"name", "description", "category", "owner", "enabled", *DEFINITION_FIELDS}
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationError({name: [_("This field cannot be changed here.")] for name in sorted(unknown)})
    rule = Rule.objects.select_for_update().get(pk=rule.pk)
    current = rule.current_version
    old = {name: getattr(current, name) for name in DEFINITION_FIELDS} if current else {}
    definition = _definition({**old, **{k: v for k, v in changes.items() if k in DEFINITION_FIELDS}})
    _check_meta(code=rule.code, name=changes.get("name", rule.name), category=changes.get("category", rule.category),
                rule=rule)
    rule_validate(**definition)
    for name in ("name", "description", "category", "owner", "enabled"):
        if name in changes:
            setattr(rule, name, changes[name])
    if current is None or any(definition[k] != old.get(k) for k in DEFINITION_FIELDS):
        number = (rule.versions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
        rule.current_version = RuleVersion.objects.create(rule=rule, number=number, created_by=actor, note=note,
                                                          **definition)
    rule.save()
    return rule


@transaction.atomic
def rule_set_enabled(*, actor: User | None, rule: Rule, enabled: bool) -> Rule:
    if enabled and rule.current_version is not None:
        version = rule.current_version
        rule_validate(**{name: getattr(version, name) for name in DEFINITION_FIELDS})
    Rule.objects.filter(pk=rule.pk).update(enabled=enabled, updated_at=timezone.now())
    rule.enabled = enabled
    return rule


@transaction.atomic
def pause_create(*, actor: User | None, scope: str, reason: str, partner: Partner | None = None,
                 rule: Rule | None = None, until: datetime.datetime | None = None) -> Pause:
    """Stop nudges: for one partner (an emergency), one rule, or all; transactional messages still go."""
    errors = {}
    if scope not in Pause.Scope.values:
        errors["scope"] = [_("Choose all nudges, one partner or one rule.")]
    if scope == Pause.Scope.PARTNER and partner is None:
        errors["partner"] = [_("Choose the partner to pause.")]
    if scope == Pause.Scope.RULE and rule is None:
        errors["rule"] = [_("Choose the rule to pause.")]
    if not reason or not reason.strip():
        errors["reason"] = [_("Say why, so colleagues know when to lift it.")]
    if until is not None and until <= timezone.now():
        errors["until"] = [_("The pause must end in the future.")]
    if errors:
        raise ValidationError(errors)
    return Pause.objects.create(scope=scope, reason=reason.strip(), until=until, created_by=actor,
                                partner=partner if scope == Pause.Scope.PARTNER else None,
                                rule=rule if scope == Pause.Scope.RULE else None)


@transaction.atomic
def pause_lift(*, actor: User | None, pause: Pause) -> Pause:
    Pause.objects.filter(pk=pause.pk, lifted_at__isnull=True).update(lifted_at=timezone.now())
    pause.refresh_from_db()
    return pause


@transaction.atomic
def quiet_hours_set(*, actor: User | None, enabled: bool, start: datetime.time, end: datetime.time,
                    weekends: bool = False) -> QuietHours:
    if start == end and enabled:
        raise ValidationError({"end": [_("Quiet hours must end at another time than they start.")]})
    quiet, _created = QuietHours.objects.update_or_create(
        pk=1, defaults={"enabled": enabled, "start": start, "end": end, "weekends": weekends})
    return quiet


def _log(task: Task, what: str, actor: User | None, **extra) -> None:
    task.history = [*task.history, {"at": timezone.now(), "what": what,
                                    "by": actor.email if actor else "system", **extra}]


@transaction.atomic
def task_complete(*, actor: User, task: Task, note: str = "") -> Task:
    task = Task.objects.select_for_update().get(pk=task.pk)
    if task.status != Task.Status.OPEN:
        raise ValidationError({"status": [_("This task is already closed.")]})
    task.status, task.completed_at, task.completed_by = Task.Status.DONE, timezone.now(), actor
    _log(task, "done", actor, note=note)
    task.save()
    automation.emit("task.completed", task, partner=task.partner_id, actor=actor)
    return task


@transaction.atomic
def task_snooze(*, actor: User, task: Task, until: datetime.datetime) -> Task:
    if until <= timezone.now():
        raise ValidationError({"until": [_("Snooze until a time in the future.")]})
    task = Task.objects.select_for_update().get(pk=task.pk)
    task.snoozed_until = until
    if task.due_at is not None and task.due_at < until:
        task.due_at = until
    _log(task, "snoozed", actor, until=until)
    task.save()
    return task


@transaction.atomic
def task_reassign(*, actor: User, task: Task, assignee: User) -> Task:
    if assignee.partner_id is not None or not assignee.is_active:
        raise ValidationError({"assignee": [_("Tasks go to active vendor staff only.")]})
    task = Task.objects.select_for_update().get(pk=task.pk)
    previous = task.assignee.email if task.assignee else task.role
    task.assignee, task.role = assignee, ""
    _log(task, "reassigned", actor, **{"from": previous, "to": assignee.email})
    task.save()
    return task


def firing_action_retry(*, actor: User, action: FiringAction) -> None:
    """A failed action, run again from the console after its cause was fixed."""
    from accord.automation.execution import action_retry

    if action.status != FiringAction.Status.FAILED:
        raise ValidationError({"status": [_("Only failed actions can be retried.")]})
    action_retry(action=action)


def message_mark_read(*, user: User, message: Message) -> None:
    Message.objects.filter(pk=message.pk, recipient=user, read_at__isnull=True).update(read_at=timezone.now())
