"""Routing scores, eligibility, tie rotation and batch assignment on hand-made partner facts."""

import numpy as np

from accord.sales import routing

WEIGHTS = dict.fromkeys(routing.FACTORS, 1.0)


def facts(n: int, *, country=None, capacity=None, open_leads=None, last_offered=None, lat=None, lon=None):
    return routing.PartnerFacts(
        ids=np.arange(1, n + 1), names=[f"P{i}" for i in range(1, n + 1)],
        country=np.array(country or ["DE"] * n, dtype=object),
        latitude=np.array(lat or [52.52] * n, dtype=float), longitude=np.array(lon or [13.40] * n, dtype=float),
        tier=np.zeros(n), capacity=np.array(capacity or [5] * n), open_leads=np.array(open_leads or [0] * n),
        recent_leads=np.zeros(n), last_offered=np.array(last_offered or [0.0] * n), win_rate=np.full(n, 0.5),
        response=np.full(n, 0.5), has_territory=np.zeros(n))


BERLIN = routing.LeadProfile(country="DE", city="Berlin", latitude=52.52, longitude=13.40)


def test_the_nearer_partner_ranks_first_with_its_factors():
    partners = facts(2, lat=[48.14, 52.52], lon=[11.58, 13.40])  # München, Berlin

    ranking = routing.rank(BERLIN, partners, WEIGHTS)

    assert [r.partner_id for r in ranking] == [2, 1]
    assert ranking[0].factors["geography"] == 100.0 and ranking[1].factors["geography"] < 50


def test_equal_partners_take_turns_oldest_offer_first():
    partners = facts(3, last_offered=[300.0, 100.0, 200.0])

    assert [r.partner_id for r in routing.rank(BERLIN, partners, WEIGHTS)] == [2, 3, 1]


def test_full_excluded_and_out_of_market_partners_are_not_eligible():
    partners = facts(4, country=["DE", "DE", "DE", "PL"], capacity=[2, 5, 5, 5], open_leads=[2, 0, 0, 0])

    ranking = routing.rank(BERLIN, partners, WEIGHTS, exclude=[2])

    assert [r.partner_id for r in ranking] == [3]


def test_a_lead_from_a_country_nobody_covers_may_go_anywhere():
    partners = facts(2, country=["PL", "CZ"])

    assert len(routing.rank(BERLIN, partners, WEIGHTS)) == 2


def test_batch_respects_capacity_and_places_every_lead_it_can():
    partners = facts(3, capacity=[1, 2, 1], lat=[52.52, 48.14, 53.55], lon=[13.40, 11.58, 9.99])
    leads = [BERLIN] * 5

    plan = routing.assign_batch(leads, partners, WEIGHTS)

    placed = [p for p in plan if p is not None]
    assert len(placed) == 4 and plan.count(None) == 1
    assert all(placed.count(i) <= partners.capacity[i] for i in range(3))


def test_exact_matching_beats_greedy_on_a_contested_partner():
    # Lead 0 likes partner 0 a little more than partner 1; lead 1 can only use partner 0 well.
    partners = facts(2, capacity=[1, 1], lat=[52.52, 48.14], lon=[13.40, 11.58])
    hamburg = routing.LeadProfile(country="DE", city="Hamburg", latitude=53.55, longitude=9.99)
    munich = routing.LeadProfile(country="DE", city="München", latitude=48.14, longitude=11.58)

    exact = routing.assign_batch([hamburg, munich], partners, WEIGHTS)
    totals = routing.score_rows([hamburg, munich], partners, WEIGHTS)

    assert exact == [0, 1]
    assert totals[0, 0] + totals[1, 1] >= totals[0, 1] + totals[1, 0]


def test_vectorised_scores_equal_the_per_lead_scores():
    partners = facts(3, lat=[52.52, 48.14, 53.55], lon=[13.40, 11.58, 9.99])
    leads = [BERLIN, routing.LeadProfile(country="DE")]

    rows = routing.score_rows(leads, partners, WEIGHTS)

    for i, lead in enumerate(leads):
        assert np.allclose(rows[i], routing.scores(lead, partners, WEIGHTS)[0], atol=1e-5)
