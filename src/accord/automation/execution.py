"""Performing one action of a firing, exactly once, or ending in an inspectable failed state.

1. Claim: a conditional UPDATE moves the action from pending to running with a lease and a claim token; a
   second worker (or a duplicate task) claims nothing and stops.
2. Gates at fire time: the rule is still enabled; for nudges, no pause and no quiet hours (quiet hours defer);
   for timed rules the subject still matches (a paid invoice gets no reminder).
3. Effect: internal handlers run inside the transaction that marks the action done (their writes happen once);
   external ones (mail, HTTP) run first and record each recipient as they go, so a retry skips the done part.
4. Failure: retried with exponential backoff, then `failed` with the error, retryable from the console.
"""

from __future__ import annotations

import datetime
import logging
import uuid
import zoneinfo
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accord.automation import conditions, definitions
from accord.automation.messages import MessageContext
from accord.automation.models import Event, Firing, FiringAction, Pause, QuietHours, Rule
from accord.automation.registry import actions as registered_actions
from accord.automation.registry import condition_fields, date_anchors, subject_for
from accord.partners.models import Partner, User

logger = logging.getLogger(__name__)

LEASE = datetime.timedelta(minutes=10)
MAX_ATTEMPTS = 6
BACKOFF_BASE_SECONDS = 30


class Deferred(Exception):
    def __init__(self, until: datetime.datetime, reason: str) -> None:
        super().__init__(reason)
        self.until, self.reason = until, reason


