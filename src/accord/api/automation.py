"""REST endpoints for the automation engine: rules (CRUD for vendor admins, with preview), the firing ledger
(read), tasks for people, and the automated messages a partner's people received.

Reads go through `accord.automation.selectors`: a partner's token sees only its own messages and the
firings behind them; everything else answers 404 (objects) or 403 (vendor-only lists).
"""

from __future__ import annotations

import datetime
from typing import Any, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from pydantic import ConfigDict

from accord.api.errors import Error
from accord.api.pagination import Page, Paging, paginate
from accord.automation import selectors, services
from accord.automation.models import Firing, Rule, Task
from accord.automation.preview import rule_preview
from accord.partners.models import User
from accord.partners.roles import Role
from accord.partners.selectors import vendor_staff

router = Router(tags=["automation"])
ERRORS = {401: Error, 403: Error, 404: Error, 422: Error}


class Input(Schema):
    model_config = ConfigDict(extra="forbid")


def _vendor(user: User) -> None:
    if not user.is_vendor:
        raise PermissionDenied


def _admin(user: User) -> None:
    if not user.has_role(Role.VENDOR_ADMIN):
        raise PermissionDenied


# --- rules ------------------------------------------------------------------------------------------------------

def _current(rule: Rule, name: str, default):
    return getattr(rule.current_version, name) if rule.current_version else default


class RuleOut(Schema):
    id: int
    code: str
    name: str
    description: str
    category: Rule.Category
    playbook: str
    enabled: bool
    owner: str | None
    version: int | None
    trigger: dict[str, Any]
    condition: dict[str, Any]
    actions: list[dict[str, Any]]
    variants: list[dict[str, Any]]
    throttle_days: int | None
    outcome_event: str
    outcome_days: int

    @staticmethod
    def resolve_owner(rule: Rule) -> str | None:
        return rule.owner.email if rule.owner else None

    @staticmethod
    def resolve_version(rule: Rule) -> int | None:
        return rule.current_version.number if rule.current_version else None

    @staticmethod
    def resolve_trigger(rule: Rule) -> dict:
        return _current(rule, "trigger", {})

    @staticmethod
    def resolve_condition(rule: Rule) -> dict:
        return _current(rule, "condition", {})

    @staticmethod
    def resolve_actions(rule: Rule) -> list:
        return _current(rule, "actions", [])

    @staticmethod
    def resolve_variants(rule: Rule) -> list:
        return _current(rule, "variants", [])

    @staticmethod
    def resolve_throttle_days(rule: Rule) -> int | None:
        return _current(rule, "throttle_days", None)

    @staticmethod
    def resolve_outcome_event(rule: Rule) -> str:
        return _current(rule, "outcome_event", "")

    @staticmethod
    def resolve_outcome_days(rule: Rule) -> int:
        return _current(rule, "outcome_days", 14)


class RuleDefinition(Input):
    trigger: dict[str, Any]
    actions: list[dict[str, Any]]
    condition: dict[str, Any] = Field(default_factory=dict)
    variants: list[dict[str, Any]] = Field(default_factory=list)
    throttle_days: int | None = None
    outcome_event: str = ""
    outcome_days: int = 14


class RuleCreate(RuleDefinition):
    code: str = Field(min_length=1, max_length=80)
    name: str = Field(min_length=1, max_length=200)
    description: str = ""
    category: Rule.Category = Rule.Category.NUDGE
    enabled: bool = False
    note: str = ""


class RuleChange(Input):
    name: str | None = Field(None, max_length=200)
    description: str | None = None
    category: Rule.Category | None = None
    enabled: bool | None = None
    trigger: dict[str, Any] | None = None
    condition: dict[str, Any] | None = None
    actions: list[dict[str, Any]] | None = None
    variants: list[dict[str, Any]] | None = None
    throttle_days: int | None = None
    outcome_event: str | None = None
    outcome_days: int | None = None
    note: str = ""


class RuleFilters(Schema):
    search: str = ""
    playbook: str = ""
    category: Literal["", "transactional", "nudge"] = ""
    enabled: Literal["", "1", "0"] = ""


@router.get("/automation/rules", response={200: Page[RuleOut], **ERRORS}, summary="List rules")
def rule_list(request: HttpRequest, filters: Query[RuleFilters], paging: Query[Paging]):
    _vendor(request.user)
    return paginate(selectors.rule_list(request.user, **filters.dict()).order_by("name", "pk"), paging)


