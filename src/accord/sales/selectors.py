"""Every read in sales, scoped to the caller: partner people see their own deals and offers, nothing else."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from accord.partners.counts import count_many, count_rows_by
from accord.partners.models import Partner, User
from accord.sales.models import (
    Certification,
    Deal,
    DealEvent,
    DealRequest,
    Lead,
    LeadEvent,
    LeadOffer,
    RoutingProfile,
    SalesSettings,
    Territory,
)
from accord.sales.names import normalise


def _vendor_only(user: User) -> None:
    if not (user.is_authenticated and user.is_active and user.is_vendor):
        raise Http404


def deals_visible_to(user: User) -> QuerySet[Deal]:
    if not user.is_authenticated or not user.is_active:
        return Deal.objects.none()
    if user.partner_id is not None:
        return Deal.objects.filter(partner_id=user.partner_id) if user.is_partner_user else Deal.objects.none()
    return Deal.objects.all() if user.is_vendor else Deal.objects.none()


def deal_list(user: User, *, status: str = "", search: str = "", partner=None) -> QuerySet[Deal]:
    deals = deals_visible_to(user).select_related("partner", "registered_by")
    if status == "open":
        deals = deals.filter(status__in=Deal.OPEN_STATUSES)
    elif status:
        deals = deals.filter(status=status)
    if partner:
        deals = deals.filter(partner_id=partner)
    if search:
        # On PostgreSQL the trigram index on company_norm serves this LIKE; numbers match exactly.
        deals = deals.filter(Q(company_norm__icontains=normalise(search).text) | Q(number__iexact=search.strip())
                             | Q(company_name__icontains=search.strip()))
    return deals


def deal_get(user: User, deal_id) -> Deal:
    try:
        return (deals_visible_to(user).select_related("partner", "registered_by", "industry", "decided_by", "lead",
                                                      "conflict_with")
                .prefetch_related("products").get(pk=deal_id))
    except (Deal.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def deal_history(user: User, deal: Deal) -> QuerySet[DealEvent]:
    deal_get(user, deal.pk)
    return deal.history.select_related("actor")


def deal_requests(user: User, deal: Deal) -> QuerySet[DealRequest]:
    deal_get(user, deal.pk)
    return deal.requests.select_related("requested_by", "decided_by")


@dataclass(frozen=True)
class ConflictForPartner:
    """What a partner may learn about the registration that blocks theirs: when, and whose kind it is."""

    registered_on: datetime.date
    owner_type: str  # "vendor", "same_partner" or "partner"
    number: str  # only for the partner's own registrations


def conflict_for_partner(user: User, deal: Deal) -> ConflictForPartner | None:
    """The conflicting registration as far as the partner may see it: never another partner's name or data."""
    deal_get(user, deal.pk)
    return conflict_view(deal)


def conflict_view(deal: Deal) -> ConflictForPartner | None:
    """The partner-safe view of `deal.conflict_with` (select_related it for lists); the caller checked access."""
    if deal.conflict_with_id is None:
        return None
    other = deal.conflict_with
    if other is None:
        return None
    if other.partner_id is None:
        owner = "vendor"
    elif other.partner_id == deal.partner_id:
        owner = "same_partner"
    else:
        owner = "partner"
    return ConflictForPartner(registered_on=timezone.localdate(other.registered_at), owner_type=owner,
                              number=other.number if owner == "same_partner" else "")


def conflict_candidates(user: User, deal: Deal) -> list[dict]:
    """For vendor staff: the ranked candidates stored at submission, joined with the deals they name."""
    _vendor_only(user)
    ids = [c["deal_id"] for c in deal.conflicts]
    others = {d.pk: d for d in Deal.objects.filter(pk__in=ids).select_related("partner")}
    return [{**c, "deal": others.get(c["deal_id"])} for c in deal.conflicts]


def review_queue(user: User) -> QuerySet[Deal]:
    """Registrations a person must decide: uncertain matches first, then plain approvals, oldest first."""
    _vendor_only(user)
    return (Deal.objects.filter(status__in=[Deal.Status.REVIEW, Deal.Status.SUBMITTED])
            .select_related("partner", "registered_by").order_by("-status", "registered_at"))


def open_requests(user: User, kind: str = "") -> QuerySet[DealRequest]:
    _vendor_only(user)
    requests = DealRequest.objects.filter(status=DealRequest.Status.OPEN).select_related(
        "deal", "deal__partner", "requested_by")
    return requests.filter(kind=kind) if kind else requests


