"""REST endpoints for sales: deal registration with its verdict, appeals, approvals, leads and their routing.

Partner tokens see their own deals and lead offers; vendor tokens see everything and decide. Another partner's
object is a 404. Bad input is a 422 naming the field (the common error body of api/errors.py).
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.http import Http404, HttpRequest
from ninja import Field, File, Router, Schema, Status
from ninja.files import UploadedFile

from accord.api.errors import Error
from accord.partners import selectors as partner_selectors
from accord.sales import selectors, services
from accord.sales.models import Deal, DealRequest, Lead, LeadOffer, SalesSettings

router = Router(tags=["sales"])
LIST_LIMIT = 100


class ConflictOut(Schema):
    registered_on: datetime.date
    owner_type: str = Field(description="vendor, same_partner or partner; another partner is never named")
    number: str = ""


class DealOut(Schema):
    id: int
    number: str
    partner_id: int | None
    company_name: str
    company_country: str
    company_city: str
    company_domain: str
    company_tax_id: str
    value: Decimal
    currency: str
    expected_close_date: datetime.date
    stage: str
    status: str
    verdict: str
    protected_until: datetime.date | None
    decision_reason: str
    close_reason: str
    registered_at: datetime.datetime
    product_ids: list[int]
    conflict: ConflictOut | None = None
    candidates: list[dict] | None = Field(None, description="vendor staff only: the matcher's ranked candidates")


def _deal_out(request: HttpRequest, deal: Deal) -> dict:
    """A deal as its caller may see it: vendor staff get the matcher's candidates, partners the bare conflict."""
    data = {name: getattr(deal, name) for name in DealOut.model_fields if hasattr(deal, name)}
    data["product_ids"] = [p.pk for p in deal.products.all()]
    if request.user.is_vendor:
        data["candidates"] = deal.conflicts
        data["conflict"] = None
    else:
        conflict = selectors.conflict_view(deal)
        data["conflict"] = conflict.__dict__ if conflict else None
    return data


class DealIn(Schema):
    company_name: str = ""
    company_country: str = ""
    company_city: str = ""
    company_domain: str = ""
    company_tax_id: str = ""
    industry: str | None = Field(None, description="industry code")
    contact_name: str = ""
    contact_email: str = ""
    contact_phone: str = ""
    product_ids: list[int] = []
    value: str = Field("", description="estimated value, e.g. \"25000.00\"")
    currency: str = ""
    expected_close_date: str = Field("", description="YYYY-MM-DD")
    stage: str = Deal.Stage.QUALIFICATION
    notes: str = ""


class ReasonIn(Schema):
    reason: str = ""


class StageIn(Schema):
    stage: str


class CloseIn(Schema):
    won: bool
    reason: str = ""


class ExtensionIn(Schema):
    days: int
    reason: str = ""


class DecisionIn(Schema):
    grant: bool
    reason: str = ""


class RequestOut(Schema):
    id: int
    deal_id: int
    kind: str
    status: str
    reason: str
    days: int | None
    requested_at: datetime.datetime
    decision_reason: str


@router.get("/deals", response=list[DealOut], summary="Deal registrations visible to the caller")
def deal_list(request: HttpRequest, status: str = "", search: str = "", offset: int = 0, limit: int = LIST_LIMIT):
    deals = (selectors.deal_list(request.user, status=status, search=search).select_related("conflict_with")
             .prefetch_related("products"))
    return [_deal_out(request, d) for d in deals[max(offset, 0):max(offset, 0) + min(max(limit, 1), LIST_LIMIT)]]


@router.post("/deals", response={201: DealOut, 422: Error}, summary="Register a deal; the verdict comes back at once")
def deal_register(request: HttpRequest, payload: DealIn):
    data = payload.dict()
    products = selectors.products_by_ids(data.pop("product_ids"))
    industry = selectors.industry_by_code(data.pop("industry"))
    if not (request.user.is_partner_user or request.user.is_vendor):
        raise Http404
    deal = services.deal_register(actor=request.user, products=products, industry=industry, **data)
    return Status(201, _deal_out(request, selectors.deal_get(request.user, deal.pk)))


