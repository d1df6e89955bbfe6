"""Money rounding and the one function that decides what a partner pays.

`net_price` is pure: it gets the list price and the candidate rules as plain values and returns the
price with the rule that produced it, so the portal can show "why this price" and tests need no
database. `PriceBook` loads the rules for many partners in a handful of queries and feeds it.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import cache

from babel.numbers import get_currency_precision
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

HUNDRED = Decimal(100)

# How specific a price list's scope is: the more specific one wins ("partner terms override tier terms").
LEVELS = {"partner": 3, "segment": 2, "tier": 1, "general": 0}


@cache
def currency_digits(currency: str) -> int:
    """Minor-unit digits of a currency (EUR 2, IDR 2 per ISO 4217 as Babel knows it, JPY 0, KWD 3)."""
    return get_currency_precision(currency.upper())


def round_money(amount: Decimal | int | str, currency: str) -> Decimal:
    """Round half up to the currency's own digits, the way an invoice prints it."""
    return Decimal(amount).quantize(Decimal(1).scaleb(-currency_digits(currency)), rounding=ROUND_HALF_UP)


@dataclass(frozen=True, slots=True)
class PriceRule:
    """One price list item, flattened with what of its list matters for choosing it."""

    price_list_id: int
    price_list_name: str
    scope: str
    priority: int
    valid_from: datetime.date
    valid_to: datetime.date | None
    product_id: int | None
    category_id: int | None
    min_quantity: int
    net_price: Decimal | None
    discount_percent: Decimal | None

    @property
    def level(self) -> int:
        return LEVELS[self.scope]

    def applies(self, *, product_id: int, category_ids: tuple[int, ...], quantity: int,
                on: datetime.date) -> bool:
        return (self.min_quantity <= quantity and self.valid_from <= on
                and (self.valid_to is None or on <= self.valid_to)
                and (self.product_id == product_id if self.product_id is not None
                     else self.category_id in category_ids))


@dataclass(frozen=True, slots=True)
class NetPrice:
    unit_price: Decimal
    list_price: Decimal | None
    currency: str
    rule: PriceRule | None

    @property
    def discount_percent(self) -> Decimal | None:
        if not self.list_price:
            return None
        return round((1 - self.unit_price / self.list_price) * HUNDRED, 1)

    def explain(self) -> str:
        """The rule behind the price, in the reader's language."""
        rule = self.rule
        if rule is None:
            return _("List price: no partner price list applies.")
        scope = {"partner": _("Your price list"), "segment": _("Segment price list"),
                 "tier": _("Tier price list"), "general": _("Price list")}[rule.scope]
        target = _("this product") if rule.product_id is not None else _("its category")
        if rule.net_price is not None:
            what = _("net price for %(target)s") % {"target": target}
        else:
            what = _("%(discount)s%% off the list price for %(target)s") % {
                "discount": f"{rule.discount_percent.normalize():f}", "target": target}
        text = f"{scope} “{rule.price_list_name}”: {what}"
        if rule.min_quantity > 1:
            text += " " + _("from %(quantity)s units") % {"quantity": rule.min_quantity}
        return text + "."


def _preference(rule: PriceRule) -> tuple:
    return (rule.level, rule.product_id is not None, rule.priority, rule.min_quantity)


def net_price(*, product_id: int, category_ids: tuple[int, ...], quantity: int, currency: str,
              on: datetime.date, list_price: Decimal | None, rules: Iterable[PriceRule]) -> NetPrice | None:
    """The unit price a partner pays and the rule that set it; None when the product has no price in `currency`.

    Of the rules that apply (valid on `on`, quantity reached, for the product or one of its categories)
    the most specific scope wins; then a product rule beats a category rule; then the higher priority;
    then the larger quantity break. A discount needs a list price; a net price does not.
    """
    best: PriceRule | None = None
    for rule in rules:
        if rule.discount_percent is not None and rule.net_price is None and list_price is None:
            continue
        if not rule.applies(product_id=product_id, category_ids=category_ids, quantity=quantity, on=on):
            continue
        if best is None or _preference(rule) > _preference(best):
            best = rule
    if best is None:
        if list_price is None:
            return None
        return NetPrice(round_money(list_price, currency), list_price, currency, None)
    discounted = best.net_price is None
    amount = list_price * (HUNDRED - best.discount_percent) / HUNDRED if discounted else best.net_price
    return NetPrice(round_money(amount, currency), list_price, currency, best)


