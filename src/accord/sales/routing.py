"""Lead routing: which partner is best placed to win a lead, and why.

    facts = partner_facts()                                   # a few set-based queries, every eligible partner
    ranking = rank(lead_profile(lead), facts, weights)         # ranked candidates with their factor scores
    plan = assign_batch([lead_profile(l) for l in leads], facts, weights)   # many leads, capacities respected

Each factor is a score in 0..1 for every partner, computed as a numpy vector so one lead is scored against
thousands of partners in well under a millisecond. The total is the weighted mean of the factors; the
weights come from `SalesSettings` (console → Sales → Routing settings). Ties are broken in favour of the
partner that was offered a lead longest ago, so equal partners take turns.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
from django.db.models import Count, Max, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accord.sales import geo
from accord.sales.names import _fold

FACTORS = ("industry", "geography", "territory", "specialisation", "certification", "performance", "tier",
           "load", "fairness")
FACTOR_LABELS = {
    "industry": _("Industry experience"),
    "geography": _("Distance"),
    "territory": _("Declared territory"),
    "specialisation": _("Specialisations"),
    "certification": _("Certifications"),
    "performance": _("Performance"),
    "tier": _("Tier"),
    "load": _("Free capacity"),
    "fairness": _("Fairness"),
}
DISTANCE_SCALE_KM = 250.0
FAIRNESS_DAYS = 30
PERFORMANCE_DAYS = 365
WINS_FOR_FULL_EXPERIENCE = 3
SCORE_CHUNK = 256


@dataclass
class PartnerFacts:
    """Everything routing needs about the partners that take leads, as aligned arrays (one slot per partner)."""

    ids: np.ndarray
    names: list[str]
    country: np.ndarray
    latitude: np.ndarray
    longitude: np.ndarray
    tier: np.ndarray
    capacity: np.ndarray
    open_leads: np.ndarray
    recent_leads: np.ndarray
    last_offered: np.ndarray
    win_rate: np.ndarray
    response: np.ndarray
    industry_wins: dict[int, np.ndarray] = field(default_factory=dict)
    industry_served: dict[int, np.ndarray] = field(default_factory=dict)
    specialisations: dict[int, np.ndarray] = field(default_factory=dict)
    certified: dict[int, np.ndarray] = field(default_factory=dict)
    territory_country: dict[str, np.ndarray] = field(default_factory=dict)
    territory_region: dict[tuple[str, str], np.ndarray] = field(default_factory=dict)
    territory_market: dict[str, np.ndarray] = field(default_factory=dict)  # any declared territory there
    has_territory: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.ids)

    def country_codes(self) -> tuple[dict[str, int], np.ndarray]:
        """Countries as small integers (compared far faster than strings), computed once per facts."""
        if getattr(self, "_country_codes", None) is None:
            index = {code: i for i, code in enumerate(sorted(set(self.country.tolist())))}
            self._country_codes = (index, np.array([index[c] for c in self.country], dtype=np.int32))
        return self._country_codes

    def index_of(self, partner_id: int) -> int | None:
        hits = np.nonzero(self.ids == partner_id)[0]
        return int(hits[0]) if len(hits) else None


@dataclass(frozen=True)
class LeadProfile:
    country: str
    city: str = ""
    latitude: float | None = None
    longitude: float | None = None
    industry_id: int | None = None
    specialisation_ids: tuple[int, ...] = ()
    product_ids: tuple[int, ...] = ()


@dataclass
class Ranked:
    partner_id: int
    name: str
    score: float  # 0..100
    factors: dict[str, float]  # factor -> 0..100

    def as_dict(self) -> dict:
        return {"partner_id": self.partner_id, "name": self.name, "score": round(self.score, 1),
                "factors": {k: round(v, 1) for k, v in self.factors.items()}}


def weights_of(settings) -> dict[str, float]:
    return {name: float(getattr(settings, f"weight_{name}")) for name in FACTORS}


def factor_matrix(lead: LeadProfile, facts: PartnerFacts) -> np.ndarray:
    """(factors × partners) scores in 0..1 for one lead."""
    n = len(facts)
    rows = np.zeros((len(FACTORS), n))
    zeros = np.zeros(n)
    if lead.industry_id is not None:
        wins = facts.industry_wins.get(lead.industry_id, zeros)
        served = facts.industry_served.get(lead.industry_id, zeros)
        rows[0] = 0.8 * np.minimum(1.0, wins / WINS_FOR_FULL_EXPERIENCE) + 0.2 * served
    same_country = (facts.country == lead.country).astype(float)
    if lead.latitude is not None and lead.longitude is not None:
        distance = _haversine(lead.latitude, lead.longitude, facts.latitude, facts.longitude)
        known = ~np.isnan(distance)
        rows[1] = np.where(known, 1.0 / (1.0 + np.nan_to_num(distance) / DISTANCE_SCALE_KM), 0.3 * same_country)
    else:
        rows[1] = 0.5 * same_country
    region = facts.territory_region.get((lead.country, _fold(lead.city)), zeros) if lead.city else zeros
    declared = facts.territory_country.get(lead.country, zeros)
    undeclared_home = (facts.has_territory == 0) * same_country * 0.5 if facts.has_territory is not None else zeros
    rows[2] = np.maximum(np.maximum(region, 0.7 * declared), undeclared_home)
    if lead.specialisation_ids:
        rows[3] = sum(facts.specialisations.get(s, zeros) for s in lead.specialisation_ids) / len(
            lead.specialisation_ids)
    if lead.product_ids:
        rows[4] = sum(facts.certified.get(p, zeros) for p in lead.product_ids) / len(lead.product_ids)
    rows[5] = 0.6 * facts.win_rate + 0.4 * facts.response
    rows[6] = facts.tier
    capacity = np.maximum(facts.capacity, 1)
    rows[7] = np.clip(1.0 - facts.open_leads / capacity, 0.0, 1.0)
    rows[8] = 1.0 / (1.0 + facts.recent_leads)
    return rows


def score_rows(leads: Sequence[LeadProfile], facts: PartnerFacts, weights: dict[str, float]) -> np.ndarray:
    """Total scores (leads × partners) for many leads at once; the same numbers as `scores`, row by row."""
    wv = _weight_vector(weights)
    n = len(facts)
    zeros = np.zeros(n)
    count = len(leads)
    total = np.zeros((count, n))
    # Factors that do not depend on the lead, once.
    capacity = np.maximum(facts.capacity, 1)
    constant = (wv[5] * (0.6 * facts.win_rate + 0.4 * facts.response) + wv[6] * facts.tier
                + wv[7] * np.clip(1.0 - facts.open_leads / capacity, 0.0, 1.0) + wv[8] / (1.0 + facts.recent_leads))
    total += constant
    if wv[0]:
        for i, lead in enumerate(leads):
            if lead.industry_id is not None:
                wins = facts.industry_wins.get(lead.industry_id, zeros)
                served = facts.industry_served.get(lead.industry_id, zeros)
                total[i] += wv[0] * (0.8 * np.minimum(1.0, wins / WINS_FOR_FULL_EXPERIENCE) + 0.2 * served)
    lat = np.array([np.nan if lead.latitude is None else lead.latitude for lead in leads])
    lon = np.array([np.nan if lead.longitude is None else lead.longitude for lead in leads])
    index, codes = facts.country_codes()
    same_country = (np.array([index.get(lead.country, -1) for lead in leads])[:, None] == codes[None, :]).astype(
        np.float32)
    if wv[1]:
        p1 = np.radians(lat).astype(np.float32)[:, None]
        p2 = np.radians(facts.latitude).astype(np.float32)[None, :]
        dl = np.radians(facts.longitude).astype(np.float32)[None, :] - np.radians(lon).astype(np.float32)[:, None]
        a = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
        distance = 2 * geo.EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0, 1)))
        lead_known = ~np.isnan(lat)[:, None]
        known = ~np.isnan(distance)
        geography = np.where(known, 1.0 / (1.0 + np.nan_to_num(distance) / DISTANCE_SCALE_KM), 0.3 * same_country)
        total += wv[1] * np.where(lead_known, geography, 0.5 * same_country)
    if wv[2]:
        home = same_country * (0.5 * (facts.has_territory == 0) if facts.has_territory is not None else zeros)
        for i, lead in enumerate(leads):
            region = facts.territory_region.get((lead.country, _fold(lead.city)), zeros) if lead.city else zeros
            declared = facts.territory_country.get(lead.country, zeros)
            total[i] += wv[2] * np.maximum(np.maximum(region, 0.7 * declared), home[i])
    for i, lead in enumerate(leads):
        if wv[3] and lead.specialisation_ids:
            total[i] += wv[3] * sum(facts.specialisations.get(s, zeros) for s in lead.specialisation_ids) / len(
                lead.specialisation_ids)
        if wv[4] and lead.product_ids:
            total[i] += wv[4] * sum(facts.certified.get(p, zeros) for p in lead.product_ids) / len(lead.product_ids)
    return total


def _haversine(lat: float, lon: float, lats: np.ndarray, lons: np.ndarray) -> np.ndarray:
    p1, p2 = np.radians(lat), np.radians(lats)
    dp, dl = p2 - p1, np.radians(lons - lon)
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * geo.EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0, 1)))


def _weight_vector(weights: dict[str, float]) -> np.ndarray:
    vector = np.array([max(0.0, weights.get(name, 0.0)) for name in FACTORS])
    total = vector.sum()
    return vector / total if total > 0 else np.full(len(FACTORS), 1 / len(FACTORS))


def eligible(lead: LeadProfile, facts: PartnerFacts, *, exclude: Iterable[int] = (),
             remaining: np.ndarray | None = None) -> np.ndarray:
    """Partners that may receive the lead: free capacity, not excluded, and in its market when any is.

    In the market means based in the lead's country or declaring a territory there; a lead from a country
    no partner covers may go to anyone (the distance factor still prefers the nearest).
    """
    free = (facts.capacity - facts.open_leads) > 0 if remaining is None else remaining > 0
    mask = free.copy()
    excluded = list(exclude)
    if excluded:
        mask &= ~np.isin(facts.ids, excluded)
    index, codes = facts.country_codes()
    market = codes == index.get(lead.country, -1)
    if lead.country in facts.territory_market:
        market = market | facts.territory_market[lead.country]
    if (mask & market).any():
        mask &= market
    return mask


def scores(lead: LeadProfile, facts: PartnerFacts, weights: dict[str, float]) -> tuple[np.ndarray, np.ndarray]:
    """(total score per partner in 0..1, factor matrix)."""
    matrix = factor_matrix(lead, facts)
    return _weight_vector(weights) @ matrix, matrix


def rank(lead: LeadProfile, facts: PartnerFacts, weights: dict[str, float], *, exclude: Iterable[int] = (),
         limit: int = 5) -> list[Ranked]:
    """The best partners for one lead, best first, with their factor scores (the decision's explanation)."""
    if not len(facts):
        return []
    total, matrix = scores(lead, facts, weights)
    mask = eligible(lead, facts, exclude=exclude)
    candidates = np.nonzero(mask)[0]
    if not len(candidates):
        return []
    # Best score first; among equal scores (to 1e-6) the partner offered a lead longest ago goes first.
    order = np.lexsort((facts.last_offered[candidates], -np.round(total[candidates], 6)))
    ranked = []
    for i in candidates[order][:limit]:
        ranked.append(Ranked(int(facts.ids[i]), facts.names[i], float(total[i] * 100),
                             {name: float(matrix[f, i] * 100) for f, name in enumerate(FACTORS)}))
    return ranked


def assign_batch(leads: Sequence[LeadProfile], facts: PartnerFacts, weights: dict[str, float], *,
                 shortlist: int = 15, exclude: Sequence[Iterable[int]] | None = None,
                 exact: bool = True) -> list[int | None]:
    """Route many leads at once: the partner index for each lead (None when no partner has room).

    Scores are taken once against the current loads; capacities are hard limits. Each lead shortlists its
    best partners; the assignment that maximises first the number of leads placed, then their total score,
    over those shortlists is solved exactly as a sparse bipartite matching on capacity slots (ADR 0033).
    bench/routing.py compares it with the optimum over all partners. Leads whose whole shortlist is full
    take the best partner that still has room. `exact=False` takes pairs best first instead (the fallback).
    """
    remaining = (facts.capacity - facts.open_leads).astype(np.int64)
    pair_scores: list[np.ndarray] = []
    pair_partners: list[np.ndarray] = []
    pair_leads: list[np.ndarray] = []
    rows: list[tuple[np.ndarray, np.ndarray]] = []
    chunk: np.ndarray | None = None
    for li, lead in enumerate(leads):
        if li % SCORE_CHUNK == 0:
            chunk = score_rows(leads[li:li + SCORE_CHUNK], facts, weights)
        total = chunk[li % SCORE_CHUNK]
        mask = eligible(lead, facts, exclude=exclude[li] if exclude else (), remaining=remaining)
        rows.append((total, mask))
        candidates = np.nonzero(mask)[0]
        if not len(candidates):
            continue
        k = min(shortlist, len(candidates))
        top = candidates[np.argpartition(-total[candidates], k - 1)[:k]]
        pair_scores.append(total[top])
        pair_partners.append(top)
        pair_leads.append(np.full(k, li))
    result: list[int | None] = [None] * len(leads)
    if pair_scores:
        edges = (np.concatenate(pair_leads), np.concatenate(pair_partners), np.concatenate(pair_scores))
        plan = (_match(edges, remaining, len(leads), facts) if exact else None) or _greedy(
            edges, remaining.copy(), len(leads), facts)
        for li, partner in enumerate(plan):
            if partner is not None:
                result[li] = partner
                remaining[partner] -= 1
    for li, partner in enumerate(result):
        if partner is not None:
            continue
        total, mask = rows[li]
        open_ = np.nonzero(mask & (remaining > 0))[0]
        if len(open_):
            best = int(open_[np.argmax(total[open_])])
            result[li] = best
            remaining[best] -= 1
    return result


MAX_MATCHING_EDGES = 5_000_000


def _match(edges, remaining: np.ndarray, lead_count: int, facts: PartnerFacts) -> list[int | None] | None:
    """Exact assignment over the shortlisted pairs, on capacity slots; None when the graph would be too big."""
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import min_weight_full_bipartite_matching

    leads, partners, scores = edges
    demand = np.bincount(partners, minlength=len(remaining))
    slots = np.minimum(np.maximum(remaining, 0), demand)  # a partner never needs more slots than leads wanting it
    per_edge = slots[partners]
    if per_edge.sum() > MAX_MATCHING_EDGES:
        return None
    keep = per_edge > 0
    leads, partners, scores, per_edge = leads[keep], partners[keep], scores[keep], per_edge[keep]
    first_slot = np.concatenate([[0], np.cumsum(slots)])
    slot_count = int(first_slot[-1])
    offsets = np.arange(per_edge.sum()) - np.repeat(np.cumsum(per_edge) - per_edge, per_edge)
    # +1 on every real pair: placing one more lead always beats any score difference; older last offers win ties.
    recency = facts.last_offered[partners]
    tie = 1e-7 * (1 - recency / recency.max()) if len(recency) and recency.max() > 0 else 0.0
    values = np.repeat(1.0 + scores + tie, per_edge)
    rows = np.concatenate([np.repeat(leads, per_edge), np.arange(lead_count)])
    cols = np.concatenate([np.repeat(first_slot[partners], per_edge) + offsets,
                           slot_count + np.arange(lead_count)])
    values = np.concatenate([values, np.full(lead_count, 1e-9)])  # "not placed here": the way out for every lead
    graph = csr_matrix((values, (rows, cols)), shape=(lead_count, slot_count + lead_count))
    matched_rows, matched_cols = min_weight_full_bipartite_matching(graph, maximize=True)
    slot_partner = np.repeat(np.arange(len(remaining)), slots)
    plan: list[int | None] = [None] * lead_count
    for row, col in zip(matched_rows.tolist(), matched_cols.tolist(), strict=True):
        if col < slot_count:
            plan[row] = int(slot_partner[col])
    return plan


def _greedy(edges, remaining: np.ndarray, lead_count: int, facts: PartnerFacts) -> list[int | None]:
    """Pairs best first while the partner has room: the fallback for graphs too big to match exactly."""
    leads, partners, scores = edges
    plan: list[int | None] = [None] * lead_count
    for e in np.lexsort((facts.last_offered[partners], -scores)):
        li, pi = int(leads[e]), int(partners[e])
        if plan[li] is None and remaining[pi] > 0:
            plan[li] = pi
            remaining[pi] -= 1
    return plan


# --- loading facts from the database --------------------------------------------------------------------------

def lead_profile(lead) -> LeadProfile:
    """The routing view of a saved Lead (coordinates filled from its city when missing)."""
    latitude, longitude = lead.latitude, lead.longitude
    if latitude is None or longitude is None:
        place = geo.locate(lead.country, lead.city)
        if place:
            latitude, longitude = place.latitude, place.longitude
    return LeadProfile(country=lead.country, city=lead.city, latitude=latitude, longitude=longitude,
                       industry_id=lead.industry_id,
                       specialisation_ids=tuple(s.pk for s in lead.specialisations.all()),
                       product_ids=tuple(p.pk for p in lead.products.all()))


def partner_facts(*, now: datetime.datetime | None = None, default_capacity: int | None = None) -> PartnerFacts:
    """Facts about every active partner that takes leads, in a fixed number of queries."""
    from accord.partners.models import Partner, Tier
    from accord.sales.models import Certification, Deal, Lead, LeadOffer, SalesSettings, Territory

    now = now or timezone.now()
    if default_capacity is None:
        default_capacity = SalesSettings.current().default_capacity
    rows = list(Partner.objects.filter(status=Partner.Status.ACTIVE)
                .exclude(routing_profile__accepts_leads=False)
                .values_list("pk", "legal_name", "trading_name", "country", "city", "latitude", "longitude",
                             "tier__rank", "routing_profile__capacity").order_by("pk"))
    ids = np.array([r[0] for r in rows], dtype=np.int64)
    slot = {pk: i for i, pk in enumerate(ids.tolist())}
    n = len(rows)
    max_rank = Tier.objects.aggregate(top=Max("rank"))["top"] or 1
    lat = np.full(n, np.nan)
    lon = np.full(n, np.nan)
    for i, r in enumerate(rows):
        if r[5] is not None and r[6] is not None:
            lat[i], lon[i] = r[5], r[6]
        elif (place := geo.locate(r[3], r[4])) is not None:
            lat[i], lon[i] = place.latitude, place.longitude

    def vector(pairs: Iterable[tuple[int, float]], dtype=float) -> np.ndarray:
        out = np.zeros(n, dtype=dtype)
        for pk, value in pairs:
            if pk in slot:
                out[slot[pk]] = value
        return out

    open_leads = vector(Lead.objects.filter(partner_id__in=slot, status__in=Lead.OPEN_STATUSES).order_by()
                        .values_list("partner_id").annotate(n=Count("pk")))
    recent = vector(LeadOffer.objects.filter(partner_id__in=slot,
                                             offered_at__gte=now - datetime.timedelta(days=FAIRNESS_DAYS))
                    .order_by().values_list("partner_id").annotate(n=Count("pk")))
    last = vector(((pk, at.timestamp()) for pk, at in LeadOffer.objects.filter(partner_id__in=slot).order_by()
                   .values_list("partner_id").annotate(at=Max("offered_at"))))
    since = now - datetime.timedelta(days=PERFORMANCE_DAYS)
    outcomes = (Deal.objects.filter(partner_id__in=slot, status__in=[Deal.Status.WON, Deal.Status.LOST],
                                    closed_at__gte=since).order_by()
                .values_list("partner_id").annotate(won=Count("pk", filter=Q(status=Deal.Status.WON)),
                                                    total=Count("pk")))
    win_rate = np.full(n, 0.5)
    for pk, won, total in outcomes:
        win_rate[slot[pk]] = (won + 1) / (total + 2)  # Laplace: a partner with no history sits at one half
    hours: dict[int, list[float]] = defaultdict(list)
    for pk, offered, responded in (LeadOffer.objects.filter(partner_id__in=slot, responded_at__isnull=False,
                                                            offered_at__gte=since)
                                   .values_list("partner_id", "offered_at", "responded_at")):
        hours[pk].append((responded - offered).total_seconds() / 3600)
    response = np.full(n, 0.5)
    for pk, values in hours.items():
        response[slot[pk]] = 1.0 / (1.0 + float(np.median(values)) / 24.0)
    capacity = np.array([r[8] if r[8] is not None else default_capacity for r in rows], dtype=np.int64)
    facts = PartnerFacts(
        ids=ids, names=[r[2] or r[1] for r in rows], country=np.array([r[3] for r in rows], dtype=object),
        latitude=lat, longitude=lon, tier=np.array([(r[7] or 0) / max_rank for r in rows], dtype=float),
        capacity=capacity, open_leads=open_leads, recent_leads=recent, last_offered=last, win_rate=win_rate,
        response=response)
    for pk, industry, wins in (Deal.objects.filter(partner_id__in=slot, status=Deal.Status.WON,
                                                   industry__isnull=False).order_by()
                               .values_list("partner_id", "industry_id").annotate(n=Count("pk"))):
        facts.industry_wins.setdefault(industry, np.zeros(n))[slot[pk]] = wins
    through = Partner.industries.through
    for pk, industry in through.objects.filter(partner_id__in=slot).values_list("partner_id", "industry_id"):
        facts.industry_served.setdefault(industry, np.zeros(n))[slot[pk]] = 1
    through = Partner.specialisations.through
    for pk, spec in through.objects.filter(partner_id__in=slot).values_list("partner_id", "specialisation_id"):
        facts.specialisations.setdefault(spec, np.zeros(n))[slot[pk]] = 1
    for pk, product in (Certification.objects.filter(partner_id__in=slot)
                        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=now.date()))
                        .values_list("partner_id", "product_id")):
        facts.certified.setdefault(product, np.zeros(n))[slot[pk]] = 1
    has_territory = np.zeros(n)
    for pk, country, region in Territory.objects.filter(partner_id__in=slot).values_list("partner_id", "country",
                                                                                         "region"):
        has_territory[slot[pk]] = 1
        facts.territory_market.setdefault(country, np.zeros(n, dtype=bool))[slot[pk]] = True
        if region:
            facts.territory_region.setdefault((country, _fold(region)), np.zeros(n))[slot[pk]] = 1
        else:
            facts.territory_country.setdefault(country, np.zeros(n))[slot[pk]] = 1
    facts.has_territory = has_territory
    return facts
