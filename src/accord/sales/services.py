"""Every write in sales. Keyword-only, validated first, transactional, emitting events last.

Deal registration serialises on the settings row (`select_for_update`), so two partners registering the same
customer at the same moment cannot both be accepted (ADR 0031). Lead routing writes one `LeadOffer` per
decision with the explanation the console shows.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from accord.automation import api as automation
from accord.partners import validators
from accord.partners.models import Industry, Partner, Specialisation, User
from accord.partners.roles import Role
from accord.sales import geo, matching, routing
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

MAX_CLOSE_YEARS = 5
EXPIRING_NOTICE_DAYS = 14
CSV_COLUMNS = ("company_name", "country", "city", "industry", "products", "size", "contact_name", "contact_email",
               "contact_phone", "message")


def _require_vendor(actor: User | None, *roles: Role) -> None:
    if actor is None or not actor.is_vendor or (roles and not actor.has_role(Role.VENDOR_ADMIN, *roles)):
        raise Http404


def _require_partner(actor: User, partner_id: int | None) -> None:
    """The actor works for `partner_id`; anything else is a 404 so existence never leaks."""
    if actor is None or actor.partner_id is None or actor.partner_id != partner_id or not actor.is_partner_user:
        raise Http404


def _settings_locked() -> SalesSettings:
    """Lock the settings row: registrations and counter updates of the conflict index run one at a time."""
    current = SalesSettings.current()
    return SalesSettings.objects.select_for_update().get(pk=current.pk)


# --- deals ----------------------------------------------------------------------------------------------------

def _clean_deal_fields(*, company_name: str, company_country: str, company_domain: str, company_tax_id: str,
                       contact_email: str, value, currency: str, expected_close_date, stage: str,
                       today: datetime.date) -> tuple[dict, dict]:
    errors: dict[str, list[str]] = {}
    cleaned: dict = {}
    if not (company_name or "").strip():
        errors["company_name"] = [_("Enter the end customer's company name.")]
    cleaned["company_name"] = (company_name or "").strip()
    try:
        cleaned["company_country"] = validators.country_code(company_country)
    except ValidationError as error:
        errors["company_country"] = error.messages
    try:
        cleaned["company_domain"] = validators.normalize_domain(company_domain) if company_domain else ""
    except ValidationError as error:
        errors["company_domain"] = error.messages
    if "company_country" in cleaned:
        try:
            cleaned["company_tax_id"] = validators.normalize_tax_id(cleaned["company_country"], company_tax_id)
        except ValidationError as error:
            errors["company_tax_id"] = error.messages
    if contact_email:
        try:
            validate_email(contact_email)
        except ValidationError:
            errors["contact_email"] = [_("Enter a valid email address.")]
    try:
        amount = Decimal(str(value))
        if amount < 0 or not amount.is_finite():
            raise InvalidOperation
        cleaned["value"] = amount.quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError, TypeError):
        errors["value"] = [_("Enter the estimated value as a positive amount.")]
    cleaned["currency"] = (currency or "EUR").strip().upper()
    if len(cleaned["currency"]) != 3 or not cleaned["currency"].isalpha():
        errors["currency"] = [_("Use a three-letter currency code such as EUR.")]
    if isinstance(expected_close_date, str):
        try:
            expected_close_date = datetime.date.fromisoformat(expected_close_date)
        except ValueError:
            expected_close_date = None
    if not isinstance(expected_close_date, datetime.date):
        errors["expected_close_date"] = [_("Enter the expected close date.")]
    elif expected_close_date < today:
        errors["expected_close_date"] = [_("The expected close date cannot be in the past.")]
    elif expected_close_date > today.replace(year=today.year + MAX_CLOSE_YEARS):
        errors["expected_close_date"] = [
            _("The expected close date must be within %(years)d years.") % {"years": MAX_CLOSE_YEARS}]
    cleaned["expected_close_date"] = expected_close_date
    if stage not in Deal.Stage.values:
        errors["stage"] = [_("Choose a stage.")]
    cleaned["stage"] = stage
    return cleaned, errors


def _deal_history(deal: Deal, actor: User | None, note: str = "") -> None:
    DealEvent.objects.create(deal=deal, actor=actor, status=deal.status, stage=deal.stage, note=note)


@transaction.atomic
def deal_register(*, actor: User, company_name: str, company_country: str, value, expected_close_date,
                  stage: str = Deal.Stage.QUALIFICATION, currency: str = "", company_city: str = "",
                  company_domain: str = "", company_tax_id: str = "", contact_name: str = "",
                  contact_email: str = "", contact_phone: str = "", industry: Industry | None = None,
                  products: Iterable = (), notes: str = "", lead: Lead | None = None) -> Deal:
    """Register a deal and decide at once: accepted (awaiting approval), duplicate (rejected) or review.

    Partner users register for their own organisation; vendor staff register direct opportunities, which are
    approved at once unless they duplicate an open registration.
    """
    if actor.is_partner_user:
        partner = actor.partner
    elif actor.is_vendor:
        partner = None
    else:
        raise Http404
    today = timezone.localdate()
    cleaned, errors = _clean_deal_fields(
        company_name=company_name, company_country=company_country, company_domain=company_domain,
        company_tax_id=company_tax_id, contact_email=contact_email, value=value,
        currency=currency or (partner.currency if partner else "EUR"), expected_close_date=expected_close_date,
        stage=stage, today=today)
    products = list(products)
    if errors:
        raise ValidationError(errors)
    settings = _settings_locked()
    deal = Deal(partner=partner, registered_by=actor, company_city=(company_city or "").strip(),
                contact_name=contact_name.strip(), contact_email=contact_email.strip(),
                contact_phone=contact_phone.strip(), industry=industry, notes=notes, lead=lead, **cleaned)
    deal.company_norm = normalise(deal.company_name).text[:250]
    product_ids = [p.pk for p in products]
    thresholds = matching.Thresholds(settings.duplicate_threshold, settings.review_threshold,
                                     settings.match_window_days)
    conflicts = matching.find_conflicts(deal, product_ids=product_ids, thresholds=thresholds)
    deal.conflicts = [c.as_dict() for c in conflicts]
    top = conflicts[0] if conflicts else None
    if lead is not None:
        # A vendor lead the partner accepted is theirs to work: protected from the start, conflicts on record.
        deal.verdict = Deal.Verdict.REVIEW if top else Deal.Verdict.ACCEPTED
        deal.status = Deal.Status.APPROVED
    elif top and top.verdict == "duplicate":
        deal.verdict, deal.status = Deal.Verdict.DUPLICATE, Deal.Status.REJECTED
        deal.decision_reason = "duplicate"
    elif top:
        deal.verdict, deal.status = Deal.Verdict.REVIEW, Deal.Status.REVIEW
    else:
        deal.verdict = Deal.Verdict.ACCEPTED
        deal.status = Deal.Status.APPROVED if partner is None else Deal.Status.SUBMITTED
    if top:
        deal.conflict_with_id = top.deal_id
    if deal.status == Deal.Status.APPROVED:
        deal.protected_until = today + datetime.timedelta(days=settings.protection_days)
    deal.number = ""
    deal.save()
    deal.number = f"D-{deal.pk:06d}"
    deal.save(update_fields=["number"])
    if products:
        deal.products.set(products)
    matching.index_deal(deal, matching.registration_of(deal, product_ids))
    _deal_history(deal, actor)
    automation.emit("deal.registered", deal, partner=partner, actor=actor, verdict=deal.verdict,
                    score=top.score if top else None)
    if deal.status == Deal.Status.REJECTED:
        automation.emit("deal.rejected", deal, partner=partner, actor=actor, reason="duplicate")
    elif deal.status == Deal.Status.REVIEW:
        automation.emit("deal.review_requested", deal, partner=partner, actor=actor, score=top.score)
    elif deal.status == Deal.Status.APPROVED:
        automation.emit("deal.approved", deal, partner=partner, actor=actor)
    return deal


@transaction.atomic
def deal_approve(*, actor: User, deal: Deal, reason: str = "") -> Deal:
    """A channel manager approves a registration awaiting approval or review; protection starts today."""
    _require_vendor(actor, Role.CHANNEL_MANAGER)
    deal = Deal.objects.select_for_update().get(pk=deal.pk)
    if deal.status not in (Deal.Status.SUBMITTED, Deal.Status.REVIEW):
        raise ValidationError({"status": [_("Only registrations awaiting a decision can be approved.")]})
    settings = SalesSettings.current()
    deal.status = Deal.Status.APPROVED
    deal.protected_until = timezone.localdate() + datetime.timedelta(days=settings.protection_days)
    deal.decided_by, deal.decision_reason = actor, reason.strip()
    deal.save()
    matching.index_deal(deal)
    _deal_history(deal, actor, reason)
    automation.emit("deal.approved", deal, partner=deal.partner_id, actor=actor)
    return deal


@transaction.atomic
def deal_reject(*, actor: User, deal: Deal, reason: str) -> Deal:
    _require_vendor(actor, Role.CHANNEL_MANAGER)
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("Tell the partner why the registration is rejected.")]})
    deal = Deal.objects.select_for_update().get(pk=deal.pk)
    if deal.status not in (Deal.Status.SUBMITTED, Deal.Status.REVIEW):
        raise ValidationError({"status": [_("Only registrations awaiting a decision can be rejected.")]})
    deal.status = Deal.Status.REJECTED
    deal.decided_by, deal.decision_reason = actor, reason.strip()
    deal.save()
    matching.unindex_deal(deal)
    _deal_history(deal, actor, reason)
    automation.emit("deal.rejected", deal, partner=deal.partner_id, actor=actor, reason=reason.strip())
    return deal


@transaction.atomic
def deal_appeal(*, actor: User, deal: Deal, reason: str) -> DealRequest:
    """A partner asks its channel manager to overturn a rejection (e.g. a duplicate it believes is wrong)."""
    _require_partner(actor, deal.partner_id)
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("Explain why the registration should be accepted.")]})
    deal = Deal.objects.select_for_update().get(pk=deal.pk)
    if deal.status != Deal.Status.REJECTED:
        raise ValidationError({"reason": [_("Only a rejected registration can be appealed.")]})
    if deal.requests.filter(kind=DealRequest.Kind.APPEAL).exists():
        raise ValidationError({"reason": [_("This registration has already been appealed.")]})
    request = DealRequest.objects.create(deal=deal, kind=DealRequest.Kind.APPEAL, reason=reason.strip(),
                                         requested_by=actor)
    _deal_history(deal, actor, _("Appealed: %(reason)s") % {"reason": reason.strip()})
    automation.emit("deal.appealed", deal, partner=deal.partner_id, actor=actor, request=request.pk)
    return request


@transaction.atomic
def deal_request_extension(*, actor: User, deal: Deal, days: int, reason: str) -> DealRequest:
    _require_partner(actor, deal.partner_id)
    errors = {}
    if not (reason or "").strip():
        errors["reason"] = [_("Explain why the deal needs more time.")]
    try:
        days = int(days)
        if not 1 <= days <= 365:
            raise ValueError
    except (TypeError, ValueError):
        errors["days"] = [_("Ask for between 1 and 365 days.")]
    if errors:
        raise ValidationError(errors)
    deal = Deal.objects.select_for_update().get(pk=deal.pk)
    if deal.status != Deal.Status.APPROVED:
        raise ValidationError({"days": [_("Only an approved registration can be extended.")]})
    if deal.requests.filter(kind=DealRequest.Kind.EXTENSION, status=DealRequest.Status.OPEN).exists():
        raise ValidationError({"days": [_("An extension request for this deal is already waiting.")]})
    request = DealRequest.objects.create(deal=deal, kind=DealRequest.Kind.EXTENSION, days=days,
                                         reason=reason.strip(), requested_by=actor)
    automation.emit("deal.extension_requested", deal, partner=deal.partner_id, actor=actor, days=days)
    return request


@transaction.atomic
def deal_request_decide(*, actor: User, request: DealRequest, grant: bool, reason: str = "") -> DealRequest:
    """The channel manager decides an appeal (granted: the deal is approved) or an extension."""
    _require_vendor(actor, Role.CHANNEL_MANAGER)
    request = DealRequest.objects.select_for_update().select_related("deal").get(pk=request.pk)
    if request.status != DealRequest.Status.OPEN:
        raise ValidationError({"reason": [_("This request has already been decided.")]})
    if not grant and not (reason or "").strip():
        raise ValidationError({"reason": [_("Tell the partner why the request is denied.")]})
    deal = Deal.objects.select_for_update().get(pk=request.deal_id)
    request.status = DealRequest.Status.GRANTED if grant else DealRequest.Status.DENIED
    request.decided_by, request.decided_at, request.decision_reason = actor, timezone.now(), reason.strip()
    request.save()
    today = timezone.localdate()
    if grant and request.kind == DealRequest.Kind.APPEAL:
        deal.status = Deal.Status.APPROVED
        deal.protected_until = today + datetime.timedelta(days=SalesSettings.current().protection_days)
        deal.decided_by, deal.decision_reason = actor, reason.strip()
        deal.save()
        matching.index_deal(deal)
        _deal_history(deal, actor, _("Appeal granted: %(reason)s") % {"reason": reason.strip()})
        automation.emit("deal.approved", deal, partner=deal.partner_id, actor=actor, appeal=True)
    elif grant:
        start = max(deal.protected_until or today, today)
        deal.protected_until = start + datetime.timedelta(days=request.days or SalesSettings.current().extension_days)
        deal.save(update_fields=["protected_until", "updated_at"])
        _deal_history(deal, actor, _("Protection extended until %(date)s") % {"date": deal.protected_until})
        automation.emit("deal.extended", deal, partner=deal.partner_id, actor=actor,
                        until=deal.protected_until.isoformat())
    else:
        _deal_history(deal, actor, _("%(kind)s denied: %(reason)s") % {"kind": request.get_kind_display(),
                                                                      "reason": reason.strip()})
    return request


@transaction.atomic
def deal_update_stage(*, actor: User, deal: Deal, stage: str) -> Deal:
    if actor.is_vendor:
        _require_vendor(actor)
    else:
        _require_partner(actor, deal.partner_id)
    if stage not in Deal.Stage.values:
        raise ValidationError({"stage": [_("Choose a stage.")]})
    deal = Deal.objects.select_for_update().get(pk=deal.pk)
    if deal.status not in (Deal.Status.SUBMITTED, Deal.Status.REVIEW, Deal.Status.APPROVED):
        raise ValidationError({"stage": [_("A closed registration keeps its last stage.")]})
    if deal.stage == stage:
        return deal
    old, deal.stage = deal.stage, stage
    deal.save(update_fields=["stage", "updated_at"])
    _deal_history(deal, actor)
    automation.emit("deal.stage_changed", deal, partner=deal.partner_id, actor=actor, old=old, new=stage)
    return deal


@transaction.atomic
def deal_close(*, actor: User, deal: Deal, won: bool, reason: str = "") -> Deal:
    """Won or lost, with the reason; the deal leaves the conflict index and its lead follows it."""
    if actor.is_vendor:
        _require_vendor(actor)
    else:
        _require_partner(actor, deal.partner_id)
    if not won and not (reason or "").strip():
        raise ValidationError({"reason": [_("Say why the deal was lost.")]})
    deal = Deal.objects.select_for_update().get(pk=deal.pk)
    if deal.status != Deal.Status.APPROVED:
        raise ValidationError({"reason": [_("Only an approved registration can be closed as won or lost.")]})
    deal.status = Deal.Status.WON if won else Deal.Status.LOST
    deal.close_reason, deal.closed_at = reason.strip(), timezone.now()
    deal.save()
    matching.unindex_deal(deal)
    _deal_history(deal, actor, reason)
    if deal.lead_id:
        lead = Lead.objects.select_for_update().get(pk=deal.lead_id)
        _lead_set_status(lead, Lead.Status.WON if won else Lead.Status.LOST, actor=actor, partner=lead.partner,
                         note=reason)
    automation.emit("deal.won" if won else "deal.lost", deal, partner=deal.partner_id, actor=actor,
                    value=str(deal.value), currency=deal.currency, reason=reason.strip())
    return deal


@transaction.atomic
def deals_expire(*, today: datetime.date | None = None) -> dict[str, int]:
    """Protection ends: approved deals past `protected_until` expire; those ending soon emit `deal.expiring` once."""
    today = today or timezone.localdate()
    expired = 0
    for deal in Deal.objects.select_for_update().filter(status=Deal.Status.APPROVED, protected_until__lt=today):
        deal.status = Deal.Status.EXPIRED
        deal.save(update_fields=["status", "updated_at"])
        matching.unindex_deal(deal)
        _deal_history(deal, None)
        if deal.lead_id:
            lead = Lead.objects.select_for_update().get(pk=deal.lead_id)
            _lead_set_status(lead, Lead.Status.CLOSED, actor=None, partner=lead.partner, note="protection expired")
        automation.emit("deal.expired", deal, partner=deal.partner_id)
        expired += 1
    soon = today + datetime.timedelta(days=EXPIRING_NOTICE_DAYS)
    warned = 0
    for deal in (Deal.objects.select_for_update()
                 .filter(status=Deal.Status.APPROVED, protected_until__gte=today, protected_until__lte=soon)
                 .exclude(expiry_notice_for=F("protected_until"))):
        deal.expiry_notice_for = deal.protected_until
        deal.save(update_fields=["expiry_notice_for"])
        automation.emit("deal.expiring", deal, partner=deal.partner_id,
                        protected_until=deal.protected_until.isoformat(),
                        days_left=(deal.protected_until - today).days)
        warned += 1
    return {"expired": expired, "expiring": warned}


# --- leads ----------------------------------------------------------------------------------------------------

def _lead_set_status(lead: Lead, status: str, *, actor: User | None, partner: Partner | None = None,
                     note: str = "") -> None:
    lead.status = status
    lead.status_changed_at = timezone.now()
    lead.save()
    LeadEvent.objects.create(lead=lead, actor=actor, status=status, partner=partner, note=note)


def _clean_lead(data: dict) -> tuple[dict, dict]:
    """Validate one lead's fields; `industry`/`products`/`specialisations` arrive as objects or codes."""
    from accord.commerce.models import Product

    errors: dict[str, list[str]] = {}
    cleaned: dict = {}
    for name in ("company_name", "contact_name"):
        cleaned[name] = str(data.get(name) or "").strip()
        if not cleaned[name]:
            errors[name] = [_("This field is required.")]
    try:
        cleaned["country"] = validators.country_code(str(data.get("country") or ""))
        if not geo.is_country(cleaned["country"]):
            raise ValidationError(_("“%(value)s” is not a known country code.") % {"value": data.get("country")})
    except ValidationError as error:
        errors["country"] = error.messages
    cleaned["city"] = str(data.get("city") or "").strip()
    email = str(data.get("contact_email") or "").strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors["contact_email"] = [_("Enter a valid email address.")]
    cleaned["contact_email"] = email
    cleaned["contact_phone"] = str(data.get("contact_phone") or "").strip()
    cleaned["message"] = str(data.get("message") or "").strip()
    size = str(data.get("size") or "").strip()
    if size and size not in Partner.Size.values:
        errors["size"] = [_("Unknown company size “%(value)s”; use one of: %(choices)s.")
                          % {"value": size, "choices": ", ".join(Partner.Size.values)}]
    cleaned["size"] = size
    industry = data.get("industry")
    if isinstance(industry, str):
        industry = industry.strip()
        found = Industry.objects.filter(code=industry).first() if industry else None
        if industry and found is None:
            errors["industry"] = [_("Unknown industry “%(value)s”.") % {"value": industry}]
        industry = found
    cleaned["industry"] = industry
    products = data.get("products") or []
    if isinstance(products, str):
        skus = [s.strip() for s in products.replace(";", ",").split(",") if s.strip()]
        found = list(Product.objects.filter(sku__in=skus))
        missing = sorted(set(skus) - {p.sku for p in found})
        if missing:
            errors["products"] = [_("Unknown product SKU: %(skus)s.") % {"skus": ", ".join(missing)}]
        products = found
    cleaned["products"] = list(products)
    specialisations = data.get("specialisations") or []
    if isinstance(specialisations, str):
        codes = [s.strip() for s in specialisations.split(",") if s.strip()]
        specialisations = list(Specialisation.objects.filter(code__in=codes))
    cleaned["specialisations"] = list(specialisations)
    return cleaned, errors


