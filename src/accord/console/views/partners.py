"""Console pages for partners core: the dashboard, the partner list and the partner 360 page."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accord.console.access import vendor_required
from accord.console.forms.partners import (
    PartnerAccountForm,
    PartnerFilterForm,
    PartnerProfileForm,
    PersonInviteForm,
)
from accord.console.templatetags.console import PARTNER_ROW_COLUMNS
from accord.partners import selectors, services
from accord.partners.forms import apply_service_errors
from accord.partners.prepared import PreparedQuery
from accord.partners.roles import Role
from accord.partners.services import PROFILE_FIELDS

PAGE_SIZE = 25
HISTORY_SIZE = 20
EVENTS_SIZE = 20
DASHBOARD_BOOK_SIZE = 10
DASHBOARD_QUEUE_SIZE = 5
DASHBOARD_MESSAGES = 8


@vendor_required
def dashboard(request: HttpRequest) -> HttpResponse:
    user = request.user
    book = selectors.partners_managed_by(user).order_by("legal_name")
    queue = selectors.applications_for_review(user)
    return render(request, "console/dashboard.html", {
        "by_status": selectors.partner_counts_by_status(user),
        "by_tier": selectors.partner_counts_by_tier(user),
        "book": book[:DASHBOARD_BOOK_SIZE],
        "book_count": book.count(),
        "queue": queue[:DASHBOARD_QUEUE_SIZE],
        "queue_count": queue.count(),
        "inbox": selectors.manager_messages_for(user)[:DASHBOARD_MESSAGES],
        "unread_count": selectors.manager_messages_for(user).filter(read_at__isnull=True).count(),
    })


@vendor_required
@require_POST
def message_read(request: HttpRequest, message_id: int) -> HttpResponse:
    message = selectors.manager_message_get(request.user, message_id)
    services.manager_message_mark_read(actor=request.user, message=message)
    if request.htmx:
        return render(request, "console/dashboard.html#message", {"message": message})
    messages.success(request, _("Message marked as read."))
    return redirect(_safe_next(request) or "console:dashboard")


def _safe_next(request: HttpRequest) -> str:
    """The `next` the form carried, if it points back into this site."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    allowed = url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                              require_https=request.is_secure())
    return target if allowed else ""


def _page_rows(*, offset: int, limit: int, **arguments) -> QuerySet:
    """The page's partners as rows of the columns the table shows.

    The page is picked by id first: sorting every partner with its tier and manager joined costs far more
    than sorting the partner table alone and joining the 25 rows shown.
    """
    page_ids = selectors.ordered_partner_list(**arguments).values("pk")[offset:offset + limit]
    shown = selectors.partners_in(selectors.Scope(arguments["scope"], arguments["partner_id"])).filter(pk__in=page_ids)
    return shown.order_by(*arguments["ordering"]).values(*PARTNER_ROW_COLUMNS)


LIST_VALUES = {"partner_id", "search", "segment", "tier", "country", "status", "channel_manager"}
PARTNER_ROWS = PreparedQuery(_page_rows, values=LIST_VALUES)
PARTNER_COUNT = PreparedQuery(selectors.ordered_partner_list, values=LIST_VALUES)


class _PartnerList:
    """What the Paginator needs from the prepared list queries: the count, and a page's rows by slice."""

    def __init__(self, **arguments) -> None:
        self.arguments = arguments

    def count(self) -> int:
        return PARTNER_COUNT.count(**self.arguments)

    def __getitem__(self, window: slice) -> list[dict]:
        return PARTNER_ROWS.rows(offset=window.start, limit=window.stop - window.start, **self.arguments)


@vendor_required
def partner_list(request: HttpRequest) -> HttpResponse:
    """Search, filter, sort and page through partners; htmx requests get only the results table."""
    form = PartnerFilterForm(request.GET or None)
    scope = selectors.scope_of(request.user)
    partners = _PartnerList(scope=scope.kind, partner_id=scope.partner_id, ordering=form.ordering(), **form.filters())
    page = Paginator(partners, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"form": form, "page": page, "sort": request.GET.get("sort", "")}
    if request.htmx:
        return render(request, "console/partners/list.html#results", context)
    return render(request, "console/partners/list.html", context)


