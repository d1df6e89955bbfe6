"""A partner's figures against its peers, for performance notices, computed in SQL from registered fields.

A figure is a registered number field (e.g. `order.total`) summed per partner over the subject model; peers
are the partners sharing the partner's first segment (or its tier when it has none). One aggregate query per
figure, whatever the number of partners.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.apps import apps
from django.db.models import Sum
from django.utils.translation import gettext as _

from accord.automation.registry import condition_fields, subject_for
from accord.partners.models import Partner, SegmentMembership, active_partner_q


@dataclass
class Figure:
    label: str
    value: Decimal | None
    peers: Decimal | None


def peers_of(partner: Partner) -> tuple[list[int], str]:
    """Ids of the partner's peers (itself included) and the group's name."""
    membership = SegmentMembership.objects.filter(partner=partner).select_related("segment").order_by(
        "segment__name").first()
    if membership is not None:
        ids = list(SegmentMembership.objects.filter(segment=membership.segment).values_list("partner_id", flat=True))
        return ids, membership.segment.name
    peers = Partner.objects.filter(active_partner_q())
    if partner.tier_id:
        peers = peers.filter(tier_id=partner.tier_id)
        return list(peers.values_list("pk", flat=True)), str(partner.tier)
    return list(peers.values_list("pk", flat=True)), _("all active partners")


def figures_for(partner: Partner, names: list[str]) -> tuple[list[Figure], str]:
    ids, group = peers_of(partner)
    found = []
    registered = condition_fields()
    for name in names:
        item = registered.get(name)
        if item is None or item.kind != "number":
            continue
        model = apps.get_model(item.model)
        partner_path = subject_for(item.model).partner_field
        if not partner_path:
            continue
        key = "pk" if partner_path == "pk" else f"{partner_path}_id"
        totals = dict(model._default_manager.filter(**{f"{key}__in": ids}).order_by().values(key)
                      .annotate(total=Sum(item.path)).values_list(key, "total"))
        values = [totals.get(pk) or Decimal(0) for pk in ids]
        average = (sum(values, Decimal(0)) / len(values)).quantize(Decimal("0.01")) if values else None
        own = (totals.get(partner.pk) or Decimal(0)).quantize(Decimal("0.01"))
        found.append(Figure(str(item.label), own, average))
    return found, group
