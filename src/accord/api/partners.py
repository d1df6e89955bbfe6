"""REST endpoints for partners core: partners, contacts, tiers, segments and applications.

Every read goes through `accord.partners.selectors`, so a token or session of a partner user sees
exactly what that user sees in the portal; objects of other partners answer 404.
"""

from __future__ import annotations

import copy
import datetime
import re
from decimal import Decimal
from typing import Literal

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.throttling import AnonRateThrottle
from pydantic import ConfigDict

from accord.api.errors import Error
from accord.api.pagination import Page, Paging, page_response, paginate, paginate_prepared
from accord.partners import selectors, services
from accord.partners.geography import country_currency, country_time_zone
from accord.partners.models import Application, Industry, Partner, Specialisation, User
from accord.partners.prepared import PreparedQuery
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
        return _codes(partner, "industries")

    @staticmethod
    def resolve_specialisations(partner: Partner) -> list[str]:
        return _codes(partner, "specialisations")

    @staticmethod
    def resolve_tier(partner: Partner) -> str | None:
        return partner.tier.code if partner.tier_id else None


def _codes(partner: Partner, relation: str) -> list[str]:
    return [item.code for item in getattr(partner, relation).all()]


PARTNER_FIELDS = list(PartnerOut.model_fields)
PARTNER_COLUMNS = [name for name in PARTNER_FIELDS
                   if name not in {"industries", "specialisations", "tier", "channel_manager"}]
MANAGER_COLUMNS = ["channel_manager_id", "channel_manager__first_name", "channel_manager__last_name",
                   "channel_manager__email", "channel_manager__phone"]


def partner_items(rows: list[dict]) -> list[dict]:
    """A page of partners as `PartnerOut` items, built from plain rows without model instances.

    Validating ORM objects wraps every attribute read in ninja's DjangoGetter, which cost most of a list
    request; the rows already hold exactly the values that validation would produce, so the items only
    need the computed fields, in the schema's field order.
    """
    codes = selectors.partner_codes([row["id"] for row in rows])
    items = []
    for row in rows:
        manager_id, first_name, last_name, email, phone = (row[column] for column in MANAGER_COLUMNS)
        row["channel_manager"] = None if manager_id is None else {
            "id": manager_id, "name": f"{first_name} {last_name}".strip() or email, "email": email, "phone": phone}
        row["tier"] = row["tier__code"]
        row["industries"] = codes["industries"].get(row["id"], [])
        row["specialisations"] = codes["specialisations"].get(row["id"], [])
        items.append({name: row[name] for name in PARTNER_FIELDS})
    return items


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


def _resolve_program(data: dict, errors: dict) -> None:
    """Replace a tier code and a channel manager id in `data` by the objects, or note field errors."""
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
    _resolve_program(data, errors)
    if not partial:
        data = {name: value for name, value in data.items() if value is not None}  # unset: the model default
        data.setdefault("time_zone", country_time_zone(data["country"].strip()))
        data.setdefault("currency", country_currency(data["country"].strip()))
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


def _partner_out(user: User, partner_id: int) -> Partner:
    return selectors.partner_list(user).prefetch_related("industries", "specialisations").filter(
        pk=partner_id).get()


PARTNER_PAGE = PreparedQuery(
    lambda *, offset, limit, **arguments: selectors.ordered_partner_list(**arguments).values(
        *PARTNER_COLUMNS, "tier__code", *MANAGER_COLUMNS)[offset:offset + limit],
    values={"partner_id", "search", "segment", "tier", "country", "status"})
PARTNER_COUNT = PreparedQuery(selectors.ordered_partner_list, values=PARTNER_PAGE.value_names)


@router.get("/partners", response={200: Page[PartnerOut], **ERRORS}, summary="List partners")
def partner_list(request: HttpRequest, filters: Query[PartnerFilters], paging: Query[Paging]):
    """Vendor staff see every partner; a partner user sees only its own organisation."""
    scope = selectors.scope_of(request.user)
    page = paginate_prepared(PARTNER_PAGE, PARTNER_COUNT, paging, scope=scope.kind, partner_id=scope.partner_id,
                             search=filters.search, segment=filters.segment_id, tier=filters.tier,
                             country=filters.country.upper(), status=filters.status.value if filters.status else "",
                             ordering=(filters.ordering, "pk"))
    page["items"] = partner_items(page["items"])
    return page_response(request, page)


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


# --- contacts: a partner's people ---------------------------------------------------------------

