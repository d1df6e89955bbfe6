"""Deal-registration duplicate matcher: quality on a labelled set, and latency at 100,000 / 1,000,000 open deals.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/accord_sales_bench uv run python bench/dedupe.py
    uv run python bench/dedupe.py --sizes 20000 --eval 600        # a quick run

1. Quality. A seeded generator writes real-looking company names in English, German, Polish, Russian (Cyrillic)
   and Indonesian; each base company gets a variant of itself (legal form, case, punctuation, word order,
   abbreviation, typo, another script or transliteration scheme) and a look-alike that is a different company
   (a similar distinctive word, a different second word, or the same name in another line of business).
   The matcher runs for real: the bases are registered as open deals with their index keys, and every query
   goes through `find_conflicts`. A predicted pair is (query, flagged deal); flagged means duplicate or review,
   i.e. the registration would not pass silently. Precision, recall and F1 over pairs, next to two baselines
   measured on the same pairs: exact match on the normalised name, and plain rapidfuzz `ratio` with the
   threshold that maximises its F1 on this very set.
2. Latency. The open-deal table is filled by COPY to each size (generated names, their index keys and the
   per-key counts the services keep), then
   `find_conflicts` runs for a sample of new registrations (half of them variants of existing deals): p50 and
   p95 in milliseconds. Baseline in the same run: a pg_trgm similarity search (`%` on the GIN trigram index).

Last line: one JSON object with every figure.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import statistics
import string
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/accord_sales_bench")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "accord.settings")

# --- the name generator ----------------------------------------------------------------------------------------

ROOTS = {
    "en": ["Harrington", "Blackwood", "Ashford", "Kingsley", "Redwood", "Silverline", "Brightwater", "Oakridge",
           "Sterling", "Clearview", "Pinecrest", "Northgate", "Westbrook", "Hawthorne", "Whitfield", "Carrington",
           "Bellamy", "Lockwood", "Fairbanks", "Riverside", "Greenfield", "Stonebridge", "Highland", "Crestview",
           "Maplewood", "Thornbury", "Wexford", "Dalton", "Mercer", "Lakeside", "Bluewater", "Foxglove",
           "Ironbridge", "Kestrel", "Meadowbrook", "Pemberton", "Quayside", "Rosewood", "Sandford", "Tamworth"],
    "de": ["Bergmann", "Hartmann", "Schröder", "Krüger", "Neumann", "Schwarz", "Zimmermann", "Wagner", "Becker",
           "Hoffmann", "Schäfer", "Richter", "Lehmann", "Nordwind", "Alpenblick", "Rheintal", "Isartal",
           "Sonnenberg", "Lindenhof", "Weißenfels", "Falkenstein", "Eichwald", "Brunnhuber", "Kesselring",
           "Dreyer", "Vogelsang", "Steinbach", "Rosenthal", "Wendland", "Oberhauser", "Grünwald", "Habicht",
           "Kranich", "Leuchtturm", "Mühlberg", "Tannenhof", "Uhlenbrock", "Wasserfall", "Ziegler", "Auerbach"],
    "pl": ["Kowalczyk", "Wiśniewski", "Wójcik", "Kamiński", "Lewandowski", "Zieliński", "Szymański", "Woźniak",
           "Dąbrowski", "Kozłowski", "Jankowski", "Mazur", "Krawczyk", "Piotrowski", "Grabowski", "Pawłowski",
           "Michalski", "Wisła", "Mazowsze", "Bałtyk", "Tatry", "Podhale", "Warta", "Sokół", "Orzeł",
           "Bursztyn", "Żuraw", "Jodła", "Kaszuby", "Łużyce", "Mielec", "Narew", "Pilica", "Roztocze", "Sudety",
           "Świętokrzyski", "Wawel", "Zakopane", "Brzoza", "Dunajec"],
    "ru": ["Ромашка", "Вектор", "Уралтехснаб", "Волга", "Байкал", "Сибирь", "Гранит", "Меридиан", "Альтаир",
           "Звезда", "Рассвет", "Прогресс", "Восток", "Кристалл", "Полюс", "Енисей", "Смирнов", "Кузнецов",
           "Соколов", "Лебедев", "Морозов", "Волков", "Соловьёв", "Жуков", "Щербаков", "Журавлёв", "Чернов",
           "Хохлов", "Цветков", "Шишкин", "Ястреб", "Юпитер", "Эльбрус", "Фрегат", "Ладога", "Печора", "Северсталь",
           "Тайга", "Чайка", "Зенит"],
    "id": ["Sinar", "Maju", "Bumi", "Cahaya", "Mulia", "Sentosa", "Abadi", "Jaya", "Makmur", "Nusantara",
           "Samudra", "Garuda", "Merapi", "Rajawali", "Mandiri", "Sejahtera", "Harapan", "Berkah", "Lestari",
           "Permata", "Intan", "Mutiara", "Surya", "Bintang", "Delta", "Kencana", "Wijaya", "Perkasa", "Utama",
           "Gemilang", "Cemerlang", "Sakti", "Agung", "Indah", "Pratama", "Mitra", "Lautan", "Pelangi", "Anugerah",
           "Barokah"],
}
# Lines of business per language: (word, its English gist, an abbreviation or None).
BUSINESS = {
    "en": [("Logistics", "log", None), ("Software", "soft", None), ("Technologies", "tech", "Tech"),
           ("Systems", "sys", "Sys"), ("Manufacturing", "mfg", "Mfg"), ("International", "intl", "Intl"),
           ("Consulting", "cons", None), ("Engineering", "eng", "Eng"), ("Networks", "net", None),
           ("Medical", "med", None), ("Energy", "energy", None), ("Foods", "food", None)],
    "de": [("Logistik", "log", None), ("Maschinenbau", "mach", None), ("Elektrotechnik", "elec", None),
           ("Systemhaus", "sys", None), ("Technologie", "tech", "Tech"), ("Medizintechnik", "med", None),
           ("Bauunternehmung", "build", None), ("Energie", "energy", None), ("Beratung", "cons", None),
           ("Software", "soft", None), ("Handel", "trade", None), ("Automation", "auto", None)],
    "pl": [("Logistyka", "log", None), ("Budownictwo", "build", None), ("Systemy", "sys", None),
           ("Technologie", "tech", None), ("Energia", "energy", None), ("Handel", "trade", None),
           ("Doradztwo", "cons", None), ("Oprogramowanie", "soft", None), ("Transport", "transport", None),
           ("Przemysł", "ind", None), ("Medyczny", "med", None), ("Instalacje", "install", None)],
    "ru": [("Технологии", "tech", "Техно"), ("Логистика", "log", None), ("Системы", "sys", None),
           ("Энерго", "energy", None), ("Строй", "build", None), ("Торг", "trade", None),
           ("Медтехника", "med", None), ("Софт", "soft", None), ("Инжиниринг", "eng", None),
           ("Транс", "transport", None), ("Пром", "ind", None), ("Консалтинг", "cons", None)],
    "id": [("Logistik", "log", None), ("Teknologi", "tech", None), ("Solusi", "sol", None),
           ("Energi", "energy", None), ("Konstruksi", "build", None), ("Perdagangan", "trade", None),
           ("Digital", "digital", None), ("Medika", "med", None), ("Transportasi", "transport", None),
           ("Industri", "ind", None), ("Sistem", "sys", None), ("Konsultan", "cons", None)],
}
LEGAL = {
    "en": ["Inc.", "LLC", "Ltd", "Corp.", "Limited", "Co."],
    "de": ["GmbH", "AG", "GmbH & Co. KG", "KG", "UG (haftungsbeschränkt)", "SE"],
    "pl": ["Sp. z o.o.", "S.A.", "sp. z o. o.", "Spółka z ograniczoną odpowiedzialnością", "Sp.j.", "S.C."],
    "ru": ["ООО", "АО", "ПАО", "ЗАО", "ИП", "ОАО"],
    "id": ["PT", "PT ... Tbk", "CV", "UD", "PT. ", "PT (Persero)"],
}
COUNTRY = {"en": "US", "de": "DE", "pl": "PL", "ru": "RU", "id": "ID"}
TRANSLIT = {
    # Four ways Russian names reach Latin script besides our own: German (Duden), Polish, ISO 9 with diacritics
    # and plain English/BGN as a foreign clerk would type it.
    "german": {"а": "a", "б": "b", "в": "w", "г": "g", "д": "d", "е": "e", "ё": "jo", "ж": "sch", "з": "s",
               "и": "i", "й": "j", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "ss",
               "т": "t", "у": "u", "ф": "f", "х": "ch", "ц": "z", "ч": "tsch", "ш": "sch", "щ": "schtsch",
               "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "ju", "я": "ja"},
    "polish": {"а": "a", "б": "b", "в": "w", "г": "g", "д": "d", "е": "e", "ё": "io", "ж": "ż", "з": "z",
               "и": "i", "й": "j", "к": "k", "л": "ł", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s",
               "т": "t", "у": "u", "ф": "f", "х": "ch", "ц": "c", "ч": "cz", "ш": "sz", "щ": "szcz", "ъ": "",
               "ы": "y", "ь": "", "э": "e", "ю": "ju", "я": "ja"},
    "iso9": {"а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "ë", "ж": "ž", "з": "z", "и": "i",
             "й": "j", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t",
             "у": "u", "ф": "f", "х": "h", "ц": "c", "ч": "č", "ш": "š", "щ": "ŝ", "ъ": "", "ы": "y", "ь": "",
             "э": "è", "ю": "û", "я": "â"},
    "english": {"а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "yo", "ж": "zh", "з": "z",
                "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s",
                "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "",
                "ы": "y", "ь": "", "э": "e", "ю": "yu", "я": "ya"},
}
SYLLABLES = {
    "en": ["ash", "bel", "bro", "car", "dal", "ell", "fen", "gar", "hol", "kin", "lan", "mor", "nor", "ply",
           "ric", "sel", "ton", "ver", "wick", "wood", "ford", "ton", "by", "ham"],
    "de": ["berg", "bach", "dorf", "feld", "hau", "hof", "kirch", "lind", "mühl", "ner", "ober", "rode", "stein",
           "tal", "wald", "wei", "zell", "brun", "eck", "hain", "horn", "kamp", "loh", "reut"],
    "pl": ["brze", "cho", "dąb", "gór", "jas", "kra", "lesz", "łow", "mił", "nowo", "ost", "prze", "rad", "sław",
           "szcz", "tor", "wol", "zam", "żyw", "ski", "wice", "owo", "ec", "ka"],
    "ru": ["бел", "вол", "гор", "дон", "зар", "кам", "лес", "мир", "нов", "ок", "пет", "рос", "сев", "тем",
           "ур", "хол", "чер", "яр", "ин", "ов", "ск", "град", "ка", "ан"],
    "id": ["ba", "ca", "da", "ga", "ja", "ka", "la", "ma", "na", "pa", "ra", "sa", "ta", "wa", "ya", "ri", "ti",
           "ngan", "jaya", "sari", "mas", "nata", "wira", "tama"],
}


def synthetic_root(rng: random.Random, lang: str) -> str:
    parts = rng.sample(SYLLABLES[lang], rng.choice((2, 2, 3)))
    return "".join(parts).capitalize()


def compose(lang: str, roots: list[str], business: str | None, legal: str) -> str:
    body = " ".join(roots + ([business] if business else []))
    if lang == "ru":
        return f"{legal} «{body}»" if legal != "ИП" else f"ИП {body}"
    if lang == "id":
        if legal == "PT ... Tbk":
            return f"PT {body} Tbk"
        if legal in ("PT", "CV", "UD", "PT. "):
            return f"{legal.strip()} {body}"
        return f"{body} {legal}"
    return f"{body} {legal}"


class Company:
    def __init__(self, lang: str, roots: list[str], business: tuple | None, legal: str) -> None:
        self.lang, self.roots, self.business, self.legal = lang, roots, business, legal

    @property
    def name(self) -> str:
        return compose(self.lang, self.roots, self.business[0] if self.business else None, self.legal)


def typo(rng: random.Random, word: str) -> str:
    if len(word) < 5:
        return word
    i = rng.randrange(1, len(word) - 2)
    kind = rng.choice(("swap", "drop", "double", "substitute"))
    if kind == "swap":
        return word[:i] + word[i + 1] + word[i] + word[i + 2:]
    if kind == "drop":
        return word[:i] + word[i + 1:]
    if kind == "double":
        return word[:i] + word[i] + word[i:]
    neighbours = "qwertyuiopasdfghjklzxcvbnm" if word[i].isascii() else "аоеиуяю"
    return word[:i] + rng.choice(neighbours) + word[i + 1:]


def to_latin(text: str, scheme: dict[str, str]) -> str:
    out = []
    for char in text:
        low = char.lower()
        if low in scheme:
            latin = scheme[low]
            out.append(latin.capitalize() if char != low and latin else latin)
        else:
            out.append(char)
    return "".join(out)


RU_LEGAL_LATIN = {"ООО": "LLC", "АО": "JSC", "ПАО": "PJSC", "ЗАО": "CJSC", "ИП": "IE", "ОАО": "OJSC"}


def variant(rng: random.Random, company: Company) -> tuple[str, str]:
    """The same company written differently: (name, kind of change)."""
    lang = company.lang
    kinds = ["legal", "case", "punctuation", "order", "typo", "drop_legal"]
    if lang == "ru":
        kinds += ["script", "script", "script"]
    if company.business and company.business[2]:
        kinds.append("abbreviation")
    kind = rng.choice(kinds)
    roots = list(company.roots)
    business = company.business[0] if company.business else None
    legal = company.legal
    if kind == "legal":
        legal = rng.choice([form for form in LEGAL[lang] if form != legal] or [legal])
        name = compose(lang, roots, business, legal)
    elif kind == "drop_legal":
        name = " ".join(roots + ([business] if business else []))
    elif kind == "case":
        name = rng.choice((str.upper, str.lower, str.title))(company.name)
    elif kind == "punctuation":
        body = rng.choice(("-", " - ", ", ", "/")).join(roots + ([business] if business else []))
        name = f"{body}, {legal}" if lang != "ru" else f"{legal} \"{body}\""
    elif kind == "order":
        words = roots + ([business] if business else [])
        words = words[1:] + words[:1] if len(words) > 1 else words
        name = compose(lang, words, None, legal) if lang != "id" else f"{' '.join(words)}, {legal.strip()}"
    elif kind == "typo":
        target = rng.randrange(len(roots))
        roots[target] = typo(rng, roots[target])
        name = compose(lang, roots, business, legal)
    elif kind == "abbreviation":
        name = compose(lang, roots, company.business[2], legal)
    else:  # script: a Russian company written in Latin letters, by one of several conventions
        scheme = rng.choice(list(TRANSLIT))
        body = to_latin(" ".join(roots + ([business] if business else [])), TRANSLIT[scheme])
        latin_legal = rng.choice((RU_LEGAL_LATIN.get(legal, "LLC"), to_latin(legal, TRANSLIT[scheme]).upper(), ""))
        name = f"{body} {latin_legal}".strip()
        kind = f"script:{scheme}"
    # A second, small change now and then (case or legal form), as real registrations pile them up.
    if rng.random() < 0.3 and kind not in ("case",):
        name = name.upper() if rng.random() < 0.5 else name.lower()
    return name, kind


def look_alike(rng: random.Random, company: Company, pool: list[str]) -> tuple[str, str]:
    """A different company that resembles `company`: (name, kind)."""
    lang = company.lang
    kind = rng.choice(("similar_root", "other_second_word", "other_line"))
    roots = list(company.roots)
    business = company.business
    if kind == "similar_root":
        # The nearest other distinctive word in the pool (Bergmann → Hartmann, Wójcik → Woźniak).
        from rapidfuzz import fuzz

        original = roots[0]
        roots[0] = max((r for r in pool if r != original), key=lambda r: fuzz.ratio(r, original))
    elif kind == "other_second_word":
        others = [r for r in pool if r not in roots]
        roots = [*roots[:1], rng.choice(others)] if len(roots) > 1 else [roots[0], rng.choice(others)]
        if len(company.roots) == 1 and business is None:
            business = rng.choice(BUSINESS[lang])
    else:
        choices = [b for b in BUSINESS[lang] if b != business]
        business = rng.choice(choices)
        if company.business is None:
            roots = [roots[0], rng.choice([r for r in pool if r not in roots])]
    return compose(lang, roots, business[0] if business else None, rng.choice(LEGAL[lang])), kind


def evaluation_set(rng: random.Random, per_language: int) -> tuple[list[Company], list[tuple[str, str, int, str]]]:
    """Bases, and queries (name, country, index of the base they duplicate or -1, kind)."""
    bases: list[Company] = []
    seen: set[str] = set()
    from accord.sales.names import normalise

    for lang in ROOTS:
        made = 0
        while made < per_language:
            pool = ROOTS[lang]
            roots = [rng.choice(pool)] if rng.random() < 0.5 else [synthetic_root(rng, lang)]
            if rng.random() < 0.35:
                roots.append(rng.choice([r for r in pool if r not in roots]))
            business = rng.choice(BUSINESS[lang]) if rng.random() < 0.8 else None
            company = Company(lang, roots, business, rng.choice(LEGAL[lang]))
            key = normalise(company.name).core_text
            if key in seen:
                continue
            seen.add(key)
            bases.append(company)
            made += 1
    queries = []
    for index, company in enumerate(bases):
        name, kind = variant(rng, company)
        queries.append((name, COUNTRY[company.lang], index, f"variant:{kind.split(':')[0]}"))
        pool = ROOTS[company.lang] + [synthetic_root(rng, company.lang) for _ in range(20)]
        name, kind = look_alike(rng, company, pool)
        if normalise(name).core_text not in seen:
            queries.append((name, COUNTRY[company.lang], -1, f"lookalike:{kind}"))
    return bases, queries


# --- database helpers ------------------------------------------------------------------------------------------

def ensure_database() -> None:
    import psycopg
    from dj_database_url import parse

    config = parse(os.environ["DATABASE_URL"])
    if "postgresql" not in config["ENGINE"]:
        raise SystemExit("bench/dedupe.py measures PostgreSQL: set DATABASE_URL=postgres://…")
    admin = psycopg.connect(host=config["HOST"], port=config["PORT"] or 5432, user=config["USER"],
                            password=config["PASSWORD"] or None, dbname="postgres", autocommit=True)
    exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]]).fetchone()
    if not exists:
        admin.execute(f'CREATE DATABASE "{config["NAME"]}"')
    admin.close()


DEAL_COLUMNS = ("id", "number", "company_name", "company_country", "company_city", "company_domain",
                "company_tax_id", "company_norm", "contact_name", "contact_email", "contact_phone", "value",
                "currency", "expected_close_date", "stage", "status", "verdict", "conflicts", "decision_reason",
                "close_reason", "notes", "registered_at", "updated_at")


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\t", " ").replace("\n", " ")


def copy_deals(connection, start_id: int, rows: list[tuple[str, str]], *, with_keys: bool = True) -> None:
    """COPY open deals (name, country) with ids from `start_id`, and their blocking keys."""
    from accord.sales.matching import Registration, keys
    from accord.sales.names import normalise

    deals = io.StringIO()
    match_keys = io.StringIO()
    now = "2026-11-01 10:00:00+00"
    close = "2027-03-01"
    for offset, (name, country) in enumerate(rows):
        deal_id = start_id + offset
        deals.write("\t".join((str(deal_id), f"B-{deal_id:08d}", _escape(name), country, "", "", "",
                               _escape(normalise(name).text[:250]), "", "", "", "1000.00", "EUR", close,
                               "qualification", "approved", "accepted", "[]", "", "", "", now, now)) + "\n")
        if with_keys:
            for key in keys(Registration(name, country)):
                match_keys.write(f"{deal_id}\t{key}\n")
    with connection.cursor() as cursor:
        raw = cursor.cursor if hasattr(cursor, "cursor") else cursor
        with raw.copy(f"COPY sales_deal ({', '.join(DEAL_COLUMNS)}) FROM STDIN") as copy:
            copy.write(deals.getvalue())
        if with_keys:
            with raw.copy("COPY sales_matchkey (deal_id, key) FROM STDIN") as copy:
                copy.write(match_keys.getvalue())


def reset_tables(connection) -> None:
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE sales_matchkey, sales_matchkeyfrequency, sales_deal_products, sales_dealevent, "
                       "sales_dealrequest, sales_deal RESTART IDENTITY CASCADE")


def refresh_frequencies(connection) -> None:
    """What `matching.index_deal` keeps up to date one deal at a time, rebuilt after a bulk COPY."""
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE sales_matchkeyfrequency")
        cursor.execute("INSERT INTO sales_matchkeyfrequency (key, deals) "
                       "SELECT key, COUNT(*) FROM sales_matchkey GROUP BY key")
        cursor.execute("ANALYZE sales_matchkeyfrequency")


def background_names(rng: random.Random, count: int) -> list[tuple[str, str]]:
    langs = list(ROOTS)
    out = []
    for _ in range(count):
        lang = rng.choice(langs)
        roots = [synthetic_root(rng, lang)]
        if rng.random() < 0.5:
            roots.append(rng.choice(ROOTS[lang]) if rng.random() < 0.5 else synthetic_root(rng, lang))
        business = rng.choice(BUSINESS[lang])[0] if rng.random() < 0.8 else None
        suffix = "".join(rng.choices(string.ascii_uppercase, k=2)) if rng.random() < 0.3 else ""
        name = compose(lang, [*roots, suffix] if suffix else roots, business, rng.choice(LEGAL[lang]))
        out.append((name, COUNTRY[lang]))
    return out


# --- quality -----------------------------------------------------------------------------------------------------

def prf(predicted: set, truth: set) -> dict:
    hits = len(predicted & truth)
    precision = hits / len(predicted) if predicted else 0.0
    recall = hits / len(truth) if truth else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4),
            "pairs_flagged": len(predicted)}


def quality(connection, bases: list[Company], queries) -> dict:
    from rapidfuzz import fuzz, process

    from accord.sales.matching import find_conflicts
    from accord.sales.models import Deal
    from accord.sales.names import normalise

    thresholds = current_thresholds()
    reset_tables(connection)
    copy_deals(connection, 1, [(b.name, COUNTRY[b.lang]) for b in bases])
    refresh_frequencies(connection)
    truth = {(qi, base + 1) for qi, (_n, _c, base, _k) in enumerate(queries) if base >= 0}
    flagged, duplicates = set(), set()
    by_kind: dict[str, list[int]] = {}
    for qi, (name, country, base, kind) in enumerate(queries):
        deal = Deal(company_name=name, company_country=country, expected_close_date=None)
        found = find_conflicts(deal, product_ids=[], thresholds=thresholds)
        for candidate in found:
            flagged.add((qi, candidate.deal_id))
            if candidate.verdict == "duplicate":
                duplicates.add((qi, candidate.deal_id))
        hit = any(c.deal_id == base + 1 for c in found) if base >= 0 else bool(found)
        by_kind.setdefault(kind, []).append(int(hit))
    # Baseline 1: exact match on the normalised name (legal forms removed, transliterated, folded).
    index: dict[str, list[int]] = {}
    for i, base in enumerate(bases):
        index.setdefault(normalise(base.name).text, []).append(i + 1)
    exact = {(qi, d) for qi, (name, *_rest) in enumerate(queries) for d in index.get(normalise(name).text, [])}
    # Baseline 2: plain rapidfuzz ratio on the lower-cased names, at the threshold best for it on this set.
    import numpy as np

    matrix = process.cdist([q[0].lower() for q in queries], [b.name.lower() for b in bases], scorer=fuzz.ratio,
                           dtype=np.uint8, workers=1)
    best = None
    for threshold in range(50, 101, 2):
        rows, cols = np.nonzero(matrix >= threshold)
        pairs = {(int(r), int(c) + 1) for r, c in zip(rows, cols, strict=True)}
        scored = prf(pairs, truth)
        if best is None or scored["f1"] > best[1]["f1"]:
            best = (threshold, scored)
    detection = {kind: round(sum(v) / len(v), 3) for kind, v in sorted(by_kind.items())}
    return {"bases": len(bases), "queries": len(queries), "true_pairs": len(truth),
            "matcher": prf(flagged, truth), "matcher_duplicate_only": prf(duplicates, truth),
            "baseline_exact_normalised": prf(exact, truth),
            "baseline_rapidfuzz_ratio": {**best[1], "threshold": best[0]},
            "flag_rate_by_kind": detection}


# --- latency -------------------------------------------------------------------------------------------------------

def current_thresholds():
    """Read once, as `deal_register` does under its lock; the check itself is what is timed."""
    from accord.sales.matching import Thresholds
    from accord.sales.models import SalesSettings

    settings = SalesSettings.current()
    return Thresholds(settings.duplicate_threshold, settings.review_threshold, settings.match_window_days)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def latency(connection, rng: random.Random, size: int, bases: list[Company], samples: int) -> dict:
    from django.db import connection as django_connection

    from accord.sales.matching import find_conflicts
    from accord.sales.models import Deal

    queries = []
    for _ in range(samples):
        if rng.random() < 0.5:
            company = rng.choice(bases)
            queries.append((variant(rng, company)[0], COUNTRY[company.lang]))
        else:
            queries.append(background_names(rng, 1)[0])
    thresholds = current_thresholds()
    for name, country in queries[:20]:  # warm the caches the way a running server has them
        find_conflicts(Deal(company_name=name, company_country=country, expected_close_date=None), product_ids=[],
                       thresholds=thresholds)
    timings, found = [], 0
    for name, country in queries:
        started = time.perf_counter()
        result = find_conflicts(Deal(company_name=name, company_country=country, expected_close_date=None),
                                product_ids=[], thresholds=thresholds)
        timings.append((time.perf_counter() - started) * 1000)
        found += bool(result)
    trigram = []
    from accord.sales.names import normalise

    with django_connection.cursor() as cursor:
        cursor.execute("SET pg_trgm.similarity_threshold = 0.5")
        for name, _country in queries:
            started = time.perf_counter()
            cursor.execute("SELECT id, similarity(company_norm, %s) AS s FROM sales_deal WHERE company_norm %% %s "
                           "AND status IN ('submitted', 'review', 'approved') ORDER BY s DESC LIMIT 10",
                           [normalise(name).text, normalise(name).text])
            cursor.fetchall()
            trigram.append((time.perf_counter() - started) * 1000)
    return {"open_registrations": size, "samples": samples, "with_conflicts": found,
            "p50_ms": round(statistics.median(timings), 2), "p95_ms": round(percentile(timings, 0.95), 2),
            "baseline_pg_trgm_p50_ms": round(statistics.median(trigram), 2),
            "baseline_pg_trgm_p95_ms": round(percentile(trigram, 0.95), 2)}


def fill_to(connection, rng: random.Random, current: int, target: int, chunk: int = 100_000) -> int:
    while current < target:
        batch = min(chunk, target - current)
        copy_deals(connection, current + 1, background_names(rng, batch))
        current += batch
        print(f"  … {current:,} open registrations", file=sys.stderr, flush=True)
    with connection.cursor() as cursor:
        cursor.execute("SELECT setval(pg_get_serial_sequence('sales_deal', 'id'), %s)", [current])
        cursor.execute("ANALYZE sales_deal")
        cursor.execute("ANALYZE sales_matchkey")
    refresh_frequencies(connection)
    return current


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--eval", type=int, default=2000, help="base companies in the labelled set (all languages)")
    parser.add_argument("--sizes", default="100000,1000000", help="open registrations for the latency runs")
    parser.add_argument("--samples", type=int, default=500, help="duplicate checks timed at each size")
    parser.add_argument("--seed", type=int, default=20261123)
    parser.add_argument("--latency-only", action="store_true",
                        help="skip the labelled set and time checks on the registrations already in the database "
                             "(after a full run), e.g. to repeat the timing on a quieter machine")
    args = parser.parse_args()
    ensure_database()
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    rng = random.Random(args.seed)
    bases, queries = evaluation_set(rng, args.eval // len(ROOTS))
    if args.latency_only:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM sales_deal")
            current = cursor.fetchone()[0]
            cursor.execute("SELECT count(*) FROM sales_matchkey")
            key_rows = cursor.fetchone()[0]
        row = {**latency(connection, rng, current, bases, args.samples), "index_rows": key_rows}
        print(f"{current:>9,} open registrations ({key_rows:,} index keys, reused): find_conflicts p50 "
              f"{row['p50_ms']} ms, p95 {row['p95_ms']} ms | baseline pg_trgm similarity p50 "
              f"{row['baseline_pg_trgm_p50_ms']} ms, p95 {row['baseline_pg_trgm_p95_ms']} ms "
              f"({row['samples']} checks, {row['with_conflicts']} found conflicts)")
        print(json.dumps({"latency": [row]}))
        return
    started = time.perf_counter()
    result = quality(connection, bases, queries)
    result["quality_seconds"] = round(time.perf_counter() - started, 1)
    print(f"Labelled set: {result['bases']} companies in {len(ROOTS)} languages, {result['queries']} queries, "
          f"{result['true_pairs']} true duplicate pairs")
    print(f"{'method':32} {'precision':>9} {'recall':>7} {'F1':>7} {'flagged':>8}")
    for label, key in (("matcher (duplicate or review)", "matcher"), ("matcher (duplicate verdict)",
                                                                       "matcher_duplicate_only"),
                       ("baseline: exact normalised name", "baseline_exact_normalised"),
                       ("baseline: rapidfuzz ratio", "baseline_rapidfuzz_ratio")):
        row = result[key]
        extra = f"  (threshold {row['threshold']})" if "threshold" in row else ""
        print(f"{label:32} {row['precision']:9.4f} {row['recall']:7.4f} {row['f1']:7.4f} "
              f"{row['pairs_flagged']:8d}{extra}")
    print("flag rate by kind (variants should be 1, look-alikes 0):",
          ", ".join(f"{k}={v}" for k, v in result["flag_rate_by_kind"].items()))
    # Latency: the labelled bases stay in, background registrations are added up to each size.
    reset_tables(connection)
    copy_deals(connection, 1, [(b.name, COUNTRY[b.lang]) for b in bases])
    current = len(bases)
    result["latency"] = []
    for size in [int(s) for s in args.sizes.split(",") if s]:
        started = time.perf_counter()
        current = fill_to(connection, rng, current, size)
        built = time.perf_counter() - started
        keys = connection.cursor()
        keys.execute("SELECT count(*) FROM sales_matchkey")
        key_rows = keys.fetchone()[0]
        row = latency(connection, rng, current, bases, args.samples)
        row["index_rows"] = key_rows
        row["build_seconds"] = round(built, 1)
        result["latency"].append(row)
        print(f"{current:>9,} open registrations ({key_rows:,} index keys, built in {built:.0f} s): "
              f"find_conflicts p50 {row['p50_ms']} ms, p95 {row['p95_ms']} ms | baseline pg_trgm similarity "
              f"p50 {row['baseline_pg_trgm_p50_ms']} ms, p95 {row['baseline_pg_trgm_p95_ms']} ms "
              f"({row['samples']} checks, {row['with_conflicts']} found conflicts)")
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
