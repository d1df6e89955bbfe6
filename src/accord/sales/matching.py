"""The duplicate and conflict matcher for deal registrations.

    find_conflicts(deal) -> list[Candidate]      ranked open registrations that may be the same opportunity

Every candidate carries its score (0–100), the verdict that score implies (duplicate / review) and the reasons:
which fields matched and how strongly. Candidates come from the blocking-key index (`MatchKey`, ADR 0030), so a
check reads a few index pages and scores at most `CANDIDATE_LIMIT` registrations, however many are open.
`compare` is pure, so the benchmark and tests can score two registrations without a database.
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field

from rapidfuzz import fuzz
from rapidfuzz.distance import OSA

from accord.sales.names import Name, normalise, normalise_domain, normalise_tax_id, skeleton

CANDIDATE_LIMIT = 50
POSTINGS_BUDGET = 4000
# Web-mail and hosting domains say nothing about which company a contact belongs to.
SHARED_DOMAINS = frozenset({
    "gmail.com", "googlemail.com", "yahoo.com", "hotmail.com", "outlook.com", "live.com", "icloud.com",
    "mail.ru", "yandex.ru", "ya.ru", "bk.ru", "inbox.ru", "list.ru", "rambler.ru", "wp.pl", "onet.pl", "o2.pl",
    "interia.pl", "gmx.de", "gmx.net", "web.de", "t-online.de", "yahoo.co.id", "proton.me", "protonmail.com",
})


@dataclass(frozen=True)
class Registration:
    """What the matcher compares: the end customer and the opportunity's products and dates."""

    company_name: str
    country: str = ""
    city: str = ""
    web_domain: str = ""
    tax_id: str = ""
    product_ids: frozenset[int] = frozenset()
    registered_on: datetime.date | None = None
    expected_close: datetime.date | None = None

    @property
    def name(self) -> Name:
        return normalise(self.company_name)

    @property
    def domain(self) -> str:
        domain = normalise_domain(self.web_domain)
        return "" if domain in SHARED_DOMAINS else domain

    @property
    def tax(self) -> str:
        return normalise_tax_id(self.tax_id)


@dataclass(frozen=True)
class Thresholds:
    duplicate: float = 88
    review: float = 72
    window_days: int = 365


@dataclass
class Reason:
    """One piece of evidence: `field` matched with `score` (0–100); `detail` is a short, untranslated hint."""

    field: str
    score: float
    detail: str = ""

    def as_dict(self) -> dict:
        return {"field": self.field, "score": round(self.score, 1), "detail": self.detail}


@dataclass
class Candidate:
    deal_id: int | None
    score: float
    verdict: str  # "duplicate", "review" or "" when below both thresholds
    reasons: list[Reason] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"deal_id": self.deal_id, "score": round(self.score, 1), "verdict": self.verdict,
                "reasons": [r.as_dict() for r in self.reasons]}


def _token_score(token: str, others: tuple[str, ...]) -> float:
    """How well one distinctive word is matched on the other side.

    Equal: 100; the same sound (a transliteration, e.g. "schischkin" ~ "shishkin"): 95; one typo (insert,
    delete, substitute, swap) in a word of five letters or more: 90, or 70 when it is the first letter
    ("Harrington" / "Carrington" are usually two companies); two typos in a long word: 80. Anything else is a
    different word, scored at most 60 however many letters the two share, so "Rosewood" never passes for
    "Redwood".
    """
    best = 0.0
    sound = skeleton(token)
    for other in others:
        if token == other:
            return 100.0
        letters = fuzz.ratio(token, other)
        if sound == skeleton(other) and (len(sound) >= 4 or (len(sound) == 3 and letters >= 75)):
            score = 95.0
        else:
            edits = OSA.distance(token, other, score_cutoff=2)
            shortest = min(len(token), len(other))
            if edits == 1 and shortest >= 5:
                score = 90.0 if token[0] == other[0] else 70.0
            elif edits == 2 and shortest >= 9:
                score = 80.0
            else:
                score = min(60.0, letters)
        best = max(best, score)
    return best