@vendor_required
def partner_detail(request: HttpRequest, partner_id: int) -> HttpResponse:
    """The partner 360: everything the vendor knows about one partner on one page."""
    return _detail(request, selectors.partner_get(request.user, partner_id))


@vendor_required(roles=(Role.CHANNEL_MANAGER,))
@require_POST
def partner_invite(request: HttpRequest, partner_id: int) -> HttpResponse:
    """Invite a person to a partner's account from the 360 (e.g. a second admin during onboarding)."""
    partner = selectors.partner_get(request.user, partner_id)
    form = PersonInviteForm(request.POST)
    if form.is_valid():
        data = dict(form.cleaned_data)
        try:
            person = services.user_invite(actor=request.user, partner=partner, role=Role(data.pop("role")), **data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("%(email)s is invited: an email with a link to choose a password is on "
                                        "its way.") % {"email": person.email})
            return redirect("console:partner_detail", partner_id=partner.pk)
    return _detail(request, partner, invite_form=form)


def _detail(request: HttpRequest, partner, *, invite_form: PersonInviteForm | None = None) -> HttpResponse:
    user = request.user
    manages = _manages(user)
    return render(request, "console/partners/detail.html", {
        "partner": partner,
        "people": selectors.partner_people(user, partner),
        "segments": partner.segments.order_by("name"),
        "industries": partner.industries.all(),
        "specialisations": partner.specialisations.all(),
        "application": selectors.partner_application(user, partner),
        "partner_messages": selectors.partner_messages(user, partner)[:10],
        "history": selectors.partner_history(user, partner)[:HISTORY_SIZE],
        "events": selectors.partner_events(user, partner)[:EVENTS_SIZE],
        "account_form": PartnerAccountForm(initial=_account_initial(partner)) if manages else None,
        "invite_form": (invite_form or PersonInviteForm(initial={"language": partner.language})) if manages else None,
        "invite_open": invite_form is not None,
    })


@vendor_required(roles=(Role.CHANNEL_MANAGER,))
def partner_edit(request: HttpRequest, partner_id: int) -> HttpResponse:
    """Change a partner's account (tier, status, CAM) or profile through `partner_update`."""
    partner = selectors.partner_get(request.user, partner_id)
    account_form = PartnerAccountForm(initial=_account_initial(partner))
    profile_form = PartnerProfileForm(initial=_profile_initial(partner))
    if request.method == "POST":
        if request.POST.get("section") == "account":
            form = account_form = PartnerAccountForm(request.POST)
        else:
            form = profile_form = PartnerProfileForm(request.POST)
        if form.is_valid():
            data = dict(form.cleaned_data)
            extra = {name: data.pop(name) for name in ("industries", "specialisations") if name in data}
            try:
                services.partner_update(actor=request.user, partner=partner, data=data, **extra)
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                messages.success(request, _("%(partner)s has been updated.") % {"partner": partner.display_name})
                return redirect("console:partner_detail", partner_id=partner.pk)
    return render(request, "console/partners/edit.html", {
        "partner": partner, "account_form": account_form, "profile_form": profile_form,
    })


def _manages(user) -> bool:
    """Channel managers and vendor admins change partners; finance and support staff read."""
    return user.has_role(Role.VENDOR_ADMIN, Role.CHANNEL_MANAGER)


def _account_initial(partner) -> dict:
    return {"tier": partner.tier_id, "status": partner.status, "channel_manager": partner.channel_manager_id,
            "joined_on": partner.joined_on}


def _profile_initial(partner) -> dict:
    initial = {name: getattr(partner, name) for name in PROFILE_FIELDS}
    initial["industries"] = list(partner.industries.values_list("pk", flat=True))
    initial["specialisations"] = list(partner.specialisations.values_list("pk", flat=True))
    return initial


urlpatterns = [
    path("", dashboard, name="dashboard"),
    path("partners/", partner_list, name="partner_list"),
    path("partners/<int:partner_id>/", partner_detail, name="partner_detail"),
    path("partners/<int:partner_id>/edit/", partner_edit, name="partner_edit"),
    path("partners/<int:partner_id>/invite/", partner_invite, name="partner_invite"),
    path("messages/<int:message_id>/read/", message_read, name="message_read"),
]
