"""A rule's definition (trigger, condition, actions, variants) parsed and validated before anything is saved.

Every error names the bad part of the definition (`trigger.days`, `actions[1].params.to[0]`,
`condition.all[2].op`) so the editor, the API and the playbook loader can all say precisely what is wrong.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from accord.automation import conditions
from accord.automation.registry import actions as registered_actions
from accord.automation.registry import audiences, date_anchors, event_types, subject_for
from accord.partners.roles import Role

TRIGGER_TYPES = ("event", "date", "schedule")
PERIODS = ("day", "week", "month")
CATCH_UP = ("each", "latest")
MAX_OFFSET_DAYS = 366
RECIPIENTS = ("partner_admins", "partner_users", "channel_manager", "owner")
PRIORITIES = {"low": 10, "normal": 20, "high": 30, "urgent": 40}


@dataclass(frozen=True)
class Trigger:
    """A validated trigger: what starts a rule, on which subject model, and how its partner is reached."""

    type: str
    model: str
    partner_path: str
    event: str = ""
    anchor: str = ""
    anchor_field: str = ""
    first_day: int = 0  # offset in days from the anchor (a window runs first_day..last_day)
    last_day: int = 0
    at: datetime.time = datetime.time(9, 0)
    catch_up: str = "each"
    every: str = ""
    day: int = 1
    audience: str = ""
    fan_via: str = ""  # event triggers that fan out: lookup from `model` back to the event's subject

    @property
    def is_window(self) -> bool:
        return self.type == "date" and self.first_day != self.last_day

    @property
    def is_timed(self) -> bool:
        return self.type in {"date", "schedule"}

    def scope(self) -> conditions.Scope:
        return conditions.Scope(self.model, self.partner_path, has_event=self.type == "event")

    def describe(self) -> str:
        """Human words for the trigger, used on rule lists and in the "why" of messages."""
        if self.type == "event":
            item = event_types().get(self.event)
            return str(item.label) if item else self.event
        if self.type == "schedule":
            return {"day": _("every day at %(at)s"), "week": _("every week at %(at)s"),
                    "month": _("every month at %(at)s")}[self.every] % {"at": self.at.strftime("%H:%M")}
        anchor = date_anchors().get(self.anchor)
        label = str(anchor.label) if anchor else self.anchor
        if self.is_window:
            return _("every day from %(first)s to %(last)s days relative to %(anchor)s") % {
                "first": self.first_day, "last": self.last_day, "anchor": label}
        if self.first_day < 0:
            return _("%(n)s days before %(anchor)s") % {"n": -self.first_day, "anchor": label}
        if self.first_day > 0:
            return _("%(n)s days after %(anchor)s") % {"n": self.first_day, "anchor": label}
        return _("on %(anchor)s") % {"anchor": label}


def _fail(path: str, message: str) -> ValidationError:
    return ValidationError(f"{path}: {message}", code="invalid_rule")


def _int(value, path: str, low: int, high: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise _fail(path, _("must be a whole number from %(low)s to %(high)s") % {"low": low, "high": high})
    return value


def _time(value, path: str) -> datetime.time:
    if not isinstance(value, str):
        raise _fail(path, _("must be a time like \"09:00\""))
    try:
        return datetime.time.fromisoformat(value)
    except ValueError:
        raise _fail(path, _("must be a time like \"09:00\"")) from None


def parse_trigger(trigger) -> Trigger:
    """Validate a trigger definition; raises ValidationError naming the bad key."""
    if not isinstance(trigger, dict):
        raise _fail("trigger", _("must be an object"))
    kind = trigger.get("type")
    if kind not in TRIGGER_TYPES:
        raise _fail("trigger.type", _("must be one of %(allowed)s") % {"allowed": ", ".join(TRIGGER_TYPES)})
    allowed_keys = {"event": {"type", "event", "audience", "fan_out"},
                    "date": {"type", "anchor", "days", "from_days", "to_days", "at", "catch_up"},
                    "schedule": {"type", "every", "day", "at", "catch_up"}}[kind]
    unknown = sorted(set(trigger) - allowed_keys)
    if unknown:
        raise _fail(f"trigger.{unknown[0]}", _("is not a setting of a %(kind)s trigger; allowed: %(allowed)s")
                    % {"kind": kind, "allowed": ", ".join(sorted(allowed_keys))})
    at = _time(trigger.get("at", "09:00"), "trigger.at")
    catch_up = trigger.get("catch_up", "each")
    if catch_up not in CATCH_UP:
        raise _fail("trigger.catch_up", _("must be one of %(allowed)s") % {"allowed": ", ".join(CATCH_UP)})
    if kind == "event":
        name = trigger.get("event")
        item = event_types().get(name)
        if item is None:
            raise _fail("trigger.event", _("unknown event type %(name)r; known: %(known)s")
                        % {"name": name, "known": ", ".join(sorted(event_types()))})
        audience = trigger.get("audience", "")
        if audience:
            found = audiences().get(audience)
            if found is None or found.model != item.subject:
                raise _fail("trigger.audience", _("unknown audience %(name)r for %(model)s")
                            % {"name": audience, "model": item.subject})
        fan_out = trigger.get("fan_out")
        if fan_out is not None:
            return _fan_out(name, item.subject, fan_out)
        return Trigger("event", item.subject, subject_for(item.subject).partner_field, event=name,
                       audience=audience)
    if kind == "date":
        name = trigger.get("anchor")
        anchor = date_anchors().get(name)
        if anchor is None:
            raise _fail("trigger.anchor", _("unknown date %(name)r; known: %(known)s")
                        % {"name": name, "known": ", ".join(sorted(date_anchors())) or "—"})
        if "days" in trigger:
            if "from_days" in trigger or "to_days" in trigger:
                raise _fail("trigger.days", _("use either days or from_days/to_days"))
            first = last = _int(trigger["days"], "trigger.days", -MAX_OFFSET_DAYS, MAX_OFFSET_DAYS)
        elif "from_days" in trigger and "to_days" in trigger:
            first = _int(trigger["from_days"], "trigger.from_days", -MAX_OFFSET_DAYS, MAX_OFFSET_DAYS)
            last = _int(trigger["to_days"], "trigger.to_days", -MAX_OFFSET_DAYS, MAX_OFFSET_DAYS)
            if last < first:
                raise _fail("trigger.to_days", _("must not be before from_days"))
        else:
            raise _fail("trigger.days", _("is required (or from_days and to_days for every day in a window)"))
        return Trigger("date", anchor.model, anchor.partner_field, anchor=name, anchor_field=anchor.field,
                       first_day=first, last_day=last, at=at, catch_up=catch_up)
    every = trigger.get("every")
    if every not in PERIODS:
        raise _fail("trigger.every", _("must be one of %(allowed)s") % {"allowed": ", ".join(PERIODS)})
    day = 1
    if every == "week":
        day = _int(trigger.get("day", 1), "trigger.day", 1, 7)
    elif every == "month":
        day = _int(trigger.get("day", 1), "trigger.day", 1, 28)
    elif "day" in trigger:
        raise _fail("trigger.day", _("applies only to weekly and monthly schedules"))
    return Trigger("schedule", conditions.PARTNER_MODEL, "pk", every=every, day=day, at=at, catch_up=catch_up)


def _fan_out(event: str, event_model: str, fan_out) -> Trigger:
    """{"model": "commerce.Reservation", "via": "delivery_line__delivery"}: one firing per related record."""
    from django.apps import apps
    from django.core.exceptions import FieldError

    if not isinstance(fan_out, dict) or set(fan_out) != {"model", "via"}:
        raise _fail("trigger.fan_out", _("must be an object with model and via"))
    try:
        model = apps.get_model(fan_out["model"])
    except (LookupError, ValueError, TypeError):
        raise _fail("trigger.fan_out.model", _("unknown model %(model)r") % {"model": fan_out["model"]}) from None
    via = fan_out["via"]
    try:
        if not isinstance(via, str) or not via:
            raise FieldError
        model._default_manager.filter(**{f"{via}__in": []})
    except FieldError:
        raise _fail("trigger.fan_out.via", _("%(via)r is not a path from %(model)s")
                    % {"via": via, "model": model._meta.label}) from None
    label = model._meta.label
    return Trigger("event", label, subject_for(label).partner_field, event=event, fan_via=via)


def _recipients(value, path: str) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value:
        raise _fail(path, _("must name at least one recipient"))
    vendor_roles = {r.value for r in Role if not r.value.startswith("partner_")}
    for i, item in enumerate(value):
        if item in RECIPIENTS or (isinstance(item, str) and item.startswith("role:")
                                  and item.removeprefix("role:") in vendor_roles):
            continue
        raise _fail(f"{path}[{i}]", _("unknown recipient %(value)r; use %(allowed)s or role:<%(roles)s>")
                    % {"value": item, "allowed": ", ".join(RECIPIENTS), "roles": "|".join(sorted(vendor_roles))})
    return value


def _text(value, path: str, *, required: bool = True):
    """Plain text, or text per language {"en": ..., "ru": ...} (English is the fallback)."""
    from django.conf import settings
    from django.template import Template, TemplateSyntaxError

    if value in (None, "") and not required:
        return
    texts = value if isinstance(value, dict) else {"en": value}
    if not texts or not all(isinstance(t, str) and t.strip() for t in texts.values()):
        raise _fail(path, _("must be non-empty text"))
    for language, text in texts.items():
        if language not in dict(settings.LANGUAGES):
            raise _fail(f"{path}.{language}", _("unknown language"))
        try:
            Template(text)
        except TemplateSyntaxError as error:
            raise _fail(f"{path}.{language}" if isinstance(value, dict) else path,
                        _("template error: %(error)s") % {"error": error}) from None


def validate_action_params(kind: str, params: dict, path: str) -> None:
    """Check one action's parameters against what the action declares (kinds, required ones, templates)."""
    from accord.automation.messages import TEMPLATES
    from accord.automation.models import WebhookEndpoint

    spec = registered_actions()[kind].params
    unknown = sorted(set(params) - {name.removesuffix("?") for name in spec})
    if unknown:
        raise _fail(f"{path}.{unknown[0]}", _("is not a parameter of %(kind)s; allowed: %(allowed)s")
                    % {"kind": kind, "allowed": ", ".join(n.removesuffix("?") for n in spec) or "—"})
    for name, param_kind in spec.items():
        optional = name.endswith("?")
        name = name.removesuffix("?")
        where = f"{path}.{name}"
        if name not in params:
            if not optional:
                raise _fail(where, _("is required"))
            continue
        value = params[name]
        if param_kind == "recipients":
            _recipients(value, where)
        elif param_kind == "recipient":
            if value not in {"channel_manager", "owner"} and not (
                    isinstance(value, str) and value.startswith("role:")):
                raise _fail(where, _("must be channel_manager, owner or role:<role>"))
            if isinstance(value, str) and value.startswith("role:"):
                _recipients([value], where)
        elif param_kind == "role":
            if value not in {r.value for r in Role}:
                raise _fail(where, _("unknown role %(value)r") % {"value": value})
        elif param_kind == "text":
            _text(value, where, required=not optional)
        elif param_kind == "template":
            if value not in TEMPLATES:
                raise _fail(where, _("unknown message template %(value)r; known: %(known)s")
                            % {"value": value, "known": ", ".join(sorted(TEMPLATES))})
        elif param_kind == "int":
            _int(value, where, 0, 3650)
        elif param_kind == "priority":
            if value not in PRIORITIES:
                raise _fail(where, _("must be one of %(allowed)s") % {"allowed": ", ".join(PRIORITIES)})
        elif param_kind == "endpoint":
            if not WebhookEndpoint.objects.filter(name=value).exists():
                raise _fail(where, _("no webhook endpoint named %(value)r") % {"value": value})
        elif param_kind == "figures":
            from accord.automation.registry import condition_fields

            numbers = {n for n, f in condition_fields().items() if f.kind == "number"}
            if not isinstance(value, list) or not value:
                raise _fail(where, _("must be a non-empty list of number fields"))
            for i, name in enumerate(value):
                if name not in numbers:
                    raise _fail(f"{where}[{i}]", _("%(name)r is not a number field; known: %(known)s")
                                % {"name": name, "known": ", ".join(sorted(numbers))})
        elif param_kind == "bool":
            if not isinstance(value, bool):
                raise _fail(where, _("must be true or false"))
        elif param_kind in {"number", "str"}:
            if param_kind == "number" and (not isinstance(value, int | float) or isinstance(value, bool)):
                raise _fail(where, _("must be a number"))
            if param_kind == "str" and not isinstance(value, str | int):
                raise _fail(where, _("must be text"))
    if kind in {"email", "notify"} and "template" not in params and "subject" not in params:
        raise _fail(f"{path}.template", _("give a template or a subject and body"))
    if kind in {"email", "notify"} and "subject" in params and "body" not in params:
        raise _fail(f"{path}.body", _("is required with subject"))


