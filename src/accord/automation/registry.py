"""What domains declare to the engine: event types, date anchors, condition fields and actions.

Domains register from their `events.py` (imported by their AppConfig.ready); the engine only ever
reads these registries, so it never imports a domain.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class EventType:
    name: str  # "invoice.issued"
    label: Any  # lazily translated text
    subject: str  # model label of the subject, "commerce.Invoice"
    description: Any = ""


@dataclass(frozen=True)
class DateAnchor:
    """A date on a model that time triggers can be relative to, e.g. `invoice.due_date`."""

    name: str  # "invoice.due_date"
    label: Any
    model: str  # "commerce.Invoice"
    field: str  # "due_date"
    partner_field: str = "partner"
    open_filter: Callable[[], Any] | None = None  # returns a Q for subjects still "open" (e.g. unpaid)


@dataclass(frozen=True)
class ConditionField:
    """A value conditions may read: `path` is a Django lookup path from the subject model."""

    model: str
    name: str  # "invoice.open_amount"
    label: Any
    kind: str  # text, number, date, datetime, bool, choice
    path: str
    choices: tuple = ()


@dataclass(frozen=True)
class Action:
    name: str  # "loyalty.award_points"
    label: Any
    handler: Callable[..., dict]
    params: dict[str, str] = field(default_factory=dict)  # param name -> kind


_event_types: dict[str, EventType] = {}
_date_anchors: dict[str, DateAnchor] = {}
_condition_fields: dict[str, ConditionField] = {}
_actions: dict[str, Action] = {}


def _register(store: dict, key: str, item) -> None:
    if key in store and store[key] != item:
        raise ValueError(f"{key!r} is already registered differently")
    store[key] = item


def register_event_type(name: str, *, label, subject: str, description="") -> EventType:
    item = EventType(name, label, subject, description)
    _register(_event_types, name, item)
    return item


def register_date_anchor(name: str, *, label, model: str, field: str, partner_field: str = "partner",
                         open_filter: Callable[[], Any] | None = None) -> DateAnchor:
    item = DateAnchor(name, label, model, field, partner_field, open_filter)
    _register(_date_anchors, name, item)
    return item


def register_condition_field(name: str, *, label, model: str, kind: str, path: str,
                             choices: tuple = ()) -> ConditionField:
    item = ConditionField(model, name, label, kind, path, choices)
    _register(_condition_fields, name, item)
    return item


def register_action(name: str, *, label, handler: Callable[..., dict], params: dict | None = None) -> Action:
    item = Action(name, label, handler, params or {})
    _register(_actions, name, item)
    return item


def event_types() -> dict[str, EventType]:
    return dict(_event_types)


def date_anchors() -> dict[str, DateAnchor]:
    return dict(_date_anchors)


def condition_fields() -> dict[str, ConditionField]:
    return dict(_condition_fields)


def actions() -> dict[str, Action]:
    return dict(_actions)