def _lead_save(cleaned: dict, *, actor: User | None, source: str) -> Lead:
    products, specialisations = cleaned.pop("products"), cleaned.pop("specialisations")
    lead = Lead(source=source, created_by=actor if actor and actor.is_authenticated else None, **cleaned)
    place = geo.locate(lead.country, lead.city)
    if place:
        lead.latitude, lead.longitude = place.latitude, place.longitude
    lead.number = ""
    lead.status_changed_at = timezone.now()
    lead.save()
    lead.number = f"L-{lead.pk:06d}"
    lead.save(update_fields=["number"])
    lead.products.set(products)
    lead.specialisations.set(specialisations)
    LeadEvent.objects.create(lead=lead, actor=lead.created_by, status=Lead.Status.NEW)
    automation.emit("lead.created", lead, actor=lead.created_by, source=source)
    return lead


@transaction.atomic
def lead_create(*, actor: User | None, source: str = Lead.Source.CONSOLE, route: bool = True, **data) -> Lead:
    """A lead from the console, the API or the public web form; routed at once unless `route=False`."""
    if source != Lead.Source.WEB:
        _require_vendor(actor)
    if source not in Lead.Source.values:
        raise ValidationError({"source": [_("Unknown lead source.")]})
    cleaned, errors = _clean_lead(data)
    if errors:
        raise ValidationError(errors)
    lead = _lead_save(cleaned, actor=actor, source=source)
    if route:
        lead_route(lead=lead, actor=None)
    return lead


