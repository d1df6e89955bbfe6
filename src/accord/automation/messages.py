"""What automated messages say, to whom, in which language; and the "why" partners read next to each one.

Built-in templates live in templates/automation/messages/<name>_subject.txt and <name>_body.txt and are
translated through the automation catalog; a rule may also carry its own text (per language). Every body ends
with the partner's channel manager, so a human is always one reply away.
"""

from __future__ import annotations

import datetime
import zoneinfo
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.template import Context, Template
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from accord.partners.models import Partner, User
from accord.partners.roles import Role

TEMPLATES: dict[str, Any] = {
    "payment_reminder": _("Payment reminder with the open amount"),
    "payment_overdue": _("Invoice overdue notice"),
    "goods_arrived": _("Reserved goods arrived"),
    "delivery_date_changed": _("New arrival date for reserved goods"),
    "onboarding_reminder": _("Unfinished onboarding or portal inactivity"),
    "performance_notice": _("Monthly figures against peers"),
    "generic": _("Short notice naming the rule and subject"),
}


@dataclass
class Rendered:
    subject: str
    body: str
    why: str
    link: str


@dataclass
class MessageContext:
    """Everything a template may read; built once per action, rendered once per recipient language."""

    rule_name: str
    trigger_text: Any  # text, or a callable giving it in the active language
    subject_label: str
    fields: dict = field(default_factory=dict)
    payload: dict = field(default_factory=dict)
    partner: Partner | None = None
    channel_manager: User | None = None
    link: str = ""
    anchor_date: Any = None
    figures: list = field(default_factory=list)
    extra: dict = field(default_factory=dict)
    now: datetime.datetime | None = None

    def as_dict(self, recipient: User | None) -> dict:
        days_left = None
        if self.anchor_date is not None:
            zone = (self.partner.time_zone if self.partner else None) or "UTC"
            today = (self.now or timezone.now()).astimezone(zoneinfo.ZoneInfo(zone)).date()
            days_left = (self.anchor_date - today).days
        return {
            "rule_name": self.rule_name, "subject_label": self.subject_label,
            # words about the trigger are produced in the reader's language, not the worker's
            "trigger_text": self.trigger_text() if callable(self.trigger_text) else self.trigger_text,
            "fields": self.fields, "payload": self.payload, "partner": self.partner,
            "channel_manager": self.channel_manager, "recipient": recipient, "link": self.link,
            "anchor_date": self.anchor_date, "days_left": days_left,
            "days_overdue": -days_left if days_left is not None and days_left < 0 else 0,
            "figures": self.figures, "base_url": settings.ACCORD_BASE_URL, **self.extra,
        }


def language_of(user: User | None, partner: Partner | None = None) -> str:
    languages = dict(settings.LANGUAGES)
    for candidate in (getattr(user, "language", ""), getattr(partner, "language", "")):
        if candidate in languages:
            return candidate
    return settings.LANGUAGE_CODE


def _pick(text, language: str) -> str:
    if isinstance(text, dict):
        return text.get(language) or text.get("en") or next(iter(text.values()))
    return text


def render(params: dict, context: MessageContext, recipient: User | None) -> Rendered:
    """The message for one recipient, in that person's language (or the partner's)."""
    language = language_of(recipient, context.partner)
    with translation.override(language):
        data = context.as_dict(recipient)
        if "subject" in params:
            plain_text = Context(data, autoescape=False)
            subject = Template(_pick(params["subject"], language)).render(plain_text)
            body = Template(_pick(params["body"], language)).render(plain_text)
        else:
            name = params.get("template", "generic")
            subject = render_to_string(f"automation/messages/{name}_subject.txt", data)
            body = render_to_string(f"automation/messages/{name}_body.txt", data)
        body = body.strip() + "\n\n" + render_to_string("automation/messages/footer.txt", data).strip() + "\n"
        why = str(_("Sent by the rule “%(rule)s” (%(trigger)s) about %(subject)s.")
                  % {"rule": context.rule_name, "trigger": data["trigger_text"], "subject": context.subject_label})
    return Rendered(" ".join(subject.split())[:300], body, why[:400], context.link)


def recipients(spec: list[str] | str, *, partner: Partner | None, owner: User | None) -> list[User]:
    """The people a recipients spec names, active ones only, without duplicates, in a stable order."""
    spec = [spec] if isinstance(spec, str) else spec
    people: list[User] = []
    for item in spec:
        if item in {"partner_admins", "partner_users"} and partner is not None:
            users = User.objects.filter(partner=partner, is_active=True).order_by("id")
            admins = list(users.filter(groups__name=Role.PARTNER_ADMIN.value))
            people += admins if item == "partner_admins" and admins else list(users)
        elif item == "channel_manager" and partner is not None and partner.channel_manager_id:
            people.append(partner.channel_manager)
        elif item == "owner":
            chosen = owner or (partner.channel_manager if partner is not None else None)
            if chosen is not None:
                people.append(chosen)
        elif item.startswith("role:"):
            people += list(User.objects.filter(partner__isnull=True, is_active=True,
                                               groups__name=item.removeprefix("role:")).order_by("id"))
    seen: set[int] = set()
    unique = []
    for person in people:
        if person.pk not in seen and person.is_active and person.email:
            seen.add(person.pk)
            unique.append(person)
    return unique


def role_member(role: str) -> User | None:
    """A person holding a vendor role (the first by name), for tasks that need a named owner."""
    return (User.objects.filter(partner__isnull=True, is_active=True).filter(Q(groups__name=role))
            .order_by("last_name", "id").first())