class PriceBook:
    """Every rule and list price needed to price products for a set of partners in one currency.

    Loads in a fixed number of queries however many partners and products are asked about, then
    answers from memory; the benchmark resolves tens of thousands of prices per second through it.
    """

    def __init__(self, *, partners: Iterable, currency: str, on: datetime.date | None = None,
                 products: Iterable | None = None) -> None:
        from accord.commerce.models import Category, ListPrice, PriceListItem
        from accord.partners.models import SegmentMembership

        self.currency = currency
        self.on = on or timezone.localdate()
        self.partners = {p.pk: p for p in partners}
        self.segments: dict[int, set[int]] = defaultdict(set)
        for partner_id, segment_id in SegmentMembership.objects.filter(
                partner_id__in=list(self.partners)).values_list("partner_id", "segment_id"):
            self.segments[partner_id].add(segment_id)
        tier_ids = {p.tier_id for p in self.partners.values() if p.tier_id}
        valid = Q(price_list__valid_to__isnull=True) | Q(price_list__valid_to__gte=self.on)
        items = (PriceListItem.objects
                 .filter(valid, price_list__is_active=True, price_list__currency=currency,
                         price_list__valid_from__lte=self.on)
                 .filter(Q(price_list__scope="general")
                         | Q(price_list__scope="tier", price_list__tier_id__in=tier_ids)
                         | Q(price_list__scope="segment",
                             price_list__segment_id__in={s for ids in self.segments.values() for s in ids})
                         | Q(price_list__scope="partner", price_list__partner_id__in=list(self.partners)))
                 .values_list("price_list_id", "price_list__name", "price_list__scope", "price_list__priority",
                              "price_list__valid_from", "price_list__valid_to", "product_id", "category_id",
                              "min_quantity", "net_price", "discount_percent", "price_list__tier_id",
                              "price_list__segment_id", "price_list__partner_id"))
        self._general: list[PriceRule] = []
        self._by_tier: dict[int, list[PriceRule]] = defaultdict(list)
        self._by_segment: dict[int, list[PriceRule]] = defaultdict(list)
        self._by_partner: dict[int, list[PriceRule]] = defaultdict(list)
        for *fields, tier_id, segment_id, partner_id in items:
            rule = PriceRule(*fields)
            if rule.scope == "partner":
                self._by_partner[partner_id].append(rule)
            elif rule.scope == "segment":
                self._by_segment[segment_id].append(rule)
            elif rule.scope == "tier":
                self._by_tier[tier_id].append(rule)
            else:
                self._general.append(rule)
        self._rules_cache: dict[int, dict[int | None, list[PriceRule]]] = {}
        self._parents = dict(Category.objects.values_list("pk", "parent_id"))
        prices = ListPrice.objects.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=self.on),
                                          currency=currency, valid_from__lte=self.on)
        if products is not None:
            prices = prices.filter(product__in=products)
        self.list_prices: dict[int, Decimal] = dict(prices.order_by("valid_from").values_list("product_id", "amount"))

    def _rules_for(self, partner_id: int) -> dict[int | None, list[PriceRule]]:
        """The partner's rules indexed by product id (None: category rules), built once per partner."""
        indexed = self._rules_cache.get(partner_id)
        if indexed is None:
            partner = self.partners[partner_id]
            rules = [*self._general, *self._by_tier.get(partner.tier_id, ()), *self._by_partner.get(partner_id, ())]
            for segment_id in self.segments.get(partner_id, ()):
                rules.extend(self._by_segment.get(segment_id, ()))
            indexed = defaultdict(list)
            for rule in rules:
                indexed[rule.product_id].append(rule)
            self._rules_cache[partner_id] = indexed
        return indexed

    def category_path(self, category_id: int | None) -> tuple[int, ...]:
        path = []
        while category_id is not None and category_id not in path:
            path.append(category_id)
            category_id = self._parents.get(category_id)
        return tuple(path)

    def price(self, partner_id: int, product, quantity: int = 1) -> NetPrice | None:
        """Price `product` (a Product, or a (pk, category_id) pair) for one partner."""
        product_id, category_id = (product.pk, product.category_id) if hasattr(product, "pk") else product
        indexed = self._rules_for(partner_id)
        rules = indexed.get(product_id, [])
        if category_id is not None:
            rules = [*rules, *indexed.get(None, ())]
        return net_price(product_id=product_id, category_ids=self.category_path(category_id), quantity=quantity,
                         currency=self.currency, on=self.on, list_price=self.list_prices.get(product_id),
                         rules=rules)
