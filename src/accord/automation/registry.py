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
    """An effect a rule can have. `handler(context, **params) -> dict` returns the outcome the ledger keeps.

    The engine calls an internal handler inside the transaction that marks the action done, so its database
    writes happen exactly once; `external=True` handlers (mail, HTTP) run outside it and must be idempotent
    on `context.idempotency_key`.
    """

    name: str  # "loyalty.award_points"
    label: Any
    handler: Callable[..., dict]
    params: dict[str, str] = field(default_factory=dict)  # param name -> kind
    external: bool = False


@dataclass(frozen=True)
class Subject:
    """How the engine finds a subject's partner, owner, name and pages without importing its domain."""

    model: str  # "commerce.Invoice"
    partner_field: str = "partner"  # lookup path to the partner, "pk" when the subject is the partner
    owner_field: str = ""  # lookup path to the vendor user who owns it (empty: the partner's CAM)
    label: Callable[[Any], str] | None = None
    portal_url: Callable[[Any], str] | None = None
    console_url: Callable[[Any], str] | None = None


@dataclass(frozen=True)
class Audience:
    """Partners an event concerns beyond its own partner (e.g. everyone holding reservations on a delivery).

    `resolver(subject_ids) -> {subject_id: [partner_id, ...]}` is called once per batch.
    """

    name: str
    label: Any
    model: str
    resolver: Callable[[list[int]], dict[int, list[int]]]


_event_types: dict[str, EventType] = {}
_date_anchors: dict[str, DateAnchor] = {}
_condition_fields: dict[str, ConditionField] = {}
_actions: dict[str, Action] = {}
_subjects: dict[str, Subject] = {}
_audiences: dict[str, Audience] = {}


@dataclass(frozen=True)
class Housekeeping:
    """Periodic domain work the engine's sweeper runs in every worker: it must be idempotent and safe
    when several workers run it at once (claim rows with a conditional UPDATE)."""

    name: str
    handler: Callable[..., Any]  # handler(now=datetime) -> a count, for the log


_housekeeping: dict[str, Housekeeping] = {}


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


def register_action(name: str, *, label, handler: Callable[..., dict], params: dict | None = None,
                    external: bool = False) -> Action:
    item = Action(name, label, handler, params or {}, external)
    _register(_actions, name, item)
    return item


def register_subject(model: str, *, partner_field: str = "partner", owner_field: str = "",
                     label: Callable[[Any], str] | None = None, portal_url: Callable[[Any], str] | None = None,
                     console_url: Callable[[Any], str] | None = None) -> Subject:
    """Declare how to reach a subject model's partner and owner, and how to name and link it in messages."""
    item = Subject(model, partner_field, owner_field, label, portal_url, console_url)
    _register(_subjects, model, item)
    return item


def register_audience(name: str, *, label, model: str,
                      resolver: Callable[[list[int]], dict[int, list[int]]]) -> Audience:
    """Declare a fan-out: the partners an event on `model` concerns (rules send to each of them once)."""
    item = Audience(name, label, model, resolver)
    _register(_audiences, name, item)
    return item


def event_types() -> dict[str, EventType]:
    return dict(_event_types)


def date_anchors() -> dict[str, DateAnchor]:
    return dict(_date_anchors)


def condition_fields() -> dict[str, ConditionField]:
    return dict(_condition_fields)


def actions() -> dict[str, Action]:
    return dict(_actions)


def subjects() -> dict[str, Subject]:
    return dict(_subjects)


def subject_for(model: str) -> Subject:
    """The declared subject, or the default: a `partner` foreign key, owned by the partner's CAM."""
    if model in _subjects:
        return _subjects[model]
    if model == "partners.Partner":
        return Subject(model, partner_field="pk", owner_field="channel_manager")
    return Subject(model)


def audiences() -> dict[str, Audience]:
    return dict(_audiences)


def register_housekeeping(name: str, *, handler: Callable[..., Any]) -> Housekeeping:
    item = Housekeeping(name, handler)
    _register(_housekeeping, name, item)
    return item


def housekeeping() -> dict[str, Housekeeping]:
    return dict(_housekeeping)