@router.post("/automation/rules", response={201: RuleOut, **ERRORS}, summary="Create a rule (vendor admins)")
def rule_create(request: HttpRequest, payload: RuleCreate):
    """The definition is validated first; a 422 names the bad part, e.g. `actions[0].params.to[0]`."""
    _admin(request.user)
    rule = services.rule_create(actor=request.user, **payload.dict())
    return Status(201, selectors.rule_get(request.user, rule.pk))


@router.get("/automation/rules/{rule_id}", response={200: RuleOut, **ERRORS}, summary="Get a rule")
def rule_detail(request: HttpRequest, rule_id: int):
    return selectors.rule_get(request.user, rule_id)


@router.patch("/automation/rules/{rule_id}", response={200: RuleOut, **ERRORS},
              summary="Change a rule (a changed definition becomes a new version)")
def rule_update(request: HttpRequest, rule_id: int, payload: RuleChange):
    rule = selectors.rule_get(request.user, rule_id)
    _admin(request.user)
    changes = payload.dict(exclude_unset=True)
    note = changes.pop("note", "")
    services.rule_update(actor=request.user, rule=rule, note=note, **changes)
    return selectors.rule_get(request.user, rule.pk)


@router.delete("/automation/rules/{rule_id}", response={204: None, **ERRORS},
               summary="Delete a rule that never fired (otherwise disable it: its ledger stays)")
def rule_delete(request: HttpRequest, rule_id: int):
    rule = selectors.rule_get(request.user, rule_id)
    _admin(request.user)
    if rule.firings.exists():
        raise ValidationError({"rule": [_("This rule has a history in the ledger; disable it instead.")]})
    rule.delete()
    return Status(204, None)


class PreviewIn(Input):
    definition: RuleDefinition | None = Field(None, description="A proposed definition; empty: the current one.")


class HitOut(Schema):
    subject: str
    partner: str | None
    would_fire: bool
    reason: str
    recipients: list[str]
    message: str


class PreviewOut(Schema):
    candidates: int
    matching: int
    note: str
    hits: list[HitOut]


@router.post("/automation/rules/{rule_id}/preview", response={200: PreviewOut, **ERRORS},
             summary="Dry run: who would this rule (or a proposed definition) hit now, and with what")
def rule_preview_endpoint(request: HttpRequest, rule_id: int, payload: PreviewIn):
    rule = selectors.rule_get(request.user, rule_id)
    _vendor(request.user)
    if payload.definition is not None:
        definition = payload.definition.dict()
    else:
        version = rule.current_version
        definition = {name: getattr(version, name) for name in services.DEFINITION_FIELDS}
    result = rule_preview(definition={**definition, "category": rule.category}, rule=rule)
    return {"candidates": result.total, "matching": result.matching, "note": result.note,
            "hits": [{"subject": h.subject_label, "partner": str(h.partner) if h.partner else None,
                      "would_fire": h.hits, "reason": h.reason, "recipients": h.recipients,
                      "message": h.message_subject} for h in result.hits]}


# --- ledger -------------------------------------------------------------------------------------------------------

class ActionOut(Schema):
    kind: str
    status: str
    attempts: int
    outcome: dict[str, Any]
    error: str
    finished_at: datetime.datetime | None


class FiringOut(Schema):
    id: int
    key: str
    rule_id: int
    rule: str
    rule_version: int
    subject_type: str
    subject_id: int
    partner_id: int | None
    occurrence: str
    status: Firing.Status
    reason: str
    condition_result: bool | None
    variant: str
    created_at: datetime.datetime

    @staticmethod
    def resolve_rule(firing: Firing) -> str:
        return firing.rule.name

    @staticmethod
    def resolve_rule_version(firing: Firing) -> int:
        return firing.rule_version.number

    @staticmethod
    def resolve_subject_type(firing: Firing) -> str:
        return firing.subject_type.model_class()._meta.label if firing.subject_type.model_class() else ""


class FiringDetailOut(FiringOut):
    trigger: dict[str, Any]
    inputs: dict[str, Any]
    actions: list[ActionOut]
    outcome_at: datetime.datetime | None

    @staticmethod
    def resolve_actions(firing: Firing) -> list:
        return list(selectors.firing_actions(firing))


class LedgerFilters(Schema):
    rule_id: int | None = None
    partner_id: int | None = None
    status: Literal["", "fired", "skipped", "deferred"] = ""
    reason: str = ""
    subject: str = ""
    since: datetime.date | None = None
    until: datetime.date | None = None