class ContactOut(Schema):
    id: int
    partner_id: int
    email: str
    first_name: str
    last_name: str
    phone: str
    job_title: str
    language: str
    role: Literal["partner_admin", "partner_user"] | None
    is_active: bool
    last_login: datetime.datetime | None
    date_joined: datetime.datetime

    @staticmethod
    def resolve_role(user: User) -> str | None:
        if Role.PARTNER_ADMIN in user.roles:
            return Role.PARTNER_ADMIN.value
        return Role.PARTNER_USER.value if Role.PARTNER_USER in user.roles else None


class ContactFilters(Schema):
    partner_id: int | None = Field(None, description="Only this partner's people (vendor staff).")
    search: str = Field("", description="Part of the name or e-mail address.")
    is_active: bool | None = None
    ordering: Literal["name", "-name", "email", "-email", "date_joined", "-date_joined", "last_login",
                      "-last_login"] = Field("name", description="By name (within each partner) unless set.")


CONTACT_ORDERING = {"name": ("partner_id", "last_name", "first_name"), "email": ("email",),
                    "date_joined": ("date_joined",), "last_login": ("last_login",)}


class ContactInvite(Input):
    partner_id: int | None = Field(None, description="Required for vendor staff; a partner admin invites to its own.")
    email: str = Field(max_length=254)
    first_name: str = Field("", max_length=150)
    last_name: str = Field("", max_length=150)
    phone: str = Field("", max_length=40)
    job_title: str = Field("", max_length=120)
    language: Literal["en", "ru", "pl", "id", ""] = ""
    role: Literal["partner_admin", "partner_user"] = "partner_user"


def _contacts(scope: selectors.Scope) -> QuerySet[User]:
    """Partner people (not vendor staff) within the scope."""
    return selectors.users_in(scope).filter(partner__isnull=False)


def _contact_list(*, scope: str, partner_id: int | None, partner: int | None, search: str, is_active: bool | None,
                  ordering: str) -> QuerySet[User]:
    contacts = _contacts(selectors.Scope(scope, partner_id))
    if partner is not None:
        contacts = contacts.filter(partner_id=partner)
    if search:
        contacts = contacts.filter(Q(email__icontains=search) | Q(first_name__icontains=search)
                                   | Q(last_name__icontains=search))
    if is_active is not None:
        contacts = contacts.filter(is_active=is_active)
    key = ordering.removeprefix("-")
    return contacts.order_by(*[f"-{name}" if ordering.startswith("-") else name for name in CONTACT_ORDERING[key]],
                             "pk")


CONTACT_PAGE = PreparedQuery(
    lambda *, offset, limit, **arguments: _contact_list(**arguments).values(*CONTACT_COLUMNS)[offset:offset + limit],
    values={"partner_id", "partner", "search"})
CONTACT_COUNT = PreparedQuery(_contact_list, values=CONTACT_PAGE.value_names)


def with_roles(people: list[User]) -> list[User]:
    """Fill each person's roles from one narrow query instead of prefetching group objects."""
    names: dict[int, set[str]] = {person.pk: set() for person in people}
    rows = User.groups.through.objects.filter(user_id__in=names).values_list("user_id", "group__name")
    for user_id, name in rows:
        names[user_id].add(name)
    for person in people:
        person.__dict__["roles"] = frozenset(Role(n) for n in names[person.pk] if n in Role._value2member_map_)
    return people


CONTACT_FIELDS = list(ContactOut.model_fields)
CONTACT_COLUMNS = [name for name in CONTACT_FIELDS if name != "role"]


def contact_items(rows: list[dict]) -> list[dict]:
    """A page of contacts as `ContactOut` items, built from plain rows without model instances."""
    names = selectors.group_names([row["id"] for row in rows])
    for row in rows:
        row["role"] = _contact_role(names.get(row["id"], []))
    return [{name: row[name] for name in CONTACT_FIELDS} for row in rows]


def _contact_role(group_names: list[str]) -> str | None:
    """As `ContactOut.resolve_role`: a partner admin is reported as such even if also a partner user."""
    for role in (Role.PARTNER_ADMIN, Role.PARTNER_USER):
        if role.value in group_names:
            return role.value
    return None


def _contact_get(user: User, contact_id: int) -> User:
    contact = _contacts(selectors.scope_of(user)).filter(pk=contact_id).first()
    if contact is None:
        raise Http404
    return contact


