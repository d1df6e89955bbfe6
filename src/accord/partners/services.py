"""Every write to partners core. Keyword-only, validated first, transactional, emitting events last."""

from __future__ import annotations

from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction

from accord.automation import api as automation
from accord.partners import validators
from accord.partners.models import Partner, Segment, SegmentMembership, User
from accord.partners.roles import Role
from accord.partners.segments import compile_rule

PROFILE_FIELDS = (
    "legal_name", "trading_name", "kind", "country", "region", "street", "city", "postal_code", "web_domain",
    "tax_id", "email", "phone", "size", "employees", "annual_revenue", "competing_products", "language",
    "time_zone", "currency",
)
VENDOR_ONLY_FIELDS = ("status", "tier", "channel_manager", "joined_on", "latitude", "longitude")


def partner_clean(partner: Partner) -> None:
    """Normalise and validate a partner's identity fields; errors are keyed by field name."""
    errors: dict[str, list] = {}
    for field, normalize in (
        ("country", validators.country_code),
        ("web_domain", validators.normalize_domain),
    ):
        try:
            setattr(partner, field, normalize(getattr(partner, field)))
        except ValidationError as error:
            errors[field] = error.messages
    if "country" not in errors:
        try:
            partner.tax_id = validators.normalize_tax_id(partner.country, partner.tax_id)
        except ValidationError as error:
            errors["tax_id"] = error.messages
        try:
            partner.phone = validators.normalize_phone(partner.phone, partner.country)
        except ValidationError as error:
            errors["phone"] = error.messages
    partner.currency = (partner.currency or "").upper()
    try:
        partner.full_clean(exclude=list(errors))
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def partner_create(*, actor: User | None, industries=(), specialisations=(), **fields) -> Partner:
    partner = Partner(**fields)
    partner_clean(partner)
    partner.save()
    if industries:
        partner.industries.set(industries)
    if specialisations:
        partner.specialisations.set(specialisations)
    segments_refresh_for_partner(partner=partner)
    automation.emit("partner.created", partner, partner=partner, actor=actor)
    return partner


@transaction.atomic
def partner_update(*, actor: User, partner: Partner, data: dict, industries=None, specialisations=None) -> Partner:
    """Change a partner's profile. Partner admins may change the profile; vendor staff also tier/status/CAM."""
    allowed = PROFILE_FIELDS + (VENDOR_ONLY_FIELDS if actor.is_vendor else ())
    unknown = set(data) - set(allowed)
    if unknown:
        raise ValidationError({name: ["This field cannot be changed here."] for name in sorted(unknown)})
    before = {name: getattr(partner, name) for name in ("status", "tier_id")}
    partner = Partner.objects.select_for_update().get(pk=partner.pk)
    for name, value in data.items():
        setattr(partner, name, value)
    partner_clean(partner)
    partner.save()
    if industries is not None:
        partner.industries.set(industries)
    if specialisations is not None:
        partner.specialisations.set(specialisations)
    segments_refresh_for_partner(partner=partner)
    changed = sorted(data)
    automation.emit("partner.updated", partner, partner=partner, actor=actor, fields=changed)
    if partner.status != before["status"]:
        automation.emit("partner.status_changed", partner, partner=partner, actor=actor,
                        old=before["status"], new=partner.status)
    if partner.tier_id != before["tier_id"]:
        automation.emit("partner.tier_changed", partner, partner=partner, actor=actor,
                        old=before["tier_id"], new=partner.tier_id)
    return partner


def segments_refresh_for_partner(*, partner: Partner) -> None:
    """Recompute one partner's memberships: one query per segment, all in SQL."""
    current = set(SegmentMembership.objects.filter(partner=partner).values_list("segment_id", flat=True))
    wanted = set()
    for segment in Segment.objects.all():
        try:
            if Partner.objects.filter(pk=partner.pk).filter(compile_rule(segment.rule)).exists():
                wanted.add(segment.pk)
        except ValidationError:
            continue
    SegmentMembership.objects.filter(partner=partner, segment_id__in=current - wanted).delete()
    SegmentMembership.objects.bulk_create(
        [SegmentMembership(segment_id=pk, partner=partner) for pk in wanted - current], ignore_conflicts=True)


def segment_refresh(*, segment: Segment) -> int:
    """Recompute a segment's members set-based; returns the member count."""
    matching = Partner.objects.filter(compile_rule(segment.rule)).values_list("pk", flat=True)
    SegmentMembership.objects.filter(segment=segment).exclude(partner_id__in=matching).delete()
    existing = SegmentMembership.objects.filter(segment=segment).values_list("partner_id", flat=True)
    new = Partner.objects.filter(compile_rule(segment.rule)).exclude(pk__in=existing).values_list("pk", flat=True)
    SegmentMembership.objects.bulk_create(
        [SegmentMembership(segment=segment, partner_id=pk) for pk in new.iterator()], batch_size=1000,
        ignore_conflicts=True)
    return SegmentMembership.objects.filter(segment=segment).count()


@transaction.atomic
def segment_save(*, actor: User, name: str, rule: dict, description: str = "",
                 segment: Segment | None = None) -> Segment:
    try:
        compile_rule(rule)
    except ValidationError as error:
        raise ValidationError({"rule": error.messages}) from None
    segment = segment or Segment()
    segment.name, segment.rule, segment.description = name, rule, description
    segment.full_clean()
    segment.save()
    segment_refresh(segment=segment)
    return segment


def user_set_roles(*, user: User, roles: list[Role]) -> None:
    groups = [Group.objects.get_or_create(name=role.value)[0] for role in roles]
    user.groups.set(groups)
    user.__dict__.pop("roles", None)