def _csv_rows(file) -> list[dict]:
    raw = file.read() if hasattr(file, "read") else file
    if isinstance(raw, bytes):
        try:
            raw = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ValidationError({"file": [_("The file is not UTF-8 text.")]}) from None
    sample = raw[:2048]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t") if sample else csv.excel
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(raw), dialect=dialect)
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in ("company_name", "country", "contact_name") if c not in header]
    if missing:
        raise ValidationError({"file": [_("Missing column(s): %(columns)s.") % {"columns": ", ".join(missing)}]})
    return [{(k or "").strip(): (v or "") for k, v in row.items() if k} for row in reader]


@transaction.atomic
def leads_import_csv(*, actor: User, file, route: bool = True) -> list[Lead]:
    """Import leads from CSV, all or nothing: every broken row is reported by its line number."""
    _require_vendor(actor)
    rows = _csv_rows(file)
    if not rows:
        raise ValidationError({"file": [_("The file has no leads.")]})
    problems: list[str] = []
    cleaned_rows = []
    for line, row in enumerate(rows, start=2):
        cleaned, errors = _clean_lead(row)
        for field_name, messages in errors.items():
            for message in messages:
                problems.append(_("Line %(line)d, %(field)s: %(message)s")
                                % {"line": line, "field": field_name, "message": message})
        cleaned_rows.append(cleaned)
    if problems:
        raise ValidationError({"file": problems})
    leads = [_lead_save(cleaned, actor=actor, source=Lead.Source.IMPORT) for cleaned in cleaned_rows]
    if route:
        leads_route_batch(actor=None, leads=leads)
    return leads


