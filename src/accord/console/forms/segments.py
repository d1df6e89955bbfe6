"""The segment editor: condition rows (field, operator, value) joined by all/any, or the raw JSON rule.

Rows are checked here with messages in the reader's language, naming the row and the part that is wrong;
the rule is then compiled by `partners.segments`, which stays the single authority on what is valid.
"""

from __future__ import annotations

import dataclasses
import datetime
import json
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accord.partners import selectors
from accord.partners.segments import FIELDS, LIST_OPERATORS, OPERATORS, compile_rule

MAX_ROWS = 30
MAX_JSON = 20_000

OPERATOR_LABELS = {
    "eq": gettext_lazy("is"), "ne": gettext_lazy("is not"), "in": gettext_lazy("is one of"),
    "not_in": gettext_lazy("is none of"), "contains": gettext_lazy("contains"),
    "is_empty": gettext_lazy("is empty"), "gt": gettext_lazy("is more than"),
    "gte": gettext_lazy("is at least"), "lt": gettext_lazy("is less than"), "lte": gettext_lazy("is at most"),
    "any_of": gettext_lazy("has any of"), "all_of": gettext_lazy("has all of"),
    "none_of": gettext_lazy("has none of"),
}


class SegmentForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=120)
    description = forms.CharField(label=gettext_lazy("Description"), max_length=2000, required=False,
                                  widget=forms.Textarea(attrs={"rows": 2}))


@dataclass
class Row:
    field: str = ""
    op: str = ""
    value: str = ""
    errors: list[str] = dataclasses.field(default_factory=list)

    @property
    def operators(self) -> list[tuple[str, str]]:
        kind = FIELDS[self.field].kind if self.field in FIELDS else "text"
        return [(op, str(OPERATOR_LABELS[op])) for op in OPERATORS[kind]]

    @property
    def takes_value(self) -> bool:
        return self.op != "is_empty"


@dataclass
class RuleEditor:
    """The editor's state as posted; `rule()` turns it into a rule or collects errors."""

    mode: str = "builder"
    match: str = "all"
    rows: list[Row] = dataclasses.field(default_factory=list)
    json_text: str = ""
    errors: list[str] = dataclasses.field(default_factory=list)

    @classmethod
    def from_rule(cls, rule: dict | None) -> RuleEditor:
        rule = rule or {}
        text = json.dumps(rule, ensure_ascii=False, indent=2) if rule else ""
        rows = _rows_of(rule)
        if rows is None:
            return cls(mode="json", json_text=text)
        match = "any" if "any" in rule else "all"
        return cls(match=match, rows=rows or [Row(field="country", op="eq")], json_text=text)

    @classmethod
    def from_post(cls, data: QueryDict) -> RuleEditor:
        fields, ops, values = data.getlist("field"), data.getlist("op"), data.getlist("value")
        rows = [Row(field=f, op=o, value=v) for f, o, v in zip(fields, ops, values, strict=False)][:MAX_ROWS]
        return cls(mode="json" if data.get("mode") == "json" else "builder",
                   match="any" if data.get("match") == "any" else "all", rows=rows,
                   json_text=data.get("rule_json", "")[:MAX_JSON + 1])

    @property
    def field_choices(self) -> list[tuple[str, str]]:
        return [(name, str(f.label)) for name, f in FIELDS.items()]

    @property
    def suggestions(self) -> dict[str, list[tuple[str, str]]]:
        """Values to offer while typing, per field: choices, tier/industry codes, countries in use."""
        offered = {name: [(value, str(label)) for value, label in spec.choices]
                   for name, spec in FIELDS.items() if spec.choices}
        offered["tier"] = [(t.code, str(t)) for t in selectors.tiers()]
        offered["industries"] = [(i.code, str(i)) for i in selectors.industries()]
        offered["specialisations"] = [(s.code, str(s)) for s in selectors.specialisations()]
        offered["country"] = [(code, code) for code in selectors.partner_countries()]
        return offered

    def add_row(self) -> None:
        if len(self.rows) < MAX_ROWS:
            self.rows.append(Row(field="country", op="eq"))

    def remove_row(self, index: int) -> None:
        if 0 <= index < len(self.rows):
            del self.rows[index]

    def switch_mode(self, mode: str) -> None:
        """Carry the rule across: builder → JSON always; JSON → builder when the rule is flat enough."""
        if mode == "json" and self.mode == "builder":
            rule = self._rule_from_rows(check=False)
            self.json_text = json.dumps(rule, ensure_ascii=False, indent=2) if rule else ""
            self.mode = "json"
        elif mode == "builder" and self.mode == "json":
            rule = self._rule_from_json()
            if rule is None:
                return
            rows = _rows_of(rule)
            if rows is None:
                self.errors.append(_("This rule nests groups; it can only be edited as JSON."))
                return
            self.match, self.rows, self.mode = ("any" if "any" in rule else "all"), rows, "builder"

    def rule(self) -> dict | None:
        """The rule, or None with errors on the rows / the editor saying what to fix."""
        rule = self._rule_from_rows(check=True) if self.mode == "builder" else self._rule_from_json()
        if rule is None:
            return None
        try:
            compile_rule(rule)
        except ValidationError as error:
            self.errors.extend(error.messages)
            return None
        return rule

    @property
    def has_errors(self) -> bool:
        return bool(self.errors or any(row.errors for row in self.rows))

    def _rule_from_json(self) -> dict | None:
        text = self.json_text.strip()
        if len(text) > MAX_JSON:
            self.errors.append(_("The rule is too long (at most %(n)s characters).") % {"n": MAX_JSON})
            return None
        if not text:
            self.errors.append(_("Write a rule, for example %(example)s.")
                               % {"example": '{"field": "country", "op": "eq", "value": "PL"}'})
            return None
        try:
            rule = json.loads(text)
        except json.JSONDecodeError as error:
            self.errors.append(_("The JSON is malformed at line %(line)s, column %(column)s: %(problem)s.")
                               % {"line": error.lineno, "column": error.colno, "problem": error.msg})
            return None
        if not isinstance(rule, dict):
            self.errors.append(_("The rule must be a JSON object."))
            return None
        return rule

    def _rule_from_rows(self, *, check: bool) -> dict | None:
        conditions = []
        for number, row in enumerate(self.rows, start=1):
            condition = _row_condition(row, number) if check else _row_condition_loose(row)
            if condition is not None:
                conditions.append(condition)
        if check and not self.rows:
            self.errors.append(_("Add at least one condition."))
        if check and (self.has_errors or not conditions):
            return None
        if not conditions:
            return None
        return {self.match: conditions}


