"""The engine's own actions: email, in-app notification, signed webhook, and tasks for people.

Domains add theirs with `register_action` (award points, unlock content, …); these are registered the same
way, so the editor, validation and the ledger treat every action alike.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import json
import smtplib
import time
import urllib.error
import urllib.request

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.template import Context, Template
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from accord.automation import messages
from accord.automation.definitions import PRIORITIES
from accord.automation.execution import ActionContext
from accord.automation.models import Message, Task, WebhookEndpoint
from accord.automation.registry import register_action
from accord.partners.models import User

WEBHOOK_TIMEOUT = 10


def _message_id(context: ActionContext, recipient: User) -> str:
    digest = hashlib.sha256(f"{context.idempotency_key}|{recipient.pk}".encode()).hexdigest()[:32]
    return f"<{digest}@accord>"


class InterruptedSending(Exception):
    """A previous attempt died while handing a message to the mail server: it may or may not have left."""


def _with_figures(context: ActionContext, figures: list[str] | None) -> None:
    if figures and context.partner is not None:
        from accord.automation.figures import figures_for

        context.message.figures, group = figures_for(context.partner, figures)
        context.message.extra["peer_group"] = group


def send_email(context: ActionContext, *, to, template: str = "", subject=None, body=None,
               figures: list[str] | None = None) -> dict:
    """One email per recipient in their language, at most once each.

    The message row is written ("sending") before the mail server is called and marked "sent" after, so a
    worker killed in between leaves a row that says so; the retry never sends that one again but reports it
    (the action fails, inspectable, and a person decides). A refused connection deletes the row: retried.
    """
    params = {"subject": subject, "body": body} if subject else {"template": template or "generic"}
    _with_figures(context, figures)
    people = messages.recipients(to, partner=context.partner, owner=context.owner)
    previous = {m.recipient_id: m for m in Message.objects.filter(action=context.action,
                                                                  channel=Message.Channel.EMAIL)}
    manager = context.message.channel_manager
    sent, uncertain = [], []
    for person in people:
        earlier = previous.get(person.pk)
        if earlier is not None:
            if earlier.delivery == Message.Delivery.SENT:
                sent.append(person.email)
                continue
            Message.objects.filter(pk=earlier.pk).update(delivery=Message.Delivery.UNCERTAIN)
            uncertain.append(person.email)
            continue
        rendered = messages.render(params, context.message, person)
        record = Message.objects.create(
            firing=context.firing, action=context.action, channel=Message.Channel.EMAIL, recipient=person,
            partner_id=context.firing.partner_id, subject=rendered.subject, body=rendered.body, why=rendered.why,
            link=rendered.link, delivery=Message.Delivery.SENDING)
        mail = EmailMultiAlternatives(rendered.subject, rendered.body, settings.DEFAULT_FROM_EMAIL, [person.email],
                                      reply_to=[manager.email] if manager and manager.email else None,
                                      headers={"Message-ID": _message_id(context, person),
                                               "X-Accord-Firing": context.firing.key,
                                               "Auto-Submitted": "auto-generated"})
        try:
            mail.send()
        except (OSError, smtplib.SMTPException):
            record.delete()
            raise
        Message.objects.filter(pk=record.pk).update(delivery=Message.Delivery.SENT, sent_at=timezone.now())
        sent.append(person.email)
    if uncertain:
        raise InterruptedSending(f"interrupted while sending to {', '.join(uncertain)}; check before retrying")
    return {"sent_to": sent} if sent else {"sent_to": [], "note": "no recipient"}


def notify(context: ActionContext, *, to, template: str = "", subject=None, body=None,
           figures: list[str] | None = None) -> dict:
    """An in-app message (the portal's messages page and the console inbox); written once, with the action."""
    _with_figures(context, figures)
    params = {"subject": subject, "body": body} if subject else {"template": template or "generic"}
    people = messages.recipients(to, partner=context.partner, owner=context.owner)
    rows = []
    for person in people:
        rendered = messages.render(params, context.message, person)
        rows.append(Message(firing=context.firing, action=context.action, channel=Message.Channel.IN_APP,
                            recipient=person, partner_id=context.firing.partner_id, subject=rendered.subject,
                            body=rendered.body, why=rendered.why, link=rendered.link))
    Message.objects.bulk_create(rows, ignore_conflicts=True)
    return {"notified": [p.email for p in people]}


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """HMAC-SHA256 over "<timestamp>.<body>", hex; receivers recompute it to trust the call."""
    return hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def post_webhook(context: ActionContext, *, endpoint: str) -> dict:
    """POST the firing as JSON, signed; a non-2xx answer raises, so the engine retries with backoff."""
    target = WebhookEndpoint.objects.get(name=endpoint)
    if not target.enabled:
        return {"skipped": "endpoint disabled"}
    firing = context.firing
    document = {
        "id": context.idempotency_key, "rule": context.rule.code, "rule_version": firing.rule_version.number,
        "trigger": firing.trigger, "subject": {"type": firing.subject_type.model_class()._meta.label,
                                               "id": firing.subject_id, "label": context.message.subject_label},
        "partner_id": firing.partner_id, "occurrence": firing.occurrence, "fields": context.message.fields,
        "payload": context.payload, "variant": firing.variant, "sent_at": timezone.now(),
    }
    body = json.dumps(document, cls=DjangoJSONEncoder, sort_keys=True).encode()
    timestamp = str(int(time.time()))
    request = urllib.request.Request(target.url, data=body, method="POST", headers={  # noqa: S310
        "Content-Type": "application/json", "User-Agent": "Accord-Webhooks/1",
        "X-Accord-Delivery": context.idempotency_key, "X-Accord-Timestamp": timestamp,
        "X-Accord-Signature": f"sha256={signature(target.secret, timestamp, body)}"})
    try:
        with urllib.request.urlopen(request, timeout=WEBHOOK_TIMEOUT) as response:  # noqa: S310
            status = response.status
    except urllib.error.HTTPError as error:
        raise RuntimeError(f"{target.url} answered {error.code}") from None
    if not 200 <= status < 300:
        raise RuntimeError(f"{target.url} answered {status}")
    return {"endpoint": target.name, "status": status}


def _assignee(spec: str, context: ActionContext) -> tuple[User | None, str]:
    if spec == "channel_manager":
        return (context.partner.channel_manager if context.partner else None), ""
    if spec == "owner":
        return context.owner or (context.partner.channel_manager if context.partner else None), ""
    role = spec.removeprefix("role:")
    return messages.role_member(role), role


def _text_for(value, person: User | None, context: ActionContext) -> str:
    language = messages.language_of(person)
    with translation.override(language):
        text = messages._pick(value, language) if value else ""
        return Template(text).render(Context(context.message.as_dict(person))).strip()


def create_task(context: ActionContext, *, title, assign_to: str = "channel_manager", description=None,
                due_days: int = 1, priority: str = "normal", escalate_to: str = "") -> dict:
    """A task for a person (or a role's queue), linked to the subject and the rule that created it."""
    assignee, role = _assignee(assign_to, context)
    firing = context.firing
    task = Task.objects.create(
        title=_text_for(title, assignee, context)[:300], description=_text_for(description, assignee, context),
        assignee=assignee, role=role, partner_id=firing.partner_id, subject_type_id=firing.subject_type_id,
        subject_id=firing.subject_id, subject_label=context.message.subject_label[:200],
        link=context.message.link, priority=PRIORITIES[priority],
        due_at=(context.message.now or timezone.now()) + datetime.timedelta(days=due_days),
        escalate_to_role=escalate_to,
        source_firing=firing, source_rule=context.rule,
        history=[{"at": timezone.now(), "what": "created", "by": f"rule:{context.rule.code}"}])
    return {"task": task.pk, "assignee": assignee.email if assignee else "", "role": role}


def escalate_task(context: ActionContext, *, to: str, priority: str = "urgent", note=None) -> dict:
    """Hand the subject's open tasks to a role (e.g. head of sales); with none open, open one for that role."""
    firing = context.firing
    open_tasks = list(Task.objects.select_for_update().filter(
        subject_type_id=firing.subject_type_id, subject_id=firing.subject_id, status=Task.Status.OPEN))
    if not open_tasks:
        created = create_task(context, title=note or str(_("Escalated: {{ subject_label }}")),
                              assign_to=to, due_days=1, priority=priority)
        return {"escalated": [], "created": created["task"]}
    assignee, role = _assignee(to, context)
    for task in open_tasks:
        task_escalate(task=task, assignee=assignee, role=role, priority=PRIORITIES[priority],
                      by=f"rule:{context.rule.code}", note=_text_for(note, None, context) if note else "")
    return {"escalated": [t.pk for t in open_tasks], "to": assignee.email if assignee else role}


def task_escalate(*, task: Task, assignee: User | None, role: str, priority: int, by: str, note: str = "") -> Task:
    """Move a task one level up: to a named person or a role's queue, priority raised, history kept."""
    previous = task.assignee.email if task.assignee else task.role
    with transaction.atomic():
        task.assignee, task.role = assignee, role
        task.priority = max(task.priority, priority)
        task.escalation_level += 1
        task.escalated_at = timezone.now()
        task.history = [*task.history, {"at": timezone.now(), "what": "escalated", "from": previous,
                                        "to": assignee.email if assignee else role, "by": by, "note": note}]
        task.save()
    return task


register_action("email", label=_("Send an email"), handler=send_email, external=True,
                params={"to": "recipients", "template?": "template", "subject?": "text", "body?": "text",
                        "figures?": "figures"})
register_action("notify", label=_("In-app notification"), handler=notify,
                params={"to": "recipients", "template?": "template", "subject?": "text", "body?": "text",
                        "figures?": "figures"})
register_action("webhook", label=_("Call a webhook (signed)"), handler=post_webhook, external=True,
                params={"endpoint": "endpoint"})
register_action("task.create", label=_("Create a task for a person"), handler=create_task,
                params={"title": "text", "assign_to?": "recipient", "description?": "text", "due_days?": "int",
                        "priority?": "priority", "escalate_to?": "role"})
register_action("task.escalate", label=_("Escalate the subject's tasks"), handler=escalate_task,
                params={"to": "recipient", "priority?": "priority", "note?": "text"})