def _offer(lead: Lead, ranked: routing.Ranked, *, settings: SalesSettings, explanation: dict,
           routed_by: User | None) -> LeadOffer:
    partner = Partner.objects.get(pk=ranked.partner_id)
    deadline = geo.add_working_hours(timezone.now(), settings.acceptance_hours, partner.time_zone,
                                     day_start=settings.working_day_start, day_end=settings.working_day_end)
    offer = LeadOffer.objects.create(lead=lead, partner=partner, score=ranked.score, explanation=explanation,
                                     deadline=deadline, routed_by=routed_by)
    lead.partner = partner
    lead.routing_attempts += 1
    _lead_set_status(lead, Lead.Status.OFFERED, actor=routed_by, partner=partner)
    automation.emit("lead.routed", lead, partner=partner, actor=routed_by, offer=offer.pk, score=ranked.score,
                    deadline=deadline.isoformat())
    _schedule_deadline(offer)
    return offer


def _schedule_deadline(offer: LeadOffer) -> None:
    from accord.sales import tasks

    transaction.on_commit(lambda: tasks.schedule_offer_deadline(offer.pk, offer.deadline))


def _unrouted(lead: Lead, *, note: str) -> None:
    lead.partner = None
    _lead_set_status(lead, Lead.Status.UNROUTED, actor=None, note=note)
    automation.emit("lead.unrouted", lead, attempts=lead.routing_attempts, reason=note)


