"""Realistic fake partners for `accord seed`: local company names, addresses, tax IDs and phones per country.

Tax IDs are generated with correct check digits and pass the same python-stdnum validation the partner
services apply; phone numbers are valid for their country (phonenumbers). Everything is drawn from one
`random.Random`, so a given seed always produces the same data.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from typing import NamedTuple

import phonenumbers
from django.core.exceptions import ValidationError
from faker import Faker
from stdnum import luhn
from stdnum.br import cnpj as br_cnpj
from stdnum.cz import dic as cz_dic
from stdnum.es import cif as es_cif
from stdnum.iso7064 import mod_11_10
from stdnum.ru import inn as ru_inn
from unidecode import unidecode

from accord.partners import validators


class City(NamedTuple):
    name: str
    region: str
    latitude: float
    longitude: float
    time_zone: str


@dataclass(frozen=True)
class Country:
    code: str
    locale: str  # Faker locale for people, streets and postcodes
    language: str
    currency: str
    weight: int  # share of generated partners
    tld: str
    legal_forms: tuple[str, ...]  # "{name}" is replaced by the company's name
    stems: tuple[str, ...]
    trades: tuple[str, ...]
    cities: tuple[City, ...]


def _cities(time_zone: str, *rows: tuple) -> tuple[City, ...]:
    return tuple(City(*row, time_zone) if len(row) == 4 else City(*row) for row in rows)


COUNTRIES: tuple[Country, ...] = (
    Country("US", "en_US", "en", "USD", 15, "com", ("{name} Inc.", "{name} LLC", "{name} Corp."),
            ("Lakeside", "Summit", "Pioneer", "Liberty", "Keystone", "Redwood", "Bluewater", "Ironbridge",
             "Evergreen", "Granite", "Northstar", "Cascade"),
            ("Networks", "Technologies", "Systems", "Solutions", "Data", "Integration", "Communications"),
            _cities("America/New_York",
                    ("New York", "NY", 40.7128, -74.0060), ("Chicago", "IL", 41.8781, -87.6298, "America/Chicago"),
                    ("Los Angeles", "CA", 34.0522, -118.2437, "America/Los_Angeles"),
                    ("Houston", "TX", 29.7604, -95.3698, "America/Chicago"),
                    ("Phoenix", "AZ", 33.4484, -112.0740, "America/Phoenix"),
                    ("Seattle", "WA", 47.6062, -122.3321, "America/Los_Angeles"),
                    ("Atlanta", "GA", 33.7490, -84.3880), ("Denver", "CO", 39.7392, -104.9903, "America/Denver"),
                    ("Boston", "MA", 42.3601, -71.0589))),
    Country("DE", "de_DE", "de", "EUR", 12, "de", ("{name} GmbH", "{name} AG", "{name} GmbH & Co. KG"),
            ("Nordwind", "Rhein", "Alpen", "Elbe", "Hanse", "Spree", "Isar", "Brocken", "Falken", "Adler",
             "Weser", "Taunus"),
            ("Systemhaus", "Netzwerke", "IT-Service", "Datentechnik", "Kommunikation", "Sicherheitstechnik",
             "Informatik"),
            _cities("Europe/Berlin",
                    ("Berlin", "Berlin", 52.5200, 13.4050), ("Hamburg", "Hamburg", 53.5511, 9.9937),
                    ("München", "Bayern", 48.1351, 11.5820), ("Köln", "Nordrhein-Westfalen", 50.9375, 6.9603),
                    ("Frankfurt am Main", "Hessen", 50.1109, 8.6821),
                    ("Stuttgart", "Baden-Württemberg", 48.7758, 9.1829),
                    ("Düsseldorf", "Nordrhein-Westfalen", 51.2277, 6.7735), ("Leipzig", "Sachsen", 51.3397, 12.3731),
                    ("Nürnberg", "Bayern", 49.4521, 11.0767))),
    Country("RU", "ru_RU", "ru", "RUB", 12, "ru", ("ООО «{name}»", "АО «{name}»", "ПАО «{name}»"),
            ("Вектор", "Гранит", "Сибирь", "Волга", "Север", "Меридиан", "Спектр", "Орион", "Прогресс", "Альфа",
             "Ромашка", "Интегра"),
            ("Системы", "Технологии", "Телеком", "Сервис", "Решения", "Инжиниринг", "Трейд"),
            _cities("Europe/Moscow",
                    ("Москва", "Москва", 55.7558, 37.6173), ("Санкт-Петербург", "Санкт-Петербург", 59.9311, 30.3609),
                    ("Новосибирск", "Новосибирская область", 55.0084, 82.9357, "Asia/Novosibirsk"),
                    ("Екатеринбург", "Свердловская область", 56.8389, 60.6057, "Asia/Yekaterinburg"),
                    ("Казань", "Республика Татарстан", 55.7961, 49.1064),
                    ("Нижний Новгород", "Нижегородская область", 56.2965, 43.9361),
                    ("Самара", "Самарская область", 53.1959, 50.1002, "Europe/Samara"),
                    ("Краснодар", "Краснодарский край", 45.0355, 38.9753))),
    Country("PL", "pl_PL", "pl", "PLN", 12, "pl", ("{name} Sp. z o.o.", "{name} S.A.", "{name} Sp.j."),
            ("Wisła", "Bałtyk", "Tatry", "Kopernik", "Mazowsze", "Odra", "Sokół", "Jantar", "Orzeł", "Warta",
             "Pomorze", "Karkonosze"),
            ("Systemy", "Technologie", "Integracje", "Serwis", "Sieci", "Telekom", "Informatyka", "Rozwiązania"),
            _cities("Europe/Warsaw",
                    ("Warszawa", "mazowieckie", 52.2297, 21.0122), ("Kraków", "małopolskie", 50.0647, 19.9450),
                    ("Wrocław", "dolnośląskie", 51.1079, 17.0385), ("Łódź", "łódzkie", 51.7592, 19.4560),
                    ("Poznań", "wielkopolskie", 52.4064, 16.9252), ("Gdańsk", "pomorskie", 54.3520, 18.6466),
                    ("Katowice", "śląskie", 50.2649, 19.0238), ("Lublin", "lubelskie", 51.2465, 22.5684))),
    Country("ID", "id_ID", "id", "IDR", 10, "co.id", ("PT {name}", "PT {name} Tbk", "CV {name}"),
            ("Nusantara", "Garuda", "Mitra", "Sinar", "Cahaya", "Bintang", "Karya", "Maju", "Sentosa", "Jaya",
             "Samudra", "Rajawali"),
            ("Solusi Digital", "Teknologi", "Sistem Informasi", "Telekomunikasi", "Integrasi", "Jaringan",
             "Data Prima"),
            _cities("Asia/Jakarta",
                    ("Jakarta", "DKI Jakarta", -6.2088, 106.8456), ("Surabaya", "Jawa Timur", -7.2575, 112.7521),
                    ("Bandung", "Jawa Barat", -6.9175, 107.6191), ("Medan", "Sumatera Utara", 3.5952, 98.6722),
                    ("Semarang", "Jawa Tengah", -6.9667, 110.4167),
                    ("Makassar", "Sulawesi Selatan", -5.1477, 119.4327, "Asia/Makassar"),
                    ("Denpasar", "Bali", -8.6500, 115.2167, "Asia/Makassar"),
                    ("Yogyakarta", "DI Yogyakarta", -7.7956, 110.3695))),
    Country("GB", "en_GB", "en", "GBP", 8, "co.uk", ("{name} Ltd", "{name} PLC", "{name} LLP"),
            ("Thames", "Pennine", "Highland", "Albion", "Severn", "Cotswold", "Kingfisher", "Oakridge", "Mersey",
             "Tyne"),
            ("Networks", "Technology", "Systems", "IT Services", "Communications", "Data"),
            _cities("Europe/London",
                    ("London", "England", 51.5074, -0.1278), ("Manchester", "England", 53.4808, -2.2426),
                    ("Birmingham", "England", 52.4862, -1.8904), ("Leeds", "England", 53.8008, -1.5491),
                    ("Glasgow", "Scotland", 55.8642, -4.2518), ("Edinburgh", "Scotland", 55.9533, -3.1883),
                    ("Bristol", "England", 51.4545, -2.5879), ("Cardiff", "Wales", 51.4816, -3.1791))),
    Country("FR", "fr_FR", "fr", "EUR", 7, "fr", ("{name} SAS", "{name} SARL", "{name} SA"),
            ("Lumière", "Horizon", "Azur", "Mistral", "Loire", "Atlantique", "Éclair", "Cèdre", "Garonne", "Vercors"),
            ("Informatique", "Réseaux", "Systèmes", "Télécom", "Solutions", "Intégration"),
            _cities("Europe/Paris",
                    ("Paris", "Île-de-France", 48.8566, 2.3522), ("Lyon", "Auvergne-Rhône-Alpes", 45.7640, 4.8357),
                    ("Marseille", "Provence-Alpes-Côte d'Azur", 43.2965, 5.3698),
                    ("Toulouse", "Occitanie", 43.6047, 1.4442), ("Lille", "Hauts-de-France", 50.6292, 3.0573),
                    ("Nantes", "Pays de la Loire", 47.2184, -1.5536),
                    ("Bordeaux", "Nouvelle-Aquitaine", 44.8378, -0.5792),
                    ("Strasbourg", "Grand Est", 48.5734, 7.7521))),
    Country("IT", "it_IT", "it", "EUR", 6, "it", ("{name} S.r.l.", "{name} S.p.A."),
            ("Adriatica", "Dolomiti", "Vesuvio", "Tevere", "Aurora", "Etrusca", "Levante", "Sole", "Po", "Appennino"),
            ("Sistemi", "Informatica", "Reti", "Telecomunicazioni", "Soluzioni", "Tecnologie"),
            _cities("Europe/Rome",
                    ("Roma", "Lazio", 41.9028, 12.4964), ("Milano", "Lombardia", 45.4642, 9.1900),
                    ("Napoli", "Campania", 40.8518, 14.2681), ("Torino", "Piemonte", 45.0703, 7.6869),
                    ("Bologna", "Emilia-Romagna", 44.4949, 11.3426), ("Firenze", "Toscana", 43.7696, 11.2558),
                    ("Genova", "Liguria", 44.4056, 8.9463), ("Verona", "Veneto", 45.4384, 10.9916))),
    Country("ES", "es_ES", "es", "EUR", 6, "es", ("{name} S.L.", "{name} S.A."),
            ("Iberia", "Cantábrico", "Sierra", "Meseta", "Alhambra", "Duero", "Ebro", "Guadalquivir", "Tajo"),
            ("Sistemas", "Informática", "Redes", "Telecomunicaciones", "Soluciones", "Tecnologías"),
            _cities("Europe/Madrid",
                    ("Madrid", "Comunidad de Madrid", 40.4168, -3.7038), ("Barcelona", "Cataluña", 41.3874, 2.1686),
                    ("Valencia", "Comunitat Valenciana", 39.4699, -0.3763), ("Sevilla", "Andalucía", 37.3891, -5.9845),
                    ("Zaragoza", "Aragón", 41.6488, -0.8891), ("Bilbao", "País Vasco", 43.2630, -2.9350),
                    ("Málaga", "Andalucía", 36.7213, -4.4214))),
    Country("NL", "nl_NL", "nl", "EUR", 5, "nl", ("{name} B.V.", "{name} N.V."),
            ("Polder", "Delta", "Oranje", "Tulp", "Molen", "Zeeland", "Hollands", "Dijk", "Waddenzee"),
            ("Netwerken", "Systemen", "ICT", "Automatisering", "Telecom", "Oplossingen"),
            _cities("Europe/Amsterdam",
                    ("Amsterdam", "Noord-Holland", 52.3676, 4.9041), ("Rotterdam", "Zuid-Holland", 51.9244, 4.4777),
                    ("Den Haag", "Zuid-Holland", 52.0705, 4.3007), ("Utrecht", "Utrecht", 52.0907, 5.1214),
                    ("Eindhoven", "Noord-Brabant", 51.4416, 5.4697), ("Groningen", "Groningen", 53.2194, 6.5665))),
    Country("BR", "pt_BR", "pt", "BRL", 5, "com.br", ("{name} Ltda.", "{name} S.A."),
            ("Amazônia", "Cerrado", "Atlântico", "Ipê", "Tupã", "Horizonte", "Paraná", "Guanabara", "Pantanal"),
            ("Tecnologia", "Sistemas", "Redes", "Telecom", "Soluções", "Informática"),
            _cities("America/Sao_Paulo",
                    ("São Paulo", "SP", -23.5505, -46.6333), ("Rio de Janeiro", "RJ", -22.9068, -43.1729),
                    ("Belo Horizonte", "MG", -19.9167, -43.9345), ("Curitiba", "PR", -25.4284, -49.2733),
                    ("Porto Alegre", "RS", -30.0346, -51.2177), ("Recife", "PE", -8.0476, -34.8770, "America/Recife"),
                    ("Brasília", "DF", -15.7939, -47.8828))),
    Country("CZ", "cs_CZ", "cs", "CZK", 2, "cz", ("{name} s.r.o.", "{name} a.s."),
            ("Vltava", "Morava", "Šumava", "Krkonoše", "Labe", "Beskydy", "Jizera"),
            ("Systémy", "Technologie", "Sítě", "Informatika", "Telekomunikace"),
            _cities("Europe/Prague",
                    ("Praha", "Hlavní město Praha", 50.0755, 14.4378), ("Brno", "Jihomoravský kraj", 49.1951, 16.6068),
                    ("Ostrava", "Moravskoslezský kraj", 49.8209, 18.2625),
                    ("Plzeň", "Plzeňský kraj", 49.7384, 13.3736), ("Olomouc", "Olomoucký kraj", 49.5938, 17.2509))),
)

COMPETING_PRODUCTS = ("Cisco Meraki", "HPE Aruba", "Juniper Mist", "Fortinet FortiGate", "Ubiquiti UniFi",
                      "MikroTik RouterOS", "TP-Link Omada", "Palo Alto Prisma", "Check Point Quantum",
                      "Extreme Networks", "Huawei CloudEngine", "Zyxel Nebula")

JOB_TITLES = {
    "en": ("Managing Director", "Sales Director", "Account Manager", "Presales Engineer", "Network Engineer",
           "IT Consultant", "Procurement Manager", "Marketing Manager", "Technical Director", "Office Manager"),
    "de": ("Geschäftsführer", "Vertriebsleiter", "Account Manager", "Systemingenieur", "Netzwerktechniker",
           "IT-Berater", "Einkaufsleiter", "Marketingleiterin", "Technischer Leiter", "Projektleiter"),
    "ru": ("Генеральный директор", "Коммерческий директор", "Менеджер по работе с клиентами", "Инженер-пресейл",
           "Сетевой инженер", "ИТ-консультант", "Менеджер по закупкам", "Руководитель отдела маркетинга",
           "Технический директор", "Руководитель проектов"),
    "pl": ("Prezes zarządu", "Dyrektor sprzedaży", "Opiekun klienta", "Inżynier presales", "Administrator sieci",
           "Konsultant IT", "Kierownik zakupów", "Specjalista ds. marketingu", "Dyrektor techniczny",
           "Kierownik projektu"),
    "id": ("Direktur Utama", "Manajer Penjualan", "Account Manager", "Insinyur Presales", "Teknisi Jaringan",
           "Konsultan TI", "Manajer Pengadaan", "Manajer Pemasaran", "Direktur Teknik", "Manajer Proyek"),
}

RU_REGION_CODES = ("77", "78", "54", "66", "16", "52", "63", "23", "50", "47")
PL_TAX_OFFICES = ("526", "521", "677", "899", "725", "779", "583", "634", "946", "113", "951", "957")
US_EIN_PREFIXES = ("04", "13", "20", "27", "30", "33", "36", "45", "46", "47", "61", "68", "81", "84", "88")


def _digits(rng: random.Random, count: int, first_nonzero: bool = False) -> str:
    digits = "".join(rng.choice("0123456789") for _ in range(count))
    return (rng.choice("123456789") + digits[1:]) if first_nonzero and count else digits


def tax_id(rng: random.Random, country: str) -> str:
    """A tax ID with valid check digits, in the compact form the partner services store."""
    while True:
        raw = _raw_tax_id(rng, country)
        try:
            return validators.normalize_tax_id(country, raw)
        except ValidationError:  # a check digit of 10 has no representation: draw again
            continue


def _raw_tax_id(rng: random.Random, country: str) -> str:
    match country:
        case "RU":
            body = rng.choice(RU_REGION_CODES) + _digits(rng, 7)
            return body + ru_inn.calc_company_check_digit(body)
        case "PL":
            body = rng.choice(PL_TAX_OFFICES) + _digits(rng, 6)
            check = sum(w * int(d) for w, d in zip((6, 5, 7, 2, 3, 4, 5, 6, 7), body, strict=True)) % 11
            return body + str(check)  # a check of 10 fails validation and is drawn again
        case "DE":
            body = _digits(rng, 8, first_nonzero=True)
            return "DE" + body + mod_11_10.calc_check_digit(body)
        case "ID":
            body = _digits(rng, 8, first_nonzero=True)
            return body + luhn.calc_check_digit(body) + _digits(rng, 3) + "000"
        case "US":
            return f"{rng.choice(US_EIN_PREFIXES)}-{_digits(rng, 7)}"
        case "GB":
            body = _digits(rng, 7, first_nonzero=True)
            total = sum(w * int(d) for w, d in zip((8, 7, 6, 5, 4, 3, 2), body, strict=True))
            return "GB" + body + f"{(-total) % 97:02d}"
        case "FR":
            body = _digits(rng, 8, first_nonzero=True)
            siren = body + luhn.calc_check_digit(body)
            return f"FR{(12 + 3 * (int(siren) % 97)) % 97:02d}{siren}"
        case "IT":
            body = _digits(rng, 7, first_nonzero=True) + f"{rng.randint(1, 100):03d}"
            return body + luhn.calc_check_digit(body)
        case "ES":
            body = rng.choice("AB") + f"{rng.randint(1, 52):02d}" + _digits(rng, 5)
            return body + es_cif.calc_check_digits(body)[0]
        case "NL":
            body = _digits(rng, 8, first_nonzero=True)
            check = sum(w * int(d) for w, d in zip(range(9, 1, -1), body, strict=True)) % 11
            return f"NL{body}{check}B01"  # a check of 10 fails validation and is drawn again
        case "BR":
            body = _digits(rng, 8, first_nonzero=True) + "0001"
            return body + br_cnpj.calc_check_digits(body)
        case "CZ":
            body = rng.choice("12345678") + _digits(rng, 6)
            return "CZ" + body + cz_dic.calc_check_digit_legal(body)
    raise ValueError(f"no tax ID generator for {country}")


_EXAMPLES: dict[tuple[str, int], phonenumbers.PhoneNumber] = {}


def phone(rng: random.Random, country: str, *, mobile: bool = False) -> str:
    """A number valid for `country` (E.164): the country's example number with random subscriber digits."""
    kind = phonenumbers.PhoneNumberType.MOBILE if mobile else phonenumbers.PhoneNumberType.FIXED_LINE
    example = _EXAMPLES.get((country, kind))
    if example is None:
        example = _EXAMPLES[(country, kind)] = phonenumbers.example_number_for_type(country, kind)
    national = phonenumbers.national_significant_number(example)
    for _attempt in range(20):
        candidate = national[:-5] + _digits(rng, 5)
        number = phonenumbers.parse(f"+{example.country_code}{candidate}")
        if phonenumbers.is_valid_number(number):
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.E164)


def slug(text: str) -> str:
    """ASCII for domains and e-mail addresses: “Wisła Sieci” -> “wisla-sieci”."""
    return re.sub(r"[^a-z0-9]+", "-", unidecode(text).lower().replace("'", "")).strip("-")


class Fakers:
    """One seeded Faker per locale, created on first use (creating one costs tens of milliseconds)."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self._by_locale: dict[str, Faker] = {}

    def __getitem__(self, locale: str) -> Faker:
        if locale not in self._by_locale:
            faker = Faker(locale)
            faker.seed_instance(f"{self.seed}-{locale}")
            self._by_locale[locale] = faker
        return self._by_locale[locale]