def name_similarity(a: Name, b: Name) -> tuple[float, list[Reason]]:
    """How alike two normalised names are, 0–100, and why.

    The distinctive words decide: the names as strings (whole, distinctive words only, their phonetic skeletons,
    or run together for "Nord Wind" ~ "Nordwind"), then word by word — one distinctive word with no counterpart
    ("Bergmann" vs "Hartmann Maschinenbau") pulls the score down. Generic words ("systems", "technologies")
    count only when both sides have some and they disagree, which separates "Nordwind Logistik" from
    "Nordwind Systemhaus"; a name that is the other plus extra words ("Siemens" vs "Siemens Healthineers")
    is a question for a person, not a duplicate.
    """
    reasons: list[Reason] = []
    whole = fuzz.ratio(a.text, b.text)
    core = fuzz.ratio(a.core_text, b.core_text)
    joined = fuzz.ratio(a.core_text.replace(" ", ""), b.core_text.replace(" ", ""))
    phonetic = fuzz.ratio(a.skeleton_text, b.skeleton_text) - 3 if min(
        len(a.skeleton_text), len(b.skeleton_text)) >= 4 else 0
    score = max(whole, core, joined, phonetic)
    if score == whole:
        reasons.append(Reason("name", whole, "whole name"))
    elif score in (core, joined):
        reasons.append(Reason("name", score, "distinctive words"))
    else:
        reasons.append(Reason("name_sound", phonetic + 3, "sounds alike"))
    a_words, b_words = a.core or a.tokens, b.core or b.tokens
    if joined < 95 and a_words and b_words:
        shorter, longer = sorted((a_words, b_words), key=len)
        word_scores = [_token_score(word, longer) for word in shorter]
        worst, mean = min(word_scores), sum(word_scores) / len(word_scores)
        if worst < 75:
            score = min(score, mean - (75 - worst))
            reasons.append(Reason("distinct_word", worst, "a distinctive word differs"))
        elif len(shorter) < len(longer):
            # "Siemens" and "Siemens Healthineers": related, perhaps, but another legal entity.
            score = min(score, 70.0)
            reasons.append(Reason("name_words", 70, "one name has more distinctive words"))
    acronym_hit = (len(a.core) == 1 and a.core[0] == b.acronym and len(b.acronym) >= 3) or (
        len(b.core) == 1 and b.core[0] == a.acronym and len(a.acronym) >= 3)
    if acronym_hit and score < 90:
        score = 90.0
        reasons = [Reason("acronym", 90, a.acronym or b.acronym)]
    weak_a = set(a.tokens) - set(a.core)
    weak_b = set(b.tokens) - set(b.core)
    if weak_a and weak_b and not (weak_a & weak_b) and score > 60:
        score -= 30
        reasons.append(Reason("generic_words", 0, "different lines of business"))
    return float(max(0.0, score)), reasons


def compare(new: Registration, other: Registration, thresholds: Thresholds = Thresholds()) -> Candidate:
    """Score how likely `other` is the same opportunity as `new`, with the reasons."""
    name_score, reasons = name_similarity(new.name, other.name)
    score = name_score
    if new.tax and other.tax:
        if new.tax == other.tax:
            score = max(score, 100.0)
            reasons.insert(0, Reason("tax_id", 100, new.tax))
        else:
            score *= 0.7
            reasons.append(Reason("tax_id", 0, "different tax IDs"))
    if new.domain and other.domain:
        if new.domain == other.domain:
            score = max(score, 97.0)
            reasons.insert(0, Reason("web_domain", 100, new.domain))
        elif score < 97:
            score -= 5
            reasons.append(Reason("web_domain", 0, "different web domains"))
    if new.country and other.country and new.country.upper() != other.country.upper() and score < 97:
        score *= 0.8
        reasons.append(Reason("country", 0, f"{new.country.upper()} ≠ {other.country.upper()}"))
    elif new.city and other.city and score < 97:
        city = fuzz.ratio(normalise(new.city).text, normalise(other.city).text)
        if city >= 85:
            score = min(100.0, score + 2)
            reasons.append(Reason("city", city, other.city))
        else:
            score -= 3
            reasons.append(Reason("city", city, "different cities"))
    if new.product_ids and other.product_ids:
        shared = new.product_ids & other.product_ids
        overlap = 100 * len(shared) / len(new.product_ids | other.product_ids)
        if shared:
            reasons.append(Reason("products", overlap, f"{len(shared)} shared"))
        else:
            score -= 15
            reasons.append(Reason("products", 0, "no product in common"))
    gap = _gap_days(new, other)
    if gap is not None and gap > thresholds.window_days:
        score -= 15
        reasons.append(Reason("time_window", 0, f"{gap} days apart"))
    score = max(0.0, min(100.0, score))
    verdict = "duplicate" if score >= thresholds.duplicate else "review" if score >= thresholds.review else ""
    return Candidate(deal_id=None, score=score, verdict=verdict, reasons=reasons)