def _explanation(settings: SalesSettings, ranking: list[routing.Ranked], excluded: list[int]) -> dict:
    return {"weights": routing.weights_of(settings), "candidates": [r.as_dict() for r in ranking],
            "excluded": excluded}


def _tried_partners(lead: Lead) -> list[int]:
    return list(lead.offers.exclude(status=LeadOffer.Status.PENDING).values_list("partner_id", flat=True))


@transaction.atomic
def lead_route(*, lead: Lead, actor: User | None = None,
               facts: routing.PartnerFacts | None = None) -> LeadOffer | None:
    """Offer the lead to the best partner not yet tried; after N failed offers a person decides."""
    if actor is not None:
        _require_vendor(actor, Role.CHANNEL_MANAGER)
    settings = SalesSettings.current()
    lead = Lead.objects.select_for_update().get(pk=lead.pk)
    if lead.status not in (Lead.Status.NEW, Lead.Status.OFFERED, Lead.Status.UNROUTED):
        raise ValidationError({"status": [_("This lead is already with a partner.")]})
    if lead.offers.filter(status=LeadOffer.Status.PENDING).exists():
        raise ValidationError({"status": [_("This lead is waiting for a partner's answer.")]})
    excluded = _tried_partners(lead)
    if lead.routing_attempts >= settings.max_routing_attempts and actor is None:
        _unrouted(lead, note=_("%(n)d partners did not take it.") % {"n": lead.routing_attempts})
        return None
    facts = facts or routing.partner_facts(default_capacity=settings.default_capacity)
    ranking = routing.rank(routing.lead_profile(lead), facts, routing.weights_of(settings), exclude=excluded)
    if not ranking:
        _unrouted(lead, note=_("No partner with free capacity."))
        return None
    return _offer(lead, ranking[0], settings=settings, explanation=_explanation(settings, ranking, excluded),
                  routed_by=actor)