@router.get("/contacts", response={200: Page[ContactOut], **ERRORS}, summary="List contacts")
def contact_list(request: HttpRequest, filters: Query[ContactFilters], paging: Query[Paging]):
    """A partner user sees its colleagues; vendor staff see every partner's people."""
    scope = selectors.scope_of(request.user)
    page = paginate_prepared(CONTACT_PAGE, CONTACT_COUNT, paging, scope=scope.kind, partner_id=scope.partner_id,
                             partner=filters.partner_id, search=filters.search, is_active=filters.is_active,
                             ordering=filters.ordering)
    page["items"] = contact_items(page["items"])
    return page_response(request, page)


@router.get("/contacts/{contact_id}", response={200: ContactOut, **ERRORS}, summary="Get a contact")
def contact_detail(request: HttpRequest, contact_id: int):
    return with_roles([_contact_get(request.user, contact_id)])[0]


@router.post("/contacts", response={201: ContactOut, **ERRORS}, summary="Invite a contact")
def contact_invite(request: HttpRequest, payload: ContactInvite):
    """Create a partner person and e-mail them a link to choose a password (as the portal's team page does)."""
    user = request.user
    if user.is_vendor:
        require_role(user, *PARTNER_EDITORS)
        if payload.partner_id is None:
            raise ValidationError({"partner_id": [_("Say which partner the person belongs to.")]})
        partner = selectors.partner_get(user, payload.partner_id)
    else:
        require_role(user, Role.PARTNER_ADMIN)
        partner = selectors.partner_get(user, payload.partner_id or user.partner_id)
    contact = services.user_invite(
        actor=user, partner=partner, email=payload.email, first_name=payload.first_name,
        last_name=payload.last_name, phone=payload.phone, job_title=payload.job_title, language=payload.language,
        role=Role(payload.role))
    return Status(201, with_roles([_contact_get(user, contact.pk)])[0])


@router.post("/contacts/{contact_id}/deactivate", response={200: ContactOut, **ERRORS},
             summary="Deactivate a contact")
def contact_deactivate(request: HttpRequest, contact_id: int):
    """The person can no longer sign in; never yourself, never a partner's last active admin."""
    contact = _contact_get(request.user, contact_id)
    services.user_deactivate(actor=request.user, user=contact)
    return with_roles([_contact_get(request.user, contact_id)])[0]


@router.post("/contacts/{contact_id}/reactivate", response={200: ContactOut, **ERRORS},
             summary="Reactivate a contact")
def contact_reactivate(request: HttpRequest, contact_id: int):
    """The person can sign in again with their old password."""
    contact = _contact_get(request.user, contact_id)
    services.user_reactivate(actor=request.user, user=contact)
    return with_roles([_contact_get(request.user, contact_id)])[0]


# --- applications: recruitment ------------------------------------------------------------------

class QuestionChoice(Schema):
    value: str
    label: str


class QuestionOut(Schema):
    id: int
    text: str
    help_text: str
    choices: list[QuestionChoice]


class ApplicationIn(Input):
    legal_name: str = Field(max_length=200)
    country: str = Field(max_length=2, description="ISO 3166 alpha-2 code.")
    region: str = Field("", max_length=120)
    street: str = Field("", max_length=200)
    city: str = Field("", max_length=120)
    postal_code: str = Field("", max_length=20)
    web_domain: str = Field("", max_length=200)
    tax_id: str = Field("", max_length=40)
    kind: Partner.Kind = Partner.Kind.RESELLER
    size: Partner.Size = Partner.Size.SMALL
    industries: list[str] = Field([], description="Industry codes.")
    specialisations: list[str] = Field([], description="Specialisation codes.")
    contact_first_name: str = Field(max_length=150)
    contact_last_name: str = Field(max_length=150)
    contact_email: str = Field(max_length=254)
    contact_phone: str = Field("", max_length=40)
    language: Literal["en", "ru", "pl", "id"] = "en"
    message: str = Field("", max_length=5000)
    answers: dict[str, str] = Field({}, description="Qualification question id -> chosen value.")


class ApplicationReceipt(Schema):
    id: int
    status: Application.Status
    submitted_at: datetime.datetime


class ApplicationOut(Schema):
    id: int
    status: Application.Status
    legal_name: str
    country: str
    region: str
    street: str
    city: str
    postal_code: str
    web_domain: str
    tax_id: str
    kind: Partner.Kind
    size: Partner.Size
    industries: list[str]
    specialisations: list[str]
    contact_first_name: str
    contact_last_name: str
    contact_email: str
    contact_phone: str
    language: str
    message: str
    answers: dict
    score: int = Field(description="Qualification score, 0–100.")
    submitted_at: datetime.datetime
    decided_at: datetime.datetime | None
    decided_by_id: int | None
    decision_reason: str
    partner_id: int | None

    @staticmethod
    def resolve_industries(application: Application) -> list[str]:
        return [industry.code for industry in application.industries.all()]

    @staticmethod
    def resolve_specialisations(application: Application) -> list[str]:
        return [specialisation.code for specialisation in application.specialisations.all()]


