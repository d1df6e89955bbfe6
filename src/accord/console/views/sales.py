"""Console pages for sales: the review queue (uncertain matches, approvals, appeals, extensions), deals with
their conflict explanations, the lead inbox with routing explanations, lead import, and routing settings."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accord.console.access import vendor_required
from accord.partners import selectors as partner_selectors
from accord.partners.forms import apply_service_errors
from accord.partners.roles import Role
from accord.sales import routing, selectors, services
from accord.sales.forms import (
    AssignForm,
    CertificationForm,
    DealFilterForm,
    DealForm,
    DecisionForm,
    LeadFilterForm,
    LeadForm,
    LeadImportForm,
    ReasonForm,
    RoutingProfileForm,
    SettingsForm,
    TerritoryForm,
)
from accord.sales.models import Lead

PAGE_SIZE = 25
CAM = (Role.CHANNEL_MANAGER,)


def _page(request: HttpRequest, items):
    return Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))


@vendor_required
def review_queue(request: HttpRequest) -> HttpResponse:
    """What waits for a channel manager: conflict reviews, approvals, appeals and extension requests."""
    return render(request, "console/sales/review.html", {
        "deals": selectors.review_queue(request.user)[:100],
        "requests": selectors.open_requests(request.user),
    })


@vendor_required
def deal_list(request: HttpRequest) -> HttpResponse:
    form = DealFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    page = _page(request, selectors.deal_list(request.user, status=filters.get("status", ""),
                                              search=filters.get("search", "")))
    context = {"form": form, "page": page}
    template = "console/sales/deal_list.html#results" if request.htmx else "console/sales/deal_list.html"
    return render(request, template, context)


@vendor_required(roles=CAM)
def deal_register(request: HttpRequest) -> HttpResponse:
    """A direct opportunity of the vendor's own sales team, checked against partners' registrations."""
    form = DealForm(request.POST or None, initial={"currency": "EUR"})
    if request.method == "POST" and form.is_valid():
        try:
            deal = services.deal_register(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Registered as %(number)s: %(status)s.")
                             % {"number": deal.number, "status": deal.get_status_display()})
            return redirect("console:sales_deal", deal_id=deal.pk)
    return render(request, "console/sales/deal_form.html", {"form": form})


@vendor_required
def deal_detail(request: HttpRequest, deal_id: int) -> HttpResponse:
    """A registration with the matcher's explanation: every candidate, its score and the fields that matched."""
    deal = selectors.deal_get(request.user, deal_id)
    reason_form = ReasonForm()
    if request.method == "POST":
        if not request.user.has_role(Role.VENDOR_ADMIN, Role.CHANNEL_MANAGER):
            messages.error(request, _("Only channel managers decide registrations."))
            return redirect("console:sales_deal", deal_id=deal.pk)
        reason_form = ReasonForm(request.POST)
        action = request.POST.get("action", "")
        if reason_form.is_valid():
            reason = reason_form.cleaned_data["reason"]
            try:
                if action == "approve":
                    services.deal_approve(actor=request.user, deal=deal, reason=reason)
                    messages.success(request, _("Approved; the partner is protected."))
                elif action == "reject":
                    services.deal_reject(actor=request.user, deal=deal, reason=reason)
                    messages.success(request, _("Rejected; the partner sees your reason."))
                return redirect("console:sales_deal", deal_id=deal.pk)
            except ValidationError as error:
                apply_service_errors(reason_form, error)
    return render(request, "console/sales/deal_detail.html", {
        "deal": deal, "candidates": selectors.conflict_candidates(request.user, deal),
        "history": selectors.deal_history(request.user, deal), "requests": selectors.deal_requests(request.user, deal),
        "reason_form": reason_form, "decision_form": DecisionForm(),
    })


