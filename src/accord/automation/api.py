"""The engine's public API. Domains use only this module (and `registry`) to talk to the engine."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils import timezone

from accord.automation.models import Event
from accord.automation.registry import (
    register_action,
    register_audience,
    register_condition_field,
    register_date_anchor,
    register_event_type,
    register_housekeeping,
    register_subject,
)

__all__ = [
    "emit",
    "register_action",
    "register_audience",
    "register_condition_field",
    "register_date_anchor",
    "register_event_type",
    "register_housekeeping",
    "register_subject",
]

_PENDING = "_accord_pending_events"


class _PendingEvents(dict):
    """Events emitted in the current transaction, by (type, subject); forgotten when it commits."""

    def __init__(self, connection) -> None:
        super().__init__()
        self.connection = connection

    def forget(self) -> None:
        self.connection.__dict__.pop(_PENDING, None)


def _pending_for(connection) -> _PendingEvents | None:
    """The current transaction's pending events; a rolled-back transaction's leftovers are dropped."""
    if not connection.in_atomic_block:
        return None
    pending = connection.__dict__.get(_PENDING)
    if pending is None or not any(func == pending.forget for _sids, func, _robust in connection.run_on_commit):
        pending = _PendingEvents(connection)
        connection.__dict__[_PENDING] = pending
        transaction.on_commit(pending.forget)
    return pending


def emit(event_type: str, subject: models.Model, *, partner=None, actor=None, **payload) -> Event:
    """Record `event_type` for `subject` in the caller's transaction.

    Several emits of one type for one subject inside one transaction collapse into a single event whose
    payload is the union (later values win), so a service that saves an object twice emits once.
    """
    from accord.automation.registry import event_types

    if event_type not in event_types():
        raise LookupError(f"unknown event type {event_type!r}; register it in the domain's events.py")
    connection = transaction.get_connection()
    subject_type = ContentType.objects.get_for_model(subject, for_concrete_model=True)
    partner_id = getattr(partner, "pk", partner)
    actor_id = getattr(actor, "pk", actor)
    key = (event_type, subject_type.pk, subject.pk)
    pending = _pending_for(connection)
    if pending is not None and key in pending:
        event = Event.objects.filter(pk=pending[key], processed_at__isnull=True).first()
        if event is not None:
            event.payload = {**event.payload, **payload}
            event.partner_id = partner_id or event.partner_id
            event.actor_id = actor_id or event.actor_id
            event.save(update_fields=["payload", "partner_id", "actor_id"])
            return event
    event = Event.objects.create(type=event_type, subject_type=subject_type, subject_id=subject.pk,
                                 partner_id=partner_id, actor_id=actor_id, payload=payload,
                                 occurred_at=timezone.now())
    if pending is not None:
        pending[key] = event.pk
    return event