@router.get("/deals/{deal_id}", response={200: DealOut, 404: Error})
def deal_get(request: HttpRequest, deal_id: int):
    return _deal_out(request, selectors.deal_get(request.user, deal_id))


@router.post("/deals/{deal_id}/stage", response={200: DealOut, 404: Error, 422: Error})
def deal_stage(request: HttpRequest, deal_id: int, payload: StageIn):
    deal = services.deal_update_stage(actor=request.user, deal=selectors.deal_get(request.user, deal_id),
                                      stage=payload.stage)
    return _deal_out(request, selectors.deal_get(request.user, deal.pk))


@router.post("/deals/{deal_id}/close", response={200: DealOut, 404: Error, 422: Error}, summary="Won or lost")
def deal_close(request: HttpRequest, deal_id: int, payload: CloseIn):
    deal = services.deal_close(actor=request.user, deal=selectors.deal_get(request.user, deal_id), won=payload.won,
                               reason=payload.reason)
    return _deal_out(request, selectors.deal_get(request.user, deal.pk))


@router.post("/deals/{deal_id}/appeal", response={201: RequestOut, 404: Error, 422: Error})
def deal_appeal(request: HttpRequest, deal_id: int, payload: ReasonIn):
    request_ = services.deal_appeal(actor=request.user, deal=selectors.deal_get(request.user, deal_id),
                                    reason=payload.reason)
    return Status(201, request_)


@router.post("/deals/{deal_id}/extension", response={201: RequestOut, 404: Error, 422: Error})
def deal_extension(request: HttpRequest, deal_id: int, payload: ExtensionIn):
    request_ = services.deal_request_extension(actor=request.user, deal=selectors.deal_get(request.user, deal_id),
                                               days=payload.days, reason=payload.reason)
    return Status(201, request_)


@router.post("/deals/{deal_id}/approve", response={200: DealOut, 404: Error, 422: Error}, summary="Vendor staff")
def deal_approve(request: HttpRequest, deal_id: int, payload: ReasonIn):
    deal = services.deal_approve(actor=request.user, deal=selectors.deal_get(request.user, deal_id),
                                 reason=payload.reason)
    return _deal_out(request, selectors.deal_get(request.user, deal.pk))


@router.post("/deals/{deal_id}/reject", response={200: DealOut, 404: Error, 422: Error}, summary="Vendor staff")
def deal_reject(request: HttpRequest, deal_id: int, payload: ReasonIn):
    deal = services.deal_reject(actor=request.user, deal=selectors.deal_get(request.user, deal_id),
                                reason=payload.reason)
    return _deal_out(request, selectors.deal_get(request.user, deal.pk))


@router.get("/deal-requests", response=list[RequestOut], summary="Open appeals and extension requests (vendor)")
def request_list(request: HttpRequest, kind: str = ""):
    return list(selectors.open_requests(request.user, kind=kind)[:LIST_LIMIT])


@router.post("/deal-requests/{request_id}/decide", response={200: RequestOut, 404: Error, 422: Error})
def request_decide(request: HttpRequest, request_id: int, payload: DecisionIn):
    item: DealRequest = selectors.request_get(request.user, request_id)
    return services.deal_request_decide(actor=request.user, request=item, grant=payload.grant,
                                        reason=payload.reason)


# --- leads -----------------------------------------------------------------------------------------------------

class LeadIn(Schema):
    company_name: str = ""
    country: str = ""
    city: str = ""
    industry: str | None = Field(None, description="industry code")
    size: str = ""
    product_ids: list[int] = []
    specialisations: list[str] = Field([], description="specialisation codes")
    contact_name: str = ""
    contact_email: str = ""
    contact_phone: str = ""
    message: str = ""
    route: bool = True


