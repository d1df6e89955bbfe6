"""The rule condition language: a JSON tree over the subject, its partner and the event, never `eval`.

    {"all": [cond, ...]}   {"any": [cond, ...]}   {"not": cond}
    {"field": "invoice.open_amount", "op": "gte", "value": 100}
    {"field": "partner.last_login", "op": "lt", "value": {"days_ago": 30}}
    {"field": "partner.status", "op": "changed_to", "value": "active"}      (event triggers only)
    {"field": "payload.quantity", "op": "gt", "value": 10}                 (event triggers only)
    {"segment": "Poland resellers"}                                         (partner is a member)

One definition is evaluated two ways: compiled to a single SQL filter (`compile_q`) for time triggers,
schedules and previews, so a pass over a million invoices stays set-based; and evaluated in Python over
pre-loaded values (`evaluate`) for a batch of events. Validation names the bad part (`all[1].op`); any value
that cannot be compared makes the condition false: the language fails closed.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from accord.automation.registry import ConditionField, condition_fields

PARTNER_MODEL = "partners.Partner"
MAX_DEPTH = 8
OPERATORS: dict[str, tuple[str, ...]] = {
    "text": ("eq", "ne", "in", "not_in", "contains", "is_empty", "changed", "changed_from", "changed_to"),
    "choice": ("eq", "ne", "in", "not_in", "is_empty", "changed", "changed_from", "changed_to"),
    "number": ("eq", "ne", "gt", "gte", "lt", "lte", "is_empty", "changed", "changed_from", "changed_to"),
    "date": ("eq", "ne", "gt", "gte", "lt", "lte", "is_empty", "changed"),
    "datetime": ("gt", "gte", "lt", "lte", "is_empty", "changed"),
    "bool": ("eq", "ne", "changed", "changed_to"),
    "payload": ("eq", "ne", "in", "not_in", "gt", "gte", "lt", "lte", "contains", "is_empty"),
}
LIST_OPS = {"in", "not_in"}
CHANGE_OPS = {"changed", "changed_from", "changed_to"}


class ConditionError(ValidationError):
    """A condition that cannot be used, with `path` naming the bad part."""

    def __init__(self, path: str, message: str) -> None:
        self.path = path
        super().__init__(f"{path}: {message}", code="invalid_condition")


@dataclass
class Scope:
    """What a condition may read: the subject model, whether an event payload exists, the partner path."""

    model: str
    partner_path: str = "partner"
    has_event: bool = False

    def field(self, name: str, path: str) -> ConditionField:
        registered = condition_fields().get(name)
        if registered is None:
            allowed = ", ".join(sorted(n for n, f in condition_fields().items() if f.model in self.models))
            raise ConditionError(path, _("unknown field %(name)r; allowed here: %(allowed)s")
                                 % {"name": name, "allowed": allowed or "—"})
        if registered.model not in self.models:
            raise ConditionError(path, _("field %(name)r belongs to %(model)s, not to this rule's subject")
                                 % {"name": name, "model": registered.model})
        return registered

    @property
    def models(self) -> set[str]:
        return {self.model, PARTNER_MODEL}

    def lookup(self, item: ConditionField) -> str:
        """The Django lookup path from the subject model to the field."""
        if item.model == self.model:
            return item.path
        if self.partner_path == "pk":
            return item.path
        return f"{self.partner_path}__{item.path}"


@dataclass
class Facts:
    """Pre-loaded values one evaluation reads: field name -> value, the payload, segment ids of the partner."""

    values: dict[str, Any] = field(default_factory=dict)
    payload: dict[str, Any] = field(default_factory=dict)
    segments: set[int] = field(default_factory=set)
    now: datetime.datetime | None = None


# -- validation -------------------------------------------------------------------------------------------------

def _relative(value, kind: str, path: str):
    """Resolve {"days_ago": n} / {"days_ahead": n} / "today" to a date or datetime."""
    now = timezone.now()
    if value == "today":
        return now if kind == "datetime" else timezone.localdate(now)
    if isinstance(value, dict) and len(value) == 1 and next(iter(value)) in {"days_ago", "days_ahead"}:
        key, days = next(iter(value.items()))
        if not isinstance(days, int) or isinstance(days, bool) or days < 0:
            raise ConditionError(path, _("%(key)s must be a whole number of days") % {"key": key})
        delta = datetime.timedelta(days=days if key == "days_ahead" else -days)
        return now + delta if kind == "datetime" else timezone.localdate(now) + delta
    return None


def _coerce(item: ConditionField | None, kind: str, value, path: str):
    """The comparable form of a value written in a rule, or a ConditionError naming `path`."""
    if kind == "payload":
        if isinstance(value, dict | list) and not isinstance(value, bool):
            raise ConditionError(path, _("must be a single value"))
        return value
    if kind == "number":
        if isinstance(value, bool):
            raise ConditionError(path, _("%(value)r is not a number") % {"value": value})
        try:
            return Decimal(str(value))
        except (InvalidOperation, ValueError):
            raise ConditionError(path, _("%(value)r is not a number") % {"value": value}) from None
    if kind in {"date", "datetime"}:
        relative = _relative(value, kind, path)
        if relative is not None:
            return relative
        if isinstance(value, str):
            if kind == "date":
                try:
                    return datetime.date.fromisoformat(value)
                except ValueError:
                    pass
            else:
                parsed = parse_datetime(value)
                if parsed is not None:
                    return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed, datetime.UTC)
        raise ConditionError(path, _("%(value)r is not a date (YYYY-MM-DD, \"today\" or {\"days_ago\": n})")
                             % {"value": value})
    if kind == "bool":
        if not isinstance(value, bool):
            raise ConditionError(path, _("must be true or false"))
        return value
    if kind == "choice" and item is not None and item.choices:
        allowed = [str(c[0]) if isinstance(c, tuple | list) else str(c) for c in item.choices]
        if str(value) not in allowed:
            raise ConditionError(path, _("%(value)r is not one of %(allowed)s")
                                 % {"value": value, "allowed": ", ".join(allowed)})
    if not isinstance(value, str | int) or isinstance(value, bool):
        raise ConditionError(path, _("must be text"))
    return str(value)


def _leaf(node: dict, path: str, scope: Scope) -> tuple[ConditionField | None, str, str, Any, str]:
    """Validate one comparison; returns (field, kind, op, coerced value, field name)."""
    unknown = set(node) - {"field", "op", "value"}
    if unknown:
        raise ConditionError(path, _("unexpected key(s) %(keys)s") % {"keys": ", ".join(sorted(unknown))})
    name, op = node.get("field"), node.get("op")
    if not isinstance(name, str) or not name:
        raise ConditionError(f"{path}.field", _("is required"))
    item = None
    if name.startswith("payload."):
        if not scope.has_event:
            raise ConditionError(f"{path}.field", _("payload fields exist only for event triggers"))
        kind = "payload"
    else:
        item = scope.field(name, f"{path}.field")
        kind = item.kind
    allowed = OPERATORS.get(kind, ())
    if op not in allowed:
        raise ConditionError(f"{path}.op", _("operator %(op)r does not apply to %(name)s; allowed: %(allowed)s")
                             % {"op": op, "name": name, "allowed": ", ".join(allowed)})
    if op in CHANGE_OPS and not scope.has_event:
        raise ConditionError(f"{path}.op", _("%(op)s needs an event trigger") % {"op": op})
    if op in {"is_empty", "changed"}:
        if "value" in node:
            raise ConditionError(f"{path}.value", _("%(op)s takes no value") % {"op": op})
        return item, kind, op, None, name
    if "value" not in node:
        raise ConditionError(f"{path}.value", _("is required"))
    value = node["value"]
    if op in LIST_OPS:
        if not isinstance(value, list) or not value:
            raise ConditionError(f"{path}.value", _("must be a non-empty list"))
        return item, kind, op, [_coerce(item, kind, v, f"{path}.value[{i}]") for i, v in enumerate(value)], name
    if isinstance(value, list):
        raise ConditionError(f"{path}.value", _("must be a single value"))
    return item, kind, op, _coerce(item, kind, value, f"{path}.value"), name


def _segment_id(value, path: str) -> int:
    from accord.partners.models import Segment

    segment = None
    if isinstance(value, int) and not isinstance(value, bool):
        segment = Segment.objects.filter(pk=value).first()
    elif isinstance(value, str) and value:
        segment = Segment.objects.filter(name=value).first()
    if segment is None:
        raise ConditionError(path, _("no segment %(value)r") % {"value": value})
    return segment.pk


def _walk(node, path: str, depth: int, scope: Scope, visit):
    if depth > MAX_DEPTH:
        raise ConditionError(path, _("nested deeper than %(n)s levels") % {"n": MAX_DEPTH})
    if not isinstance(node, dict) or not node:
        raise ConditionError(path, _("must be a non-empty object"))
    prefix = f"{path}."
    if "all" in node or "any" in node:
        key = "all" if "all" in node else "any"
        if len(node) != 1:
            raise ConditionError(path, _("%(key)s cannot be combined with other keys") % {"key": key})
        children = node[key]
        if not isinstance(children, list) or not children:
            raise ConditionError(f"{prefix}{key}", _("must be a non-empty list"))
        parts = [_walk(child, f"{prefix}{key}[{i}]", depth + 1, scope, visit) for i, child in enumerate(children)]
        return visit("group", key, parts)
    if "not" in node:
        if len(node) != 1:
            raise ConditionError(path, _("not cannot be combined with other keys"))
        return visit("not", None, _walk(node["not"], f"{prefix}not", depth + 1, scope, visit))
    if "segment" in node:
        if len(node) != 1:
            raise ConditionError(path, _("segment cannot be combined with other keys"))
        return visit("segment", None, _segment_id(node["segment"], f"{prefix}segment"))
    return visit("leaf", None, _leaf(node, path, scope))


def validate(condition, scope: Scope) -> None:
    """Raise ConditionError naming the bad part; an empty condition ({}) means "always"."""
    if condition in ({}, None):
        return
    _walk(condition, "condition", 0, scope, lambda *args: None)


def referenced_fields(condition, scope: Scope) -> list[str]:
    """Names of registered fields the condition reads (to load them once per batch)."""
    names: list[str] = []
    if condition in ({}, None):
        return names

    def visit(kind, _key, data):
        if kind == "leaf" and data[0] is not None and data[0].name not in names:
            names.append(data[0].name)

    _walk(condition, "condition", 0, scope, visit)
    return names


def uses_segments(condition, scope: Scope) -> bool:
    found = []
    if condition in ({}, None):
        return False
    _walk(condition, "condition", 0, scope, lambda kind, *_: found.append(kind == "segment"))
    return any(found)


# -- SQL --------------------------------------------------------------------------------------------------------

def compile_q(condition, scope: Scope) -> Q:
    """One filter on the subject model; payload and change operators cannot be compiled (they need an event)."""
    if condition in ({}, None):
        return Q()
    from accord.partners.models import SegmentMembership

    partner_ref = "pk" if scope.partner_path == "pk" or scope.model == PARTNER_MODEL else f"{scope.partner_path}_id"

    def visit(kind, key, data):
        if kind == "group":
            q = Q()
            for part in data:
                q = (q & part) if key == "all" else (q | part)
            return q
        if kind == "not":
            return ~data
        if kind == "segment":
            return Q(Exists(SegmentMembership.objects.filter(segment_id=data, partner_id=OuterRef(partner_ref))))
        item, field_kind, op, value, _name = data
        if item is None or op in CHANGE_OPS:
            raise ConditionError("condition", _("this condition reads an event; it has no SQL form"))
        lookup = scope.lookup(item)
        text = field_kind in {"text", "choice"}
        if op == "is_empty":
            empty = Q(**{f"{lookup}__isnull": True})
            return empty | Q(**{lookup: ""}) if text else empty
        return {
            "eq": lambda: Q(**{f"{lookup}__iexact" if field_kind == "text" else lookup: value}),
            "ne": lambda: ~Q(**{f"{lookup}__iexact" if field_kind == "text" else lookup: value})
            | Q(**{f"{lookup}__isnull": True}),
            "in": lambda: Q(**{f"{lookup}__in": value}),
            "not_in": lambda: ~Q(**{f"{lookup}__in": value}) & Q(**{f"{lookup}__isnull": False}),
            "contains": lambda: Q(**{f"{lookup}__icontains": value}),
            "gt": lambda: Q(**{f"{lookup}__gt": value}),
            "gte": lambda: Q(**{f"{lookup}__gte": value}),
            "lt": lambda: Q(**{f"{lookup}__lt": value}),
            "lte": lambda: Q(**{f"{lookup}__lte": value}),
        }[op]()

    return _walk(condition, "condition", 0, scope, visit)


def can_compile(condition, scope: Scope) -> bool:
    try:
        compile_q(condition, scope)
    except ConditionError:
        return False
    return True


# -- Python -----------------------------------------------------------------------------------------------------

def _comparable(kind: str, raw):
    if raw is None:
        return None
    if kind == "number":
        return Decimal(str(raw))
    if kind == "date":
        if isinstance(raw, datetime.datetime):
            return raw.date()
        return raw if isinstance(raw, datetime.date) else datetime.date.fromisoformat(str(raw))
    if kind == "datetime":
        return raw if isinstance(raw, datetime.datetime) else parse_datetime(str(raw))
    if kind == "bool":
        return bool(raw)
    return raw if kind == "payload" else str(raw)


def _change(facts: Facts, name: str):
    """(old, new) for a field from the event payload: payload["changes"][short] or payload old/new."""
    short = name.split(".", 1)[-1]
    changes = facts.payload.get("changes")
    if isinstance(changes, dict) and short in changes and isinstance(changes[short], list | tuple):
        old, new = changes[short]
        return old, new
    if "old" in facts.payload and "new" in facts.payload:
        return facts.payload["old"], facts.payload["new"]
    return None


def evaluate(condition, scope: Scope, facts: Facts) -> bool:
    """True when the condition holds for the facts; anything that cannot be compared counts as false."""
    if condition in ({}, None):
        return True

    def visit(kind, key, data):
        if kind == "group":
            return all(data) if key == "all" else any(data)
        if kind == "not":
            return not data
        if kind == "segment":
            return data in facts.segments
        item, field_kind, op, value, name = data
        try:
            return _compare(item, name, field_kind, op, value, facts)
        except (TypeError, ValueError, InvalidOperation, ArithmeticError):
            return False

    try:
        return bool(_walk(condition, "condition", 0, scope, visit))
    except ValidationError:
        return False


def compile_python(condition, scope: Scope):
    """Validate once, return `check(facts) -> bool` (for a batch of events: no re-walking per event)."""
    if condition in ({}, None):
        return lambda facts: True

    def guarded(item, kind, op, value, name):
        def check(facts: Facts) -> bool:
            try:
                return bool(_compare(item, name, kind, op, value, facts))
            except (TypeError, ValueError, InvalidOperation, ArithmeticError):
                return False

        return check

    def visit(kind, key, data):
        if kind == "group":
            parts = tuple(data)
            if key == "all":
                return lambda facts: all(part(facts) for part in parts)
            return lambda facts: any(part(facts) for part in parts)
        if kind == "not":
            return lambda facts: not data(facts)
        if kind == "segment":
            return lambda facts: data in facts.segments
        return guarded(*data)

    try:
        return _walk(condition, "condition", 0, scope, visit)
    except ValidationError:
        return lambda facts: False


def _compare(item, name: str, kind, op, value, facts: Facts) -> bool:
    if op in CHANGE_OPS:
        change = _change(facts, name)
        if change is None:
            return False
        old, new = (_comparable(kind, v) for v in change)
        if op == "changed":
            return old != new
        target = old if op == "changed_from" else new
        return old != new and target is not None and _equal(kind, target, value)
    if item is None:
        return _apply(kind, op, _dig(facts.payload, name.removeprefix("payload.")), value)
    actual = _comparable(kind, facts.values.get(item.name))
    return _apply(kind, op, actual, value)


def _dig(payload: dict, path: str):
    current: Any = payload
    for part in path.split("."):
        if not isinstance(current, dict):
            return None
        current = current.get(part)
    return current


def _equal(kind: str, actual, value) -> bool:
    if kind == "text" and isinstance(actual, str) and isinstance(value, str):
        return actual.casefold() == value.casefold()
    if kind == "payload":
        return actual == value or str(actual) == str(value)
    return actual == value


def _apply(kind: str, op: str, actual, value) -> bool:
    if op == "is_empty":
        return actual is None or actual == ""
    if op == "ne":
        return actual is None or not _equal(kind, actual, value)
    if actual is None:
        return False
    if op == "eq":
        return _equal(kind, actual, value)
    if op == "in":
        return any(_equal(kind, actual, v) for v in value)
    if op == "not_in":
        return not any(_equal(kind, actual, v) for v in value)
    if op == "contains":
        return str(value).casefold() in str(actual).casefold()
    if kind == "payload":
        actual, value = Decimal(str(actual)), Decimal(str(value))
    return {"gt": actual > value, "gte": actual >= value, "lt": actual < value, "lte": actual <= value}[op]
