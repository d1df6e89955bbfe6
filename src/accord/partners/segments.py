"""The segment rule language: a small JSON tree over partner attributes, compiled to one SQL filter.

    {"all": [rule, ...]}  {"any": [rule, ...]}  {"not": rule}
    {"field": "country", "op": "in", "value": ["PL", "DE"]}

Compiling to a `Q` keeps "who is in this segment" a single query at any number of partners, so the
segment editor can show a live count. Validation names the bad part (e.g. `all[1].op`) and unknown
input never matches anything: the language fails closed.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accord.partners.models import Partner


@dataclass(frozen=True)
class Field:
    label: str
    kind: str  # text, choice, number, date, many
    lookup: str
    choices: tuple[tuple[str, str], ...] = ()


FIELDS: dict[str, Field] = {
    "country": Field(_("Country"), "text", "country"),
    "region": Field(_("Region"), "text", "region"),
    "city": Field(_("City"), "text", "city"),
    "status": Field(_("Status"), "choice", "status", tuple(Partner.Status.choices)),
    "size": Field(_("Size"), "choice", "size", tuple(Partner.Size.choices)),
    "kind": Field(_("Partner type"), "choice", "kind", tuple(Partner.Kind.choices)),
    "tier": Field(_("Tier"), "text", "tier__code"),
    "language": Field(_("Language"), "text", "language"),
    "currency": Field(_("Currency"), "text", "currency"),
    "time_zone": Field(_("Time zone"), "text", "time_zone"),
    "employees": Field(_("Employees"), "number", "employees"),
    "annual_revenue": Field(_("Annual revenue"), "number", "annual_revenue"),
    "joined_on": Field(_("Joined on"), "date", "joined_on"),
    "channel_manager": Field(_("Channel manager (email)"), "text", "channel_manager__email"),
    "industries": Field(_("Industries served"), "many", "industry__code"),
    "specialisations": Field(_("Specialisations"), "many", "specialisation__code"),
    "competing_products": Field(_("Competing products"), "text", "competing_products"),
}

OPERATORS: dict[str, tuple[str, ...]] = {
    "text": ("eq", "ne", "in", "not_in", "contains", "is_empty"),
    "choice": ("eq", "ne", "in", "not_in"),
    "number": ("eq", "ne", "gt", "gte", "lt", "lte", "is_empty"),
    "date": ("eq", "gt", "gte", "lt", "lte", "is_empty"),
    "many": ("any_of", "all_of", "none_of", "is_empty"),
}
LIST_OPERATORS = {"in", "not_in", "any_of", "all_of", "none_of"}
MAX_DEPTH = 6


def _fail(path: str, message: str) -> ValidationError:
    return ValidationError(f"{path or 'rule'}: {message}", code="invalid_rule")


def _scalar(field: Field, value, path: str):
    if field.kind == "number":
        try:
            return Decimal(str(value))
        except (InvalidOperation, ValueError):
            raise _fail(path, gettext("%(value)r is not a number") % {"value": value}) from None
    if field.kind == "date":
        try:
            return datetime.date.fromisoformat(str(value))
        except ValueError:
            raise _fail(path, gettext("%(value)r is not a date (YYYY-MM-DD)") % {"value": value}) from None
    if field.kind == "choice" and value not in dict(field.choices):
        raise _fail(path, gettext("%(value)r is not one of %(allowed)s")
                    % {"value": value, "allowed": ", ".join(dict(field.choices))})
    if not isinstance(value, str | int):
        raise _fail(path, gettext("must be text"))
    return str(value)


def _many(relation: str, lookup: str | None = None, values: list[str] | None = None) -> Exists:
    through = getattr(Partner, relation).through
    rows = through.objects.filter(partner_id=OuterRef("pk"))
    return Exists(rows.filter(**{f"{lookup}__in": values}) if lookup else rows)


def _condition(rule: dict, path: str) -> Q:
    name, op = rule.get("field"), rule.get("op")
    if name not in FIELDS:
        raise _fail(f"{path}.field", gettext("unknown field %(name)r; allowed: %(allowed)s")
                    % {"name": name, "allowed": ", ".join(FIELDS)})
    field = FIELDS[name]
    if op not in OPERATORS[field.kind]:
        raise _fail(f"{path}.op", gettext("operator %(op)r does not apply to %(field)s; allowed: %(allowed)s")
                    % {"op": op, "field": name, "allowed": ", ".join(OPERATORS[field.kind])})
    if op == "is_empty":
        if field.kind == "many":
            return ~Q(_many(name))
        if field.kind in {"number", "date"}:
            return Q(**{f"{field.lookup}__isnull": True})
        return Q(**{f"{field.lookup}__isnull": True}) | Q(**{field.lookup: ""})
    value = rule.get("value")
    if op in LIST_OPERATORS:
        if not isinstance(value, list) or not value:
            raise _fail(f"{path}.value", gettext("must be a non-empty list"))
        values = [_scalar(field, v, f"{path}.value[{i}]") for i, v in enumerate(value)]
    else:
        if value is None or isinstance(value, list | dict):
            raise _fail(f"{path}.value", gettext("must be a single value"))
        values = [_scalar(field, value, f"{path}.value")]
    if field.kind == "text" and field.lookup in {"country", "currency"}:
        values = [v.upper() for v in values]
    if field.kind == "many":
        if op == "any_of":
            return Q(_many(name, field.lookup, values))
        if op == "none_of":
            return ~Q(_many(name, field.lookup, values))
        q = Q()
        for v in values:
            q &= Q(_many(name, field.lookup, [v]))
        return q
    single = values[0]
    return {
        "eq": lambda: Q(**{f"{field.lookup}__iexact" if field.kind == "text" else field.lookup: single}),
        "ne": lambda: ~Q(**{f"{field.lookup}__iexact" if field.kind == "text" else field.lookup: single}),
        "in": lambda: Q(**{f"{field.lookup}__in": values}),
        "not_in": lambda: ~Q(**{f"{field.lookup}__in": values}),
        "contains": lambda: Q(**{f"{field.lookup}__icontains": single}),
        "gt": lambda: Q(**{f"{field.lookup}__gt": single}),
        "gte": lambda: Q(**{f"{field.lookup}__gte": single}),
        "lt": lambda: Q(**{f"{field.lookup}__lt": single}),
        "lte": lambda: Q(**{f"{field.lookup}__lte": single}),
    }[op]()


def compile_rule(rule, path: str = "", depth: int = 0) -> Q:
    """Return the filter for `rule`, or raise ValidationError naming the offending part."""
    if depth > MAX_DEPTH:
        raise _fail(path, gettext("nested deeper than %(depth)d levels") % {"depth": MAX_DEPTH})
    if not isinstance(rule, dict):
        raise _fail(path, gettext("must be an object"))
    if not rule:
        raise _fail(path, gettext("is empty; add at least one condition"))
    if "all" in rule or "any" in rule:
        key = "all" if "all" in rule else "any"
        children = rule[key]
        if not isinstance(children, list) or not children:
            raise _fail(f"{path}.{key}" if path else key, gettext("must be a non-empty list"))
        q = Q()
        for i, child in enumerate(children):
            child_q = compile_rule(child, f"{path + '.' if path else ''}{key}[{i}]", depth + 1)
            q = (q & child_q) if key == "all" else (q | child_q)
        return q
    if "not" in rule:
        return ~compile_rule(rule["not"], f"{path + '.' if path else ''}not", depth + 1)
    return _condition(rule, path or "rule")


def validate_rule(rule) -> None:
    compile_rule(rule)


def matching_partners(rule):
    return Partner.objects.filter(compile_rule(rule))
