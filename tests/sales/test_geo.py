"""Offline geography and working-hour deadlines in the partner's time zone."""

import datetime

from accord.sales import geo


def test_cities_are_found_in_any_script_and_unknown_countries_are_none():
    moscow = geo.locate("RU", "Москва")
    krakow = geo.locate("PL", "Krakow")

    assert moscow and abs(moscow.latitude - 55.75) < 0.2
    assert krakow and abs(krakow.longitude - 19.94) < 0.2
    assert geo.locate("DE", "Nowhere-at-all").name == "Berlin"  # the capital stands in for an unknown city
    assert geo.locate("QQ") is None and not geo.is_country("QQ")


def test_distance_between_berlin_and_hamburg():
    assert 250 < geo.distance_km(52.52, 13.405, 53.55, 9.99) < 260


def test_deadline_skips_nights_and_the_weekend_in_the_partners_time_zone():
    # Friday 18:00 in Jakarta (11:00 UTC): 16 working hours end Tuesday 17:00 Jakarta time.
    start = datetime.datetime(2026, 11, 27, 11, 0, tzinfo=datetime.UTC)

    deadline = geo.add_working_hours(start, 16, "Asia/Jakarta")

    assert deadline.astimezone(datetime.timezone(datetime.timedelta(hours=7))) == datetime.datetime(
        2026, 12, 1, 17, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=7)))


def test_deadline_within_the_same_day():
    start = datetime.datetime(2026, 11, 24, 9, 0, tzinfo=datetime.UTC)  # Tuesday 10:00 in Berlin

    assert geo.add_working_hours(start, 3, "Europe/Berlin") == datetime.datetime(2026, 11, 24, 12, 0,
                                                                                tzinfo=datetime.UTC)