@transaction.atomic
def lead_assign(*, actor: User, lead: Lead, partner: Partner) -> LeadOffer:
    """A channel manager hands the lead to a partner of their choice (the router's ranking is kept as context)."""
    _require_vendor(actor, Role.CHANNEL_MANAGER)
    settings = SalesSettings.current()
    lead = Lead.objects.select_for_update().get(pk=lead.pk)
    if lead.status not in (Lead.Status.NEW, Lead.Status.UNROUTED):
        raise ValidationError({"partner": [_("Only a new or unrouted lead can be assigned by hand.")]})
    if partner.status != Partner.Status.ACTIVE:
        raise ValidationError({"partner": [_("Choose an active partner.")]})
    facts = routing.partner_facts(default_capacity=settings.default_capacity)
    ranking = routing.rank(routing.lead_profile(lead), facts, routing.weights_of(settings), limit=5)
    chosen = next((r for r in ranking if r.partner_id == partner.pk), None)
    if chosen is None:
        index = facts.index_of(partner.pk)
        factors = {}
        score = 0.0
        if index is not None:
            total, matrix = routing.scores(routing.lead_profile(lead), facts, routing.weights_of(settings))
            score = float(total[index] * 100)
            factors = {name: float(matrix[f, index] * 100) for f, name in enumerate(routing.FACTORS)}
        chosen = routing.Ranked(partner.pk, partner.display_name, score, factors)
    explanation = _explanation(settings, ranking, _tried_partners(lead))
    explanation["manual"] = True
    return _offer(lead, chosen, settings=settings, explanation=explanation, routed_by=actor)


