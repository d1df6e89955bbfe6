"""Template tags the faces' shared slots use (dashboards, navigation, the partner 360 page)."""

from django import template

from accord.automation import selectors

register = template.Library()


@register.simple_tag
def automation_console_summary(user) -> dict:
    return selectors.console_summary(user)


@register.simple_tag
def automation_unread(user) -> int:
    return selectors.unread_count(user)


@register.simple_tag
def automation_for_partner(user, partner_id) -> dict:
    return selectors.partner_automation(user, partner_id)


@register.simple_tag
def automation_recent_messages(user, count: int = 3) -> list:
    return selectors.recent_messages(user, count)


@register.filter
def get_item(mapping: dict, key):
    """`{{ partners|get_item:firing.partner_id }}`: look a row's related object up in a dict from the view."""
    return mapping.get(key) if mapping else None