@router.get("/automation/firings", response={200: Page[FiringOut], **ERRORS}, summary="Search the firing ledger")
def firing_list(request: HttpRequest, filters: Query[LedgerFilters], paging: Query[Paging]):
    """Vendor staff search everything; a partner's people see the firings that sent them messages."""
    data = filters.dict()
    firings = selectors.ledger_search(request.user, rule=data.pop("rule_id"), partner=data.pop("partner_id"), **data)
    return paginate(firings, paging)


@router.get("/automation/firings/{firing_id}", response={200: FiringDetailOut, **ERRORS},
            summary="One firing: trigger, condition inputs, result and every action's outcome")
def firing_detail(request: HttpRequest, firing_id: int):
    return selectors.firing_get(request.user, firing_id)


# --- tasks --------------------------------------------------------------------------------------------------------

class TaskOut(Schema):
    id: int
    title: str
    description: str
    status: Task.Status
    priority: int
    assignee: str | None
    role: str
    partner_id: int | None
    subject: str
    due_at: datetime.datetime | None
    snoozed_until: datetime.datetime | None
    escalation_level: int
    source_rule_id: int | None
    source_firing_id: int | None
    created_at: datetime.datetime

    @staticmethod
    def resolve_assignee(task: Task) -> str | None:
        return task.assignee.email if task.assignee else None

    @staticmethod
    def resolve_subject(task: Task) -> str:
        return task.subject_label


class TaskFilters(Schema):
    scope: Literal["mine", "overdue", "team"] = "mine"
    status: Literal["", "open", "done", "cancelled"] = "open"
    search: str = ""


class TaskDone(Input):
    note: str = ""


class TaskSnooze(Input):
    until: str = Field(description="ISO 8601 date and time, e.g. 2026-05-20T09:00:00+02:00")


class TaskReassign(Input):
    assignee_id: int


@router.get("/automation/tasks", response={200: Page[TaskOut], **ERRORS}, summary="The task inbox")
def task_list(request: HttpRequest, filters: Query[TaskFilters], paging: Query[Paging]):
    _vendor(request.user)
    return paginate(selectors.task_inbox(request.user, **filters.dict()), paging)


@router.get("/automation/tasks/{task_id}", response={200: TaskOut, **ERRORS}, summary="Get a task")
def task_detail(request: HttpRequest, task_id: int):
    return selectors.task_get(request.user, task_id)


@router.post("/automation/tasks/{task_id}/done", response={200: TaskOut, **ERRORS}, summary="Mark a task done")
def task_done(request: HttpRequest, task_id: int, payload: TaskDone):
    task = selectors.task_get(request.user, task_id)
    return services.task_complete(actor=request.user, task=task, note=payload.note)


@router.post("/automation/tasks/{task_id}/snooze", response={200: TaskOut, **ERRORS}, summary="Snooze a task")
def task_snooze(request: HttpRequest, task_id: int, payload: TaskSnooze):
    task = selectors.task_get(request.user, task_id)
    until = parse_datetime(payload.until)
    if until is None:
        raise ValidationError({"until": [_("Enter a valid date and time (ISO 8601).")]})
    if timezone.is_naive(until):
        until = timezone.make_aware(until)
    return services.task_snooze(actor=request.user, task=task, until=until)


@router.post("/automation/tasks/{task_id}/reassign", response={200: TaskOut, **ERRORS},
             summary="Give a task to a colleague")
def task_reassign(request: HttpRequest, task_id: int, payload: TaskReassign):
    task = selectors.task_get(request.user, task_id)
    assignee = vendor_staff().filter(pk=payload.assignee_id).first()
    if assignee is None:
        raise ValidationError({"assignee_id": [_("Choose an active colleague.")]})
    return services.task_reassign(actor=request.user, task=task, assignee=assignee)


# --- messages -------------------------------------------------------------------------------------------------------

class MessageOut(Schema):
    id: int
    channel: str
    recipient: str
    subject: str
    body: str
    why: str
    link: str
    sent_at: datetime.datetime
    read_at: datetime.datetime | None

    @staticmethod
    def resolve_recipient(message) -> str:
        return message.recipient.email


@router.get("/automation/messages", response={200: Page[MessageOut], **ERRORS},
            summary="Automated messages received (a partner's own people only), with why")
def message_list(request: HttpRequest, paging: Query[Paging]):
    return paginate(selectors.messages_visible_to(request.user), paging)