@transaction.atomic
def leads_route_batch(*, actor: User | None, leads: Iterable[Lead]) -> dict[int, LeadOffer | None]:
    """Route many leads at once (an import, a backlog) so that no partner is given more than it has room for."""
    if actor is not None:
        _require_vendor(actor, Role.CHANNEL_MANAGER)
    settings = SalesSettings.current()
    leads = list(Lead.objects.select_for_update().filter(
        pk__in=[lead.pk for lead in leads], status__in=[Lead.Status.NEW, Lead.Status.UNROUTED])
        .prefetch_related("products", "specialisations").order_by("pk"))
    facts = routing.partner_facts(default_capacity=settings.default_capacity)
    weights = routing.weights_of(settings)
    profiles = [routing.lead_profile(lead) for lead in leads]
    excluded = [_tried_partners(lead) for lead in leads]
    plan = routing.assign_batch(profiles, facts, weights, exclude=excluded)
    result: dict[int, LeadOffer | None] = {}
    for lead, profile, slot, tried in zip(leads, profiles, plan, excluded, strict=True):
        if slot is None:
            _unrouted(lead, note=_("No partner with free capacity."))
            result[lead.pk] = None
            continue
        ranking = routing.rank(profile, facts, weights, exclude=tried, limit=5)
        chosen = next((r for r in ranking if r.partner_id == int(facts.ids[slot])), None)
        if chosen is None:
            total, matrix = routing.scores(profile, facts, weights)
            chosen = routing.Ranked(int(facts.ids[slot]), facts.names[slot], float(total[slot] * 100),
                                    {name: float(matrix[f, slot] * 100) for f, name in enumerate(routing.FACTORS)})
        explanation = _explanation(settings, ranking, tried)
        explanation["batch"] = True
        result[lead.pk] = _offer(lead, chosen, settings=settings, explanation=explanation, routed_by=actor)
        facts.open_leads[slot] += 1
    return result


@transaction.atomic
def lead_accept(*, actor: User, offer: LeadOffer) -> LeadOffer:
    _require_partner(actor, offer.partner_id)
    offer = LeadOffer.objects.select_for_update().select_related("lead").get(pk=offer.pk)
    if offer.status != LeadOffer.Status.PENDING:
        raise ValidationError({"offer": [_("This lead is no longer waiting for your answer.")]})
    if offer.deadline < timezone.now():
        raise ValidationError({"offer": [_("The deadline to accept this lead has passed.")]})
    offer.status, offer.responded_at, offer.responded_by = LeadOffer.Status.ACCEPTED, timezone.now(), actor
    offer.save()
    lead = Lead.objects.select_for_update().get(pk=offer.lead_id)
    _lead_set_status(lead, Lead.Status.ACCEPTED, actor=actor, partner=offer.partner)
    automation.emit("lead.accepted", lead, partner=offer.partner_id, actor=actor, offer=offer.pk)
    return offer


@transaction.atomic
def lead_decline(*, actor: User, offer: LeadOffer, reason: str) -> LeadOffer:
    """The partner passes; the lead goes straight to the next best partner (never back to this one)."""
    _require_partner(actor, offer.partner_id)
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("Tell us why you decline, so we route better next time.")]})
    offer = LeadOffer.objects.select_for_update().get(pk=offer.pk)
    if offer.status != LeadOffer.Status.PENDING:
        raise ValidationError({"offer": [_("This lead is no longer waiting for your answer.")]})
    offer.status, offer.responded_at, offer.responded_by = LeadOffer.Status.DECLINED, timezone.now(), actor
    offer.decline_reason = reason.strip()
    offer.save()
    lead = Lead.objects.select_for_update().get(pk=offer.lead_id)
    LeadEvent.objects.create(lead=lead, actor=actor, status=Lead.Status.OFFERED, partner=offer.partner,
                             note=_("Declined: %(reason)s") % {"reason": offer.decline_reason})
    automation.emit("lead.declined", lead, partner=offer.partner_id, actor=actor, offer=offer.pk,
                    reason=offer.decline_reason)
    lead_route(lead=lead)
    return offer


@transaction.atomic
def offers_expire(*, now: datetime.datetime | None = None) -> int:
    """Offers past their deadline expire and their leads move on to the next partner."""
    now = now or timezone.now()
    expired = 0
    for offer in (LeadOffer.objects.select_for_update(skip_locked=True)
                  .filter(status=LeadOffer.Status.PENDING, deadline__lt=now).order_by("pk")):
        offer.status = LeadOffer.Status.EXPIRED
        offer.save(update_fields=["status"])
        lead = Lead.objects.select_for_update().get(pk=offer.lead_id)
        LeadEvent.objects.create(lead=lead, status=Lead.Status.OFFERED, partner_id=offer.partner_id,
                                 note=_("No answer before the deadline."))
        automation.emit("lead.expired", lead, partner=offer.partner_id, offer=offer.pk)
        lead_route(lead=lead)
        expired += 1
    return expired


