"""Every read of partner data goes through here, already scoped to what the caller may see."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from auditlog.models import LogEntry
from django.db import connections, router
from django.db.models import Count, F, Q, QuerySet
from django.http import Http404

from accord.automation.models import Event
from accord.partners.counts import count_many, count_rows
from accord.partners.models import (
    Application,
    Industry,
    ManagerMessage,
    Partner,
    QualificationQuestion,
    Segment,
    Specialisation,
    Tier,
    User,
)
from accord.partners.prepared import PreparedQuery
from accord.partners.roles import Role
from accord.partners.segments import matching_partners


@dataclass(frozen=True)
class Scope:
    """How much a user may see: nothing, one partner's data, or (vendor staff) every partner's.

    Prepared list queries (`accord.partners.prepared`) are compiled per scope kind with the partner bound as
    a value, so the scope must say everything the scoped querysets below depend on.
    """

    kind: Literal["none", "partner", "vendor"]
    partner_id: int | None = None


def scope_of(user: User) -> Scope:
    if not user.is_authenticated or not user.is_active:
        return Scope("none")
    if user.partner_id is not None:
        return Scope("partner", user.partner_id)
    if user.is_vendor:
        return Scope("vendor")
    return Scope("none")


def partners_in(scope: Scope) -> QuerySet[Partner]:
    """Vendor staff see every partner; a partner's people see only their own organisation."""
    if scope.kind == "partner":
        return Partner.objects.filter(pk=scope.partner_id)
    if scope.kind == "vendor":
        return Partner.objects.all()
    return Partner.objects.none()


def partners_visible_to(user: User) -> QuerySet[Partner]:
    return partners_in(scope_of(user))


def partner_get(user: User, pk) -> Partner:
    """The partner `pk` if the caller may see it; 404 otherwise, so existence never leaks."""
    try:
        return partners_visible_to(user).select_related("tier", "channel_manager").get(pk=pk)
    except (Partner.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def partner_list(user: User, *, country: str = "", **filters) -> QuerySet[Partner]:
    return scoped_partner_list(scope_of(user), country=country.upper(), **filters)


def ordered_partner_list(*, scope: str, partner_id: int | None, ordering: tuple[str, ...],
                         **filters) -> QuerySet[Partner]:
    """`scoped_partner_list`, ordered, from the flat arguments a prepared list query binds and keys on."""
    return scoped_partner_list(Scope(scope, partner_id), **filters).order_by(*ordering)


def scoped_partner_list(scope: Scope, *, search: str = "", segment=None, tier: str = "", country: str = "",
                        status: str = "", channel_manager=None) -> QuerySet[Partner]:
    """`partner_list` for a scope; `country` is an upper-case ISO code, as stored."""
    partners = partners_in(scope).select_related("tier", "channel_manager")
    if search:
        partners = partners.filter(Q(legal_name__icontains=search) | Q(trading_name__icontains=search)
                                   | Q(web_domain__icontains=search) | Q(tax_id__icontains=search)
                                   | Q(city__icontains=search))
    if segment:
        partners = partners.filter(segmentmembership__segment_id=segment)
    if tier:
        partners = partners.filter(tier__code=tier)
    if country:
        partners = partners.filter(country=country)
    if status:
        partners = partners.filter(status=status)
    if channel_manager:
        partners = partners.filter(channel_manager_id=channel_manager)
    return partners


def _linked_values(model, ids: list[int], **relations: str) -> dict[str, dict[int, list]]:
    """{relation: {id: [each linked object's `field`, sorted]}} for many-to-many `relation="field"` pairs.

    One statement written as SQL: on list endpoints, building and compiling a QuerySet per relation cost
    several times what the database takes to answer. Table and column names come from the models'
    metadata, so renames stay safe.
    """
    values: dict[str, dict[int, list]] = {relation: {} for relation in relations}
    if not ids:
        return values
    connection = connections[router.db_for_read(model)]
    quote = connection.ops.quote_name
    placeholders = ", ".join(["%s"] * len(ids))
    selects = []
    for index, (relation, field_name) in enumerate(relations.items()):
        field = model._meta.get_field(relation)
        link, target = field.remote_field.through._meta, field.related_model._meta
        owner, linked = quote(field.m2m_column_name()), quote(field.m2m_reverse_name())
        selects.append(
            f"SELECT {index}, link.{owner}, item.{quote(target.get_field(field_name).column)} "  # noqa: S608 -- _meta
            f"FROM {quote(link.db_table)} link JOIN {quote(target.db_table)} item "
            f"ON item.{quote(target.pk.column)} = link.{linked} WHERE link.{owner} IN ({placeholders})")
    names = list(relations)
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(selects) + " ORDER BY 3", [*ids] * len(selects))
        for index, owner_id, value in cursor.fetchall():
            values[names[index]].setdefault(owner_id, []).append(value)
    return values


def partner_codes(partner_ids: list[int]) -> dict[str, dict[int, list[str]]]:
    """Industry and specialisation codes of the given partners, sorted, in one narrow query.

    For list pages that only show the codes: prefetching would build a model instance per row. Callers
    pass ids they already obtained through a scoped selector.
    """
    return _linked_values(Partner, partner_ids, industries="code", specialisations="code")