def _rows_of(rule: dict) -> list[Row] | None:
    """The rule as flat rows, or None when it has nested groups or `not` (then only JSON can show it)."""
    if not rule:
        return []
    if "field" in rule:
        children = [rule]
    elif set(rule) in ({"all"}, {"any"}) and isinstance(next(iter(rule.values())), list):
        children = next(iter(rule.values()))
    else:
        return None
    rows = []
    for child in children:
        if not isinstance(child, dict) or "field" not in child:
            return None
        value = child.get("value", "")
        text = ", ".join(str(v) for v in value) if isinstance(value, list) else ("" if value is None else str(value))
        rows.append(Row(field=str(child.get("field", "")), op=str(child.get("op", "")), value=text))
    return rows


def _row_condition_loose(row: Row) -> dict:
    condition: dict = {"field": row.field, "op": row.op}
    if row.op in LIST_OPERATORS:
        condition["value"] = [v.strip() for v in row.value.split(",") if v.strip()]
    elif row.op != "is_empty":
        condition["value"] = row.value.strip()
    return condition


def _row_condition(row: Row, number: int) -> dict | None:
    """One row as a condition, with errors in the reader's language naming what is wrong."""
    if row.field not in FIELDS:
        row.errors.append(_("Condition %(n)s: choose a field.") % {"n": number})
        return None
    spec = FIELDS[row.field]
    if row.op not in OPERATORS[spec.kind]:
        row.errors.append(_("Condition %(n)s: “%(op)s” does not apply to %(field)s.")
                          % {"n": number, "op": OPERATOR_LABELS.get(row.op, row.op), "field": spec.label})
        return None
    condition = _row_condition_loose(row)
    if row.op == "is_empty":
        return condition
    values = condition["value"] if isinstance(condition["value"], list) else [condition["value"]]
    values = [v for v in values if v != ""]
    if not values:
        row.errors.append(_("Condition %(n)s: enter a value for %(field)s.") % {"n": number, "field": spec.label})
        return None
    for value in values:
        problem = _value_problem(spec, value)
        if problem:
            row.errors.append(_("Condition %(n)s: %(problem)s") % {"n": number, "problem": problem})
            return None
    if spec.kind == "number":
        condition["value"] = [str(Decimal(v)) for v in values] if row.op in LIST_OPERATORS else str(Decimal(values[0]))
    return condition


def _value_problem(spec, value: str) -> str:
    if spec.kind == "number":
        try:
            Decimal(value)
        except InvalidOperation:
            return _("“%(value)s” is not a number.") % {"value": value}
    if spec.kind == "date":
        try:
            datetime.date.fromisoformat(value)
        except ValueError:
            return _("“%(value)s” is not a date (YYYY-MM-DD).") % {"value": value}
    if spec.kind == "choice" and value not in dict(spec.choices):
        return _("“%(value)s” is not one of: %(choices)s.") % {"value": value, "choices": ", ".join(dict(spec.choices))}
    return ""