@transaction.atomic
def lead_convert(*, actor: User, lead: Lead, value, expected_close_date, stage: str = Deal.Stage.QUALIFICATION,
                 currency: str = "", products: Iterable | None = None, company_domain: str = "",
                 company_tax_id: str = "") -> Deal:
    """The partner turns an accepted lead into a registered deal, protected from the start."""
    lead = Lead.objects.select_for_update().get(pk=lead.pk)
    _require_partner(actor, lead.partner_id)
    if lead.status != Lead.Status.ACCEPTED:
        raise ValidationError({"lead": [_("Accept the lead before converting it.")]})
    deal = deal_register(actor=actor, company_name=lead.company_name, company_country=lead.country,
                         company_city=lead.city, company_domain=company_domain, company_tax_id=company_tax_id,
                         contact_name=lead.contact_name, contact_email=lead.contact_email,
                         contact_phone=lead.contact_phone, industry=lead.industry,
                         products=lead.products.all() if products is None else products, value=value,
                         currency=currency, expected_close_date=expected_close_date, stage=stage, lead=lead)
    _lead_set_status(lead, Lead.Status.CONVERTED, actor=actor, partner=lead.partner, note=deal.number)
    automation.emit("lead.converted", lead, partner=lead.partner_id, actor=actor, deal=deal.pk)
    return deal


@transaction.atomic
def lead_close(*, actor: User, lead: Lead, reason: str) -> Lead:
    """A channel manager closes a lead nobody should work (spam, duplicate, not a fit)."""
    _require_vendor(actor, Role.CHANNEL_MANAGER)
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("Say why the lead is closed.")]})
    lead = Lead.objects.select_for_update().get(pk=lead.pk)
    if lead.status not in (Lead.Status.NEW, Lead.Status.UNROUTED, Lead.Status.OFFERED):
        raise ValidationError({"reason": [_("A lead a partner is working cannot be closed here.")]})
    lead.offers.filter(status=LeadOffer.Status.PENDING).update(status=LeadOffer.Status.WITHDRAWN)
    lead.partner = None
    _lead_set_status(lead, Lead.Status.CLOSED, actor=actor, note=reason.strip())
    return lead


# --- routing configuration ------------------------------------------------------------------------------------

@transaction.atomic
def sales_settings_update(*, actor: User, data: dict) -> SalesSettings:
    _require_vendor(actor, Role.CHANNEL_MANAGER)
    settings = _settings_locked()
    editable = {f.name for f in SalesSettings._meta.get_fields() if getattr(f, "editable", False)} - {
        "id", "updated_by", "updated_at", "sweep_due_at"}
    unknown = set(data) - editable
    if unknown:
        raise ValidationError({name: [_("This field cannot be changed here.")] for name in sorted(unknown)})
    for name, value in data.items():
        setattr(settings, name, value)
    settings.updated_by = actor
    settings.full_clean()
    errors = {}
    if settings.review_threshold >= settings.duplicate_threshold:
        errors["review_threshold"] = [_("The review threshold must be below the duplicate threshold.")]
    if settings.working_day_end <= settings.working_day_start:
        errors["working_day_end"] = [_("The working day must end after it starts.")]
    if sum(routing.weights_of(settings).values()) <= 0:
        errors["weight_industry"] = [_("At least one routing weight must be above zero.")]
    if errors:
        raise ValidationError(errors)
    settings.save()
    return settings


@transaction.atomic
def routing_profile_set(*, actor: User, partner: Partner, capacity: int, accepts_leads: bool) -> RoutingProfile:
    _require_vendor(actor, Role.CHANNEL_MANAGER)
    try:
        capacity = int(capacity)
        if not 0 <= capacity <= 10000:
            raise ValueError
    except (TypeError, ValueError):
        raise ValidationError({"capacity": [_("Enter a capacity between 0 and 10000.")]}) from None
    profile, _created = RoutingProfile.objects.update_or_create(
        partner=partner, defaults={"capacity": capacity, "accepts_leads": bool(accepts_leads)})
    return profile


@transaction.atomic
def territory_add(*, actor: User, partner: Partner, country: str, region: str = "") -> Territory:
    """Partner admins declare their own territories; vendor staff may declare them for any partner."""
    if not actor.is_vendor and not (actor.is_partner_admin and actor.partner_id == partner.pk):
        raise Http404
    try:
        country = validators.country_code(country)
    except ValidationError as error:
        raise ValidationError({"country": error.messages}) from None
    territory, _created = Territory.objects.get_or_create(partner=partner, country=country,
                                                          region=(region or "").strip())
    return territory


@transaction.atomic
def territory_remove(*, actor: User, territory: Territory) -> None:
    if not actor.is_vendor and not (actor.is_partner_admin and actor.partner_id == territory.partner_id):
        raise Http404
    territory.delete()


@transaction.atomic
def certification_set(*, actor: User, partner: Partner, product, valid_until: datetime.date | None) -> Certification:
    _require_vendor(actor)
    certification, _created = Certification.objects.update_or_create(
        partner=partner, product=product, defaults={"valid_until": valid_until})
    return certification