class OfferOut(Schema):
    id: int
    lead_id: int
    partner_id: int
    status: str
    score: float
    offered_at: datetime.datetime
    deadline: datetime.datetime
    responded_at: datetime.datetime | None
    decline_reason: str


class LeadOut(Schema):
    id: int
    number: str
    source: str
    status: str
    company_name: str
    country: str
    city: str
    latitude: float | None
    longitude: float | None
    industry_id: int | None
    size: str
    contact_name: str
    contact_email: str
    partner_id: int | None
    routing_attempts: int
    created_at: datetime.datetime


class LeadDetailOut(LeadOut):
    offers: list[dict] = Field(description="each routing decision with its explanation")


class PartnerLeadOut(Schema):
    offer: OfferOut
    lead_number: str
    company_name: str
    country: str
    city: str
    contact_name: str | None = Field(None, description="shown while the lead is offered to or worked by you")
    contact_email: str | None = None
    lead_status: str | None = None


class AssignIn(Schema):
    partner_id: int


class ConvertIn(Schema):
    value: str
    expected_close_date: str
    currency: str = ""
    stage: str = Deal.Stage.QUALIFICATION
    company_domain: str = ""
    company_tax_id: str = ""


@router.get("/leads", response=list[LeadOut], summary="Every lead (vendor staff)")
def lead_list(request: HttpRequest, status: str = "", search: str = "", offset: int = 0, limit: int = LIST_LIMIT):
    leads = selectors.lead_list(request.user, status=status, search=search)
    return list(leads[max(offset, 0):max(offset, 0) + min(max(limit, 1), LIST_LIMIT)])


@router.post("/leads", response={201: LeadDetailOut, 404: Error, 422: Error}, summary="Create a lead and route it")
def lead_create(request: HttpRequest, payload: LeadIn):
    data = payload.dict()
    route = data.pop("route")
    products = selectors.products_by_ids(data.pop("product_ids"))
    industry = selectors.industry_by_code(data.pop("industry"))
    specialisations = selectors.specialisations_by_codes(data.pop("specialisations"))
    lead = services.lead_create(actor=request.user, source=Lead.Source.API, route=route, products=products,
                                industry=industry, specialisations=specialisations, **data)
    return Status(201, _lead_detail(request, lead.pk))


def _lead_detail(request: HttpRequest, lead_id: int) -> dict:
    lead = selectors.lead_get(request.user, lead_id)
    data = {name: getattr(lead, name) for name in LeadOut.model_fields}
    data["offers"] = [{"id": o.pk, "partner_id": o.partner_id, "status": o.status, "score": o.score,
                       "deadline": o.deadline, "explanation": o.explanation, "decline_reason": o.decline_reason}
                      for o in lead.offers.all()]
    return data


@router.get("/leads/{lead_id}", response={200: LeadDetailOut, 404: Error})
def lead_get(request: HttpRequest, lead_id: int):
    return _lead_detail(request, lead_id)


@router.post("/leads/{lead_id}/route", response={200: LeadDetailOut, 404: Error, 422: Error},
             summary="Route to the best partner, or to `partner_id` when given")
def lead_route(request: HttpRequest, lead_id: int, payload: AssignIn | None = None):
    lead = selectors.lead_get(request.user, lead_id)
    if payload is not None:
        partner = partner_selectors.partner_get(request.user, payload.partner_id)
        services.lead_assign(actor=request.user, lead=lead, partner=partner)
    else:
        services.lead_route(lead=lead, actor=request.user)
    return _lead_detail(request, lead_id)


@router.post("/leads/import", response={201: list[LeadOut], 422: Error}, summary="CSV import, all or nothing")
def lead_import(request: HttpRequest, file: UploadedFile = File(...)):  # noqa: B008 -- ninja's declaration style
    return Status(201, services.leads_import_csv(actor=request.user, file=file))