def users_in(scope: Scope) -> QuerySet[User]:
    """Partner people see their colleagues; vendor staff see everyone."""
    if scope.kind == "partner":
        return User.objects.filter(partner_id=scope.partner_id)
    if scope.kind == "vendor":
        return User.objects.all()
    return User.objects.none()


def users_visible_to(user: User) -> QuerySet[User]:
    return users_in(scope_of(user))


def group_names(user_ids: list[int]) -> dict[int, list[str]]:
    """The group (role) names of the given users in one narrow query; callers pass ids they may see."""
    return _linked_values(User, user_ids, groups="name")["groups"]


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


def segments() -> QuerySet[Segment]:
    return Segment.objects.only("pk", "name")


def applications_pending() -> QuerySet[Application]:
    return Application.objects.filter(status=Application.Status.SUBMITTED).order_by("-score", "submitted_at")


_MANAGER_OF = PreparedQuery(lambda *, partner_id: User.objects.filter(managed_partners__pk=partner_id),
                            values={"partner_id"})


def channel_manager_of(user: User) -> User | None:
    """The channel manager of the caller's organisation: the card on every portal page, so prepared."""
    if user.partner_id is None:
        return None
    return next(iter(_MANAGER_OF.instances(partner_id=user.partner_id)), None)


# --- console: dashboard, partner 360, review queue, segment editor (vendor staff only) ---

def _vendor_only(user: User) -> None:
    if not (user.is_authenticated and user.is_active and user.is_vendor):
        raise Http404


def partner_counts_by_status(user: User) -> list[tuple[str, str, int]]:
    """(status, label, count) for every status, zeros included, in lifecycle order; one query."""
    counts = dict(partners_visible_to(user).order_by().values_list("status").annotate(n=Count("pk")))
    return [(value, label, counts.get(value, 0)) for value, label in Partner.Status.choices]


def partner_counts_by_tier(user: User) -> list[tuple[Tier | None, int]]:
    """(tier, count) from the highest tier down, then partners without a tier; two queries."""
    counts = dict(partners_visible_to(user).order_by().values_list("tier_id").annotate(n=Count("pk")))
    rows: list[tuple[Tier | None, int]] = [(tier, counts.get(tier.pk, 0)) for tier in Tier.objects.order_by("-rank")]
    if counts.get(None):
        rows.append((None, counts[None]))
    return rows


def partners_managed_by(user: User) -> QuerySet[Partner]:
    """The CAM's own book: partners whose channel account manager is `user`."""
    return partners_visible_to(user).filter(channel_manager=user).select_related("tier")


def manager_messages_for(user: User) -> QuerySet[ManagerMessage]:
    """Messages partners sent to `user` as their channel manager, unread first, newest first."""
    if not user.is_authenticated:
        return ManagerMessage.objects.none()
    return (ManagerMessage.objects.filter(recipient=user).select_related("partner", "sender")
            .order_by(F("read_at").asc(nulls_first=True), "-sent_at"))