def validate_actions(actions, variants=None) -> None:
    if not isinstance(actions, list) or not actions:
        raise _fail("actions", _("add at least one action"))
    known = registered_actions()
    for i, action in enumerate(actions):
        path = f"actions[{i}]"
        if not isinstance(action, dict):
            raise _fail(path, _("must be an object"))
        unknown = sorted(set(action) - {"type", "params"})
        if unknown:
            raise _fail(f"{path}.{unknown[0]}", _("unexpected key"))
        kind = action.get("type")
        if kind not in known:
            raise _fail(f"{path}.type", _("unknown action %(kind)r; known: %(known)s")
                        % {"kind": kind, "known": ", ".join(sorted(known))})
        params = action.get("params", {})
        if not isinstance(params, dict):
            raise _fail(f"{path}.params", _("must be an object"))
        validate_action_params(kind, params, f"{path}.params")
    if variants in (None, []):
        return
    if not isinstance(variants, list) or len(variants) < 2:
        raise _fail("variants", _("an experiment needs at least two variants"))
    names = set()
    for i, variant in enumerate(variants):
        path = f"variants[{i}]"
        if not isinstance(variant, dict) or not isinstance(variant.get("name"), str) or not variant["name"]:
            raise _fail(f"{path}.name", _("is required"))
        if variant["name"] in names:
            raise _fail(f"{path}.name", _("is used twice"))
        names.add(variant["name"])
        overrides = variant.get("params", {})
        if not isinstance(overrides, dict) or set(variant) - {"name", "params"}:
            raise _fail(f"{path}.params", _("must be an object of action parameters"))
        for j, action in enumerate(actions):
            merged = {**action.get("params", {}), **{k: v for k, v in overrides.items()
                                                       if k in _param_names(action["type"])}}
            validate_action_params(action["type"], merged, f"{path}.params (actions[{j}])")


