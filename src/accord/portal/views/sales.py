"""Portal pages for sales: register a deal (with the instant verdict), my deals, my leads, appeals, territories,
and the public "talk to sales" form. Thin: parse, call a selector or service, render."""

from __future__ import annotations

from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _

from accord.partners.forms import apply_service_errors
from accord.portal.access import partner_required
from accord.sales import selectors, services
from accord.sales.forms import (
    CloseForm,
    ConvertForm,
    DealFilterForm,
    DealForm,
    ExtensionForm,
    LeadForm,
    ReasonForm,
    StageForm,
    TerritoryForm,
)
from accord.sales.models import Deal, Lead, LeadOffer

PAGE_SIZE = 25
WEB_FORM_LIMIT = 5  # submissions per address per hour


def _page(request: HttpRequest, items):
    return Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))


@partner_required
def deal_list(request: HttpRequest) -> HttpResponse:
    form = DealFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    page = _page(request, selectors.deal_list(request.user, status=filters.get("status", ""),
                                              search=filters.get("search", "")))
    context = {"form": form, "page": page, "pipeline": selectors.pipeline_for_partner(request.user)}
    template = "portal/sales/deal_list.html#results" if request.htmx else "portal/sales/deal_list.html"
    return render(request, template, context)


@partner_required
def deal_register(request: HttpRequest) -> HttpResponse:
    form = DealForm(request.POST or None, initial={"currency": request.user.partner.currency})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            deal = services.deal_register(actor=request.user, **data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            if deal.status == Deal.Status.REJECTED:
                messages.error(request, _("This registration duplicates an open one; see below."))
            elif deal.status == Deal.Status.REVIEW:
                messages.warning(request, _("A possible conflict was found; your channel manager will decide."))
            else:
                messages.success(request, _("Registered. No conflict found; it now awaits approval."))
            return redirect("portal:sales_deal", deal_id=deal.pk)
    return render(request, "portal/sales/deal_form.html", {"form": form})


def _deal_context(request: HttpRequest, deal: Deal, **forms) -> dict:
    context = {
        "deal": deal,
        "conflict": selectors.conflict_for_partner(request.user, deal),
        "history": selectors.deal_history(request.user, deal),
        "requests": selectors.deal_requests(request.user, deal),
        "stage_form": StageForm(initial={"stage": deal.stage}),
        "close_form": CloseForm(),
        "appeal_form": ReasonForm(),
        "extension_form": ExtensionForm(),
    }
    context.update(forms)
    return context


@partner_required
def deal_detail(request: HttpRequest, deal_id: int) -> HttpResponse:
    """One registration: the verdict and why, its protection, and what the partner can do next."""
    deal = selectors.deal_get(request.user, deal_id)
    forms = {}
    if request.method == "POST":
        action = request.POST.get("action", "")
        handlers = {"stage": (StageForm, "stage_form"), "close": (CloseForm, "close_form"),
                    "appeal": (ReasonForm, "appeal_form"), "extension": (ExtensionForm, "extension_form")}
        if action in handlers:
            form_class, name = handlers[action]
            form = form_class(request.POST)
            forms[name] = form
            if form.is_valid() and _deal_action(request, deal, action, form):
                return redirect("portal:sales_deal", deal_id=deal.pk)
    return render(request, "portal/sales/deal_detail.html", _deal_context(request, deal, **forms))


def _deal_action(request: HttpRequest, deal: Deal, action: str, form) -> bool:
    data = form.cleaned_data
    try:
        if action == "stage":
            services.deal_update_stage(actor=request.user, deal=deal, stage=data["stage"])
            messages.success(request, _("Stage updated."))
        elif action == "close":
            services.deal_close(actor=request.user, deal=deal, won=data["outcome"] == "won", reason=data["reason"])
            messages.success(request, _("The deal is closed."))
        elif action == "appeal":
            services.deal_appeal(actor=request.user, deal=deal, reason=data["reason"])
            messages.success(request, _("Your appeal is with your channel manager."))
        else:
            services.deal_request_extension(actor=request.user, deal=deal, days=data["days"], reason=data["reason"])
            messages.success(request, _("Your extension request is with your channel manager."))
    except ValidationError as error:
        apply_service_errors(form, error)
        return False
    return True


@partner_required
def lead_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    if status not in LeadOffer.Status.values:
        status = ""
    offers = selectors.offers_for_partner(request.user, status=status).order_by("-offered_at")
    page = _page(request, offers)
    context = {"page": page, "status": status, "statuses": LeadOffer.Status.choices,
               "waiting": selectors.offers_for_partner(request.user, status=LeadOffer.Status.PENDING).count()}
    template = "portal/sales/lead_list.html#results" if request.htmx else "portal/sales/lead_list.html"
    return render(request, template, context)


@partner_required
def lead_detail(request: HttpRequest, offer_id: int) -> HttpResponse:
    """A lead offered to the partner: accept, decline with a reason, or convert it into a deal."""
    offer = selectors.offer_get(request.user, offer_id)
    decline_form, convert_form = ReasonForm(), ConvertForm(initial={"currency": request.user.partner.currency})
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "accept":
                services.lead_accept(actor=request.user, offer=offer)
                messages.success(request, _("The lead is yours. Convert it into a deal when it is qualified."))
                return redirect("portal:sales_lead", offer_id=offer.pk)
            if action == "decline":
                decline_form = ReasonForm(request.POST)
                if decline_form.is_valid():
                    services.lead_decline(actor=request.user, offer=offer, reason=decline_form.cleaned_data["reason"])
                    messages.success(request, _("Declined; the lead goes to another partner."))
                    return redirect("portal:sales_lead_list")
            if action == "convert":
                convert_form = ConvertForm(request.POST)
                if convert_form.is_valid():
                    deal = services.lead_convert(actor=request.user, lead=offer.lead, **convert_form.cleaned_data)
                    messages.success(request, _("Deal %(number)s is registered and protected.")
                                     % {"number": deal.number})
                    return redirect("portal:sales_deal", deal_id=deal.pk)
        except ValidationError as error:
            target = {"decline": decline_form, "convert": convert_form}.get(action)
            if target is not None:
                apply_service_errors(target, error)
            else:
                messages.error(request, " ".join(error.messages))
    lead = offer.lead
    deal = selectors.deals_visible_to(request.user).filter(lead=lead).first()
    return render(request, "portal/sales/lead_detail.html", {
        "offer": offer, "lead": lead, "deal": deal, "decline_form": decline_form, "convert_form": convert_form,
        "is_current": offer.status in (LeadOffer.Status.PENDING, LeadOffer.Status.ACCEPTED)
        and lead.partner_id == request.user.partner_id,
        "lead_accepted": lead.status == Lead.Status.ACCEPTED,
    })


@partner_required
def territories(request: HttpRequest) -> HttpResponse:
    """Where the partner sells: declared territories weigh in lead routing."""
    form = TerritoryForm(request.POST or None)
    if request.method == "POST":
        if not request.user.is_partner_admin:
            messages.error(request, _("Only your organisation's admins can change territories."))
        elif form.is_valid():
            try:
                services.territory_add(actor=request.user, partner=request.user.partner, **form.cleaned_data)
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                messages.success(request, _("Territory added."))
                return redirect("portal:sales_territories")
    return render(request, "portal/sales/territories.html", {
        "form": form, "territories": selectors.territories_of(request.user)})


@partner_required(admin=True)
def territory_remove(request: HttpRequest, territory_id: int) -> HttpResponse:
    territory = selectors.territory_get(request.user, territory_id)  # another partner's: 404 for any method
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    services.territory_remove(actor=request.user, territory=territory)
    messages.success(request, _("Territory removed."))
    return redirect("portal:sales_territories")


def contact_sales(request: HttpRequest) -> HttpResponse:
    """The public web form: a prospect asks to be contacted; the lead is routed to a partner at once."""
    form = LeadForm(request.POST or None, public=True)
    if request.method == "POST" and form.is_valid():
        address = request.META.get("REMOTE_ADDR", "")
        key = f"sales:web-form:{address}"
        if form.cleaned_data.pop("website"):
            return redirect("portal:sales_contact_thanks")  # a bot: pretend, keep nothing
        if cache.get(key, 0) >= WEB_FORM_LIMIT:
            form.add_error(None, _("Too many requests from your network; please try again later."))
        else:
            try:
                services.lead_create(actor=None, source=Lead.Source.WEB, **form.cleaned_data)
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                cache.set(key, cache.get(key, 0) + 1, 3600)
                return redirect("portal:sales_contact_thanks")
    return render(request, "portal/sales/contact.html", {"form": form})


def contact_thanks(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/sales/contact.html", {"thanks": True})


urlpatterns = [
    path("sales/deals/", deal_list, name="sales_deal_list"),
    path("sales/deals/register/", deal_register, name="sales_deal_register"),
    path("sales/deals/<int:deal_id>/", deal_detail, name="sales_deal"),
    path("sales/leads/", lead_list, name="sales_lead_list"),
    path("sales/leads/<int:offer_id>/", lead_detail, name="sales_lead"),
    path("sales/territories/", territories, name="sales_territories"),
    path("sales/territories/<int:territory_id>/remove/", territory_remove, name="sales_territory_remove"),
    path("sales/contact/", contact_sales, name="sales_contact"),
    path("sales/contact/thanks/", contact_thanks, name="sales_contact_thanks"),
]