def _partner_lead(offer: LeadOffer, user) -> dict:
    current = offer.lead.partner_id == user.partner_id and offer.status in (LeadOffer.Status.PENDING,
                                                                            LeadOffer.Status.ACCEPTED)
    lead = offer.lead
    return {"offer": offer, "lead_number": lead.number, "company_name": lead.company_name, "country": lead.country,
            "city": lead.city, "contact_name": lead.contact_name if current else None,
            "contact_email": lead.contact_email if current else None,
            "lead_status": lead.status if lead.partner_id == user.partner_id else None}


@router.get("/lead-offers", response=list[PartnerLeadOut], summary="Leads offered to the caller's organisation")
def offer_list(request: HttpRequest, status: str = ""):
    offers = selectors.offers_for_partner(request.user, status=status)[:LIST_LIMIT]
    return [_partner_lead(o, request.user) for o in offers]


@router.get("/lead-offers/{offer_id}", response={200: PartnerLeadOut, 404: Error})
def offer_get(request: HttpRequest, offer_id: int):
    return _partner_lead(selectors.offer_get(request.user, offer_id), request.user)


@router.post("/lead-offers/{offer_id}/accept", response={200: PartnerLeadOut, 404: Error, 422: Error})
def offer_accept(request: HttpRequest, offer_id: int):
    services.lead_accept(actor=request.user, offer=selectors.offer_get(request.user, offer_id))
    return _partner_lead(selectors.offer_get(request.user, offer_id), request.user)


@router.post("/lead-offers/{offer_id}/decline", response={200: PartnerLeadOut, 404: Error, 422: Error})
def offer_decline(request: HttpRequest, offer_id: int, payload: ReasonIn):
    services.lead_decline(actor=request.user, offer=selectors.offer_get(request.user, offer_id),
                          reason=payload.reason)
    return _partner_lead(selectors.offer_get(request.user, offer_id), request.user)


@router.post("/lead-offers/{offer_id}/convert", response={201: DealOut, 404: Error, 422: Error},
             summary="Turn an accepted lead into a protected deal")
def offer_convert(request: HttpRequest, offer_id: int, payload: ConvertIn):
    offer = selectors.offer_get(request.user, offer_id)
    deal = services.lead_convert(actor=request.user, lead=offer.lead, **payload.dict())
    return Status(201, _deal_out(request, selectors.deal_get(request.user, deal.pk)))


# --- settings ----------------------------------------------------------------------------------------------------

class SettingsOut(Schema):
    protection_days: int
    extension_days: int
    duplicate_threshold: int
    review_threshold: int
    match_window_days: int
    acceptance_hours: int
    max_routing_attempts: int
    default_capacity: int
    working_day_start: int
    working_day_end: int
    weight_industry: float
    weight_geography: float
    weight_territory: float
    weight_specialisation: float
    weight_certification: float
    weight_performance: float
    weight_tier: float
    weight_load: float
    weight_fairness: float


class SettingsPatch(Schema):
    protection_days: int | None = None
    extension_days: int | None = None
    duplicate_threshold: int | None = None
    review_threshold: int | None = None
    match_window_days: int | None = None
    acceptance_hours: int | None = None
    max_routing_attempts: int | None = None
    default_capacity: int | None = None
    working_day_start: int | None = None
    working_day_end: int | None = None
    weight_industry: float | None = None
    weight_geography: float | None = None
    weight_territory: float | None = None
    weight_specialisation: float | None = None
    weight_certification: float | None = None
    weight_performance: float | None = None
    weight_tier: float | None = None
    weight_load: float | None = None
    weight_fairness: float | None = None


@router.get("/sales/settings", response={200: SettingsOut, 404: Error}, summary="Routing and matching settings")
def settings_get(request: HttpRequest) -> SalesSettings:
    return selectors.sales_settings(request.user)


@router.patch("/sales/settings", response={200: SettingsOut, 404: Error, 422: Error})
def settings_update(request: HttpRequest, payload: SettingsPatch) -> SalesSettings:
    return services.sales_settings_update(actor=request.user, data=payload.dict(exclude_none=True))