@vendor_required(roles=CAM)
@require_POST
def request_decide(request: HttpRequest, request_id: int) -> HttpResponse:
    item = selectors.request_get(request.user, request_id)
    form = DecisionForm(request.POST)
    if form.is_valid():
        try:
            services.deal_request_decide(actor=request.user, request=item,
                                         grant=form.cleaned_data["decision"] == "grant",
                                         reason=form.cleaned_data["reason"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Decided; the partner sees the answer."))
    else:
        messages.error(request, _("Choose grant or deny."))
    return redirect("console:sales_deal", deal_id=item.deal_id)


@vendor_required
def lead_list(request: HttpRequest) -> HttpResponse:
    """The lead inbox, with where leads stall (count and median time in each state)."""
    form = LeadFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    page = _page(request, selectors.lead_list(request.user, status=filters.get("status", ""),
                                              search=filters.get("search", ""), source=filters.get("source", "")))
    context = {"form": form, "page": page, "funnel": selectors.lead_funnel(request.user)}
    template = "console/sales/lead_list.html#results" if request.htmx else "console/sales/lead_list.html"
    return render(request, template, context)


@vendor_required(roles=CAM)
def lead_create(request: HttpRequest) -> HttpResponse:
    form = LeadForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            lead = services.lead_create(actor=request.user, source=Lead.Source.CONSOLE, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Lead %(number)s: %(status)s.")
                             % {"number": lead.number,
                                "status": selectors.lead_get(request.user, lead.pk).get_status_display()})
            return redirect("console:sales_lead", lead_id=lead.pk)
    return render(request, "console/sales/lead_form.html", {"form": form})


@vendor_required(roles=CAM)
def lead_import(request: HttpRequest) -> HttpResponse:
    """CSV import, all or nothing; every broken row is named by its line."""
    form = LeadImportForm(request.POST or None, request.FILES or None)
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            leads = services.leads_import_csv(actor=request.user, file=form.cleaned_data["file"])
        except ValidationError as error:
            problems = error.message_dict.get("file", error.messages) if hasattr(error, "error_dict") else (
                error.messages)
        else:
            messages.success(request, _("%(count)d leads imported and routed.") % {"count": len(leads)})
            return redirect("console:sales_lead_list")
    return render(request, "console/sales/lead_import.html", {"form": form, "problems": problems})


@vendor_required
def lead_detail(request: HttpRequest, lead_id: int) -> HttpResponse:
    """A lead: every routing decision with its explanation (top candidates, factor scores), its time in each state."""
    lead = selectors.lead_get(request.user, lead_id)
    assign_form, close_form = AssignForm(), ReasonForm()
    if request.method == "POST":
        if not request.user.has_role(Role.VENDOR_ADMIN, Role.CHANNEL_MANAGER):
            messages.error(request, _("Only channel managers route leads."))
            return redirect("console:sales_lead", lead_id=lead.pk)
        action = request.POST.get("action", "")
        try:
            if action == "route":
                offer = services.lead_route(lead=lead, actor=request.user)
                if offer:
                    messages.success(request, _("Offered to %(partner)s.") % {"partner": offer.partner})
                else:
                    messages.warning(request, _("No partner with free capacity; assign it by hand."))
                return redirect("console:sales_lead", lead_id=lead.pk)
            if action == "assign":
                assign_form = AssignForm(request.POST)
                if assign_form.is_valid():
                    offer = services.lead_assign(actor=request.user, lead=lead,
                                                 partner=assign_form.cleaned_data["partner"])
                    messages.success(request, _("Offered to %(partner)s.") % {"partner": offer.partner})
                    return redirect("console:sales_lead", lead_id=lead.pk)
            if action == "close":
                close_form = ReasonForm(request.POST)
                if close_form.is_valid():
                    services.lead_close(actor=request.user, lead=lead, reason=close_form.cleaned_data["reason"])
                    messages.success(request, _("Lead closed."))
                    return redirect("console:sales_lead", lead_id=lead.pk)
        except ValidationError as error:
            target = {"assign": assign_form, "close": close_form}.get(action)
            if target is not None:
                apply_service_errors(target, error)
            else:
                messages.error(request, " ".join(error.messages))
    offers = list(lead.offers.all())
    return render(request, "console/sales/lead_detail.html", {
        "lead": lead, "offers": offers, "history": selectors.lead_history(lead), "assign_form": assign_form,
        "close_form": close_form, "factors": routing.FACTORS,
    })


@vendor_required(roles=CAM)
@require_POST
def leads_route(request: HttpRequest) -> HttpResponse:
    """Route every new and unrouted lead at once, respecting each partner's capacity."""
    leads = list(selectors.lead_list(request.user).filter(status__in=[Lead.Status.NEW, Lead.Status.UNROUTED]))
    result = services.leads_route_batch(actor=request.user, leads=leads)
    routed = sum(1 for offer in result.values() if offer)
    messages.success(request, _("%(routed)d of %(total)d leads offered to partners.")
                     % {"routed": routed, "total": len(result)})
    return redirect("console:sales_lead_list")


@vendor_required(roles=CAM)
def settings_page(request: HttpRequest) -> HttpResponse:
    """Routing weights, deadlines and matcher thresholds."""
    current = selectors.sales_settings(request.user)
    form = SettingsForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in form.fields}
        try:
            services.sales_settings_update(actor=request.user, data=data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Sales settings saved."))
            return redirect("console:sales_settings")
    return render(request, "console/sales/settings.html", {"form": form, "settings": current})


@vendor_required(roles=CAM)
@require_POST
def partner_routing(request: HttpRequest, partner_id: int) -> HttpResponse:
    """The sales slot on the partner page: capacity, territories and product certifications."""
    partner = partner_selectors.partner_get(request.user, partner_id)
    action = request.POST.get("action", "")
    forms = {"profile": RoutingProfileForm, "territory": TerritoryForm, "certification": CertificationForm}
    form = forms.get(action, RoutingProfileForm)(request.POST)
    if action not in forms or not form.is_valid():
        messages.error(request, _("Check the form: %(errors)s") % {
            "errors": "; ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items()) or action})
        return redirect("console:partner_detail", partner_id=partner.pk)
    data = form.cleaned_data
    try:
        if action == "profile":
            services.routing_profile_set(actor=request.user, partner=partner, **data)
        elif action == "territory":
            services.territory_add(actor=request.user, partner=partner, **data)
        else:
            services.certification_set(actor=request.user, partner=partner, **data)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Saved."))
    return redirect("console:partner_detail", partner_id=partner.pk)


@vendor_required(roles=CAM)
@require_POST
def territory_remove(request: HttpRequest, territory_id: int) -> HttpResponse:
    territory = selectors.territory_get(request.user, territory_id)
    partner_id = territory.partner_id
    services.territory_remove(actor=request.user, territory=territory)
    messages.success(request, _("Territory removed."))
    return redirect("console:partner_detail", partner_id=partner_id)


urlpatterns = [
    path("sales/review/", review_queue, name="sales_review"),
    path("sales/deals/", deal_list, name="sales_deal_list"),
    path("sales/deals/register/", deal_register, name="sales_deal_register"),
    path("sales/deals/<int:deal_id>/", deal_detail, name="sales_deal"),
    path("sales/requests/<int:request_id>/decide/", request_decide, name="sales_request_decide"),
    path("sales/leads/", lead_list, name="sales_lead_list"),
    path("sales/leads/new/", lead_create, name="sales_lead_create"),
    path("sales/leads/import/", lead_import, name="sales_lead_import"),
    path("sales/leads/route/", leads_route, name="sales_leads_route"),
    path("sales/leads/<int:lead_id>/", lead_detail, name="sales_lead"),
    path("sales/settings/", settings_page, name="sales_settings"),
    path("sales/partners/<int:partner_id>/routing/", partner_routing, name="sales_partner_routing"),
    path("sales/territories/<int:territory_id>/remove/", territory_remove, name="sales_territory_remove"),
]

