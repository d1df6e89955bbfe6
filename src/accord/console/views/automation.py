"""Console pages for the automation engine: rules and their editor (validation, preview), the ledger,
experiments, the task inbox, failed actions, and pauses with quiet hours.
"""

from __future__ import annotations

import datetime
import json

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime, parse_time
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accord.automation import registry, selectors, services
from accord.automation.messages import TEMPLATES
from accord.automation.models import Firing, Pause, Rule, Task
from accord.automation.preview import rule_preview
from accord.console.access import vendor_required
from accord.partners.roles import Role
from accord.partners.selectors import vendor_staff

PAGE_SIZE = 30
JSON_FIELDS = ("trigger", "condition", "actions", "variants")
EDITORS = (Role.VENDOR_ADMIN,)


def _page(request: HttpRequest, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


# -- rules ----------------------------------------------------------------------------------------------------------

@vendor_required
def rule_list(request: HttpRequest) -> HttpResponse:
    filters = {name: request.GET.get(name, "") for name in ("search", "playbook", "category", "enabled")}
    rules = selectors.rule_list(request.user, **filters)
    context = {"page": _page(request, rules), "filters": filters, "playbooks": selectors.playbooks(),
               "categories": Rule.Category.choices, "can_edit": request.user.has_role(*EDITORS)}
    template = "console/automation/rules.html#results" if request.htmx else "console/automation/rules.html"
    return render(request, template, context)


def _form_data(request: HttpRequest) -> tuple[dict, dict]:
    """Parse the editor's fields; JSON that does not parse is an error on that field, naming line and column."""
    data: dict = {}
    errors: dict[str, list[str]] = {}
    for name in JSON_FIELDS:
        raw = request.POST.get(name, "").strip()
        if not raw:
            data[name] = {} if name in {"condition", "trigger"} else []
            continue
        try:
            data[name] = json.loads(raw)
        except json.JSONDecodeError as error:
            errors[name] = [_("%(field)s: not valid JSON (line %(line)s, column %(column)s: %(problem)s)")
                            % {"field": name, "line": error.lineno, "column": error.colno, "problem": error.msg}]
    for name in ("throttle_days", "outcome_days"):
        raw = request.POST.get(name, "").strip()
        if raw:
            try:
                data[name] = int(raw)
            except ValueError:
                errors[name] = [_("%(field)s: enter a whole number") % {"field": name}]
        else:
            data[name] = None if name == "throttle_days" else 14
    data["outcome_event"] = request.POST.get("outcome_event", "").strip()
    return data, errors


def _meta(request: HttpRequest) -> dict:
    return {"name": request.POST.get("name", "").strip(), "description": request.POST.get("description", "").strip(),
            "category": request.POST.get("category", Rule.Category.NUDGE)}


def _editor_context(rule: Rule | None, values: dict, errors: dict, preview=None) -> dict:
    return {
        "rule": rule, "values": values, "errors": errors, "preview": preview,
        "categories": Rule.Category.choices,
        "event_types": sorted(registry.event_types().values(), key=lambda e: e.name),
        "anchors": sorted(registry.date_anchors().values(), key=lambda a: a.name),
        "fields": sorted(registry.condition_fields().values(), key=lambda f: f.name),
        "actions": sorted(registry.actions().values(), key=lambda a: a.name),
        "templates": sorted(TEMPLATES.items()),
        "versions": list(rule.versions.select_related("created_by")[:10]) if rule else [],
    }


def _values_of(rule: Rule) -> dict:
    version = rule.current_version
    values = {"name": rule.name, "code": rule.code, "description": rule.description, "category": rule.category}
    if version is not None:
        for name in JSON_FIELDS:
            values[name] = json.dumps(getattr(version, name), indent=2, ensure_ascii=False)
        values.update(throttle_days=version.throttle_days or "", outcome_event=version.outcome_event,
                      outcome_days=version.outcome_days)
    return values


@vendor_required(roles=EDITORS)
def rule_create(request: HttpRequest) -> HttpResponse:
    values: dict = {"trigger": json.dumps({"type": "event", "event": ""}), "actions": "[]", "condition": "{}",
                    "variants": "[]", "category": Rule.Category.NUDGE, "outcome_days": 14}
    errors: dict = {}
    if request.method == "POST":
        values = {**request.POST.dict()}
        data, errors = _form_data(request)
        if not errors:
            try:
                rule = services.rule_create(actor=request.user, code=request.POST.get("code", "").strip(),
                                            note=request.POST.get("note", ""), **_meta(request), **data)
            except ValidationError as error:
                errors = error.message_dict
            else:
                messages.success(request, _("Rule created. Preview it, then enable it."))
                return redirect("console:automation_rule_detail", rule_id=rule.pk)
    return render(request, "console/automation/rule_edit.html", _editor_context(None, values, errors))


@vendor_required
def rule_detail(request: HttpRequest, rule_id: int) -> HttpResponse:
    """The rule editor: save (a new version), check and preview (htmx), recent firings and experiment results."""
    rule = selectors.rule_get(request.user, rule_id)
    values, errors, preview = _values_of(rule), {}, None
    if request.method == "POST":
        if not request.user.has_role(*EDITORS):
            messages.error(request, _("Only vendor admins change rules."))
            return redirect("console:automation_rule_detail", rule_id=rule.pk)
        values = {**values, **request.POST.dict()}
        data, errors = _form_data(request)
        if not errors and request.POST.get("intent") == "preview":
            try:
                preview = rule_preview(definition=data, rule=rule)
            except ValidationError as error:
                errors = error.message_dict
            if request.htmx:
                return render(request, "console/automation/rule_edit.html#preview",
                              _editor_context(rule, values, errors, preview))
        elif not errors:
            try:
                services.rule_update(actor=request.user, rule=rule, note=request.POST.get("note", ""),
                                     **_meta(request), **data)
            except ValidationError as error:
                errors = error.message_dict
            else:
                messages.success(request, _("Saved. The rule now runs its new version."))
                return redirect("console:automation_rule_detail", rule_id=rule.pk)
    context = _editor_context(rule, values, errors, preview)
    context["firings"] = list(selectors.ledger_search(request.user, rule=rule.pk)[:15])
    context["experiments"] = selectors.experiment_results(request.user, rule)
    return render(request, "console/automation/rule_edit.html", context)


@require_POST
@vendor_required(roles=EDITORS)
def rule_toggle(request: HttpRequest, rule_id: int) -> HttpResponse:
    rule = selectors.rule_get(request.user, rule_id)
    try:
        services.rule_set_enabled(actor=request.user, rule=rule, enabled=not rule.enabled)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Rule enabled.") if rule.enabled else _("Rule disabled."))
    return redirect("console:automation_rule_detail", rule_id=rule.pk)


# -- ledger, experiments, failed actions ---------------------------------------------------------------------------

@vendor_required
def ledger(request: HttpRequest) -> HttpResponse:
    filters = {name: request.GET.get(name, "") for name in ("rule", "partner", "status", "reason", "subject")}
    since, until = parse_date(request.GET.get("since", "") or ""), parse_date(request.GET.get("until", "") or "")
    firings = selectors.ledger_search(request.user, since=since, until=until,
                                      **{k: (v if k not in {"rule", "partner"} or v.isdigit() else "")
                                         for k, v in filters.items()})
    context = {"page": _page(request, firings), "filters": filters, "since": since, "until": until,
               "rules": selectors.rule_choices(), "statuses": Firing.Status.choices,
               "reasons": [c for c in Firing.Reason.choices if c[0]]}
    context["partners"] = selectors.partners_by_id(f.partner_id for f in context["page"])
    template = "console/automation/ledger.html#results" if request.htmx else "console/automation/ledger.html"
    return render(request, template, context)


@vendor_required
def firing_detail(request: HttpRequest, firing_id: int) -> HttpResponse:
    firing = selectors.firing_get(request.user, firing_id)
    return render(request, "console/automation/firing.html", {
        "firing": firing, "actions": selectors.firing_actions(firing),
        "messages_sent": firing.messages.select_related("recipient"), "tasks": firing.tasks.all(),
        "partner": selectors.partners_by_id([firing.partner_id]).get(firing.partner_id),
        "inputs": json.dumps(firing.inputs, indent=2, ensure_ascii=False, default=str),
        "trigger": json.dumps(firing.trigger, indent=2, ensure_ascii=False, default=str)})


@vendor_required
def experiments(request: HttpRequest) -> HttpResponse:
    return render(request, "console/automation/experiments.html",
                  {"experiments": selectors.experiment_results(request.user)})


@vendor_required
def failed(request: HttpRequest) -> HttpResponse:
    return render(request, "console/automation/failed.html",
                  {"page": _page(request, selectors.failed_actions(request.user))})


@require_POST
@vendor_required
def action_retry(request: HttpRequest, action_id: int) -> HttpResponse:
    action = selectors.firing_action_get(request.user, action_id)
    try:
        services.firing_action_retry(actor=request.user, action=action)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The action is queued again."))
    return redirect(request.POST.get("next") or "console:automation_failed")


# -- tasks ----------------------------------------------------------------------------------------------------------

@vendor_required
def task_inbox(request: HttpRequest) -> HttpResponse:
    scope = request.GET.get("scope", "mine")
    status = request.GET.get("status", Task.Status.OPEN)
    tasks = selectors.task_inbox(request.user, scope=scope, status=status, search=request.GET.get("search", ""))
    context = {"page": _page(request, tasks), "scope": scope, "status": status,
               "search": request.GET.get("search", ""), "statuses": Task.Status.choices, "now": timezone.now()}
    template = "console/automation/tasks.html#results" if request.htmx else "console/automation/tasks.html"
    return render(request, template, context)


@vendor_required
def task_detail(request: HttpRequest, task_id: int) -> HttpResponse:
    task = selectors.task_get(request.user, task_id)
    if request.method == "POST":
        intent = request.POST.get("intent")
        try:
            if intent == "done":
                services.task_complete(actor=request.user, task=task, note=request.POST.get("note", ""))
                messages.success(request, _("Task done."))
            elif intent == "snooze":
                until = parse_datetime(request.POST.get("until", "") or "")
                if until is None:
                    raise ValidationError({"until": [_("Enter a date and time.")]})
                until = timezone.make_aware(until) if timezone.is_naive(until) else until
                services.task_snooze(actor=request.user, task=task, until=until)
                messages.success(request, _("Task snoozed."))
            elif intent == "reassign":
                assignee = vendor_staff().filter(pk=request.POST.get("assignee") or 0).first()
                if assignee is None:
                    raise ValidationError({"assignee": [_("Choose a colleague.")]})
                services.task_reassign(actor=request.user, task=task, assignee=assignee)
                messages.success(request, _("Task reassigned."))
            return redirect("console:automation_task_detail", task_id=task.pk)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
    return render(request, "console/automation/task.html", {
        "task": task, "staff": vendor_staff().order_by("last_name", "first_name"),
        "partner": selectors.partners_by_id([task.partner_id]).get(task.partner_id),
        "snooze_default": (timezone.localtime() + datetime.timedelta(days=1)).strftime("%Y-%m-%dT09:00")})


# -- pauses and quiet hours ------------------------------------------------------------------------------------------

@vendor_required
def pauses(request: HttpRequest) -> HttpResponse:
    errors: dict = {}
    if request.method == "POST":
        if not request.user.has_role(Role.VENDOR_ADMIN, Role.CHANNEL_MANAGER):
            messages.error(request, _("You cannot pause automation."))
            return redirect("console:automation_pauses")
        intent = request.POST.get("intent")
        try:
            if intent == "pause":
                until = parse_datetime(request.POST.get("until", "") or "")
                if until is not None and timezone.is_naive(until):
                    until = timezone.make_aware(until)
                services.pause_create(
                    actor=request.user, scope=request.POST.get("scope", ""), reason=request.POST.get("reason", ""),
                    partner=selectors.partner_choices().filter(pk=request.POST.get("partner") or 0).first(),
                    rule=selectors.rule_choices().filter(pk=request.POST.get("rule") or 0).first(), until=until)
                messages.success(request, _("Nudges paused."))
            elif intent == "lift":
                pause = selectors.pauses(request.user).filter(pk=request.POST.get("pause") or 0).first()
                if pause is not None:
                    services.pause_lift(actor=request.user, pause=pause)
                    messages.success(request, _("Pause lifted."))
            elif intent == "quiet":
                start, end = parse_time(request.POST.get("start", "")), parse_time(request.POST.get("end", ""))
                if start is None or end is None:
                    raise ValidationError({"start": [_("Enter times like 20:00.")]})
                services.quiet_hours_set(actor=request.user, enabled=request.POST.get("enabled") == "on",
                                         start=start, end=end, weekends=request.POST.get("weekends") == "on")
                messages.success(request, _("Quiet hours saved."))
            return redirect("console:automation_pauses")
        except ValidationError as error:
            errors = error.message_dict
    return render(request, "console/automation/pauses.html", {
        "pauses": selectors.pauses(request.user)[:50], "active": selectors.pauses(request.user, active_only=True),
        "quiet": selectors.quiet_hours(), "errors": errors, "scopes": Pause.Scope.choices,
        "partners": selectors.partner_choices(), "rules": selectors.rule_choices(category=Rule.Category.NUDGE),
        "form": request.POST if request.method == "POST" else {}})


urlpatterns = [
    path("automation/rules/", rule_list, name="automation_rules"),
    path("automation/rules/new/", rule_create, name="automation_rule_create"),
    path("automation/rules/<int:rule_id>/", rule_detail, name="automation_rule_detail"),
    path("automation/rules/<int:rule_id>/toggle/", rule_toggle, name="automation_rule_toggle"),
    path("automation/ledger/", ledger, name="automation_ledger"),
    path("automation/ledger/<int:firing_id>/", firing_detail, name="automation_firing_detail"),
    path("automation/experiments/", experiments, name="automation_experiments"),
    path("automation/failed/", failed, name="automation_failed"),
    path("automation/actions/<int:action_id>/retry/", action_retry, name="automation_action_retry"),
    path("automation/tasks/", task_inbox, name="automation_tasks"),
    path("automation/tasks/<int:task_id>/", task_detail, name="automation_task_detail"),
    path("automation/pauses/", pauses, name="automation_pauses"),
]
