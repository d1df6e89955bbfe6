"""Template helpers for the sales pages and the dashboard and partner-page slots."""

from __future__ import annotations

import datetime

from django import template
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accord.sales import routing, selectors

register = template.Library()

STATUS_CLASS = {"approved": "ok", "won": "ok", "accepted": "ok", "converted": "ok", "rejected": "bad",
                "lost": "bad", "declined": "bad", "expired": "bad", "unrouted": "bad", "review": "warn",
                "pending": "warn", "offered": "warn", "submitted": "warn", "duplicate": "bad"}
@register.filter
def status_class(value: str) -> str:
    return STATUS_CLASS.get(str(value), "")


@register.filter
def factor_label(name: str) -> str:
    return str(routing.FACTOR_LABELS.get(name, name))


@register.filter
def reason_label(field: str) -> str:
    labels = {
        "name": _("Company name"), "name_sound": _("Name sounds alike"), "name_words": _("Extra distinctive words"),
        "distinct_word": _("A distinctive word differs"), "acronym": _("Acronym"),
        "generic_words": _("Different line of business"), "tax_id": _("Tax ID"), "web_domain": _("Web domain"),
        "country": _("Country"), "city": _("City"), "products": _("Products"), "time_window": _("Time apart"),
    }
    return labels.get(field, field)


@register.filter
def duration(value: datetime.timedelta | None) -> str:
    """"3 d 4 h", "5 h", "12 min": how long something took or has been waiting."""
    if value is None:
        return "—"
    minutes = int(value.total_seconds() // 60)
    days, rest = divmod(minutes, 1440)
    hours, minutes = divmod(rest, 60)
    if days:
        return _("%(days)d d %(hours)d h") % {"days": days, "hours": hours}
    if hours:
        return _("%(hours)d h %(minutes)d min") % {"hours": hours, "minutes": minutes}
    return ngettext("%(count)d minute", "%(count)d minutes", minutes) % {"count": minutes}


@register.filter
def owner_type_label(value: str) -> str:
    return {"vendor": _("the vendor's own sales team"), "same_partner": _("your own organisation"),
            "partner": _("another partner")}.get(value, value)


@register.simple_tag(takes_context=True)
def portal_sales_summary(context) -> dict:
    return selectors.pipeline_for_partner(context["request"].user)


@register.simple_tag(takes_context=True)
def console_sales_summary(context) -> dict:
    return selectors.console_summary(context["request"].user)


@register.simple_tag(takes_context=True)
def partner_sales(context, partner) -> dict:
    return selectors.partner_routing(context["request"].user, partner)