class ApplicationFilters(Schema):
    status: Application.Status | Literal[""] = Field(Application.Status.SUBMITTED,
                                                     description="Empty for every status.")


class ApplicationApproval(Input):
    tier: str | None = Field(None, description="Tier code for the new partner.")
    channel_manager_id: int | None = None


class ApplicationRejection(Input):
    reason: str = Field(description="Sent to the applicant.")


@router.get("/qualification-questions", response={200: list[QuestionOut], **ERRORS}, auth=None,
            summary="Questions of the application form")
def question_list(request: HttpRequest):
    """Public: what an application must answer, in the language of the request."""
    language = get_language()
    questions = []
    for question in selectors.qualification_questions():
        text, help_text, choices = question.localized(language)
        questions.append({"id": question.pk, "text": text, "help_text": help_text,
                          "choices": [{"value": value, "label": label} for value, label in choices]})
    return questions


@router.post("/applications", response={201: ApplicationReceipt, **ERRORS, 429: Error}, auth=None,
             throttle=[AnonRateThrottle("20/h")], summary="Apply to become a partner")
def application_submit(request: HttpRequest, payload: ApplicationIn):
    """Public, like the application form: validated per country, checked for duplicates, scored."""
    data = payload.model_dump()
    errors: dict[str, list[str]] = {}
    codes = [*data["industries"], *data["specialisations"]]
    industries = _resolve_codes(data.pop("industries"), _by_code(Industry, codes), "industries", errors)
    specialisations = _resolve_codes(data.pop("specialisations"), _by_code(Specialisation, codes),
                                     "specialisations", errors)
    answers = data.pop("answers")
    try:
        application = services.application_submit(answers=answers, industries=industries or (),
                                                  specialisations=specialisations or (), **data)
    except ValidationError as error:
        raise ValidationError({**_answers_as_fields(error), **errors}) from None
    if errors:
        raise ValidationError(errors)
    return Status(201, application)


def _answers_as_fields(error: ValidationError) -> dict[str, list[str]]:
    """The service names answers `question_<id>`; the API body has them under `answers.<id>`."""
    if not hasattr(error, "error_dict"):
        return {NON_FIELD_ERRORS: error.messages}
    return {re.sub(r"^question_(\d+)$", r"answers.\1", name): messages
            for name, messages in error.message_dict.items()}


@router.get("/applications", response={200: Page[ApplicationOut], **ERRORS}, summary="List applications")
def application_list(request: HttpRequest, filters: Query[ApplicationFilters], paging: Query[Paging]):
    """The review queue for vendor staff: open applications best-qualified first."""
    _require_vendor(request.user)
    applications = selectors.applications_for_review(request.user, status=filters.status)
    return paginate(applications.prefetch_related("industries", "specialisations"), paging)


@router.get("/applications/{application_id}", response={200: ApplicationOut, **ERRORS},
            summary="Get an application")
def application_detail(request: HttpRequest, application_id: int):
    return selectors.application_get(request.user, application_id)


@router.post("/applications/{application_id}/approve", response={200: ApplicationOut, **ERRORS},
             summary="Approve an application")
def application_approve(request: HttpRequest, application_id: int, payload: ApplicationApproval):
    """Creates the partner (onboarding) and invites the applicant as its first admin."""
    application = selectors.application_get(request.user, application_id)
    require_role(request.user, *PARTNER_EDITORS)
    data, errors = payload.model_dump(), {}
    _resolve_program(data, errors)
    if errors:
        raise ValidationError(errors)
    services.application_approve(actor=request.user, application=application, tier=data.get("tier"),
                                 channel_manager=data.get("channel_manager"))
    return selectors.application_get(request.user, application_id)


@router.post("/applications/{application_id}/reject", response={200: ApplicationOut, **ERRORS},
             summary="Reject an application")
def application_reject(request: HttpRequest, application_id: int, payload: ApplicationRejection):
    """The reason is e-mailed to the applicant in their language."""
    application = selectors.application_get(request.user, application_id)
    require_role(request.user, *PARTNER_EDITORS)
    services.application_reject(actor=request.user, application=application, reason=payload.reason)
    return selectors.application_get(request.user, application_id)