def _gap_days(a: Registration, b: Registration) -> int | None:
    gaps = []
    if a.registered_on and b.registered_on:
        gaps.append(abs((a.registered_on - b.registered_on).days))
    if a.expected_close and b.expected_close:
        gaps.append(abs((a.expected_close - b.expected_close).days))
    return min(gaps) if gaps else None


# --- blocking keys -----------------------------------------------------------------------------------------

def _hash(text: str) -> int:
    """A signed 64-bit key, so the index is one BIGINT column whatever the key's text."""
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "big", signed=True)


def key_texts(registration: Registration) -> set[str]:
    """Readable blocking keys; `keys` hashes them. Two registrations worth scoring share at least one."""
    name = registration.name
    texts: set[str] = set()
    tokens = name.core or name.tokens
    for token in tokens:
        if len(token) < 2:
            continue
        texts.add(f"t:{token}")
        sound = skeleton(token)
        if len(sound) >= 3:
            texts.add(f"k:{sound}")
        if 4 <= len(token) <= 12:
            # Every one-letter deletion (symmetric-delete keys): two spellings one typo apart always share one.
            texts.update(f"t:{token[:i]}{token[i + 1:]}" for i in range(len(token)))
        elif len(token) > 12:
            texts.add(f"p:{token[:6]}")
            texts.add(f"s:{token[-6:]}")
    if name.acronym and len(name.acronym) >= 3:
        texts.add(f"t:{name.acronym}")
    if registration.domain:
        texts.add(f"d:{registration.domain}")
    if registration.tax:
        texts.add(f"x:{registration.tax}")
    return texts


def keys(registration: Registration) -> list[int]:
    return sorted({_hash(text) for text in key_texts(registration)})


# --- the database side ---------------------------------------------------------------------------------------

def registration_of(deal, product_ids: Iterable[int] | None = None) -> Registration:
    """The matcher's view of a Deal (saved or not); pass `product_ids` for an unsaved deal."""
    if product_ids is None:
        product_ids = [p.pk for p in deal.products.all()] if deal.pk else []
    from django.utils import timezone

    registered = deal.registered_at.date() if getattr(deal, "registered_at", None) else timezone.localdate()
    return Registration(company_name=deal.company_name, country=deal.company_country, city=deal.company_city,
                        web_domain=deal.company_domain, tax_id=deal.company_tax_id,
                        product_ids=frozenset(product_ids), registered_on=registered,
                        expected_close=deal.expected_close_date)


def index_deal(deal, registration: Registration | None = None) -> None:
    """(Re)write an open deal's keys; closed deals leave the index so it only ever holds open ones."""
    from accord.sales.models import MatchKey

    unindex_deal(deal)
    if deal.is_open:
        registration = registration or registration_of(deal)
        hashes = keys(registration)
        MatchKey.objects.bulk_create([MatchKey(deal_id=deal.pk, key=key) for key in hashes])
        _count(hashes, +1)


def unindex_deal(deal) -> None:
    from accord.sales.models import MatchKey

    old = list(MatchKey.objects.filter(deal_id=deal.pk).values_list("key", flat=True))
    if old:
        MatchKey.objects.filter(deal_id=deal.pk).delete()
        _count(old, -1)