def request_get(user: User, request_id) -> DealRequest:
    _vendor_only(user)
    try:
        return DealRequest.objects.select_related("deal", "deal__partner").get(pk=request_id)
    except (DealRequest.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


# --- leads -----------------------------------------------------------------------------------------------------

def offers_for_partner(user: User, *, status: str = "") -> QuerySet[LeadOffer]:
    """A partner's leads: every offer made to it, the lead's current state alongside."""
    if not (user.is_authenticated and user.is_active and user.partner_id and user.is_partner_user):
        return LeadOffer.objects.none()
    offers = LeadOffer.objects.filter(partner_id=user.partner_id).select_related("lead", "lead__industry")
    return offers.filter(status=status) if status else offers


def offer_get(user: User, offer_id) -> LeadOffer:
    try:
        return offers_for_partner(user).prefetch_related("lead__products").get(pk=offer_id)
    except (LeadOffer.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def lead_list(user: User, *, status: str = "", search: str = "", source: str = "") -> QuerySet[Lead]:
    _vendor_only(user)
    leads = Lead.objects.select_related("partner", "industry")
    if status:
        leads = leads.filter(status=status)
    if source:
        leads = leads.filter(source=source)
    if search:
        leads = leads.filter(Q(company_name__icontains=search) | Q(number__iexact=search.strip())
                             | Q(contact_email__icontains=search))
    return leads


def lead_get(user: User, lead_id) -> Lead:
    _vendor_only(user)
    try:
        return (Lead.objects.select_related("partner", "industry", "created_by")
                .prefetch_related("products", "specialisations",
                                  Prefetch("offers", LeadOffer.objects.select_related("partner", "routed_by")))
                .get(pk=lead_id))
    except (Lead.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def lead_history(lead: Lead) -> list[dict]:
    """Each state the lead passed through and how long it stayed there (the last one: until now)."""
    events = list(LeadEvent.objects.filter(lead=lead).select_related("partner", "actor").order_by("at", "id"))
    now = timezone.now()
    rows = []
    for i, event in enumerate(events):
        until = events[i + 1].at if i + 1 < len(events) else now
        rows.append({"event": event, "duration": until - event.at})
    return rows


def lead_funnel(user: User) -> list[dict]:
    """Where leads stall: per state, how many leads are there now and their median time in that state."""
    _vendor_only(user)
    counts = dict(Lead.objects.order_by().values_list("status").annotate(n=Count("pk")))
    now = timezone.now()
    rows = []
    for value, label in Lead.Status.choices:
        since = list(Lead.objects.filter(status=value, status_changed_at__isnull=False)
                     .order_by("status_changed_at").values_list("status_changed_at", flat=True)[:2001])
        median = (now - since[len(since) // 2]) if since else None
        rows.append({"status": value, "label": label, "count": counts.get(value, 0), "median_age": median})
    return rows


def pipeline_for_partner(user: User) -> dict:
    """A partner's own pipeline: open offers waiting, leads being worked, deals by status with their value."""
    if not (user.is_authenticated and user.partner_id):
        return {}
    counts = count_rows_by(Deal, "status", partner_id=user.partner_id)
    deals = [{"status": value, "label": label, "n": counts[value]} for value, label in Deal.Status.choices
             if counts.get(value)]
    waiting = count_many(offers_waiting=(LeadOffer, {"partner_id": user.partner_id,
                                                     "status": LeadOffer.Status.PENDING}),
                         leads_working=(Lead, {"partner_id": user.partner_id, "status": Lead.Status.ACCEPTED}))
    return {"deals": deals, **waiting}


# --- routing configuration --------------------------------------------------------------------------------------

def sales_settings(user: User) -> SalesSettings:
    _vendor_only(user)
    return SalesSettings.current()


def partner_routing(user: User, partner: Partner) -> dict:
    """The routing side of a partner for the console's partner page: capacity, territories, certifications."""
    _vendor_only(user)
    profile = RoutingProfile.objects.filter(partner=partner).first()
    return {
        "profile": profile,
        "capacity": profile.capacity if profile else SalesSettings.current().default_capacity,
        "territories": list(Territory.objects.filter(partner=partner)),
        "certifications": list(Certification.objects.filter(partner=partner).select_related("product")),
        "open_leads": Lead.objects.filter(partner=partner, status__in=Lead.OPEN_STATUSES).count(),
        "deals": Deal.objects.filter(partner=partner).order_by().values("status").annotate(n=Count("pk")),
        "products": _products_for_certification(),
    }


def _products_for_certification():
    from accord.commerce.models import Product

    return Product.objects.exclude(lifecycle="end_of_life").order_by("name").only("id", "name")


def territories_of(user: User) -> QuerySet[Territory]:
    if not (user.is_authenticated and user.partner_id):
        return Territory.objects.none()
    return Territory.objects.filter(partner_id=user.partner_id)


def territory_get(user: User, territory_id) -> Territory:
    territories = Territory.objects.all() if user.is_vendor else territories_of(user)
    try:
        return territories.get(pk=territory_id)
    except (Territory.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def console_summary(user: User) -> dict:
    """The sales card on the console dashboard: what waits for a person."""
    _vendor_only(user)
    return {
        "review": Deal.objects.filter(status=Deal.Status.REVIEW).count(),
        "submitted": Deal.objects.filter(status=Deal.Status.SUBMITTED).count(),
        "requests": DealRequest.objects.filter(status=DealRequest.Status.OPEN).count(),
        "unrouted": Lead.objects.filter(status__in=[Lead.Status.UNROUTED, Lead.Status.NEW]).count(),
        "offers_waiting": LeadOffer.objects.filter(status=LeadOffer.Status.PENDING).count(),
    }


def products_by_ids(ids: list[int]) -> list:
    """Products named by id in an API request; unknown ids are a field error."""
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    from accord.commerce.models import Product

    products = list(Product.objects.filter(pk__in=ids))
    missing = sorted(set(ids) - {p.pk for p in products})
    if missing:
        raise ValidationError({"product_ids": [_("Unknown product id: %(ids)s.")
                                               % {"ids": ", ".join(map(str, missing))}]})
    return products


def industry_by_code(code: str | None):
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    from accord.partners.models import Industry

    if not code:
        return None
    industry = Industry.objects.filter(code=code).first()
    if industry is None:
        raise ValidationError({"industry": [_("Unknown industry “%(value)s”.") % {"value": code}]})
    return industry


def specialisations_by_codes(codes: list[str]) -> list:
    from accord.partners.models import Specialisation

    return list(Specialisation.objects.filter(code__in=codes))