def manager_message_get(user: User, pk) -> ManagerMessage:
    """A message addressed to `user` (vendor admins may open any); 404 otherwise."""
    _vendor_only(user)
    messages = ManagerMessage.objects.select_related("partner", "sender", "recipient")
    if not user.has_role(Role.VENDOR_ADMIN):
        messages = messages.filter(recipient=user)
    try:
        return messages.get(pk=pk)
    except (ManagerMessage.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def partner_people(user: User, partner: Partner) -> QuerySet[User]:
    return users_visible_to(user).filter(partner=partner).prefetch_related("groups")


def partner_messages(user: User, partner: Partner) -> QuerySet[ManagerMessage]:
    _vendor_only(user)
    return ManagerMessage.objects.filter(partner=partner).select_related("sender", "recipient")


def partner_history(user: User, partner: Partner) -> QuerySet[LogEntry]:
    """Audit log of changes to the partner record (admin, console and API edits), newest first."""
    _vendor_only(user)
    return LogEntry.objects.get_for_object(partner).select_related("actor", "content_type").order_by("-timestamp")


def partner_events(user: User, partner: Partner) -> QuerySet[Event]:
    """Automation events about this partner, newest first (read-only view of the engine's outbox)."""
    _vendor_only(user)
    return Event.objects.filter(partner_id=partner.pk).order_by("-occurred_at", "-id")


def partner_application(user: User, partner: Partner) -> Application | None:
    _vendor_only(user)
    return Application.objects.filter(partner=partner).select_related("decided_by").first()


def applications_for_review(user: User, *, status: str = Application.Status.SUBMITTED) -> QuerySet[Application]:
    """The review queue: open applications best-qualified first; decided ones newest first."""
    _vendor_only(user)
    applications = Application.objects.select_related("decided_by", "partner")
    if status:
        applications = applications.filter(status=status)
    if status == Application.Status.SUBMITTED:
        return applications.order_by("-score", "submitted_at")
    return applications.order_by("-submitted_at")


def application_get(user: User, pk) -> Application:
    _vendor_only(user)
    try:
        return (Application.objects.select_related("decided_by", "partner")
                .prefetch_related("industries", "specialisations").get(pk=pk))
    except (Application.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def qualification_questions(*, active_only: bool = True) -> QuerySet[QualificationQuestion]:
    questions = QualificationQuestion.objects.all()
    return questions.filter(is_active=True) if active_only else questions


def segment_get(user: User, pk) -> Segment:
    _vendor_only(user)
    try:
        return segments_with_counts().get(pk=pk)
    except (Segment.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def segment_sample(rule: dict, *, size: int = 10) -> tuple[int, list[Partner]]:
    """How many partners a rule matches now, and the first few of them: two SQL queries."""
    matching = matching_partners(rule)
    return matching.count(), list(matching.select_related("tier").order_by("legal_name")[:size])


def industries() -> QuerySet[Industry]:
    return Industry.objects.all()


def specialisations() -> QuerySet[Specialisation]:
    return Specialisation.objects.all()


# --- portal: the signed-in partner's own company and team ---

PROFILE_COMPLETENESS_FIELDS = ("street", "city", "postal_code", "region", "web_domain", "tax_id", "email", "phone",
                               "employees", "competing_products", "industries", "specialisations")


def own_partner(user: User, *, with_lists: bool = True) -> Partner:
    """The caller's own organisation with what its portal pages show; 404 for people without one.

    `with_lists=False` is the dashboard's read (every partner opens it first): the row and its tier only,
    as two prepared statements; building the ORM query for the wide row cost more than the rest of the
    page's reads together (see ADR 0005).
    """
    if user.partner_id is None:
        raise Http404
    if not with_lists:
        scope = scope_of(user)
        partner = next(iter(_PARTNER.instances(scope=scope.kind, partner_id=scope.partner_id)), None)
        if partner is None:
            raise Http404
        partner.tier = next(iter(_TIER.instances(pk=partner.tier_id)), None) if partner.tier_id else None
        return partner
    partners = (partners_visible_to(user).select_related("tier", "channel_manager")
                .prefetch_related("industries", "specialisations"))
    try:
        return partners.get()
    except Partner.DoesNotExist:
        raise Http404 from None


_PARTNER = PreparedQuery(lambda *, scope, partner_id: partners_in(Scope(scope, partner_id)), values={"partner_id"})
_TIER = PreparedQuery(lambda *, pk: Tier.objects.filter(pk=pk), values={"pk"})


def partner_profile_completeness(partner: Partner) -> tuple[int, list[str]]:
    """(percent filled, labels of what is missing): the dashboard nudges partners to complete their profile.

    Industries and specialisations count as filled when the partner has at least one link to them.
    """
    fields = [Partner._meta.get_field(name) for name in PROFILE_COMPLETENESS_FIELDS]
    links = count_many(**{field.name: (field.remote_field.through, {"partner_id": partner.pk})
                          for field in fields if field.many_to_many})
    missing = [str(field.verbose_name) for field in fields
               if not (links[field.name] if field.many_to_many else getattr(partner, field.name) not in (None, ""))]
    total = len(PROFILE_COMPLETENESS_FIELDS)
    return round(100 * (total - len(missing)) / total), missing


def team_members(user: User) -> QuerySet[User]:
    """The caller's colleagues (themselves included) with their roles: active first, then by name."""
    if user.partner_id is None:
        return User.objects.none()
    return (users_visible_to(user).filter(partner_id=user.partner_id).prefetch_related("groups")
            .order_by("-is_active", "last_name", "first_name", "email"))


def team_size(user: User) -> int:
    """How many of the caller's colleagues (themselves included) can sign in."""
    if user.partner_id is None or not user.is_active:
        return 0
    return count_rows(User, partner_id=user.partner_id, is_active=True)


def partner_team_contact() -> User | None:
    """The person partners without a channel manager can reach: the longest-serving active vendor admin."""
    return vendor_staff(Role.VENDOR_ADMIN).order_by("pk").first()


def recent_manager_messages(user: User, count: int) -> list[ManagerMessage]:
    """The newest of `manager_messages_sent`; most companies never wrote, and then no join is built."""
    if user.partner_id is None or not count_rows(ManagerMessage, partner_id=user.partner_id):
        return []
    return list(manager_messages_sent(user)[:count])


def manager_messages_sent(user: User) -> QuerySet[ManagerMessage]:
    """What the caller's company wrote to its channel managers, newest first, so partners see it was read."""
    if user.partner_id is None or not user.is_active:
        return ManagerMessage.objects.none()
    people = [f"{person}__{name}" for person in ("sender", "recipient")
              for name in ("first_name", "last_name", "email")]
    return (ManagerMessage.objects.filter(partner_id=user.partner_id).select_related("sender", "recipient")
            .only("subject", "body", "sent_at", "read_at", *people).order_by("-sent_at", "-pk"))


_PARTNER_COUNTRIES = PreparedQuery(lambda: Partner.objects.order_by("country").values("country").distinct())


def partner_countries() -> list[str]:
    """The countries partners are in, for filters and the segment editor's suggestions."""
    return [row["country"] for row in _PARTNER_COUNTRIES.rows()]