def _count(hashes: list[int], delta: int) -> None:
    """Keep the per-key registration counts in step; each UPDATE is atomic (F() arithmetic in the database)."""
    from django.db.models import F

    from accord.sales.models import MatchKeyFrequency

    if delta > 0:
        MatchKeyFrequency.objects.bulk_create([MatchKeyFrequency(key=key, deals=0) for key in hashes],
                                              ignore_conflicts=True)
    MatchKeyFrequency.objects.filter(key__in=hashes).update(deals=F("deals") + delta)


_CANDIDATES_SQL = """
WITH wanted AS (
    SELECT key, deals, SUM(deals) OVER (ORDER BY deals, key) AS running
    FROM {frequency} WHERE key IN ({placeholders}) AND deals > 0
), chosen AS (
    SELECT key FROM wanted WHERE running <= %s OR running = (SELECT MIN(running) FROM wanted)
), hits AS (
    SELECT deal_id, COUNT(*) AS shared FROM {keys} WHERE key IN (SELECT key FROM chosen) AND deal_id <> %s
    GROUP BY deal_id ORDER BY shared DESC, deal_id DESC LIMIT %s
)
SELECT d.id, d.company_name, d.company_country, d.company_city, d.company_domain, d.company_tax_id,
       d.registered_at, d.expected_close_date
FROM hits JOIN {deals} d ON d.id = hits.deal_id
WHERE d.status IN ('submitted', 'review', 'approved')
ORDER BY hits.shared DESC, d.id DESC
"""


def candidates(registration: Registration, *, exclude: int | None = None, limit: int = CANDIDATE_LIMIT) -> list:
    """Open deals sharing the most blocking keys with `registration`, reading its rarest keys first.

    Keys are taken from the rarest up while their postings fit in POSTINGS_BUDGET, so a key shared by thousands
    of registrations (a common word) is skipped while every rare key — the ones a true duplicate shares — is
    read in full. One round trip: key counts, postings, grouping and the candidates' fields (ADR 0030).
    """
    from django.db import connection

    from accord.sales.models import Deal, MatchKey, MatchKeyFrequency

    hashes = keys(registration)
    if not hashes:
        return []
    quote = connection.ops.quote_name
    sql = _CANDIDATES_SQL.format(frequency=quote(MatchKeyFrequency._meta.db_table), keys=quote(
        MatchKey._meta.db_table), deals=quote(Deal._meta.db_table), placeholders=", ".join(["%s"] * len(hashes)))
    with connection.cursor() as cursor:
        cursor.execute(sql, [*hashes, POSTINGS_BUDGET, exclude or 0, limit])
        rows = cursor.fetchall()
    fields = ("id", "company_name", "company_country", "company_city", "company_domain", "company_tax_id",
              "registered_at", "expected_close_date")
    return [Deal(**dict(zip(fields, row, strict=True))) for row in rows]


def candidate_ids(registration: Registration, *, exclude: int | None = None,
                  limit: int = CANDIDATE_LIMIT) -> list[int]:
    return [deal.pk for deal in candidates(registration, exclude=exclude, limit=limit)]


def find_conflicts(deal, *, product_ids: Iterable[int] | None = None, thresholds: Thresholds | None = None,
                   limit: int = 10) -> list[Candidate]:
    """Ranked open registrations that may be the same opportunity as `deal`, best first.

    Only candidates scoring at least the review threshold are returned; each has its verdict and reasons.
    """
    from accord.sales.models import Deal, SalesSettings

    if thresholds is None:
        current = SalesSettings.current()
        thresholds = Thresholds(current.duplicate_threshold, current.review_threshold, current.match_window_days)
    registration = registration_of(deal, product_ids)
    others = candidates(registration, exclude=deal.pk)
    if not others:
        return []
    products: dict[int, set[int]] = {}
    if registration.product_ids:  # product overlap only matters when the new registration names products
        through = Deal.products.through.objects.filter(deal_id__in=[o.pk for o in others])
        for deal_id, product_id in through.values_list("deal_id", "product_id"):
            products.setdefault(deal_id, set()).add(product_id)
    found = []
    for other in others:
        candidate = compare(registration, registration_of(other, products.get(other.pk, ())), thresholds)
        if candidate.verdict:
            candidate.deal_id = other.pk
            found.append(candidate)
    found.sort(key=lambda c: (-c.score, c.deal_id))
    return found[:limit]