class Skip(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class ActionContext:
    """What a handler sees: the firing, its rule, subject, partner and the message context."""

    action: FiringAction
    firing: Firing
    rule: Rule
    trigger: definitions.Trigger
    subject: Any
    partner: Partner | None
    owner: User | None
    message: MessageContext
    payload: dict = field(default_factory=dict)

    @property
    def idempotency_key(self) -> str:
        return f"{self.firing.key}#{self.action.position}"


def backoff(attempts: int) -> datetime.timedelta:
    return datetime.timedelta(seconds=BACKOFF_BASE_SECONDS * 4 ** max(attempts - 1, 0))


# -- gates ------------------------------------------------------------------------------------------------------

def active_pause(rule: Rule, partner_id: int | None, now: datetime.datetime) -> str:
    """The firing reason a pause gives, or "" when nothing pauses this rule for this partner."""
    pauses = Pause.objects.filter(Pause.active_q(now))
    if pauses.filter(scope=Pause.Scope.GLOBAL).exists():
        return Firing.Reason.PAUSED_GLOBAL
    if pauses.filter(scope=Pause.Scope.RULE, rule=rule).exists():
        return Firing.Reason.PAUSED_RULE
    if partner_id and pauses.filter(scope=Pause.Scope.PARTNER, partner_id=partner_id).exists():
        return Firing.Reason.PAUSED_PARTNER
    return ""


def quiet_until(partner: Partner | None, now: datetime.datetime) -> datetime.datetime | None:
    """When quiet hours end in the partner's time zone, or None if now is an allowed time."""
    quiet = QuietHours.objects.filter(pk=1).first() or QuietHours()
    if not quiet.enabled:
        return None
    zone = zoneinfo.ZoneInfo((partner.time_zone if partner else "") or "UTC")
    local = now.astimezone(zone)
    start, end = quiet.start, quiet.end

    def quiet_at(moment: datetime.datetime) -> bool:
        if quiet.weekends and moment.weekday() >= 5:
            return True
        t = moment.time()
        return (start <= t < end) if start < end else (t >= start or t < end)

    if not quiet_at(local):
        return None
    candidate = local
    for _step in range(8):
        candidate = datetime.datetime.combine(candidate.date(), end, tzinfo=zone)
        if candidate <= local:
            candidate += datetime.timedelta(days=1)
        if not quiet_at(candidate):
            return candidate.astimezone(datetime.UTC)
        candidate += datetime.timedelta(days=1) if quiet.weekends and candidate.weekday() >= 5 else \
            datetime.timedelta(0)
    return candidate.astimezone(datetime.UTC)


def still_applies(firing: Firing, trigger: definitions.Trigger, condition) -> bool:
    """Timed rules re-check the subject at fire time: still open (e.g. unpaid) and still matching."""
    model = apps.get_model(firing.subject_type.app_label, firing.subject_type.model)
    subjects = model._default_manager.filter(pk=firing.subject_id)
    if trigger.type == "date":
        anchor = date_anchors()[trigger.anchor]
        if anchor.open_filter is not None:
            subjects = subjects.filter(anchor.open_filter())
    try:
        subjects = subjects.filter(conditions.compile_q(condition, trigger.scope()))
    except conditions.ConditionError:
        return False
    return subjects.exists()


# -- context ----------------------------------------------------------------------------------------------------

def subject_fields(model_label: str, subject_id: int) -> dict:
    """The registered condition fields of one subject, by short name, for message templates."""
    model = apps.get_model(model_label)
    wanted = {name.split(".", 1)[-1]: item.path for name, item in condition_fields().items()
              if item.model == model_label}
    if not wanted:
        return {}
    row = model._default_manager.filter(pk=subject_id).values(*wanted.values()).first() or {}
    return {short: row.get(path) for short, path in wanted.items()}


def build_context(action: FiringAction, now: datetime.datetime | None = None) -> ActionContext:
    firing = action.firing
    rule, version = firing.rule, firing.rule_version
    trigger = definitions.parse_trigger(version.trigger)
    content_type = ContentType.objects.get_for_id(firing.subject_type_id)
    model = content_type.model_class()
    subject = model._default_manager.filter(pk=firing.subject_id).first() if model else None
    partner = (Partner.objects.select_related("channel_manager").filter(pk=firing.partner_id).first()
               if firing.partner_id else None)
    declared = subject_for(model._meta.label if model else "")
    owner = None
    if subject is not None and declared.owner_field:
        owner_id = model._default_manager.filter(pk=subject.pk).values_list(
            f"{declared.owner_field}__pk" if declared.owner_field != "pk" else "pk", flat=True).first()
        owner = User.objects.filter(pk=owner_id, partner__isnull=True).first() if owner_id else None
    label = (declared.label(subject) if declared.label and subject is not None
             else str(subject) if subject is not None else f"#{firing.subject_id}")
    link = ""
    if subject is not None and declared.portal_url:
        try:
            link = declared.portal_url(subject)
        except Exception:  # a broken link builder must not stop the message
            logger.exception("portal_url failed for %s", firing.key)
    payload = {}
    if firing.event_id:
        payload = Event.objects.filter(pk=firing.event_id).values_list("payload", flat=True).first() or {}
    fields = subject_fields(model._meta.label, firing.subject_id) if model else {}
    anchor_date = None
    if trigger.type == "date" and subject is not None:
        anchor_date = fields.get(trigger.anchor_field) or _anchor_value(model, firing.subject_id, trigger)
    message = MessageContext(
        rule_name=rule.name, trigger_text=trigger.describe, subject_label=label, fields=fields,
        payload=payload, partner=partner, channel_manager=partner.channel_manager if partner else None,
        link=link, anchor_date=anchor_date, now=now)
    return ActionContext(action, firing, rule, trigger, subject, partner, owner, message, payload)


def _anchor_value(model, subject_id: int, trigger: definitions.Trigger):
    value = model._default_manager.filter(pk=subject_id).values_list(trigger.anchor_field, flat=True).first()
    return value.date() if isinstance(value, datetime.datetime) else value


# -- the run ----------------------------------------------------------------------------------------------------

def _claim(action_id: int, now: datetime.datetime) -> str | None:
    token = uuid.uuid4().hex
    claimed = FiringAction.objects.filter(
        pk=action_id, status=FiringAction.Status.PENDING, next_attempt_at__lte=now,
    ).update(status=FiringAction.Status.RUNNING, claim_token=token, lease_until=now + LEASE,
             attempts=F("attempts") + 1)
    return token if claimed else None


def _finish(action: FiringAction, token: str, **changes) -> bool:
    changes.setdefault("finished_at", timezone.now())
    return bool(FiringAction.objects.filter(pk=action.pk, claim_token=token,
                                            status=FiringAction.Status.RUNNING).update(**changes))


def _skip(action: FiringAction, token: str, reason: str) -> None:
    with transaction.atomic():
        # The whole firing is skipped only if none of its actions did anything.
        if (_finish(action, token, status=FiringAction.Status.SKIPPED, outcome={"skipped": reason})
                and not action.firing.firing_actions.filter(status=FiringAction.Status.DONE).exists()):
            Firing.objects.filter(pk=action.firing_id).update(status=Firing.Status.SKIPPED, reason=reason)


def action_run(*, action_id: int, now: datetime.datetime | None = None) -> str:
    """Run one action if it is due and nobody else holds it; returns its resulting status."""
    now = now or timezone.now()
    token = _claim(action_id, now)
    if token is None:
        return "not-claimed"
    action = FiringAction.objects.select_related("firing__rule", "firing__rule_version",
                                                 "firing__subject_type").get(pk=action_id)
    firing, rule = action.firing, action.firing.rule
    try:
        if not rule.enabled:
            raise Skip(Firing.Reason.RULE_DISABLED)
        context = build_context(action, now)
        if rule.is_nudge:
            reason = active_pause(rule, firing.partner_id, now)
            if reason:
                raise Skip(reason)
            until = quiet_until(context.partner, now)
            if until is not None:
                raise Deferred(until, Firing.Reason.QUIET_HOURS)
        if context.subject is None:
            raise Skip(Firing.Reason.NO_LONGER_APPLIES)
        if context.trigger.is_timed and not still_applies(firing, context.trigger, firing.rule_version.condition):
            raise Skip(Firing.Reason.NO_LONGER_APPLIES)
        handler = registered_actions()[action.kind]
        params = action.params
        if handler.external:
            outcome = handler.handler(context, **params)
            _finish(action, token, status=FiringAction.Status.DONE, outcome=outcome, error="")
        else:
            with transaction.atomic():
                locked = FiringAction.objects.select_for_update().filter(
                    pk=action.pk, claim_token=token, status=FiringAction.Status.RUNNING).first()
                if locked is None:
                    return "lost-claim"
                outcome = handler.handler(context, **params)
                _finish(action, token, status=FiringAction.Status.DONE, outcome=outcome, error="")
        if firing.status != Firing.Status.FIRED:
            Firing.objects.filter(pk=firing.pk).update(status=Firing.Status.FIRED, reason="")
        return FiringAction.Status.DONE
    except Skip as skip:
        _skip(action, token, skip.reason)
        return FiringAction.Status.SKIPPED
    except Deferred as deferred:
        with transaction.atomic():
            FiringAction.objects.filter(pk=action.pk, claim_token=token).update(
                status=FiringAction.Status.PENDING, next_attempt_at=deferred.until, enqueued_at=None,
                attempts=F("attempts") - 1, lease_until=None, claim_token="")
            Firing.objects.filter(pk=firing.pk).update(status=Firing.Status.DEFERRED, reason=deferred.reason,
                                                       due_at=deferred.until)
        return "deferred"
    except Exception as error:  # any failure of an effect is recorded, retried, then left failed
        logger.warning("action %s (%s) failed: %s", action.pk, action.kind, error)
        attempts = FiringAction.objects.filter(pk=action.pk).values_list("attempts", flat=True).first() or 1
        text = f"{type(error).__name__}: {error}"[:2000]
        if attempts >= MAX_ATTEMPTS or type(error).__name__ == "InterruptedSending":
            _finish(action, token, status=FiringAction.Status.FAILED, error=text)
            return FiringAction.Status.FAILED
        retry_at = now + backoff(attempts)
        FiringAction.objects.filter(pk=action.pk, claim_token=token).update(
            status=FiringAction.Status.PENDING, next_attempt_at=retry_at, enqueued_at=None, error=text,
            lease_until=None, claim_token="")
        return "retrying"


def action_retry(*, action: FiringAction) -> None:
    """Send a failed action round again (from the console): a fresh set of attempts, due now."""
    from accord.automation.models import Message
    from accord.automation.queue import enqueue_actions

    with transaction.atomic():
        # A person checked: messages whose sending was interrupted go out again on this retry.
        Message.objects.filter(action=action, delivery=Message.Delivery.UNCERTAIN).delete()
        updated = FiringAction.objects.filter(pk=action.pk, status=FiringAction.Status.FAILED).update(
            status=FiringAction.Status.PENDING, attempts=0, next_attempt_at=timezone.now(), error="",
            enqueued_at=timezone.now(), finished_at=None)
        if updated:
            enqueue_actions([action.pk])