def _param_names(kind: str) -> set[str]:
    return {name.removesuffix("?") for name in registered_actions()[kind].params}


def validate_definition(*, trigger, condition, actions, variants=None, throttle_days=None,
                        outcome_event: str = "") -> Trigger:
    """Validate a whole definition; the ValidationError is keyed by field, its text names the bad part."""
    try:
        parsed = parse_trigger(trigger)
    except ValidationError as error:
        raise ValidationError({"trigger": error.messages}) from None
    try:
        conditions.validate(condition, parsed.scope())
    except ValidationError as error:
        raise ValidationError({"condition": error.messages}) from None
    try:
        validate_actions(actions, variants)
    except ValidationError as error:
        field = "variants" if error.messages[0].startswith("variants") else "actions"
        raise ValidationError({field: error.messages}) from None
    if throttle_days is not None and (not isinstance(throttle_days, int) or throttle_days < 1):
        raise ValidationError({"throttle_days": [_("throttle_days: must be a whole number of days, at least 1")]})
    if outcome_event and outcome_event not in event_types():
        raise ValidationError({"outcome_event": [_("outcome_event: unknown event type %(name)r")
                                                 % {"name": outcome_event}]})
    if parsed.is_timed and not conditions.can_compile(condition, parsed.scope()):
        raise ValidationError({"condition": [_("condition: timed rules cannot read event payloads or changes")]})
    return parsed


def variant_for(variants: list, rule_id: int, partner_id: int | None) -> dict | None:
    """Stable assignment: the same partner always sees the same variant of a rule."""
    if not variants:
        return None
    return variants[((partner_id or 0) * 2654435761 + rule_id) % 4294967296 % len(variants)]


def apply_variant(params: dict, kind: str, variant: dict | None) -> dict:
    if not variant:
        return params
    names = _param_names(kind)
    return {**params, **{k: v for k, v in variant.get("params", {}).items() if k in names}}
