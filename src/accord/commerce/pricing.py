"""Money rounding and the one function that decides what a partner pays.

`net_price` is pure: it gets the list price and the candidate rules as plain values and returns the
price with the rule that produced it, so the portal can show "why this price" and tests need no
database. `PriceBook` loads the rules for many partners in a handful of queries and feeds it.
"""

from __future__ import annotations

import datetime
import operator
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import cache, reduce
from typing import NamedTuple

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


class PriceRule(NamedTuple):
    """One price list item, flattened with what of its list matters for choosing it (a tuple: a price
    book builds tens of thousands of them per load)."""

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
    """Every rule and list price needed to price products for a set of partners.

    Each partner is priced in its own currency unless `currency` names one. Loads in five queries
    however many partners, currencies and products are asked about, then answers from memory with the
    rules indexed per audience (all, tier, segment, partner), product and category, so one answer looks
    at a handful of rules. `products` limits the list prices loaded: product ids, or per currency.
    """

    def __init__(self, *, partners: Iterable, currency: str | None = None, on: datetime.date | None = None,
                 products: Iterable | Mapping[str, Iterable] | None = None) -> None:
        from accord.commerce.models import Category, ListPrice, PriceListItem
        from accord.partners.models import SegmentMembership

        self.currency = currency
        self.on = on or timezone.localdate()
        self.partners = {p.pk: p for p in partners}
        currencies = {currency} if currency else {p.currency for p in self.partners.values()}
        self.segments: dict[int, set[int]] = defaultdict(set)
        for partner_id, segment_id in SegmentMembership.objects.filter(
                partner_id__any=list(self.partners)).values_list("partner_id", "segment_id"):
            self.segments[partner_id].add(segment_id)
        tier_ids = {p.tier_id for p in self.partners.values() if p.tier_id}
        valid = Q(price_list__valid_to__isnull=True) | Q(price_list__valid_to__gte=self.on)
        items = (PriceListItem.objects
                 .filter(valid, price_list__is_active=True, price_list__currency__in=currencies,
                         price_list__valid_from__lte=self.on)
                 .filter(Q(price_list__scope="general")
                         | Q(price_list__scope="tier", price_list__tier_id__any=list(tier_ids))
                         | Q(price_list__scope="segment",
                             price_list__segment_id__any=list({s for ids in self.segments.values() for s in ids}))
                         | Q(price_list__scope="partner", price_list__partner_id__any=list(self.partners)))
                 .order_by()
                 .values_list("price_list_id", "price_list__name", "price_list__scope", "price_list__priority",
                              "price_list__valid_from", "price_list__valid_to", "product_id", "category_id",
                              "min_quantity", "net_price", "discount_percent", "price_list__currency",
                              "price_list__tier_id", "price_list__segment_id", "price_list__partner_id"))
        # (currency, scope, audience id) -> (rules by product id, rules by category id)
        self._index: dict[tuple, tuple[dict, dict]] = {}
        index = self._index
        for row in items:
            rule = PriceRule._make(row[:11])
            scope = rule.scope
            audience = row[14] if scope == "partner" else row[13] if scope == "segment" else \
                row[12] if scope == "tier" else None
            key = (row[11], scope, audience)
            indexes = index.get(key)
            if indexes is None:
                indexes = index[key] = ({}, {})
            if rule.product_id is not None:
                indexes[0].setdefault(rule.product_id, []).append(rule)
            else:
                indexes[1].setdefault(rule.category_id, []).append(rule)
        self._parents = dict(Category.objects.values_list("pk", "parent_id"))
        self._paths: dict[int | None, tuple[int, ...]] = {}
        prices = ListPrice.objects.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=self.on),
                                          currency__in=currencies, valid_from__lte=self.on)
        if isinstance(products, Mapping):
            prices = prices.filter(reduce(operator.or_, (Q(currency=code, product_id__any=list(ids))
                                                         for code, ids in products.items()), Q(pk__in=[])))
        elif products is not None:
            prices = prices.filter(product_id__any=list(products))
        self.list_prices: dict[tuple[str, int], Decimal] = {}
        starts: dict[tuple[str, int], datetime.date] = {}
        for product_id, row_currency, amount, valid_from in prices.order_by().values_list(
                "product_id", "currency", "amount", "valid_from"):
            key = (row_currency, product_id)
            if key not in starts or valid_from > starts[key]:  # the latest period that has started wins
                starts[key], self.list_prices[key] = valid_from, amount

    def _audiences(self, partner_id: int, currency: str) -> list[tuple[dict, dict]]:
        """The rule indexes that apply to a partner: everyone's, its tier's, its segments' and its own."""
        partner = self.partners[partner_id]
        keys = [(currency, "general", None), (currency, "tier", partner.tier_id), (currency, "partner", partner_id),
                *((currency, "segment", segment_id) for segment_id in self.segments.get(partner_id, ()))]
        return [self._index[key] for key in keys if key in self._index]

    def category_path(self, category_id: int | None) -> tuple[int, ...]:
        """The category and its ancestors, nearest first (cached: catalogs have few categories)."""
        path = self._paths.get(category_id)
        if path is None:
            found: list[int] = []
            current = category_id
            while current is not None and current not in found:
                found.append(current)
                current = self._parents.get(current)
            path = self._paths[category_id] = tuple(found)
        return path

    def price(self, partner_id: int, product, quantity: int = 1) -> NetPrice | None:
        """Price `product` (a Product, or a (pk, category_id) pair) for one partner in its currency."""
        product_id, category_id = (product.pk, product.category_id) if hasattr(product, "pk") else product
        currency = self.currency or self.partners[partner_id].currency
        path = self.category_path(category_id)
        rules: list[PriceRule] = []
        for by_product, by_category in self._audiences(partner_id, currency):
            rules += by_product.get(product_id, ())
            for category in path:
                rules += by_category.get(category, ())
        return net_price(product_id=product_id, category_ids=path, quantity=quantity, currency=currency,
                         on=self.on, list_price=self.list_prices.get((currency, product_id)), rules=rules)
