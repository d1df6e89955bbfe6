"""Company-name normalisation across languages and scripts, for the duplicate matcher and its index.

A registered end-customer name arrives as "ООО «Ромашка Технологии»", "Romashka Technologies LLC" or
"romaschka technologie gmbh": one company. `normalise` removes legal forms in any of the languages we sell
in, transliterates Cyrillic to Latin (GOST 7.79 system B / ICAO-style, with unidecode for other scripts),
folds case, punctuation and accents, maps generic words in several languages onto one English stem, and
`skeleton` reduces a token to a phonetic consonant key so spelling variants of one sound meet.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache

from unidecode import unidecode

# Russian (and Ukrainian/Belarusian letters seen in Russian names) to Latin, close to GOST 7.79-2000 B and
# the ICAO passport scheme; both are what Russian companies use for their Latin names.
CYRILLIC = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh", "з": "z", "и": "i",
    "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t",
    "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "",
    "э": "e", "ю": "yu", "я": "ya", "і": "i", "ї": "yi", "є": "ye", "ґ": "g", "ў": "u",
}

# Legal forms, written as they appear once punctuation is gone and the text is Latin and lower case.
# Multi-word forms are matched first (longest first) so "sp z o o" never leaves a stray "sp".
LEGAL_FORMS = {
    # English-speaking
    "llc", "l l c", "inc", "incorporated", "corp", "corporation", "co", "company", "ltd", "limited", "plc",
    "llp", "lp", "pty", "pty ltd", "pvt", "pvt ltd", "private limited", "public limited company",
    # German-speaking
    "gmbh", "gesellschaft mit beschrankter haftung", "ag", "aktiengesellschaft", "kg", "ohg", "ug",
    "ug haftungsbeschrankt", "gmbh co kg", "gmbh und co kg", "ag co kg", "kgaa", "ev", "e v", "mbh", "se",
    # Polish
    "sp z o o", "sp zoo", "spolka z ograniczona odpowiedzialnoscia", "sp k", "sp j", "sp p",
    "s a", "sa", "spolka akcyjna", "spolka komandytowa", "spolka jawna", "s c", "sc", "spolka cywilna",
    "phu", "pphu", "fhu", "przedsiebiorstwo handlowo uslugowe", "firma handlowo uslugowa",
    # Russian, after transliteration
    "ooo", "oao", "zao", "ao", "pao", "nao", "ip", "nko", "ano", "gup", "mup", "fgup", "tk", "pk",
    "jsc", "cjsc", "ojsc", "pjsc", "ie", "oo",
    "obshchestvo s ogranichennoy otvetstvennostyu", "aktsionernoe obshchestvo",
    "publichnoe aktsionernoe obshchestvo", "individualnyy predprinimatel",
    # Indonesian
    "pt", "tbk", "pt tbk", "cv", "ud", "persero", "perseroan terbatas", "fa", "koperasi",
    # Romance and Benelux, seen in multinational customers
    "s a s", "sas", "sarl", "s r l", "srl", "spa", "s p a", "bv", "b v", "nv", "n v", "s l", "sl", "oy", "ab",
    "as", "a s", "kft", "zrt", "s r o", "sro", "doo", "d o o",
}
_LEGAL_LONGEST = max(len(form.split()) for form in LEGAL_FORMS)

# Generic words in the languages we sell in, folded onto one stem; they still count, but weakly.
GENERIC = {
    "tech": ("tech", "techn", "technology", "technologies", "technik", "technika", "technologie", "technologia",
             "technologii", "tekhnologii", "tekhnologiya", "tekhnologiy", "teknologi", "tekhno", "technics"),
    "system": ("system", "systems", "systeme", "systemy", "systemow", "sistem", "sistemy", "sistema", "sistemi",
               "sys", "systemhaus"),
    "solution": ("solution", "solutions", "losungen", "loesungen", "losung", "rozwiazania", "rozwiazan",
                 "resheniya", "resheniy", "solusi", "solusindo"),
    "group": ("group", "grp", "gruppe", "grupa", "gruppa", "grup", "grupo", "groupe", "holding", "holdings"),
    "service": ("service", "services", "serwis", "servis", "servisy", "layanan", "dienstleistungen", "uslugi"),
    "international": ("international", "intl", "int", "internasional", "mezhdunarodnyy", "miedzynarodowy",
                      "global"),
    "trade": ("trade", "trading", "handel", "handlowy", "handlowa", "torgovyy", "torgovaya", "torg", "dagang",
              "perdagangan"),
    "industry": ("industry", "industries", "industrie", "industria", "przemysl", "promyshlennost", "prom",
                 "industri"),
    "logistics": ("logistics", "logistik", "logistyka", "logistika", "logistik"),
    "software": ("software", "soft", "oprogramowanie", "programmnoe", "perangkat lunak"),
    "network": ("network", "networks", "netzwerk", "netzwerke", "sieci", "seti", "jaringan", "net"),
    "digital": ("digital", "cyfrowy", "cyfrowe", "tsifrovoy", "tsifrovye", "digitale"),
    "engineering": ("engineering", "ingenieur", "inzynieria", "inzhiniring", "rekayasa", "eng"),
    "manufacturing": ("manufacturing", "mfg", "fertigung", "produkcja", "proizvodstvo", "manufaktur"),
    "consulting": ("consulting", "beratung", "doradztwo", "konsalting", "konsultan"),
    "and": ("and", "und", "i", "dan", "et", "y"),
    "the": ("the", "der", "die", "das"),
    "mining": ("mining", "bergbau", "gornictwo", "dobycha", "tambang", "pertambangan"),
    "energy": ("energy", "energie", "energia", "energetika", "energi", "energo"),
    "bank": ("bank", "banka", "bankowy"),
    "medical": ("medical", "medizin", "medizintechnik", "medyczny", "medtekhnika", "medis", "med"),
    "store": ("store", "stores", "shop", "markt", "sklep", "magazin", "toko"),
    "partner": ("partner", "partners", "partnery", "partnerov", "partnerzy", "mitra", "partnerschaft"),
    "center": ("center", "centre", "zentrum", "centrum", "tsentr", "pusat", "sentral"),
}
STOP_STEMS = frozenset({"and", "the"})
_GENERIC_OF = {word: stem for stem, words in GENERIC.items() for word in words if " " not in word}
WEAK_STEMS = frozenset(GENERIC) - STOP_STEMS

_QUOTES_RE = re.compile(r"[«»\"“”„‟'’`´]")
_NON_WORD_RE = re.compile(r"[^a-z0-9]+")
_SPACES_RE = re.compile(r"\s+")


def transliterate(text: str) -> str:
    """Latin text for any script: our own mapping for Cyrillic, unidecode for the rest."""
    out = []
    for char in text:
        lower = char.lower()
        if lower in CYRILLIC:
            latin = CYRILLIC[lower]
            out.append(latin.capitalize() if char != lower and latin else latin)
        else:
            out.append(char)
    return unidecode("".join(out))


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKC", text or "")
    text = text.replace("&", " and ").replace("+", " and ").replace("ß", "ss")
    text = text.replace("ä", "a").replace("ö", "o").replace("ü", "u").replace("Ä", "A").replace("Ö", "O")
    text = text.replace("Ü", "U")
    text = _QUOTES_RE.sub(" ", text)
    text = transliterate(text).lower()
    return _SPACES_RE.sub(" ", _NON_WORD_RE.sub(" ", text)).strip()


@dataclass(frozen=True)
class Name:
    """A company name reduced for comparison.

    `tokens`  every meaningful token after legal forms are removed and generic words folded, sorted
    `core`    the distinctive tokens (not generic); what makes two companies the same or different
    `text`    tokens joined, for whole-string scores
    """

    raw: str
    tokens: tuple[str, ...]
    core: tuple[str, ...]
    words: tuple[str, ...] = ()  # the tokens in their written order, for the acronym

    @property
    def text(self) -> str:
        return " ".join(self.tokens)

    @property
    def core_text(self) -> str:
        return " ".join(self.core) or self.text

    @property
    def skeleton_text(self) -> str:
        return " ".join(sorted(skeleton(t) for t in self.core)) or self.text

    @property
    def acronym(self) -> str:
        """Initials of the distinctive words, for "IBS" ~ "Integrated Business Systems"."""
        words = [t for t in self.words if t not in STOP_STEMS]
        return "".join(w[0] for w in words) if len(words) >= 2 else ""


def _strip_legal(folded: str) -> str:
    """Remove legal forms anywhere in the name (longest first); keep the name if nothing else would remain."""
    words = folded.split()
    kept: list[str] = []
    i = 0
    while i < len(words):
        for size in range(min(_LEGAL_LONGEST, len(words) - i), 0, -1):
            if " ".join(words[i:i + size]) in LEGAL_FORMS:
                i += size
                break
        else:
            kept.append(words[i])
            i += 1
    return " ".join(kept) or folded


def _join_letters(words: list[str]) -> list[str]:
    """"I B S" written with spaces or dots becomes one token "ibs"."""
    out: list[str] = []
    run: list[str] = []
    for word in [*words, ""]:
        if len(word) == 1 and word.isalpha():
            run.append(word)
            continue
        if len(run) >= 2:
            out.append("".join(run))
        else:
            out.extend(run)
        run = []
        if word:
            out.append(word)
    return out


@cache
def _generic_by_sound() -> dict[str, str]:
    """Generic words recognised by their skeleton too, so "ssoft" or "tehnologii" fold like "soft"."""
    sounds: dict[str, str | None] = {}
    for word, stem in _GENERIC_OF.items():
        if len(word) >= 4:
            key = skeleton(word)
            if len(key) >= 3:
                sounds[key] = stem if sounds.get(key, stem) == stem else None
    return {key: stem for key, stem in sounds.items() if stem}


def _stem(word: str) -> str:
    if word in _GENERIC_OF:
        return _GENERIC_OF[word]
    if len(word) >= 4:
        return _generic_by_sound().get(skeleton(word), word)
    return word


@lru_cache(maxsize=200_000)
def normalise(name: str) -> Name:
    folded = _fold(name)
    words = _join_letters(_strip_legal(folded).split())
    tokens = []
    for word in words:
        stem = _stem(word)
        if stem in STOP_STEMS:
            continue
        tokens.append(stem)
    if not tokens:
        tokens = words or [folded]
    ordered = tuple(tokens)
    tokens = sorted(set(tokens))
    core = tuple(t for t in tokens if t not in WEAK_STEMS)
    return Name(raw=name, tokens=tuple(tokens), core=core, words=ordered)


# Applied in order. The sounds Latin alphabets spell differently (х: kh/ch/h, ч: ch/tsch/cz, ц: ts/tz/c/z,
# ш: sh/sch/sz) are folded; х and ч vanish altogether, since "ch" is х to a German or Pole and ч to an Englishman.
_SKELETON_RULES = (
    ("shch", "s"), ("tsch", ""), ("sch", "s"), ("tch", ""), ("ch", ""), ("cz", ""), ("sh", "s"), ("sz", "s"),
    ("zh", "z"), ("rz", "z"), ("kh", ""), ("ck", "k"), ("ph", "f"), ("th", "t"), ("ts", "s"), ("tz", "s"),
    ("x", "ks"), ("q", "k"), ("w", "v"), ("j", "i"), ("y", "i"), ("z", "s"), ("c", "s"),
)
_VOWELS_RE = re.compile(r"[aeiou]+")
_DOUBLE_RE = re.compile(r"(.)\1+")


@lru_cache(maxsize=200_000)
def skeleton(token: str) -> str:
    """A phonetic key for one token: transliteration variants and doubled letters meet.

    "romashka", "romaschka" and "romaszka" all give "rmsk"; "kuznetsov", "kusnezow" and "kuznecow" give "ksnsv";
    the first letter is kept (vowels as one class) so short keys stay selective.
    """
    if not token:
        return ""
    text = token
    for old, new in _SKELETON_RULES:
        text = text.replace(old, new)
    if not text:
        return ""
    head, rest = text[0], text[1:]
    if head in "aeiou":
        head = "a"  # "Yarzar", "Jarzar" and "Ârzar" start with the same sound class
    rest = _VOWELS_RE.sub("", rest).replace("h", "")
    return _DOUBLE_RE.sub(r"\1", head + rest)


def normalise_domain(value: str) -> str:
    """"https://www.Example.co.id/about" -> "example.co.id"."""
    value = (value or "").strip().lower()
    value = re.sub(r"^[a-z]+://", "", value).split("/")[0].split("?")[0].split(":")[0]
    return value.removeprefix("www.").strip(".")


def normalise_tax_id(value: str) -> str:
    """Tax IDs compared without separators or a VAT country prefix: "DE 136 695 976" -> "136695976"."""
    compact = re.sub(r"[^0-9A-Za-z]", "", value or "").upper()
    if len(compact) > 4 and compact[:2].isalpha() and compact[2:].isdigit():
        compact = compact[2:]
    return compact
