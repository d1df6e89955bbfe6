"""Presentation helpers for console pages."""

from __future__ import annotations

from babel import Locale
from django import template
from django.utils.translation import get_language

from accord.automation.registry import event_types
from accord.partners.roles import Role

register = template.Library()


@register.filter
def country_name(code: str) -> str:
    """The country's name in the reader's language (`DE` → `Germany`, `Deutschland`, `Германия`)."""
    if not code:
        return ""
    try:
        return Locale.parse(get_language() or "en").territories.get(code.upper(), code)
    except (ValueError, TypeError):
        return code


@register.simple_tag(takes_context=True)
def sort_link(context, column: str) -> str:
    """The query string that sorts by `column`, toggling direction when it is already the sort key."""
    request = context["request"]
    params = request.GET.copy()
    current = params.get("sort", "")
    params["sort"] = f"-{column}" if current == column else column
    params.pop("page", None)
    return "?" + params.urlencode()


@register.simple_tag(takes_context=True)
def page_link(context, number: int) -> str:
    params = context["request"].GET.copy()
    params["page"] = number
    return "?" + params.urlencode()


@register.filter
def event_label(event_type: str) -> str:
    """The translated label the emitting domain registered for an event type."""
    registered = event_types().get(event_type)
    return str(registered.label) if registered else event_type


@register.filter
def role_labels(user) -> str:
    """A person's roles, translated and comma-separated, from their (prefetched) groups."""
    return ", ".join(sorted(Role(g.name).label for g in user.groups.all() if g.name in Role._value2member_map_))
