"""Presentation helpers for console pages."""

from __future__ import annotations

from html import escape

from django import forms, template
from django.forms import BoundField
from django.template.loader import render_to_string
from django.urls import get_script_prefix, reverse
from django.utils import dateformat
from django.utils.formats import get_format
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext

from accord.automation.registry import event_types
from accord.partners.geography import country_names
from accord.partners.models import Partner
from accord.partners.roles import Role

register = template.Library()

_side_navs: dict[tuple, SafeString] = {}

PARTNER_ROW_COLUMNS = ("pk", "legal_name", "trading_name", "web_domain", "tax_id", "country", "city", "status",
                       "joined_on", "tier__name", "channel_manager__first_name", "channel_manager__last_name",
                       "channel_manager__email")
PARTNER_ROW = """      <tr>
        <td><a href="{url}">{name}</a>
          {details}</td>
        <td title="{country_name}">{country}</td>
        <td>{city}</td>
        <td>{tier}</td>
        <td>{status}</td>
        <td>{manager}</td>
        <td>{joined}</td>
      </tr>
"""


@register.filter
def country_name(code: str) -> str:
    """The country's name in the reader's language (`DE` → `Germany`, `Deutschland`, `Германия`)."""
    if not code:
        return ""
    return country_names(get_language() or "en").get(code.upper(), code)


@register.simple_tag(takes_context=True)
def sort_links(context, *columns: str) -> dict[str, str]:
    """Column -> query string that sorts by it, toggling direction when it is already the sort key.

    `{% sort_links 'name' 'city' as links %}`: one copy of the query string for every column of a table.
    """
    params = context["request"].GET.copy()
    current = params.get("sort", "")
    params.pop("page", None)
    links = {}
    for column in columns:
        params["sort"] = f"-{column}" if current == column else column
        links[column] = "?" + params.urlencode()
    return links


@register.simple_tag(takes_context=True)
def page_link(context, number: int) -> str:
    params = context["request"].GET.copy()
    params["page"] = number
    return "?" + params.urlencode()


STATUS_BADGES = {Partner.Status.ACTIVE: "ok", Partner.Status.ONBOARDING: "warn", Partner.Status.APPLICANT: "warn",
                 Partner.Status.SUSPENDED: "bad", Partner.Status.CHURNED: "bad"}


@register.filter
def status_badge(status: str) -> str:
    """The badge colour of a partner status."""
    return STATUS_BADGES.get(status, "")


@register.filter
def event_label(event_type: str) -> str:
    """The translated label the emitting domain registered for an event type."""
    registered = event_types().get(event_type)
    return str(registered.label) if registered else event_type


@register.filter
def role_labels(user) -> str:
    """A person's roles, translated and comma-separated, from their (prefetched) groups."""
    return ", ".join(sorted(Role(g.name).label for g in user.groups.all() if g.name in Role._value2member_map_))


@register.simple_tag
def labelled_select(field: BoundField) -> SafeString:
    """`{{ field.label_tag }}{{ field }}` for a plain optional select, written without the form renderer.

    Django renders a template per option: on the partner list the filters cost more than the rows. The
    markup is the widget's own; fields this shortcut does not cover (required, help text, widget attrs,
    a label suffix, option groups) are rendered by the widget.
    """
    bound, widget = field.field, field.field.widget
    choices = list(bound.choices)
    if (type(widget) is not forms.Select or widget.attrs or bound.required or bound.disabled or field.help_text
            or not field.auto_id or bound.label_suffix or field.form.label_suffix
            or any(isinstance(label, (list, tuple)) for _, label in choices)):
        return format_html("{}{}", field.label_tag(), field)
    values = widget.format_value(field.value())
    field_id = _escaped(field.auto_id)
    invalid = f' aria-invalid="true" aria-describedby="{field_id}_error"' if field.errors else ""
    html = [f'<label for="{field_id}">{_escaped(field.label)}</label>'
            f'<select name="{_escaped(field.html_name)}"{invalid} id="{field_id}">']
    selected = False
    for value, label in choices:
        value = str(value)
        chosen = not selected and value in values
        selected = selected or chosen
        html.append(f'\n  <option value="{escape(value)}"{" selected" if chosen else ""}>{_escaped(label)}</option>')
    html.append("\n</select>")
    return mark_safe("".join(html))


def _escaped(value) -> str:
    """`conditional_escape` without its lazy-argument wrapper, which costs more than the escaping."""
    text = str(value)
    return text.__html__() if hasattr(text, "__html__") else escape(text)


@register.simple_tag(takes_context=True)
def console_nav(context) -> SafeString:
    """The side navigation, rendered once per process for each language, current page and staff flag.

    It is only links and labels, so those inputs decide it; its ~25 `{% url %}` tags cost as much as a page
    of results. `console/nav.html` gets nothing else: keep per-user or per-request data out of it.
    """
    request = context["request"]
    current = request.resolver_match.url_name if request.resolver_match else None
    key = (get_language(), get_script_prefix(), current, bool(request.user.is_staff))
    nav = _side_navs.get(key)
    if nav is None:
        nav = _side_navs[key] = render_to_string("console/nav.html", {"current": current, "is_staff": key[3]})
    return nav


@register.simple_tag
def partner_rows(partners) -> SafeString:
    """The partner list's table rows, from dicts of `PARTNER_ROW_COLUMNS` (`.values()` rows).

    One string per row instead of a model instance and a dozen template nodes per cell. The texts are the
    models' own: `Partner.display_name`, `Tier.__str__`, `User.__str__`, the status label.
    """
    detail_head, _, detail_tail = escape(reverse("console:partner_detail", kwargs={"partner_id": 0})).rpartition("0")
    short_date = get_format("SHORT_DATE_FORMAT")
    badges = {value: f'<span class="badge {STATUS_BADGES[value]}">{escape(str(label))}</span>'
              for value, label in Partner.Status.choices}
    rows = []
    for partner in partners:
        details = ""
        if partner["web_domain"]:
            tax_id = f" · {escape(partner["tax_id"])}" if partner["tax_id"] else ""
            details = f'<div class="muted small">{escape(partner["web_domain"])}{tax_id}</div>'
        manager = "—"
        if partner["channel_manager__email"] is not None:
            manager = (f"{partner["channel_manager__first_name"]} {partner["channel_manager__last_name"]}".strip()
                       or partner["channel_manager__email"])
        rows.append(PARTNER_ROW.format(
            url=f"{detail_head}{partner["pk"]}{detail_tail}",
            name=escape(partner["trading_name"] or partner["legal_name"]),
            details=details,
            country_name=escape(country_name(partner["country"])),
            country=escape(partner["country"]),
            city=escape(partner["city"]),
            tier=escape(gettext(partner["tier__name"])) if partner["tier__name"] is not None else "—",
            status=badges.get(partner["status"]) or f'<span class="badge ">{escape(partner["status"])}</span>',
            manager=escape(manager),
            joined=escape(dateformat.format(partner["joined_on"], short_date)) if partner["joined_on"] else "—",
        ))
    return mark_safe("".join(rows))
