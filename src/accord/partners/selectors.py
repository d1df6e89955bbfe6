"""Every read of partner data goes through here, already scoped to what the caller may see."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from accord.partners.models import Application, Partner, Segment, Tier, User
from accord.partners.roles import Role


def partners_visible_to(user: User) -> QuerySet[Partner]:
    """Vendor staff see every partner; a partner's people see only their own organisation."""
    if not user.is_authenticated or not user.is_active:
        return Partner.objects.none()
    if user.partner_id is not None:
        return Partner.objects.filter(pk=user.partner_id)
    if user.is_vendor:
        return Partner.objects.all()
    return Partner.objects.none()


def partner_get(user: User, pk) -> Partner:
    """The partner `pk` if the caller may see it; 404 otherwise, so existence never leaks."""
    try:
        return partners_visible_to(user).select_related("tier", "channel_manager").get(pk=pk)
    except (Partner.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def partner_list(user: User, *, search: str = "", segment=None, tier: str = "", country: str = "",
                 status: str = "", channel_manager=None) -> QuerySet[Partner]:
    partners = partners_visible_to(user).select_related("tier", "channel_manager")
    if search:
        partners = partners.filter(Q(legal_name__icontains=search) | Q(trading_name__icontains=search)
                                   | Q(web_domain__icontains=search) | Q(tax_id__icontains=search)
                                   | Q(city__icontains=search))
    if segment:
        partners = partners.filter(segmentmembership__segment_id=segment)
    if tier:
        partners = partners.filter(tier__code=tier)
    if country:
        partners = partners.filter(country=country.upper())
    if status:
        partners = partners.filter(status=status)
    if channel_manager:
        partners = partners.filter(channel_manager_id=channel_manager)
    return partners


def users_visible_to(user: User) -> QuerySet[User]:
    """Partner people see their colleagues; vendor staff see everyone."""
    if not user.is_authenticated or not user.is_active:
        return User.objects.none()
    if user.partner_id is not None:
        return User.objects.filter(partner_id=user.partner_id)
    if user.is_vendor:
        return User.objects.all()
    return User.objects.none()


def colleague_get(user: User, pk) -> User:
    try:
        return users_visible_to(user).get(pk=pk)
    except (User.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def vendor_staff(role: Role | None = None) -> QuerySet[User]:
    staff = User.objects.filter(partner__isnull=True, is_active=True)
    return staff.filter(groups__name=role.value) if role else staff


def tiers() -> QuerySet[Tier]:
    return Tier.objects.all()


def segments_with_counts() -> QuerySet[Segment]:
    return Segment.objects.annotate(member_count=Count("segmentmembership"))


def applications_pending() -> QuerySet[Application]:
    return Application.objects.filter(status=Application.Status.SUBMITTED).order_by("-score", "submitted_at")


def channel_manager_of(user: User) -> User | None:
    if user.partner_id is None:
        return None
    partner = Partner.objects.select_related("channel_manager").only("channel_manager").get(pk=user.partner_id)
    return partner.channel_manager
